#!/usr/bin/env bash
# The gallery templates against the blog card: p50 and its ratio to the blog card's p50, per
# round and then the median of three rounds (the machine is shared: ratios within a round are
# what to read), PNG and PDF bytes. A Markdown section for BENCHMARKS.md.
#
#   bash benches/gallery.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=./target/release/ogmill
ITER=${ITER:-60}
gallery=(docs changelog event episode quote job repo pricing lesson newsletter launch minimal)
rounds=()
for _ in 1 2 3; do
  rounds+=("$($bin bench --iterations "$ITER" --json --no-baseline blog "${gallery[@]}")")
done
pdf=$($bin bench --iterations 10 --json --no-baseline --format pdf blog "${gallery[@]}")
cat <<HEAD
## Gallery templates (\`bash benches/gallery.sh\`)

Each gallery template with its default values (light theme), one thread, against the blog
card in the same round; medians of three rounds of $ITER renders. The target is at most 1.5x
the blog card's p50.

| template | p50 ms | p50 / blog | PNG bytes | PDF bytes |
|---|---|---|---|---|
HEAD
python3 - "$pdf" "${rounds[@]}" <<'PY'
import json, statistics, sys
pdf = {r["template"]: r["bytes"] for r in json.loads(sys.argv[1])}
rounds = [{r["template"]: r for r in json.loads(j)} for j in sys.argv[2:]]
for t in rounds[0]:
    p50 = statistics.median(r[t]["p50"] for r in rounds)
    ratio = statistics.median(r[t]["p50"] / r["blog"]["p50"] for r in rounds)
    print(f"| {t} | {p50:.2f} | {ratio:.2f}x | {rounds[0][t]['bytes']:,} | {pdf.get(t, 0):,} |")
PY
