// The blog card with ogmill (the npm package), @takumi-rs/core and @vercel/og in one Node
// process: ms per card one at a time, and cards/s with every core busy (as many renders in
// flight as cores). Medians of ROUNDS rounds, the peers interleaved with ogmill in each
// round, so a noisy neighbour slows all alike. run.sh runs it under `taskset -c 0` for
// the one-at-a-time figure (one thread: Takumi would otherwise spread one card over cores).
//   node bench.mjs FONTS_DIR [ITERATIONS] [ROUNDS] [latency|throughput]

import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { performance } from "node:perf_hooks";
import { Renderer as Ogmill } from "ogmill";
import { Renderer as Takumi } from "@takumi-rs/core";
import { container, text } from "@takumi-rs/helpers";
import { ImageResponse } from "@vercel/og";
import { card, takumiNode, TITLE } from "./card.mjs";

const [fontsDir, n = "40", r = "3", mode = "latency"] = process.argv.slice(2);
const iterations = Number(n);
const rounds = Number(r);
const cores = availableParallelism();
const fonts = [
  ["Inter-Regular.otf", 400], ["Inter-SemiBold.otf", 600], ["Inter-Bold.otf", 700],
].map(([file, weight]) => ({ name: "Inter", data: readFileSync(`${fontsDir}/${file}`), weight, style: "normal" }));

const ogmill = new Ogmill();
const params = { title: TITLE, author: "Jane Doe", date: "2026-11-23" };
const takumi = new Takumi();
for (const f of fonts) await takumi.registerFont(f);
const node = takumiNode(container, text);

const renderers = {
  ogmill: async () => (await ogmill.render("blog", params)).data,
  "@takumi-rs/core": () => takumi.render(node, { width: 1200, height: 630, format: "png" }),
  "@vercel/og": async () => Buffer.from(await new ImageResponse(card(), { width: 1200, height: 630, fonts }).arrayBuffer()),
};

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function oneAtATime(render) {
  const times = [];
  for (let i = 0; i < iterations; i++) {
    const t = performance.now();
    await render();
    times.push(performance.now() - t);
  }
  return median(times);
}

async function allCores(render) {
  const total = iterations * cores;
  let next = 0;
  const t = performance.now();
  await Promise.all(Array.from({ length: cores }, async () => {
    while (next++ < total) await render();
  }));
  return (total / (performance.now() - t)) * 1000;
}

const results = Object.fromEntries(Object.keys(renderers).map((k) => [k, { ms: [], perSec: [], bytes: 0 }]));
for (const [name, render] of Object.entries(renderers)) {
  for (let i = 0; i < 5; i++) results[name].bytes = (await render()).length; // warm-up
}
for (let round = 0; round < rounds; round++) {
  for (const [name, render] of Object.entries(renderers)) {
    if (mode === "latency") results[name].ms.push(await oneAtATime(render));
    else results[name].perSec.push(await allCores(render));
  }
}

if (mode === "latency") {
  const base = median(results.ogmill.ms);
  console.log(`blog card, 1200x630 PNG, one Node process on one core; ${rounds} rounds of ${iterations} renders one at a time; medians\n`);
  console.log("| renderer | ms per card | vs ogmill | PNG bytes |");
  console.log("|---|---|---|---|");
  for (const [name, r] of Object.entries(results)) {
    const ms = median(r.ms);
    console.log(`| ${name} | ${ms.toFixed(2)} | ${(ms / base).toFixed(2)}x | ${r.bytes} |`);
  }
  const t = median(results["@takumi-rs/core"].ms);
  const v = median(results["@vercel/og"].ms);
  console.log(`\nogmill's time per card: ${(base / t).toFixed(3)}x Takumi's, ${(base / v).toFixed(3)}x @vercel/og's`);
} else {
  console.log(`${rounds} rounds of ${iterations * cores} renders with ${cores} in flight (all ${cores} cores); medians\n`);
  console.log("| renderer | cards/s, all cores |");
  console.log("|---|---|");
  for (const [name, r] of Object.entries(results)) console.log(`| ${name} | ${median(r.perSec).toFixed(1)} |`);
}
