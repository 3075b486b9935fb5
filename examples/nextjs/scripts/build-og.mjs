// Prerenders every post's card into public/og/ at build time: writes a manifest from the
// posts and runs `ogmill build`. Unchanged posts are skipped on the next run.
//
//   OGMILL_BIN  the ogmill binary; when unset, `ogmill` is looked up on PATH

import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { delimiter, join, resolve } from "node:path";

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

const bin = ogmillBinary();
if (!bin) {
  console.error(
    "✖ og:build: cannot find the ogmill binary: it is not on PATH and OGMILL_BIN is not set.\n" +
      "  Put ogmill on PATH (cargo install --path <ogmill checkout>, or copy target/release/ogmill)\n" +
      "  or set OGMILL_BIN=/absolute/path/to/ogmill.",
  );
  process.exit(1);
}
const run = spawnSync(bin, ["build", ".ogmill/manifest.ndjson", "--out", "public/og"], {
  stdio: "inherit",
});
if (run.error) {
  console.error(`✖ og:build: cannot run ${bin}: ${run.error.message}`);
  process.exit(1);
}
process.exit(run.status ?? 1);

/** OGMILL_BIN when set (relative to where npm was run), else `ogmill` found on PATH. */
function ogmillBinary() {
  const given = process.env.OGMILL_BIN;
  if (given) {
    const path = resolve(process.env.INIT_CWD ?? process.cwd(), given);
    if (!existsSync(path)) {
      console.error(`✖ og:build: OGMILL_BIN is ${given}, and ${path} does not exist`);
      process.exit(1);
    }
    return path;
  }
  const exe = process.platform === "win32" ? "ogmill.exe" : "ogmill";
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (dir && existsSync(join(dir, exe))) return join(dir, exe);
  }
  return undefined;
}
