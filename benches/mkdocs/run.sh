#!/usr/bin/env bash
# Social cards for a 200-page MkDocs site: mkdocs-material's `social` plugin (Pillow and
# CairoSVG, so the system's Cairo) against ogmill's `ogmill` plugin, same machine, same run.
# Prints per-card cost (build time with cards minus without, over the pages) and the ratio.
#
#   bash benches/mkdocs/run.sh        # needs python3 with venv; installs libcairo2 if root
#
# Material fetches its font from Google Fonts at build time; this machine may not reach it,
# so its font cache is filled with the Inter files ogmill ships (both draw Inter).
set -euo pipefail
cd "$(dirname "$0")/../.."
work=${WORK:-target/mkdocs-bench}
mkdir -p "$work"
if ! ldconfig -p | grep -q libcairo.so.2; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libcairo2 >/dev/null
  else
    echo "Material's social plugin needs Cairo: apt-get install libcairo2" >&2
    exit 1
  fi
fi
venv=$work/venv
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q --disable-pip-version-check maturin==1.16.0 mkdocs==1.6.1 \
  "mkdocs-material[imaging]==9.6.14"
PATH="$PWD/$venv/bin:$PATH" maturin build --release --quiet -m crates/ogmill-py/Cargo.toml -o "$work/wheels"
"$venv/bin/pip" install -q --disable-pip-version-check --force-reinstall --no-deps "$work"/wheels/ogmill-*.whl
"$venv/bin/python" benches/mkdocs/bench.py "$work/site" "${PAGES:-200}" "${ROUNDS:-3}"
