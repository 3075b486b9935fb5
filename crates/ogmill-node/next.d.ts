import type { Params, Renderer, RenderOptions } from './index'
export { createHandler } from './index'

export interface ImageResponseInit extends RenderOptions {
  /** Default: defaultRenderer(). */
  renderer?: Renderer
  headers?: HeadersInit
  status?: number
  statusText?: string
}

/** A Response whose body is the card: `new ImageResponse('blog', { title })`. */
export declare class ImageResponse extends Response {
  constructor(template: string, params?: Params, init?: ImageResponseInit)
}

/** The templates of OGMILL_TEMPLATES, else ./svg-templates when present, else the bundled ones. */
export declare function defaultRenderer(): Renderer

export declare const size: { width: 1200; height: 630 }
export declare const contentType: 'image/png'
