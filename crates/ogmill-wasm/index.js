// The documented API over the wasm-bindgen glue (pkg/ogmill.js). Call init() or initSync()
// once before the first Renderer; the `node` and `workerd` entries (node.js, workerd.js) do
// it on import.
import initGlue, { initSync as initGlueSync, Renderer as Native } from "./pkg/ogmill.js";

/**
 * Loads the WebAssembly module: `source` is a `WebAssembly.Module` (a worker's module
 * import), the .wasm bytes, a `Response`, or a URL to fetch.
 */
export async function init(source) {
  await initGlue({ module_or_path: source });
}

/** Loads the WebAssembly module from a `WebAssembly.Module` or the .wasm bytes. */
export function initSync(source) {
  initGlueSync({ module: source });
}

/** Values as the server receives them: strings; null and undefined are left out. */
function stringParams(params) {
  const out = {};
  if (params === undefined || params === null) return out;
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined || value === null) continue;
    out[name] = String(value);
  }
  return out;
}

function bytes(font) {
  if (font instanceof Uint8Array) return font;
  if (font instanceof ArrayBuffer) return new Uint8Array(font);
  if (ArrayBuffer.isView(font)) return new Uint8Array(font.buffer, font.byteOffset, font.byteLength);
  const e = new Error("fonts: each entry is an ArrayBuffer or a Uint8Array of a font file");
  e.name = "OgmillError";
  e.code = "BAD_OPTION";
  throw e;
}

/** Renders cards from SVG templates. Build one per isolate and keep it. */
export class Renderer {
  /**
   * options.templates: { name: svgSource }, added to the bundled templates (unless
   * bundledTemplates is false); options.fonts: font bytes, added to Inter (unless
   * bundledFonts is false).
   */
  constructor(options = {}) {
    const { templates = {}, fonts = [], bundledTemplates = true, bundledFonts = true } = options;
    this.native = new Native(Boolean(bundledTemplates), Boolean(bundledFonts));
    for (const [name, source] of Object.entries(templates)) this.native.addTemplate(name, String(source));
    for (const font of fonts) this.native.addFont(bytes(font));
    this.native.load();
  }

  /** Adds a font (a CJK or brand font from the worker's own storage), used from the next render. */
  addFont(font) {
    this.native.addFont(bytes(font));
  }

  /** Renders: { data: Uint8Array, contentType, width, height, fit, warnings }. */
  async render(template, params, options = {}) {
    return this.renderSync(template, params, options);
  }

  /** Renders on this thread (the async form does too: wasm has one). */
  renderSync(template, params, options = {}) {
    const values = stringParams(params);
    for (const key of ["format", "quality", "scale"]) {
      if (options[key] !== undefined && options[key] !== null) values[key] = String(options[key]);
    }
    const card = this.native.render(String(template), JSON.stringify(values));
    try {
      return {
        data: card.data,
        contentType: card.contentType,
        width: card.width,
        height: card.height,
        fit: JSON.parse(card.fitJson),
        warnings: JSON.parse(card.warningsJson),
      };
    } finally {
      card.free();
    }
  }

  /** Every template and its params, as `ogmill templates --json` lists them. */
  templates() {
    return JSON.parse(this.native.templatesJson());
  }
}
