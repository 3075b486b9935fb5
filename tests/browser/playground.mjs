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

  // The preview stays in view on a short screen: the last card of the gallery, scrolled to
  // and chosen, shows with the preview beside it.
  await page.setViewportSize({ width: 1280, height: 640 });
  const last = page.locator("#gallery li:last-child button");
  const lastName = await last.locator("span").textContent();
  await last.scrollIntoViewIfNeeded();
  await last.click();
  await page.waitForFunction((n) => (document.getElementById("preview").dataset.url || "").includes(`/${n}`), lastName);
  seen.sticky = await page.evaluate(() => {
    const r = document.getElementById("preview").getBoundingClientRect();
    return { top: r.top, bottom: r.bottom, height: innerHeight, scrolled: scrollY };
  });
  expect(seen.sticky.top >= 0 && seen.sticky.bottom <= seen.sticky.height, "the preview in view beside a card chosen low in the gallery");
  await page.screenshot({ path: join(process.env.ARTIFACTS, "playground-sticky.png") });
  await page.setViewportSize({ width: 1280, height: 1100 });

  // A value the server refuses: nothing may still show or copy the previous card.
  await page.click("#gallery button:has(span:text-is('blog'))");
  await page.waitForSelector("#param-author");
  await page.waitForFunction(() => (document.getElementById("preview").dataset.url || "").includes("/blog"));
  const errorsBefore = seen.console_errors.length;
  await page.fill("#param-title", "x".repeat(2000));
  await page.waitForFunction(() => !document.getElementById("error").hidden);
  // The browser logs the refused request (a 400) itself: expected here, and only that.
  await page.waitForTimeout(200);
  const logged = seen.console_errors.splice(errorsBefore);
  expect(logged.every((m) => m.includes("status of 400")), "only the refused value's 400 in the console");
  seen.after_error = await page.evaluate(() => ({
    src: document.getElementById("preview").getAttribute("src"),
    url: document.getElementById("snippet-url").value,
    meta: document.getElementById("snippet-meta").value,
    fit: document.getElementById("fit").textContent,
    copy_disabled: [...document.querySelectorAll("[data-copy]")].every((b) => b.disabled),
    error: document.getElementById("error").textContent,
  }));
  expect(!seen.after_error.src && !seen.after_error.url && !seen.after_error.meta && !seen.after_error.fit && seen.after_error.copy_disabled, "no stale preview, URL, tags or fit after an error");
  await page.fill("#param-title", "Back to a good value");
  await page.waitForFunction(() => (document.getElementById("preview").dataset.url || "").includes("Back%20to"));
  expect(await page.$eval("[data-copy]", (b) => !b.disabled), "copying back once a card shows");
  expect(await page.isVisible("#checker"), "the page checker on a dev server");

  // Usable by keyboard: Tab to the first template (blog) and press Enter.
  await page.focus("#gallery button");
  await page.keyboard.press("Enter");
  await page.waitForSelector("#param-author");
  seen.keyboard = await page.$eval("#preview", (i) => i.dataset.url);

  // Readable on a phone: one column, nothing wider than the screen.
  await page.setViewportSize({ width: 390, height: 844 });
  seen.phone_overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(seen.phone_overflow <= 0, "no horizontal scrolling at 390px");
  // On a phone the gallery is one row and the preview is on the first screen under it.
  await page.evaluate(() => scrollTo(0, 0));
  seen.phone = await page.evaluate(() => ({
    preview_bottom: document.getElementById("preview").getBoundingClientRect().bottom,
    gallery_height: document.getElementById("gallery").getBoundingClientRect().height,
    screen: innerHeight,
  }));
  expect(seen.phone.preview_bottom <= seen.phone.screen && seen.phone.gallery_height < 200, "a one-row gallery and the preview on a phone's first screen");
  await page.screenshot({ path: join(process.env.ARTIFACTS, "playground-phone.png") });

  // A server without --dev: no page checker (it would fail there).
  if (process.env.PLAIN_URL) {
    await page.goto(`${process.env.PLAIN_URL}/#blog`);
    await page.waitForFunction(() => document.getElementById("preview").dataset.url);
    seen.plain_checker_hidden = await page.isHidden("#checker");
    expect(seen.plain_checker_hidden, "no page checker without --dev");
  }
  expect(seen.console_errors.length === 0, "no console errors");
  console.log(JSON.stringify(seen));
} finally {
  await context.close();
}
