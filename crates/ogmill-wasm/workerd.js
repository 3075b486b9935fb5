// Cloudflare Workers (workerd, wrangler): the .wasm is a module import, compiled by the
// runtime at deploy time (workers may not compile wasm from bytes at run time).
import wasm from "./pkg/ogmill_bg.wasm";
import { initSync } from "./index.js";

initSync(wasm);

export * from "./index.js";
