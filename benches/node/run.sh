#!/usr/bin/env bash
# ogmill's npm package against @takumi-rs/core and @vercel/og (Satori + resvg-wasm) on the
# same card, in one Node process: builds the package in release (`npm run build`), packs
# it, installs the tarball and the peers from npm into a temp folder (nothing is committed
# from them), and prints one table. Needs Node.js 18+ and npm.
#   bash benches/node/run.sh [ITERATIONS] [ROUNDS]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
pkg="$root/crates/ogmill-node"
(cd "$pkg" && npm ci --silent --no-audit --no-fund && CARGO_TARGET_DIR="$root/target" npm run build >/dev/null 2>&1 \
  && npm pack --silent --pack-destination "$work" >/dev/null)
cp "$root"/benches/node/bench.mjs "$root"/benches/peers/card.mjs "$work/"
cd "$work"
echo '{"type":"module","private":true}' > package.json
# @vercel/og 0.8.5: the last release with a Node build (1.x imports .wasm?module, for edge
# runtimes and bundlers only); Satori 0.16 and @resvg/resvg-wasm 2.4 inside.
npm install --silent --no-audit --no-fund ./ogmill-0.1.0.tgz @takumi-rs/core @takumi-rs/helpers @vercel/og@0.8.5 >/dev/null 2>&1
echo "installed: ogmill $(du -sh node_modules/ogmill | cut -f1), @takumi-rs/core $(du -shc node_modules/@takumi-rs/core* | tail -1 | cut -f1), @vercel/og $(du -sh node_modules/@vercel/og | cut -f1)"
UV_THREADPOOL_SIZE=1 taskset -c 0 node bench.mjs "$root/fonts" "${1:-40}" "${2:-3}" latency
echo
UV_THREADPOOL_SIZE="$(nproc)" node bench.mjs "$root/fonts" "${1:-40}" "${2:-3}" throughput
echo
echo "versions: $(node -p 'const v=(p)=>require(`./node_modules/${p}/package.json`).version; `@takumi-rs/core ${v("@takumi-rs/core")}, @vercel/og ${v("@vercel/og")}, node ${process.version}, ${require("os").availableParallelism()} cores`')"
