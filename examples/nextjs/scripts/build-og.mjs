// Prerenders every post's card into public/og/ at build time: writes a manifest from the
// posts and runs `ogmill build`. Unchanged posts are skipped on the next run.
//
//   OGMILL_BIN  the ogmill binary (default: "ogmill" on PATH)

import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";

const posts = JSON.parse(readFileSync(new URL("../content/posts.json", import.meta.url), "utf8"));
const manifest = posts
  .map((p) =>
    JSON.stringify({
      template: "blog",
      output: `blog/${p.slug}.png`,
      title: p.title,
      author: p.author,
      date: p.date,
      tag: p.tag,
    }),
  )
  .join("\n");
mkdirSync(".ogmill", { recursive: true });
writeFileSync(".ogmill/manifest.ndjson", manifest + "\n");

const bin = process.env.OGMILL_BIN ?? "ogmill";
const run = spawnSync(bin, ["build", ".ogmill/manifest.ndjson", "--out", "public/og"], {
  stdio: "inherit",
});
if (run.error) {
  console.error(`cannot run ${bin}: ${run.error.message} (set OGMILL_BIN or put ogmill on PATH)`);
  process.exit(1);
}
process.exit(run.status ?? 1);
