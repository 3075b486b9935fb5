// Renders the blog card with Satori + resvg-js (what @vercel/og does) and with Takumi,
// and ogmill's own bench of the same card, in one run; prints one table.
//   node peers.mjs FONTS_DIR OGMILL_BIN [ITERATIONS]

import { readFileSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { performance } from "node:perf_hooks";
import satori from "satori";
import { Resvg } from "@resvg/resvg-js";
import { Renderer } from "@takumi-rs/core";
import { container, text } from "@takumi-rs/helpers";
import { card, takumiNode } from "./card.mjs";

const [fontsDir, ogmillBin, n = "50"] = process.argv.slice(2);
const iterations = Number(n);
const fonts = [
  ["Inter-Regular.otf", 400], ["Inter-SemiBold.otf", 600], ["Inter-Bold.otf", 700],
].map(([file, weight]) => ({ name: "Inter", data: readFileSync(`${fontsDir}/${file}`), weight, style: "normal" }));

async function measure(name, render) {
  for (let i = 0; i < 5; i++) await render(); // warm-up
  const times = [];
  let bytes = 0;
  const start = performance.now();
  for (let i = 0; i < iterations; i++) {
    const t = performance.now();
    const png = await render();
    times.push(performance.now() - t);
    bytes = png.length;
  }
  const wall = performance.now() - start;
  // SAVE_DIR=dir keeps each renderer's last image, to check the cards look alike.
  if (process.env.SAVE_DIR) writeFileSync(`${process.env.SAVE_DIR}/${name.split(" ")[0].toLowerCase()}.png`, await render());
  times.sort((a, b) => a - b);
  const pick = (q) => times[Math.min(times.length - 1, Math.ceil(q * times.length) - 1)];
  return { name, p50: pick(0.5), p95: pick(0.95), perSec: (iterations / wall) * 1000, bytes };
}

const rows = [];
const out = execFileSync(ogmillBin, ["bench", "blog", "--iterations", String(iterations * 2), "--json", "--no-baseline"]);
const og = JSON.parse(out)[0];
rows.push({ name: "ogmill (blog.svg)", p50: og.p50, p95: og.p95, perSec: og.images_per_sec, bytes: og.bytes });

rows.push(await measure("Satori + resvg-js", async () => {
  const svg = await satori(card(), { width: 1200, height: 630, fonts });
  return new Resvg(svg, { fitTo: { mode: "width", value: 1200 } }).render().asPng();
}));

const takumi = new Renderer();
for (const f of fonts) await takumi.registerFont(f);
const node = takumiNode(container, text);
rows.push(await measure("Takumi (@takumi-rs/core)", () => takumi.render(node, { width: 1200, height: 630, format: "png" })));

const base = rows[0].p50;
console.log(`blog card, 1200x630, ${iterations} renders each after 5 warm-up, one at a time, same machine and run\n`);
console.log("| renderer | median ms | p95 ms | images/s | PNG bytes | median vs ogmill |");
console.log("|---|---|---|---|---|---|");
for (const r of rows) {
  console.log(`| ${r.name} | ${r.p50.toFixed(2)} | ${r.p95.toFixed(2)} | ${r.perSec.toFixed(1)} | ${r.bytes} | ${(r.p50 / base).toFixed(2)}x |`);
}
