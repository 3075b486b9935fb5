// Design mode end to end in a real headless Chromium (Debian's, through playwright-core).
// Run by tests/it/browser.rs with BASE_URL, DESIGN (an SVG export), ARTIFACTS, CHROMIUM and
// PLAYWRIGHT. Opens the design, unbinds everything, binds two texts and a picture by clicking,
// renames a param, drags a box's corner, moves it with the keyboard, undoes once, previews a
// long value, saves (answering the replace question), and prints one JSON line of what it saw.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { chromium } = require(process.env.PLAYWRIGHT);
const base = process.env.BASE_URL;
const seen = { console_errors: [], dialogs: [] };

function expect(ok, what) {
  if (!ok) throw new Error(`expected ${what}; saw ${JSON.stringify(seen)}`);
}

const context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), "ogmill-chromium-")), {
  executablePath: process.env.CHROMIUM,
  headless: true,
  viewport: { width: 1400, height: 1400 },
  args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-quic"],
});
try {
  const page = context.pages()[0] || (await context.newPage());
  page.on("console", (m) => m.type() === "error" && seen.console_errors.push(m.text()));
  page.on("pageerror", (e) => seen.console_errors.push(String(e)));
  page.on("dialog", async (d) => {
    seen.dialogs.push(d.message());
    await d.accept();
  });
  page.setDefaultTimeout(20000);
  await page.goto(`${base}/`);
  await page.waitForSelector("#design:not([hidden])");
  // Before a file is opened there is no work area (no broken image), and disabled buttons
  // look disabled.
  expect(await page.isHidden("#design-work"), "no work area before a design is opened");
  seen.undo_opacity = await page.$eval("#design-undo", (b) => Number(getComputedStyle(b).opacity));
  expect(seen.undo_opacity < 0.8, "a disabled Undo that looks disabled");
  expect(await page.isHidden("#design-nosave"), "no 'cannot save' notice on a server with --templates");
  await page.setInputFiles("#design-file", process.env.DESIGN);
  const drawn = async (n) =>
    page.waitForFunction((n) => Number(document.getElementById("design-preview").dataset.drawn || 0) >= n, n);
  await drawn(1);
  const boxes = () => page.$$eval(".box", (bs) => bs.map((b) => ({ bound: b.classList.contains("bound"), label: b.getAttribute("aria-label") })));
  seen.suggested = await boxes();
  // Each label stays inside its own box, so neighbours' labels never overlap.
  seen.tags_outside = await page.$$eval(".box:not(.selected)", (bs) =>
    bs.filter((b) => {
      const r = b.getBoundingClientRect();
      const t = b.querySelector(".tag").getBoundingClientRect();
      return t.left < r.left - 1 || t.top < r.top - 1 || t.right > r.right + 1;
    }).length,
  );
  expect(seen.tags_outside === 0, "every label inside its box");
  expect(seen.suggested.length === 4 && seen.suggested.every((b) => b.bound), "four suggested params (two texts, two pictures)");

  // The suggestions can be cleared at once (every box then offers "click to bind") and taken
  // back; then unbind all with the keyboard, and bind two texts and a picture by clicking.
  seen.suggested_line = await page.textContent("#design-suggested");
  expect(seen.suggested_line.startsWith("4 of 4"), "the count of suggested params");
  await page.click("#design-clear");
  expect((await boxes()).every((b) => !b.bound), "every box unbound by Unbind all");
  seen.offers = await page.$$eval(".box .tag", (ts) => ts.filter((t) => t.textContent === "click to bind").length);
  expect(seen.offers === 4, "each box offering 'click to bind'");
  await page.click("#design-suggest");
  expect((await boxes()).every((b) => b.bound), "the suggestions back");
  for (let i = 0; i < 4; i++) {
    await page.click(`.box[data-index="${i}"]`);
    await page.keyboard.press("Delete");
  }
  expect((await boxes()).every((b) => !b.bound), "every box unbound");
  for (const i of [0, 1, 2]) await page.click(`.box[data-index="${i}"]`);
  seen.bound = (await boxes()).map((b) => b.bound);
  expect(JSON.stringify(seen.bound) === "[true,true,true,false]", "two texts and a picture bound");

  // Rename the title, give it a long value, drag its corner, nudge it, undo the nudge.
  await page.click('.box[data-index="0"]');
  await page.fill("#slot-param", "headline");
  await page.press("#slot-param", "Tab");
  await page.fill("#slot-sample", "A long headline typed into design mode to see it wrap inside the box");
  await page.press("#slot-sample", "Tab");
  const before = await page.$eval('.box[data-index="0"]', (b) => b.getBoundingClientRect().toJSON());
  const handle = await page.$('.box[data-index="0"] .handle');
  const hb = await handle.boundingBox();
  await page.mouse.move(hb.x + 6, hb.y + 6);
  await page.mouse.down();
  await page.mouse.move(hb.x - 40, hb.y + 20, { steps: 5 });
  await page.mouse.up();
  const after = await page.$eval('.box[data-index="0"]', (b) => b.getBoundingClientRect().toJSON());
  seen.drag = { before: before.width, after: after.width };
  expect(after.width < before.width - 20, "the drag to narrow the box");
  await page.focus('.box[data-index="0"]');
  const x0 = await page.$eval('.box[data-index="0"]', (b) => b.getBoundingClientRect().x);
  await page.keyboard.press("ArrowRight");
  const x1 = await page.$eval('.box[data-index="0"]', (b) => b.getBoundingClientRect().x);
  await page.click("#design-undo");
  const x2 = await page.$eval('.box[data-index="0"]', (b) => b.getBoundingClientRect().x);
  seen.nudge = [x0, x1, x2];
  expect(x1 > x0 && Math.abs(x2 - x0) < 0.5, "the arrow key to move the box and Undo to move it back");
  // The previews of these edits are debounced and may all be drawn already: wait for the
  // fit of the long headline itself, not for one more draw (a race under load).
  await page.waitForFunction(() => /headline \d+ [2-9]/.test(document.getElementById("design-preview").dataset.fit || ""));
  seen.fit = await page.$eval("#design-preview", (i) => i.dataset.fit);
  expect(/headline \d+ [2-9]/.test(seen.fit), "the long headline on several lines");
  await page.locator("#design").screenshot({ path: join(process.env.ARTIFACTS, "design-mode.png") });

  // Save under a name that exists: the page asks, and replaces when told to.
  await page.fill("#design-name", "blog-from-design");
  await page.click("#design-save button[type=submit]");
  await page.waitForFunction(() => document.getElementById("design-saved").textContent.startsWith("Saved"));
  // Hot reload serves it; then saving again under its name asks first.
  for (let i = 0; ; i++) {
    const names = (await (await fetch(`${base}/templates`)).json()).map((t) => t.name);
    if (names.includes("blog-from-design")) break;
    expect(i < 100, "hot reload to serve the saved template within 10 s");
    await new Promise((r) => setTimeout(r, 100));
  }
  await page.fill("#design-name", "blog-from-design");
  await page.click("#design-save button[type=submit]");
  await page.waitForFunction(() => document.getElementById("design-saved").textContent.startsWith("Saved"));
  seen.saved = await page.$eval("#design-saved", (p) => p.textContent);
  expect(seen.dialogs.length === 1 && seen.dialogs[0].includes("exists"), "one replace question");
} finally {
  await context.close();
}
console.log(JSON.stringify(seen));
