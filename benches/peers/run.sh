#!/usr/bin/env bash
# ogmill against its peers on the same card, in one run: installs satori, @resvg/resvg-js
# and @takumi-rs/core (+ helpers) from npm into a temp folder (nothing is committed from
# them), builds ogmill in release, and prints one table. Needs Node.js 18+ and npm.
#   bash benches/peers/run.sh [ITERATIONS]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cargo build --release --quiet --manifest-path "$root/Cargo.toml"
cp "$root"/benches/peers/*.mjs "$work/"
cd "$work"
echo '{"type":"module","private":true}' > package.json
npm install --silent --no-audit --no-fund satori @resvg/resvg-js @takumi-rs/core @takumi-rs/helpers >/dev/null 2>&1
SAVE_DIR="${SAVE_DIR:-}" node peers.mjs "$root/fonts" "$root/target/release/ogmill" "${1:-50}"
echo
echo "versions: $(node -p 'const v=(p)=>require(`./node_modules/${p}/package.json`).version; `satori ${v("satori")}, @resvg/resvg-js ${v("@resvg/resvg-js")}, @takumi-rs/core ${v("@takumi-rs/core")}, node ${process.version}`')"
