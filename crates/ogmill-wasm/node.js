// Node.js: loads the .wasm beside this file on import, then gives the API of index.js.
import { readFile } from "node:fs/promises";
import { init } from "./index.js";

await init(await readFile(new URL("./pkg/ogmill_bg.wasm", import.meta.url)));

export * from "./index.js";
