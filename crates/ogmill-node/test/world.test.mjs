// Run only once `ogmill-fonts-world` is installed beside `ogmill` (tests/it/node.rs):
// scripts beyond Latin then draw with no missing glyph; without it they are reported.
import { test } from 'node:test'
import assert from 'node:assert/strict'

import { Renderer } from 'ogmill'

const TITLES = ['東京で会いましょう', 'مرحبا بالعالم', 'नमस्ते दुनिया', '서울의 밤']

test('with ogmill-fonts-world installed, every script has its glyphs', async () => {
  const r = new Renderer()
  for (const title of TITLES) {
    const card = await r.render('blog', { title })
    assert.equal(card.fit.find((f) => f.slot === 'title').missing, '', title)
  }
})
