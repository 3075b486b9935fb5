#!/usr/bin/env bash
# Bytes and time per format for each template, from one run (`ogmill bench --format ...`):
# a Markdown section for BENCHMARKS.md (benches/report.sh includes it).
#
#   bash benches/formats.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=./target/release/ogmill
ITER=${ITER:-100}
# The first six built-ins; the gallery's PNG and PDF bytes are in benches/gallery.sh's table.
read -r -a templates <<<"${TEMPLATES:-blog default product profile square wide}"
cases=("png" "webp" "webp 80" "jpeg" "png@2x" "pdf")
json=()
for c in "${cases[@]}"; do
  case "$c" in
    png@2x) args=(--format png --scale 2) ;;
    *" "*) args=(--format "${c% *}" --quality "${c#* }") ;;
    *) args=(--format "$c") ;;
  esac
  json+=("$($bin bench --iterations "$ITER" --json --no-baseline "${args[@]}" "${templates[@]}")")
done
cat <<HEAD
## Formats (\`ogmill bench --format F [--quality Q] [--scale S]\`)

Each built-in template with its default values, one thread, medians of $ITER renders. PNG is
the palette PNG the server sends by default; \`webp\` is lossless (the PNG's very pixels);
\`webp 80\` and \`jpeg\` (quality 85) are lossy; \`png@2x\` is \`scale=2\` (2400x1260); \`pdf\`
is vector (svg2pdf; its \`encode\` is the second usvg parse and the PDF writing). Bytes ratios
are against the PNG of the same template, in this run.

| template | format | bytes | bytes / PNG | p50 ms | encode ms |
|---|---|---|---|---|---|
HEAD
python3 - "${cases[@]}" -- "${json[@]}" <<'PY'
import json, sys
args = sys.argv[1:]
sep = args.index("--")
cases, runs = args[:sep], [json.loads(j) for j in args[sep + 1:]]
png = {r["template"]: r["bytes"] for r in runs[0]}
for t in sorted(png):
    for case, run in zip(cases, runs):
        r = next(x for x in run if x["template"] == t)
        print(f"| {t} | {case} | {r['bytes']:,} | {r['bytes'] / png[t]:.2f} | {r['p50']:.2f} | {r['encode']:.2f} |")
PY
