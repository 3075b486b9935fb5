// The package as a user calls it, installed from its packed tarball into a fresh project
// (tests/it/node.rs). OGMILL_BIN is the CLI, OGMILL_FONTS the repository's fonts/.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir, availableParallelism } from 'node:os'
import { join } from 'node:path'

import { Renderer, OgmillError } from 'ogmill'

const CARD =
  '<svg xmlns="http://www.w3.org/2000/svg" xmlns:og="https://ogmill.dev/template" width="600" height="300">' +
  '<metadata><og:param name="title" kind="text" default="T"/></metadata>' +
  '<text og:text="{{title}}" og:box="20 20 560 260" x="20" y="80" font-family="Inter" font-size="40">T</text></svg>'

const r = new Renderer()

function cli(template, params, ext = 'png') {
  const out = join(mkdtempSync(join(tmpdir(), 'ogmill-node-')), `card.${ext}`)
  const args = ['render', template, '-o', out]
  for (const [k, v] of Object.entries(params)) args.push('-p', `${k}=${v}`)
  execFileSync(process.env.OGMILL_BIN, args)
  return readFileSync(out)
}

test('the blog card is byte for byte the CLI card, as PNG and as WebP', async () => {
  const params = { title: 'Hello from Node', author: 'Jane Doe' }
  const card = await r.render('blog', { ...params, tag: undefined })
  assert.equal(card.contentType, 'image/png')
  assert.equal(card.width, 1200)
  assert.equal(card.height, 630)
  assert.ok(Buffer.isBuffer(card.data))
  assert.ok(card.data.equals(cli('blog', params)), 'PNG differs from `ogmill render`')
  const webp = await r.render('blog', params, { format: 'webp' })
  assert.equal(webp.contentType, 'image/webp')
  assert.ok(webp.data.equals(cli('blog', params, 'webp')), 'WebP differs from `ogmill render`')
  assert.ok(r.renderSync('blog', params).data.equals(card.data), 'renderSync differs from render')
})

test('the fit says what was drawn, and keys name bytes', async () => {
  const long = 'A title far too long for any card: '.repeat(8)
  const card = await r.render('blog', { title: long })
  const title = card.fit.find((f) => f.slot === 'title')
  assert.ok(title.truncated, JSON.stringify(card.fit))
  assert.ok(title.lines >= 1 && title.fontSize > 0)
  assert.equal(r.key('blog', { title: 'a' }), r.key('blog', { title: 'a' }))
  assert.notEqual(r.key('blog', { title: 'a' }), r.key('blog', { title: 'b' }))
  assert.match(card.etag, /^"[0-9a-f]{32}"$/)
})

test('templates are listed with their params', () => {
  const list = r.templates()
  const blog = list.find((t) => t.name === 'blog')
  assert.ok(blog, list.map((t) => t.name).join(', '))
  assert.ok(blog.params.some((p) => p.name === 'title'))
  assert.ok(list.length >= 10)
})

test('templates and fonts as bytes, without the bundled fonts', async () => {
  const inter = readFileSync(join(process.env.OGMILL_FONTS, 'Inter-Bold.otf'))
  const own = new Renderer({ templates: { card: CARD }, fonts: [inter], bundledFonts: false })
  assert.deepEqual(
    own.templates().map((t) => t.name),
    ['card'],
  )
  const card = await own.render('card', { title: 'Bytes in' })
  assert.equal(card.width, 600)
  assert.deepEqual(
    card.fit.map((f) => f.missing),
    [''],
  )
})

test('without ogmill-fonts-world, Inter alone: other scripts are reported missing', async () => {
  const card = await r.render('blog', { title: '東京で会いましょう' })
  const title = card.fit.find((f) => f.slot === 'title')
  assert.ok(title.missing.includes('東'), JSON.stringify(card.fit))
})

function codeOf(fn) {
  try {
    fn()
  } catch (e) {
    assert.ok(e instanceof OgmillError, `not an OgmillError: ${e}`)
    assert.ok(e instanceof Error)
    return [e.code, e.message]
  }
  assert.fail('did not throw')
}

