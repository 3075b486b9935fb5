/** Stable codes of errors thrown by ogmill-wasm (`error.code`). */
export type ErrorCode = "UNKNOWN_TEMPLATE" | "BAD_PARAM" | "TEMPLATE_ERROR" | "FONT_ERROR" | "BAD_OPTION" | "RENDER_ERROR";

/** Loads the WebAssembly module (a `WebAssembly.Module`, the bytes, a `Response` or a URL). Not needed under Node or workerd, whose entries load it on import. */
export declare function init(source: WebAssembly.Module | BufferSource | Response | URL | string): Promise<void>;
/** Loads the WebAssembly module from a `WebAssembly.Module` or the bytes. */
export declare function initSync(source: WebAssembly.Module | BufferSource): void;

export type FontBytes = ArrayBuffer | Uint8Array | ArrayBufferView;

export interface RendererOptions {
  /** Templates by name (SVG sources), added to the bundled ones. */
  templates?: Record<string, string>;
  /** Font files' bytes, added to Inter. */
  fonts?: FontBytes[];
  /** The bundled templates. Default: true. */
  bundledTemplates?: boolean;
  /** Inter (Latin, Greek, Cyrillic), compiled in. Default: true. */
  bundledFonts?: boolean;
}

export type Params = Record<string, string | number | boolean | null | undefined>;

export interface RenderOptions {
  /** 'png' (default), 'webp' (lossless) or 'jpeg'. */
  format?: "png" | "webp" | "jpeg";
  quality?: number;
  scale?: number;
}

export interface SlotFit {
  slot: string;
  fontSize: number;
  lines: number;
  truncated: boolean;
  /** Characters no loaded font has: add a font with addFont. */
  missing: string;
}

export interface Card {
  data: Uint8Array;
  contentType: string;
  width: number;
  height: number;
  fit: SlotFit[];
  /** Image params drawn as their placeholder, and why. */
  warnings: string[];
}

export declare class Renderer {
  constructor(options?: RendererOptions);
  /** Adds a font, used from the next render on. */
  addFont(font: FontBytes): void;
  render(template: string, params?: Params, options?: RenderOptions): Promise<Card>;
  renderSync(template: string, params?: Params, options?: RenderOptions): Card;
  templates(): Array<{ name: string; width: number; height: number; params: Array<{ name: string; kind: string }> }>;
}
