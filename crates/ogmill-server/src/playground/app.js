// The ogmill playground: no framework, no build step, no network beyond this server.
"use strict";

const $ = (id) => document.getElementById(id);
const DEBOUNCE_MS = 180;

let state = null; // GET /playground/state
let current = null; // the chosen template's name
const values = {}; // template name -> { param: value }
let controller = null; // the preview request in flight, cancelled by a newer one
let shown = null; // the object URL the preview shows
let timer = null;

function template() {
  return state.templates.find((t) => t.name === current);
}

function query(vals) {
  return Object.entries(vals)
    .filter(([, v]) => v !== "" && v !== undefined)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join("&");
}

async function errorText(res) {
  const text = (await res.text()).trim();
  return text || `${res.status} ${res.statusText}`;
}

// The card's URL for these values (signed by a dev server with a key), or the reason not.
// Values equal to their param's default (under the chosen theme) are left out: the server
// applies defaults anyway.
async function cardUrl(name, vals, signal) {
  const t = state.templates.find((x) => x.name === name);
  const theme = vals.theme;
  const byDefault = (p, v) => ((p.theme_defaults && p.theme_defaults[theme]) ?? p.default) === v;
  vals = Object.fromEntries(
    Object.entries(vals).filter(([k, v]) => !t.params.some((p) => p.name === k && byDefault(p, v))),
  );
  const res = await fetch(`/playground/url/${encodeURIComponent(name)}?${query(vals)}`, { signal, cache: "no-store" });
  if (!res.ok) throw new Error(await errorText(res));
  return res.json();
}

async function fetchCard(url, signal) {
  const res = await fetch(url, { signal, cache: "no-store" });
  if (!res.ok) throw new Error(await errorText(res));
  return { res, blob: await res.blob() };
}

async function loadState() {
  const res = await fetch("/playground/state", { cache: "no-store" });
  state = await res.json();
  showMode();
  showReloadError(state.reload_error);
  // The page checker fetches pages on this machine: a dev server's tool only.
  $("checker").hidden = !state.dev;
  const names = state.templates.map((t) => t.name);
  if (!names.includes(current)) {
    const wanted = decodeURIComponent(location.hash.slice(1));
    current = names.includes(wanted) ? wanted : names.includes("default") ? "default" : names[0];
  }
  for (const t of state.templates) {
    const old = values[t.name] || {};
    const fresh = {};
    for (const p of t.params) fresh[p.name] = p.name in old ? old[p.name] : p.default;
    for (const k of ["dir", "format", "quality"]) if (k in old) fresh[k] = old[k];
    values[t.name] = fresh;
  }
  renderGallery();
  if (!state.templates.length) {
    // A dev server on an empty templates directory: nothing to preview until a design is saved.
    $("form").replaceChildren(hint(`No templates in ${state.saves_to || "the templates directory"} yet: open a design in design mode below and save it.`));
    clearOutputs();
    return;
  }
  renderForm();
  schedule(0);
}

function showMode() {
  const parts = [];
  if (state.dev) parts.push("dev mode: edits to templates and fonts refresh this page");
  if (state.signs) parts.push("URLs are signed");
  else if (state.require_signature) parts.push("this server requires signed URLs: run it with --dev to sign them here");
  $("mode").textContent = parts.join(" · ");
}

function showReloadError(message) {
  const banner = $("reload-error");
  banner.hidden = !message;
  banner.textContent = message ? `The templates on disk are broken; still showing the previous ones.\n${message}` : "";
}

function renderGallery() {
  const list = $("gallery");
  list.replaceChildren();
  for (const t of state.templates) {
    const li = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.setAttribute("aria-pressed", String(t.name === current));
    const img = document.createElement("img");
    img.alt = "";
    const label = document.createElement("span");
    label.textContent = t.name;
    button.append(img, label);
    button.addEventListener("click", () => choose(t.name));
    li.append(button);
    list.append(li);
    thumbnail(t.name, img);
  }
}

async function thumbnail(name, img) {
  try {
    const { url } = await cardUrl(name, {});
    const { blob } = await fetchCard(url);
    img.src = URL.createObjectURL(blob);
  } catch (e) {
    img.alt = `no thumbnail: ${e.message}`;
  }
}

