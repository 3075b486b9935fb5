'use strict'
// Copies the repository's fonts/ into this package before `npm pack`, leaving out Inter,
// which the `ogmill` addon has compiled in. The fonts stay in one place in the repository.
const fs = require('node:fs')
const path = require('node:path')

const from = path.join(__dirname, '..', '..', '..', 'fonts')
const to = path.join(__dirname, 'fonts')
fs.rmSync(to, { recursive: true, force: true })
fs.mkdirSync(to)
let n = 0
for (const name of fs.readdirSync(from)) {
  if (name.startsWith('Inter-') || !/\.(ttf|otf|ttc)$/.test(name)) continue
  fs.copyFileSync(path.join(from, name), path.join(to, name))
  n++
}
for (const name of fs.readdirSync(from)) {
  if (/^(OFL|LICENSE)/i.test(name)) fs.copyFileSync(path.join(from, name), path.join(to, name))
}
console.log(`ogmill-fonts-world: ${n} fonts copied from ${from}`)