test('every bad input is an Error with its code and the server message', async () => {
  await assert.rejects(r.render('nope', {}), { code: 'UNKNOWN_TEMPLATE', message: /unknown template 'nope'/ })
  await assert.rejects(r.render('blog', { titel: 'x' }), { code: 'BAD_PARAM', message: /unknown parameter 'titel'/ })
  await assert.rejects(r.render('lesson', { lesson: 'third' }), { code: 'BAD_PARAM', message: /invalid value for 'lesson'/ })
  await assert.rejects(r.render('blog', { title: 'x'.repeat(100_000) }), { code: 'BAD_PARAM' })
  await assert.rejects(r.render('blog', {}, { format: 'gif' }), { code: 'BAD_PARAM' })
  assert.equal(codeOf(() => r.renderSync('nope'))[0], 'UNKNOWN_TEMPLATE')
  assert.equal(codeOf(() => new Renderer({ compression: 'max' }))[0], 'BAD_OPTION')
  assert.equal(codeOf(() => new Renderer({ templates: 42 }))[0], 'BAD_OPTION')
  assert.equal(codeOf(() => new Renderer({ fonts: ['/no/such/font.ttf'] }))[0], 'FONT_ERROR')
  const [code, message] = codeOf(() => new Renderer({ templates: { broken: '<svg><text' } }))
  assert.equal(code, 'TEMPLATE_ERROR')
  assert.match(message, /broken/)
  assert.equal(codeOf(() => new Renderer({ templates: '/no/such/dir' }))[0], 'IO_ERROR')
})

test('an image param that is a URL is drawn as its placeholder, with a warning', async () => {
  const warnings = []
  const listener = (w) => warnings.push(w)
  process.on('warning', listener)
  const card = await r.render('product', { name: 'Mug', image: 'https://example.com/mug.png' })
  await new Promise((resolve) => setImmediate(resolve))
  process.off('warning', listener)
  assert.equal(card.etag, '')
  assert.match(card.warnings.join(), /not fetched in-process/)
  assert.ok(warnings.some((w) => w.code === 'OGMILL_IMAGE'))
})

test('renders run off the event loop: 8 at once beat 8 in a row, and a 2 ms timer keeps ticking', async () => {
  const titles = Array.from({ length: 8 }, (_, i) => `Concurrent card number ${i} of eight`)
  await r.render('blog', { title: 'warm up' })
  let t = performance.now()
  for (const title of titles) await r.render('blog', { title: `${title} (serial)` })
  const serial = performance.now() - t
  let worst = 0
  let last = performance.now()
  const timer = setInterval(() => {
    const now = performance.now()
    worst = Math.max(worst, now - last)
    last = now
  }, 2)
  t = performance.now()
  const cards = await Promise.all(titles.map((title) => r.render('blog', { title })))
  const parallel = performance.now() - t
  clearInterval(timer)
  assert.equal(cards.length, 8)
  assert.ok(worst < 50, `the event loop stalled ${worst.toFixed(1)} ms`)
  if (availableParallelism() >= 2) {
    assert.ok(parallel < serial, `8 at once took ${parallel.toFixed(0)} ms, 8 in a row ${serial.toFixed(0)} ms`)
  }
})

test('memory stays flat over 5,000 renders', async () => {
  const batch = async (from, n) => {
    for (let i = from; i < from + n; i += 8) {
      await Promise.all(Array.from({ length: 8 }, (_, j) => r.render('blog', { title: `Card ${i + j}` })))
    }
  }
  await batch(0, 1000)
  globalThis.gc?.()
  const before = process.memoryUsage().rss
  await batch(1000, 4000)
  globalThis.gc?.()
  const grown = (process.memoryUsage().rss - before) / 2 ** 20
  assert.ok(grown < 40, `RSS grew ${grown.toFixed(1)} MB over 4,000 renders after 1,000`)
})
