#!/usr/bin/env bash
# ogmill-wasm against the native npm package and the peers' WebAssembly builds on the same
# card, in one Node process on one core: builds both ogmill packages in release, packs them,
# installs the tarballs and @takumi-rs/wasm and @vercel/og (Satori + resvg-wasm) from npm
# into a temp folder (nothing is committed from them), and prints one table.
# Needs Node.js 18+, npm, the wasm32 target and wasm-bindgen-cli 0.2.130 (WASM_BINDGEN, or
# target/tools/bin/wasm-bindgen as .ci/test installs it).
#   bash benches/wasm/run.sh [ITERATIONS] [ROUNDS]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export CARGO_TARGET_DIR="$root/target"
export WASM_BINDGEN="${WASM_BINDGEN:-$root/target/tools/bin/wasm-bindgen}"
for pkg in ogmill-node ogmill-wasm; do
  (cd "$root/crates/$pkg" && npm ci --silent --no-audit --no-fund && npm run build >/dev/null 2>&1 \
    && npm pack --silent --pack-destination "$work" >/dev/null)
done
cp "$root"/benches/wasm/bench.mjs "$root"/benches/peers/card.mjs "$work/"
cd "$work"
echo '{"type":"module","private":true}' > package.json
# @vercel/og 0.8.5: the last release with a Node build (1.x imports .wasm?module).
npm install --silent --no-audit --no-fund ./ogmill-0.1.0.tgz ./ogmill-wasm-0.1.0.tgz \
  @takumi-rs/wasm @takumi-rs/helpers @vercel/og@0.8.5 >/dev/null 2>&1
wasm_size() { echo "$(($(stat -c %s "$1") / 1000)) KB, $(($(gzip -9 -c "$1" | wc -c) / 1000)) KB gzipped"; }
echo "ogmill-wasm .wasm (Inter inside): $(wasm_size node_modules/ogmill-wasm/pkg/ogmill_bg.wasm)"
echo "@takumi-rs/wasm .wasm (no fonts): $(wasm_size node_modules/@takumi-rs/wasm/pkg/takumi_wasm_bg.wasm)"
UV_THREADPOOL_SIZE=1 taskset -c 0 node bench.mjs "$root/fonts" "${1:-30}" "${2:-3}"
echo
echo "versions: $(node -p 'const v=(p)=>require(`./node_modules/${p}/package.json`).version; `@takumi-rs/wasm ${v("@takumi-rs/wasm")}, @vercel/og ${v("@vercel/og")}, node ${process.version}`')"
