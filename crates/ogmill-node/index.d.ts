/// <reference types="node" />

/** Stable codes of OgmillError. */
export type ErrorCode =
  | 'UNKNOWN_TEMPLATE'
  | 'BAD_PARAM'
  | 'TEMPLATE_ERROR'
  | 'FONT_ERROR'
  | 'BAD_OPTION'
  | 'BAD_SIGNING_KEY'
  | 'IO_ERROR'
  | 'RENDER_ERROR'

/** An error from ogmill, with the server's 4xx message. */
export declare class OgmillError extends Error {
  readonly code: ErrorCode
}

export interface RendererOptions {
  /** A directory of `*.svg` templates, or `{ name: svgSource }`. Default: the bundled templates. */
  templates?: string | Record<string, string>
  /** Font files or directories (paths), or font bytes. Loaded after the bundled fonts. */
  fonts?: Array<string | Buffer | Uint8Array | ArrayBuffer>
  /** Inter (compiled in) and, when installed, `ogmill-fonts-world`. Default: true. */
  bundledFonts?: boolean
  /** Where image params that are file names (`avatar=jane.png`) are read from. */
  assets?: string
  /** Refuse templates naming a font family no loaded font has. Default: false. */
  strictFonts?: boolean
  /** How far a color may move to fit a 256-color palette (smaller PNGs). Default: 1. */
  paletteTolerance?: number
  /** PNG compression: 'fast', 'default' or 'best'. Default: 'fast'. */
  compression?: 'fast' | 'default' | 'best'
}

/** Values by param name; numbers and booleans become strings, null/undefined are left out. */
export type Params = Record<string, string | number | boolean | null | undefined>

export interface RenderOptions {
  format?: 'png' | 'webp' | 'jpeg' | 'pdf'
  /** JPEG or lossy WebP quality, 1-100. */
  quality?: number
  /** Pixel density, 1-3. Default: 1. */
  scale?: number
}

export interface SlotFit {
  slot: string
  fontSize: number
  lines: number
  truncated: boolean
  /** Characters no loaded font has. */
  missing: string
}

export interface Card {
  data: Buffer
  contentType: string
  width: number
  height: number
  fit: SlotFit[]
  /** The server's ETag for these bytes; empty when an image was drawn as its placeholder. */
  etag: string
  /** Image params drawn as their placeholder, and why (also emitted as process warnings). */
  warnings: string[]
}

export interface ParamInfo {
  name: string
  kind: string
  [more: string]: unknown
}

export interface TemplateInfo {
  name: string
  width: number
  height: number
  params: ParamInfo[]
  [more: string]: unknown
}

/** Renders cards from SVG templates. Build one and share it: loading is the slow part. */
export declare class Renderer {
  constructor(options?: RendererOptions)
  /** Renders on libuv's thread pool, off the event loop. */
  render(template: string, params?: Params, options?: RenderOptions): Promise<Card>
  /** Renders on this thread. */
  renderSync(template: string, params?: Params, options?: RenderOptions): Card
  /** A key naming the bytes `render` would return: equal keys mean equal bytes. */
  key(template: string, params?: Params, options?: RenderOptions): string
  /** Every template and its params, as `ogmill templates --json` lists them. */
  templates(): TemplateInfo[]
}

export interface HandlerOptions {
  /** Default: a Renderer with the bundled templates. */
  renderer?: Renderer
  /** Keys URLs are signed with (the first signs, all verify). Default: OGMILL_SIGNING_KEYS or OGMILL_SIGNING_KEY. */
  signingKeys?: string | string[]
  /** Refuse unsigned URLs. Default: true when there are signing keys. */
  requireSignature?: boolean
  /** Cache-Control of cards. Default: the server's, a day public and a week stale. */
  cacheControl?: string
  /** Which template a request names. Default: the last segment of its path. */
  template?: (url: URL) => string
}

export interface Handler {
  (request: Request): Promise<Response>
  /** `/og/{template}?...`, signed with the first key (with `exp` when `expiresIn` seconds is given). */
  url(template: string, params?: Params, options?: { prefix?: string; expiresIn?: number }): string
}

/** A web-standard handler with the server's GET semantics: `/og/:template?params`, signatures, ETag/304, JSON errors. */
export declare function createHandler(options?: HandlerOptions): Handler
