// Drives the playground in a real headless Chromium (Debian's, through playwright-core).
// Run by tests/it/browser.rs with: BASE_URL, TEMPLATES_DIR (the server's --templates, a temp
// copy), ARTIFACTS (where the screenshot goes), CHROMIUM, PLAYWRIGHT (the module's path).
// Prints one JSON line with what it saw; exits non-zero on the first failed expectation.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { chromium } = require(process.env.PLAYWRIGHT);
const base = process.env.BASE_URL;
const seen = { console_errors: [] };

function expect(ok, what) {
  if (!ok) throw new Error(`expected ${what}; saw ${JSON.stringify(seen)}`);
}

const context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), "ogmill-chromium-")), {
  executablePath: process.env.CHROMIUM,
  headless: true,
  viewport: { width: 1280, height: 1100 },
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
  ],
});
try {
  const page = context.pages()[0] || (await context.newPage());
  page.on("console", (m) => m.type() === "error" && seen.console_errors.push(m.text()));
  page.on("pageerror", (e) => seen.console_errors.push(String(e)));
  page.setDefaultTimeout(15000);

  await page.goto(`${base}/#default`);
  await page.waitForFunction(() => document.getElementById("preview").dataset.url);
  seen.first_url = await page.$eval("#preview", (i) => i.dataset.url);

  // Type a title: the preview must follow (debounced), and the snippets with it.
  await page.fill("#param-title", "Typed in a real browser");
  await page.waitForFunction(() =>
    (document.getElementById("preview").dataset.url || "").includes("Typed%20in%20a%20real%20browser"),
  );
  await page.waitForFunction(() => {
    const i = document.getElementById("preview");
    return i.complete && i.naturalWidth === 1200 && i.src.startsWith("blob:");
  });
  seen.url = await page.$eval("#preview", (i) => i.dataset.url);
  seen.meta = await page.$eval("#snippet-meta", (t) => t.value);
  seen.next = await page.$eval("#snippet-next", (t) => t.value);
  seen.fit = await page.$eval("#fit", (f) => f.textContent);
  expect(seen.meta.includes(`content="${(base + seen.url).replaceAll("&", "&amp;")}"`), "the meta tags to carry the new URL");
  expect(seen.next.includes(`${base}${seen.url}`), "the Next.js snippet to carry the new URL");
  expect(/title: \d+px, \d+ lines?/.test(seen.fit), "the fit to be shown");
  expect((await page.$$eval(".mock img", (is) => is.filter((i) => i.src.startsWith("blob:")).length)) === 5, "five mock-ups");
  await page.screenshot({ path: join(process.env.ARTIFACTS, "playground.png"), fullPage: true });

  // The format picker: the preview switches to WebP, and each format's bytes are shown.
  await page.waitForFunction(() => /PNG [\d.]+ KB · WebP [\d.]+ KB · JPEG [\d.]+ KB/.test(document.getElementById("sizes").textContent));
  await page.selectOption("#param-format", "webp");
  await page.waitForFunction(() => (document.getElementById("preview").dataset.url || "").includes("format=webp"));
  await page.waitForFunction(() => document.getElementById("sizes").textContent.includes("▸ WebP"));
  seen.sizes = await page.$eval("#sizes", (p) => p.textContent);
  await page.selectOption("#param-format", "");

  // Hot reload: repaint the default template's background on disk; the page must show it
  // without a reload of its own.
  const pixel = () =>
    page.$eval("#preview", (img) => {
      const c = document.createElement("canvas");
      c.width = img.naturalWidth;
      c.height = img.naturalHeight;
      const g = c.getContext("2d");
      g.drawImage(img, 0, 0);
      return Array.from(g.getImageData(2, 2, 1, 1).data);
    });
  seen.before = await pixel();
  const file = join(process.env.TEMPLATES_DIR, "default.svg");
  const svg = readFileSync(file, "utf8");
  const start = svg.indexOf("<rect");
  const end = svg.indexOf("/>", start) + 2;
  writeFileSync(file, `${svg.slice(0, start)}<rect width="1200" height="630" fill="#ff0000"/>${svg.slice(end)}`);
  await page.waitForFunction(
    () => {
      const img = document.getElementById("preview");
      if (!img.complete || !img.naturalWidth) return false;
      const c = document.createElement("canvas");
      c.width = 4;
      c.height = 4;
      const g = c.getContext("2d");
      g.drawImage(img, 0, 0);
      const [r, gr, b] = g.getImageData(2, 2, 1, 1).data;
      return r === 255 && gr === 0 && b === 0;
    },
    null,
    { timeout: 15000 },
  );
  seen.after = await pixel();

  // A choice param is a select: the gallery's dark theme, and the colors it presets follow.
  await page.click("#gallery button:has(span:text-is('docs'))");
  await page.waitForSelector("#param-theme");
  await page.selectOption("#param-theme", "dark");
  await page.waitForFunction(() => (document.getElementById("preview").dataset.url || "").includes("theme=dark"));
  seen.theme_url = await page.$eval("#preview", (i) => i.dataset.url);
  expect(!seen.theme_url.includes("paper="), "the theme's preset colors are not sent as values");

  // Usable by keyboard: Tab to the first template (blog) and press Enter.
  await page.focus("#gallery button");
  await page.keyboard.press("Enter");
  await page.waitForSelector("#param-author");
  seen.keyboard = await page.$eval("#preview", (i) => i.dataset.url);

  // Readable on a phone: one column, nothing wider than the screen.
  await page.setViewportSize({ width: 390, height: 844 });
  seen.phone_overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(seen.phone_overflow <= 0, "no horizontal scrolling at 390px");
  await page.screenshot({ path: join(process.env.ARTIFACTS, "playground-phone.png") });
  expect(seen.console_errors.length === 0, "no console errors");
  console.log(JSON.stringify(seen));
} finally {
  await context.close();
}
