// Design mode (with --dev): a design tool's SVG becomes a template. The server reads the
// design and suggests what becomes a param (POST /playground/design); this page lets a person
// change those choices, previews them (…/preview) and saves the template (…/save).
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const LONG = "A deliberately long value, to see how the text wraps, shrinks and is cut when it does not fit the box you gave it";
  let design = null; // { id, width, height, elements }
  let choices = []; // one per element, as the server's Choice
  let samples = {}; // element index -> preview value
  let selected = -1;
  const history = []; // earlier `choices`, for Undo
  let previewTimer = null;
  let previewAbort = null;
  let token = ""; // the server's per-start --dev token, sent with every change

  // POST to the dev server with its token (it refuses changes without it).
  function post(url, init = {}) {
    return fetch(url, { ...init, method: "POST", headers: { ...(init.headers || {}), "x-ogmill-dev-token": token } });
  }

  async function errorText(res) {
    const text = (await res.text()).trim();
    return text || `${res.status} ${res.statusText}`;
  }

  function say(id, text) {
    $(id).textContent = text;
  }

  async function open(file) {
    if (!file) return;
    say("design-warnings", `Reading ${file.name}…`);
    const colors = $("design-colors").checked ? "?colors=true" : "";
    const res = await post(`/playground/design${colors}`, { body: await file.text() });
    if (!res.ok) {
      say("design-warnings", await errorText(res));
      return;
    }
    design = await res.json();
    choices = design.elements.map((e) => structuredClone(e.suggested));
    samples = {};
    history.length = 0;
    selected = -1;
    $("design-undo").disabled = true;
    const base = file.name.replace(/\.svg$/i, "").toLowerCase().replace(/[^a-z0-9_]+/g, "-").replace(/^-+|-+$/g, "");
    $("design-name").value = base || "design";
    say("design-warnings", design.warnings.join(" · "));
    say("design-saved", "");
    $("design-work").hidden = false;
    drawBoxes();
    showSelected();
    showSuggested();
    preview(0);
  }

  function remember() {
    history.push(JSON.stringify(choices));
    if (history.length > 100) history.shift();
    $("design-undo").disabled = false;
  }

  // The import's suggestions are shown, not imposed: a person may clear them all and bind by
  // hand ("click to bind"), or take them back, each undoable.
  function setAll(which) {
    if (!design) return;
    remember();
    choices = design.elements.map((e, i) =>
      which === "suggested" ? structuredClone(e.suggested) : { ...choices[i], bound: false },
    );
    drawBoxes();
    showSelected();
    showSuggested();
    preview(0);
  }

  function showSuggested() {
    const kinds = design.elements.filter((e) => e.kind !== "color");
    const suggested = kinds.filter((e) => e.suggested.bound).length;
    const bound = choices.filter((c, i) => c.bound && design.elements[i].kind !== "color").length;
    say("design-suggested", `${bound} of ${kinds.length} texts and pictures are params; ogmill suggested ${suggested}.`);
  }

  function undo() {
    if (!history.length) return;
    choices = JSON.parse(history.pop());
    $("design-undo").disabled = !history.length;
    drawBoxes();
    showSelected();
    preview(0);
  }

  // Where element i's box is, in the design's pixels: its choice when bound, else its ink.
  function rectOf(i) {
    const e = design.elements[i];
    return choices[i].bound || e.kind === "color" ? choices[i].rect : e.ink;
  }

  function drawBoxes() {
    if (design) showSuggested();
    const layer = $("design-boxes");
    layer.replaceChildren();
    design.elements.forEach((e, i) => {
      if (e.kind === "color") return;
      const c = choices[i];
      const [x, y, w, h] = rectOf(i);
      const box = document.createElement("button");
      box.type = "button";
      box.className = `box${c.bound ? " bound" : ""}${i === selected ? " selected" : ""}`;
      box.dataset.index = i;
      Object.assign(box.style, {
        left: `${(x / design.width) * 100}%`,
        top: `${(y / design.height) * 100}%`,
        width: `${(w / design.width) * 100}%`,
        height: `${(h / design.height) * 100}%`,
      });
      const what = e.kind === "text" ? `“${e.sample}”` : "picture";
      box.setAttribute("aria-label", c.bound ? `${e.kind} param ${c.param}, ${what}` : `not a param: ${what}; click to make it one`);
      box.setAttribute("aria-pressed", String(c.bound));
      const tag = document.createElement("span");
      tag.className = "tag";
      tag.textContent = c.bound ? `{{${c.param}}}` : "click to bind";
      box.append(tag);
      if (c.bound) {
        const handle = document.createElement("span");
        handle.className = "handle";
        handle.dataset.handle = "resize";
        box.append(handle);
      }
      box.addEventListener("pointerdown", (ev) => startDrag(ev, i));
      box.addEventListener("click", () => clicked(i));
      box.addEventListener("keydown", (ev) => keyed(ev, i));
      layer.append(box);
    });
  }

  function clicked(i) {
    if (!choices[i].bound) {
      remember();
      choices[i].bound = true;
      preview(0);
    }
    select(i);
  }

  function select(i) {
    selected = i;
    drawBoxes();
    showSelected();
    const box = $("design-boxes").querySelector(`[data-index="${i}"]`);
    if (box) box.focus();
  }

  function showSelected() {
    const form = $("design-slot");
    const e = design && design.elements[selected];
    for (const el of form.querySelectorAll("input, select, button")) el.disabled = !e;
    if (!e) {
      say("design-selected", "Select a box.");
      return;
    }
    const c = choices[selected];
    say("design-selected", e.kind === "text" ? `Text: “${e.sample}”` : e.kind === "image" ? "A picture" : `A fill: ${e.sample}`);
    $("slot-bound").checked = c.bound;
    $("slot-param").value = c.param;
    $("slot-lines").value = c.max_lines;
    $("slot-min").value = c.min_font_size ?? "";
    $("slot-align").value = c.align;
    $("slot-sample").value = samples[selected] ?? "";
    for (const el of form.querySelectorAll(".text-only")) el.hidden = e.kind !== "text";
  }

  // Applies the side form to the selected element.
  function edited() {
    if (selected < 0) return;
    remember();
    const c = choices[selected];
    c.bound = $("slot-bound").checked;
    c.param = $("slot-param").value.trim();
    c.max_lines = Math.max(1, Number($("slot-lines").value) || 1);
    const min = Number($("slot-min").value);
    c.min_font_size = min > 0 ? min : null;
    c.align = $("slot-align").value;
    samples[selected] = $("slot-sample").value;
    drawBoxes();
    preview();
  }

  function startDrag(ev, i) {
    if (!choices[i].bound || i !== selected || ev.button !== 0) return;
    ev.preventDefault();
    const box = ev.currentTarget;
    const resize = ev.target.dataset.handle === "resize";
    const scale = design.width / $("design-boxes").clientWidth;
    const start = [...choices[i].rect];
    const [x0, y0] = [ev.clientX, ev.clientY];
    let moved = false;
    box.setPointerCapture(ev.pointerId);
    const move = (m) => {
      const dx = (m.clientX - x0) * scale;
      const dy = (m.clientY - y0) * scale;
      if (!moved && Math.hypot(dx, dy) < 2) return;
      if (!moved) remember();
      moved = true;
      const r = choices[i].rect;
      if (resize) {
        r[2] = Math.max(8, start[2] + dx);
        r[3] = Math.max(8, start[3] + dy);
      } else {
        r[0] = start[0] + dx;
        r[1] = start[1] + dy;
      }
      place(box, r);
    };
    const up = () => {
      box.removeEventListener("pointermove", move);
      box.removeEventListener("pointerup", up);
      if (moved) {
        choices[i].rect = choices[i].rect.map((v) => Math.round(v));
        drawBoxes();
        preview(0);
      }
    };
    box.addEventListener("pointermove", move);
    box.addEventListener("pointerup", up);
  }

  function place(box, [x, y, w, h]) {
    box.style.left = `${(x / design.width) * 100}%`;
    box.style.top = `${(y / design.height) * 100}%`;
    box.style.width = `${(w / design.width) * 100}%`;
    box.style.height = `${(h / design.height) * 100}%`;
  }

  // Arrows move the selected box, Shift+arrows resize it, Delete unbinds it.
  function keyed(ev, i) {
    const step = 2;
    const dirs = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
    if (ev.key in dirs && choices[i].bound) {
      ev.preventDefault();
      remember();
      const [dx, dy] = dirs[ev.key];
      const r = choices[i].rect;
      if (ev.shiftKey) {
        r[2] = Math.max(8, r[2] + dx);
        r[3] = Math.max(8, r[3] + dy);
      } else {
        r[0] += dx;
        r[1] += dy;
      }
      select(i);
      preview();
    } else if ((ev.key === "Delete" || ev.key === "Backspace") && choices[i].bound) {
      ev.preventDefault();
      remember();
      choices[i].bound = false;
      select(i);
      preview(0);
    }
  }

  function preview(delay = 250) {
    clearTimeout(previewTimer);
    previewTimer = setTimeout(drawPreview, delay);
  }

  async function drawPreview() {
    if (previewAbort) previewAbort.abort();
    previewAbort = new AbortController();
    const values = Object.entries(samples)
      .filter(([i, v]) => v && choices[i] && choices[i].bound)
      .map(([i, v]) => [choices[i].param, v]);
    try {
      const res = await post(`/playground/design/${design.id}/preview`, {
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ choices, values }),
        signal: previewAbort.signal,
      });
      if (!res.ok) throw new Error(await errorText(res));
      const img = $("design-preview");
      const old = img.src;
      img.src = URL.createObjectURL(await res.blob());
      if (old) URL.revokeObjectURL(old);
      img.dataset.fit = res.headers.get("x-ogmill-fit") || "";
      img.dataset.drawn = String(Number(img.dataset.drawn || 0) + 1);
      say("design-warnings", design.warnings.join(" · "));
    } catch (e) {
      if (e.name !== "AbortError") say("design-warnings", e.message);
    }
  }

  async function save(ev, replace = false) {
    ev?.preventDefault();
    const name = $("design-name").value.trim();
    say("design-saved", "Saving…");
    if (!replace) {
      // Ask before replacing a template (the server refuses to without being told).
      const names = (await (await fetch("/playground/state", { cache: "no-store" })).json()).templates.map((t) => t.name);
      if (names.includes(name)) {
        if (!confirm(`A template named '${name}' exists.\n\nReplace it?`)) {
          say("design-saved", "Not saved.");
          return;
        }
        replace = true;
      }
    }
    const res = await post(`/playground/design/${design.id}/save`, {
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name, choices, replace }),
    });
    if (res.status === 409 && !replace) {
      if (confirm(`${await errorText(res)}\n\nReplace it?`)) return save(null, true);
      say("design-saved", "Not saved.");
      return;
    }
    if (!res.ok) {
      say("design-saved", await errorText(res));
      return;
    }
    const done = await res.json();
    const link = document.createElement("a");
    link.href = done.url;
    link.textContent = done.url;
    link.target = "_blank";
    link.rel = "noopener";
    $("design-saved").replaceChildren("Saved. It is served at ", link);
  }

  document.addEventListener("DOMContentLoaded", async () => {
    const res = await fetch("/playground/state", { cache: "no-store" });
    const state = await res.json();
    if (!state.dev) return;
    token = state.dev_token || "";
    $("design").hidden = false;
    if (!state.saves_to) {
      // Said before any work, not at Save: this server has nowhere to write templates.
      say("design-nosave", "This server serves the bundled templates, so a design cannot be saved here: restart it with --dev --templates DIR (a new or empty directory is fine).");
      $("design-nosave").hidden = false;
      for (const el of $("design-save").querySelectorAll("input, button")) el.disabled = true;
    }
    $("design-file").addEventListener("change", (e) => open(e.target.files[0]));
    const drop = $("design-drop");
    drop.addEventListener("dragover", (e) => {
      e.preventDefault();
      drop.classList.add("over");
    });
    drop.addEventListener("dragleave", () => drop.classList.remove("over"));
    drop.addEventListener("drop", (e) => {
      e.preventDefault();
      drop.classList.remove("over");
      open(e.dataTransfer.files[0]);
    });
    for (const id of ["slot-bound", "slot-param", "slot-lines", "slot-min", "slot-align", "slot-sample"]) {
      $(id).addEventListener("change", edited);
    }
    $("slot-sample").addEventListener("input", () => {
      samples[selected] = $("slot-sample").value;
      preview();
    });
    $("slot-long").addEventListener("click", () => {
      $("slot-sample").value = LONG;
      edited();
    });
    $("design-undo").addEventListener("click", undo);
    $("design-clear").addEventListener("click", () => setAll("none"));
    $("design-suggest").addEventListener("click", () => setAll("suggested"));
    document.addEventListener("keydown", (e) => {
      if ((e.ctrlKey || e.metaKey) && e.key === "z" && design && !e.target.matches("input, textarea")) {
        e.preventDefault();
        undo();
      }
    });
    $("design-save").addEventListener("submit", save);
    showSelected();
  });
})();
