// ogmill-wasm in plain Node ESM, installed from its tarball (tests/it/wasm.rs): the `node`
// entry loads the .wasm on import. OGMILL_FONTS is the repository's fonts/, OUT_DIR where
// the card is written for the Rust side to compare with the native one.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import { Renderer } from "ogmill-wasm";

const TITLE = "Next.js Dynamic Image Generation: OG Images, Social Cards & More";

test("the blog card renders as PNG, WebP and JPEG", async () => {
  const r = new Renderer();
  const card = await r.render("blog", { title: TITLE, author: "Jane Doe" });
  assert.ok(card.data instanceof Uint8Array);
  assert.equal(card.contentType, "image/png");
  assert.deepEqual([card.width, card.height], [1200, 630]);
  assert.equal(card.fit.find((f) => f.slot === "title").missing, "");
  writeFileSync(join(process.env.OUT_DIR, "blog.png"), card.data);
  const webp = await r.render("blog", { title: TITLE }, { format: "webp" });
  assert.equal(webp.contentType, "image/webp");
  assert.equal(Buffer.from(webp.data.subarray(8, 12)).toString(), "WEBP");
  const jpeg = r.renderSync("blog", { title: TITLE }, { format: "jpeg", quality: 80 });
  assert.equal(jpeg.contentType, "image/jpeg");
  assert.ok(r.templates().some((t) => t.name === "blog"));
});

test("a CJK title reports its missing glyphs until its font is added", async () => {
  const r = new Renderer();
  const title = "東京で会いましょう";
  const before = await r.render("blog", { title });
  assert.ok(before.fit.find((f) => f.slot === "title").missing.includes("東"));
  r.addFont(readFileSync(join(process.env.OGMILL_FONTS, "NotoSansCJKjp-Bold.otf")));
  const after = await r.render("blog", { title });
  assert.equal(after.fit.find((f) => f.slot === "title").missing, "");
});

test("own templates and fonts as bytes, without the bundled ones", async () => {
  const svg =
    '<svg xmlns="http://www.w3.org/2000/svg" xmlns:og="https://ogmill.dev/template" width="600" height="300">' +
    '<metadata><og:param name="title" kind="text" default="T"/></metadata>' +
    '<text og:text="{{title}}" og:box="20 20 560 260" x="20" y="80" font-family="Inter" font-size="40">T</text></svg>';
  const inter = readFileSync(join(process.env.OGMILL_FONTS, "Inter-Bold.otf"));
  const r = new Renderer({ templates: { card: svg }, fonts: [inter], bundledTemplates: false, bundledFonts: false });
  assert.deepEqual(r.templates().map((t) => t.name), ["card"]);
  const card = await r.render("card", { title: "Bytes in, at the edge" });
  assert.equal(card.width, 600);
});

test("bad input throws an Error with its code", async () => {
  const r = new Renderer();
  await assert.rejects(r.render("nope"), { code: "UNKNOWN_TEMPLATE", message: /unknown template 'nope'/ });
  await assert.rejects(r.render("blog", { titel: "x" }), { code: "BAD_PARAM" });
  await assert.rejects(r.render("blog", { title: "x".repeat(400) }), { code: "BAD_PARAM" });
  assert.throws(() => new Renderer({ templates: { broken: "<svg" } }), { code: "TEMPLATE_ERROR" });
  assert.throws(() => new Renderer({ fonts: ["not bytes"] }), { code: "BAD_OPTION" });
});