function choose(name) {
  current = name;
  history.replaceState(null, "", `#${encodeURIComponent(name)}`);
  for (const b of $("gallery").querySelectorAll("button")) {
    b.setAttribute("aria-pressed", String(b.querySelector("span").textContent === name));
  }
  renderForm();
  schedule(0);
}

function field(id, labelText, control, extra) {
  const div = document.createElement("div");
  div.className = "field";
  const label = document.createElement("label");
  label.htmlFor = id;
  label.textContent = labelText;
  div.append(label, control);
  if (extra) div.append(extra);
  return div;
}

function renderForm() {
  const form = $("form");
  form.replaceChildren();
  const t = template();
  const vals = values[t.name];
  for (const p of t.params) {
    const id = `param-${p.name}`;
    const set = (v) => {
      vals[p.name] = v;
      if (p.name === "theme") {
        // The colors the theme presets follow it, as the server would pick them.
        for (const q of t.params) {
          if (q.theme_defaults) vals[q.name] = q.theme_defaults[v] ?? q.default;
        }
        renderForm();
      }
      schedule();
    };
    let control;
    let extra = null;
    if (p.kind === "color") {
      control = colorControl(id, vals[p.name], set);
    } else if (p.kind === "number") {
      control = document.createElement("input");
      control.type = "number";
      control.step = "any";
      if (p.min !== undefined && p.min !== null) control.min = p.min;
      if (p.max !== undefined && p.max !== null) control.max = p.max;
    } else if (p.kind === "choice") {
      control = document.createElement("select");
      for (const o of p.options) control.append(new Option(o, o));
    } else if (p.kind === "image") {
      control = document.createElement("input");
      control.type = "text";
      control.placeholder = "https://… or an asset file name";
      extra = hint("An http(s) URL, an asset name or a data:image/ URI.");
    } else {
      const long = (p.max_length || 0) > 80;
      control = document.createElement(long ? "textarea" : "input");
      if (long) control.rows = 3;
      extra = document.createElement("div");
      extra.className = "counter";
      const count = () => {
        const n = [...control.value].length;
        extra.textContent = `${n} / ${p.max_length}`;
        extra.classList.toggle("over", n > p.max_length);
      };
      control.addEventListener("input", count);
      queueMicrotask(count);
    }
    if (p.kind !== "color") {
      control.id = id;
      control.name = p.name;
      control.value = vals[p.name] ?? "";
      control.addEventListener("input", () => set(control.value));
    }
    const label = p.description ? `${p.name} — ${p.description}` : p.name;
    form.append(field(id, label, control, extra));
  }
  if (!t.params.some((p) => p.name === "dir")) {
    const select = document.createElement("select");
    select.id = "param-dir";
    for (const d of ["auto", "ltr", "rtl"]) select.add(new Option(d, d === "auto" ? "" : d));
    select.value = vals.dir || "";
    select.addEventListener("change", () => {
      vals.dir = select.value;
      schedule();
    });
    form.append(field("param-dir", "dir — text direction (auto: from the first letter)", select));
  }
  const format = document.createElement("select");
  format.id = "param-format";
  for (const [label, v] of [["PNG", ""], ["WebP, lossless", "webp"], ["WebP, quality 80", "webp:80"], ["JPEG, quality 85", "jpeg"]]) {
    format.add(new Option(label, v));
  }
  format.value = vals.format ? [vals.format, vals.quality].filter(Boolean).join(":") : "";
  format.addEventListener("change", () => {
    const [f, q] = format.value.split(":");
    vals.format = f || "";
    vals.quality = q || "";
    schedule();
  });
  form.append(field("param-format", "format — the image format (each one's size is under the preview)", format));
}

function hint(text) {
  const p = document.createElement("p");
  p.className = "hint";
  p.textContent = text;
  return p;
}

