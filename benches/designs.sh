#!/usr/bin/env bash
# Each design-tool-shaped template (tests/designs/templates) next to the built-in blog card,
# from one `ogmill bench` run: a Markdown section for BENCHMARKS.md (benches/report.sh
# includes it). Target (issue 17): every design's p50 within 1.5x the blog card's.
#
#   bash benches/designs.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=./target/release/ogmill
ITER=${ITER:-100}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cp tests/designs/templates/*.svg svg-templates/blog.svg "$dir"/
json=$($bin bench --templates "$dir" --iterations "$ITER" --json)
layering=$($bin templates --templates "$dir" --json)
cat <<HEAD
## Design-tool templates (\`bash benches/designs.sh\`)

Templates laid out the way Figma, Illustrator, Inkscape, Penpot, Affinity and Canva export
them (\`tests/designs/templates\`: clip groups, drop-shadow filters, masks, patterns, embedded
JPEG/PNG, CSS classes, scaled text), each with its default values, in one \`ogmill bench\` run
with the built-in blog card; one thread, medians of $ITER renders. "single pass" is the plain
pipeline (usvg + resvg + PNG of the whole filled SVG) in the same run: what these templates
cost before the layer split followed design-tool structure.

| template | p50 ms | p50 / blog | fit | raster | encode | single pass ms | layered / single pass |
|---|---|---|---|---|---|---|---|
HEAD
python3 - "$json" <<'PY'
import json, sys
runs = {r["template"]: r for r in json.loads(sys.argv[1])}
blog = runs["blog"]["p50"]
for name in ["blog"] + sorted(t for t in runs if t != "blog"):
    r = runs[name]
    print(f"| {name} | {r['p50']:.2f} | {r['p50'] / blog:.2f}x | {r['fit']:.2f} | {r['raster']:.2f} "
          f"| {r['encode']:.2f} | {r['baseline']:.1f} | {r['p50'] / r['baseline']:.2f}x |")
PY
echo
echo "How each is drawn (\`ogmill templates --json\`, \`layering\`):"
echo
python3 - "$layering" <<'PY'
import json, sys
for t in json.loads(sys.argv[1]):
    print(f"- {t['name']}: {t['layering']}")
PY
