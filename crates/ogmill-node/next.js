'use strict'
// Next.js helpers: an ImageResponse-shaped Response for App Router route handlers and the
// `opengraph-image` file convention, rendered in this process by the shared Renderer.

const fs = require('node:fs')
const path = require('node:path')
const { Renderer, createHandler } = require('./index.js')

const CONTENT_TYPES = {
  png: 'image/png',
  webp: 'image/webp',
  jpeg: 'image/jpeg',
  jpg: 'image/jpeg',
  pdf: 'application/pdf',
}

let shared = null

/**
 * The renderer ImageResponse uses unless given one: the templates of `OGMILL_TEMPLATES`,
 * else `./svg-templates` when the project has that folder, else the bundled ones.
 */
function defaultRenderer() {
  if (shared === null) {
    const dir = process.env.OGMILL_TEMPLATES ?? path.join(process.cwd(), 'svg-templates')
    shared = new Renderer(fs.existsSync(dir) ? { templates: dir } : {})
  }
  return shared
}

/** A card's size, for `export const size` in opengraph-image files. */
const size = { width: 1200, height: 630 }
/** The default format's type, for `export const contentType`. */
const contentType = 'image/png'

/**
 * `new ImageResponse(template, params, init?)`: a Response whose body is the card. Bad
 * params and unknown templates throw here (an OgmillError); the drawing runs off the event
 * loop while the body streams.
 */
class ImageResponse extends Response {
  constructor(template, params = {}, init = {}) {
    const renderer = init.renderer ?? defaultRenderer()
    const format = init.format ?? 'png'
    const options = { format, quality: init.quality, scale: init.scale }
    // Validates now, so a bad value fails the route (and `next build`), not the stream.
    renderer.key(template, params, options)
    const body = new ReadableStream({
      async start(controller) {
        try {
          const card = await renderer.render(template, params, options)
          controller.enqueue(new Uint8Array(card.data.buffer, card.data.byteOffset, card.data.byteLength))
          controller.close()
        } catch (e) {
          controller.error(e)
        }
      },
    })
    const headers = new Headers(init.headers)
    if (!headers.has('content-type')) headers.set('content-type', CONTENT_TYPES[format] ?? contentType)
    if (!headers.has('cache-control')) {
      const dev = process.env.NODE_ENV === 'development'
      headers.set('cache-control', dev ? 'no-cache, no-store' : 'public, immutable, no-transform, max-age=31536000')
    }
    super(body, { status: init.status ?? 200, statusText: init.statusText, headers })
  }
}

module.exports = { ImageResponse, defaultRenderer, size, contentType, createHandler }
