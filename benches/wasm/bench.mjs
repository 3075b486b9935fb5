// The blog card in one Node process: ogmill native (the npm package), ogmill-wasm, and the
// peers' WebAssembly builds (@takumi-rs/wasm; @vercel/og = Satori + resvg-wasm). Medians of
// ROUNDS rounds of ITERATIONS renders one at a time, the renderers interleaved per round.
//   node bench.mjs FONTS_DIR [ITERATIONS] [ROUNDS]

import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { Renderer as Native } from "ogmill";
import { Renderer as Wasm } from "ogmill-wasm";
import { Renderer as TakumiWasm } from "@takumi-rs/wasm/node";
import { container, text } from "@takumi-rs/helpers";
import { ImageResponse } from "@vercel/og";
import { card, takumiNode, TITLE } from "./card.mjs";

const [fontsDir, n = "30", r = "3"] = process.argv.slice(2);
const iterations = Number(n);
const rounds = Number(r);
const fonts = [
  ["Inter-Regular.otf", 400], ["Inter-SemiBold.otf", 600], ["Inter-Bold.otf", 700],
].map(([file, weight]) => ({ name: "Inter", data: readFileSync(`${fontsDir}/${file}`), weight, style: "normal" }));

const params = { title: TITLE, author: "Jane Doe", date: "2026-11-23" };
const native = new Native();
const wasm = new Wasm();
const takumi = new TakumiWasm();
for (const f of fonts) await takumi.registerFont(f);
const node = takumiNode(container, text);

const renderers = {
  "ogmill (native, npm)": async () => (await native.render("blog", params)).data,
  "ogmill-wasm": async () => (await wasm.render("blog", params)).data,
  "@takumi-rs/wasm": () => takumi.render(node, { width: 1200, height: 630, format: "png" }),
  "@vercel/og (Satori + resvg-wasm)": async () =>
    Buffer.from(await new ImageResponse(card(), { width: 1200, height: 630, fonts }).arrayBuffer()),
};

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = Object.fromEntries(Object.keys(renderers).map((k) => [k, { ms: [], bytes: 0 }]));
for (const [name, render] of Object.entries(renderers)) {
  for (let i = 0; i < 5; i++) results[name].bytes = (await render()).length;
}
for (let round = 0; round < rounds; round++) {
  for (const [name, render] of Object.entries(renderers)) {
    const times = [];
    for (let i = 0; i < iterations; i++) {
      const t = performance.now();
      await render();
      times.push(performance.now() - t);
    }
    results[name].ms.push(median(times));
  }
}
const wasmMs = median(results["ogmill-wasm"].ms);
console.log(`blog card, 1200x630 PNG, one Node process on one core; ${rounds} rounds of ${iterations}; medians\n`);
console.log("| renderer | ms per card | vs ogmill-wasm | PNG bytes |");
console.log("|---|---|---|---|");
for (const [name, r] of Object.entries(results)) {
  const ms = median(r.ms);
  console.log(`| ${name} | ${ms.toFixed(2)} | ${(ms / wasmMs).toFixed(2)}x | ${r.bytes} |`);
}