// A color picker and a text box kept in step (the text box takes CSS names and #rgba too).
function colorControl(id, value, set) {
  const row = document.createElement("div");
  row.className = "row";
  const picker = document.createElement("input");
  picker.type = "color";
  picker.setAttribute("aria-label", "pick a color");
  const text = document.createElement("input");
  text.type = "text";
  text.id = id;
  text.value = value ?? "";
  const sync = () => {
    if (/^#[0-9a-f]{6}$/i.test(text.value)) picker.value = text.value;
  };
  sync();
  picker.addEventListener("input", () => {
    text.value = picker.value;
    set(picker.value);
  });
  text.addEventListener("input", () => {
    sync();
    set(text.value);
  });
  row.append(picker, text);
  return row;
}

function schedule(delay = DEBOUNCE_MS) {
  clearTimeout(timer);
  timer = setTimeout(update, delay);
}

async function update() {
  if (controller) controller.abort();
  controller = new AbortController();
  const signal = controller.signal;
  const vals = { ...values[current] };
  $("preview").classList.add("loading");
  try {
    const { url, signed } = await cardUrl(current, vals, signal);
    const started = performance.now();
    const { res, blob } = await fetchCard(url, signal);
    if (signal.aborted) return;
    const objectUrl = URL.createObjectURL(blob);
    show(objectUrl, url);
    showFit(res.headers, performance.now() - started);
    showSnippets(url, signed, vals);
    showMockups(vals);
    showSizes(vals, blob.size, signal);
    $("error").hidden = true;
  } catch (e) {
    if (e.name === "AbortError") return;
    clearOutputs();
    $("error").textContent = e.message;
    $("error").hidden = false;
  } finally {
    if (!signal.aborted) $("preview").classList.remove("loading");
  }
}

// The card's bytes in each format, for the same values: what a CDN and a crawler would pay.
async function showSizes(vals, shownBytes, signal) {
  const formats = [["PNG", "png"], ["WebP", "webp"], ["JPEG", "jpeg"], ["PDF", "pdf"]];
  const sizes = [];
  for (const [label, f] of formats) {
    const chosen = (vals.format || "png") === f && !vals.quality;
    let bytes = chosen ? shownBytes : null;
    if (bytes === null) {
      try {
        const { url } = await cardUrl(current, { ...vals, format: f === "png" ? "" : f, quality: "" }, signal);
        bytes = (await fetchCard(url, signal)).blob.size;
      } catch (e) {
        if (e.name === "AbortError") return;
      }
    }
    sizes.push(`${chosen ? "▸ " : ""}${label} ${bytes === null ? "?" : `${(bytes / 1024).toFixed(1)} KB`}`);
  }
  if (!signal.aborted) $("sizes").textContent = sizes.join(" · ");
}

// After an error nothing may still show the previous card: a user would copy its URL
// while another template is highlighted.
function clearOutputs() {
  const preview = $("preview");
  preview.removeAttribute("src");
  delete preview.dataset.url;
  for (const img of document.querySelectorAll(".mock img")) img.removeAttribute("src");
  if (shown) URL.revokeObjectURL(shown);
  shown = null;
  $("fit").textContent = "";
  $("sizes").textContent = "";
  for (const id of ["snippet-url", "snippet-meta", "snippet-next"]) $(id).value = "";
  for (const b of document.querySelectorAll("[data-copy]")) b.disabled = true;
}

function show(objectUrl, url) {
  for (const b of document.querySelectorAll("[data-copy]")) b.disabled = false;
  const preview = $("preview");
  preview.src = objectUrl;
  preview.dataset.url = url;
  for (const img of document.querySelectorAll(".mock img")) img.src = objectUrl;
  if (shown) URL.revokeObjectURL(shown);
  shown = objectUrl;
}

// X-Ogmill-Fit: "title 64 3 truncated, author 32 1".
function showFit(headers, ms) {
  const parts = [];
  const fit = headers.get("x-ogmill-fit");
  for (const entry of (fit || "").split(",").map((s) => s.trim()).filter(Boolean)) {
    const [slot, size, lines, cut] = entry.split(" ");
    parts.push(`${slot}: ${size}px, ${lines} line${lines === "1" ? "" : "s"}${cut ? ", truncated" : ""}`);
  }
  const missing = Number(headers.get("x-ogmill-missing-glyphs") || 0);
  parts.push(missing ? `${missing} character(s) no font draws` : "no missing glyphs");
  const cache = headers.get("x-ogmill-cache");
  parts.push(cache === "miss" || cache === "bypass" ? `rendered, ${Math.round(ms)} ms` : `cache ${cache}`);
  const fitText = $("fit");
  fitText.textContent = parts.join(" · ");
  fitText.classList.toggle("error", missing > 0);
}

function firstText(vals) {
  const t = template();
  const texts = t.params.filter((p) => p.kind === "text").map((p) => vals[p.name] || p.default || "");
  return { title: texts[0] || t.name, description: texts[1] || "" };
}

function showSnippets(url, signed, vals) {
  const absolute = new URL(url, location.origin).href;
  const { title } = firstText(vals);
  const attr = (s) => s.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
  $("snippet-url").value = absolute;
  $("snippet-meta").value = [
    `<meta property="og:image" content="${attr(absolute)}">`,
    `<meta property="og:image:width" content="${template().width}">`,
    `<meta property="og:image:height" content="${template().height}">`,
    `<meta property="og:image:alt" content="${attr(title)}">`,
    `<meta name="twitter:card" content="summary_large_image">`,
    `<meta name="twitter:image" content="${attr(absolute)}">`,
  ].join("\n");
  const note = signed
    ? "  // Signed by this dev server. In production sign on the server with ogUrl()\n  // from examples/nextjs/lib/ogmill.ts and your key.\n"
    : "";
  $("snippet-next").value = [
    'import type { Metadata } from "next";',
    "",
    "export async function generateMetadata(): Promise<Metadata> {",
    `${note}  const image = ${JSON.stringify(absolute)};`,
    "  return {",
    `    title: ${JSON.stringify(title)},`,
    "    openGraph: {",
    `      images: [{ url: image, width: ${template().width}, height: ${template().height}, alt: ${JSON.stringify(title)} }],`,
    "    },",
    '    twitter: { card: "summary_large_image", images: [image] },',
    "  };",
    "}",
  ].join("\n");
}

function showMockups(vals) {
  const { title, description } = firstText(vals);
  const host = location.host;
  const set = (sel, text) => {
    for (const el of document.querySelectorAll(sel)) el.textContent = text;
  };
  set(".mock .title", title);
  set(".mock .desc", description);
  set(".mock .domain", host);
  set(".mock .site", host);
  set(".mock .domain-pill", host);
  set(".mock .from", `From ${host}`);
}

async function copy(id, button) {
  const area = $(id);
  try {
    await navigator.clipboard.writeText(area.value);
  } catch {
    area.select();
    document.execCommand("copy");
  }
  const before = button.textContent;
  button.textContent = "Copied";
  setTimeout(() => (button.textContent = before), 1200);
}

async function checkPage(event) {
  event.preventDefault();
  const out = $("check-result");
  out.textContent = "Checking…";
  try {
    const res = await fetch(`/playground/check?url=${encodeURIComponent($("check-url").value)}`, { cache: "no-store" });
    if (!res.ok) throw new Error(await errorText(res));
    renderReport(await res.json());
  } catch (e) {
    out.textContent = e.message;
  }
}

function renderReport(report) {
  const out = $("check-result");
  out.replaceChildren();
  const heading = document.createElement("p");
  heading.textContent = report.problems.length
    ? `${report.problems.length} problem(s) on ${report.url}`
    : `No problems on ${report.url}`;
  const list = document.createElement("ul");
  for (const p of report.problems) {
    const li = document.createElement("li");
    li.className = p.level;
    li.textContent = `${p.level}: ${p.message}`;
    list.append(li);
  }
  const table = document.createElement("table");
  for (const [name, value] of report.tags) {
    const row = table.insertRow();
    row.insertCell().textContent = name;
    row.insertCell().textContent = value;
  }
  out.append(heading, list, table);
  if (report.image) {
    const i = report.image;
    const about = document.createElement("p");
    const size = i.width ? `${i.width}x${i.height}` : "unknown size";
    about.textContent = `${i.url} · ${size} · ${i.format || "?"} · ${i.bytes ?? "?"} bytes`;
    const img = document.createElement("img");
    img.alt = "The page's og:image";
    img.src = i.url;
    out.append(about, img);
  }
}

function listen() {
  if (!state.dev || !window.EventSource) return;
  const events = new EventSource("/playground/events");
  events.addEventListener("reload", () => loadState());
  events.addEventListener("reload-error", (e) => showReloadError(JSON.parse(e.data).message));
}

document.addEventListener("DOMContentLoaded", async () => {
  for (const b of document.querySelectorAll("[data-copy]")) {
    b.addEventListener("click", () => copy(b.dataset.copy, b));
  }
  $("check-form").addEventListener("submit", checkPage);
  await loadState();
  listen();
});
