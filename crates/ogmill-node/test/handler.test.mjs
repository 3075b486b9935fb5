// createHandler as a route handler meets it: web-standard Requests in, Responses out, with
// the server's GET semantics (tests/it/node.rs runs this from an installed tarball).
import { test } from 'node:test'
import assert from 'node:assert/strict'

import { Renderer, createHandler } from 'ogmill'

const KEY = 'node-handler-test-signing-key'
const renderer = new Renderer()
const signed = createHandler({ renderer, signingKeys: [KEY] })
const open = createHandler({ renderer, signingKeys: [], requireSignature: false })
const get = (handler, path, headers = {}) => handler(new Request(`http://localhost${path}`, { headers }))

test('a signed URL renders; unsigned and tampered ones are refused with JSON', async () => {
  const path = signed.url('blog', { title: 'Signed in Node', author: 'Jane' })
  assert.match(path, /^\/og\/blog\?.*sig=/)
  const ok = await get(signed, path)
  assert.equal(ok.status, 200, await ok.clone().text())
  assert.equal(ok.headers.get('content-type'), 'image/png')
  const png = Buffer.from(await ok.arrayBuffer())
  assert.ok(png.subarray(0, 8).equals(Buffer.from('\x89PNG\r\n\x1a\n', 'latin1')))
  assert.ok(png.equals((await renderer.render('blog', { title: 'Signed in Node', author: 'Jane' })).data))
  assert.match(ok.headers.get('x-ogmill-fit'), /^title \d+(\.\d+)? \d/)

  const unsigned = await get(signed, '/og/blog?title=Forged')
  assert.equal(unsigned.status, 403)
  assert.equal(unsigned.headers.get('content-type'), 'application/json')
  assert.match((await unsigned.json()).error, /only signed URLs/)

  const tampered = await get(signed, path.replace('Signed', 'Forged'))
  assert.equal(tampered.status, 403)
  assert.match((await tampered.json()).error, /does not match/)
})

test('an expiring URL caps the cache lifetime; an expired one is refused', async () => {
  const res = await get(signed, signed.url('blog', { title: 'Soon gone' }, { expiresIn: 60 }))
  assert.equal(res.status, 200)
  const maxAge = Number(/max-age=(\d+)/.exec(res.headers.get('cache-control'))[1])
  assert.ok(maxAge <= 60, res.headers.get('cache-control'))
  const old = await get(signed, signed.url('blog', { title: 'Gone' }, { expiresIn: -10 }))
  assert.equal(old.status, 403)
  assert.match((await old.json()).error, /expired/)
})

test('ETag and If-None-Match give a 304 with no body', async () => {
  const first = await get(open, '/og/blog?title=Cached')
  const etag = first.headers.get('etag')
  assert.match(etag, /^"[0-9a-f]{32}"$/)
  assert.match(first.headers.get('cache-control'), /public, max-age=86400/)
  const again = await get(open, '/og/blog?title=Cached', { 'if-none-match': `W/${etag}, "other"` })
  assert.equal(again.status, 304)
  assert.equal(again.headers.get('etag'), etag)
  assert.equal((await again.arrayBuffer()).byteLength, 0)
  const changed = await get(open, '/og/blog?title=Changed', { 'if-none-match': etag })
  assert.equal(changed.status, 200)
})

test('bad requests get the server status and message', async () => {
  const cases = [
    ['/og/nope?title=x', 404, /unknown template 'nope'/],
    ['/og/lesson?lesson=third', 400, /invalid value for 'lesson'/],
    [`/og/blog?title=${'x'.repeat(400)}`, 400, /400 characters long; the limit is 300/],
    ['/og/blog?title=%FF', 400, /not valid UTF-8/],
    ['/og/blog?format=gif', 400, /format/],
  ]
  for (const [path, status, message] of cases) {
    const res = await get(open, path)
    assert.equal(res.status, status, path.slice(0, 60))
    const body = await res.json()
    assert.equal(body.status, status)
    assert.match(body.error, message, path.slice(0, 60))
  }
  const unknown = await get(open, '/og/blog?title=x&utm_source=feed')
  assert.equal(unknown.status, 200)
  assert.equal(unknown.headers.get('x-ogmill-ignored-params'), 'utm_source')
})

test('HEAD has headers and no body; POST is 405', async () => {
  const head = await open(new Request('http://localhost/og/blog?title=Head', { method: 'HEAD' }))
  assert.equal(head.status, 200)
  assert.equal(head.headers.get('content-type'), 'image/png')
  assert.equal((await head.arrayBuffer()).byteLength, 0)
  const post = await open(new Request('http://localhost/og/blog', { method: 'POST', body: 'x' }))
  assert.equal(post.status, 405)
  assert.equal(post.headers.get('allow'), 'GET, HEAD')
})

test('short or empty signing keys are refused, as by the server', () => {
  for (const keys of [[''], ['short'], [KEY, 'tiny']]) {
    assert.throws(() => createHandler({ renderer, signingKeys: keys }), { code: 'BAD_SIGNING_KEY' })
  }
  assert.throws(() => createHandler({ renderer, signingKeys: [], requireSignature: true }), {
    code: 'BAD_SIGNING_KEY',
  })
})

test('ogmill/next: ImageResponse is a Response with the card, and throws on bad values', async () => {
  const { ImageResponse, size, contentType } = await import('ogmill/next')
  assert.deepEqual(size, { width: 1200, height: 630 })
  assert.equal(contentType, 'image/png')
  const res = new ImageResponse('blog', { title: 'Next helper' }, { renderer })
  assert.ok(res instanceof Response)
  assert.equal(res.headers.get('content-type'), 'image/png')
  const png = Buffer.from(await res.arrayBuffer())
  assert.ok(png.equals((await renderer.render('blog', { title: 'Next helper' })).data))
  const webp = new ImageResponse('blog', { title: 'x' }, { renderer, format: 'webp' })
  assert.equal(webp.headers.get('content-type'), 'image/webp')
  assert.throws(() => new ImageResponse('nope', {}, { renderer }), { code: 'UNKNOWN_TEMPLATE' })
})
