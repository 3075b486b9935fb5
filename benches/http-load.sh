#!/usr/bin/env bash
# HTTP throughput of a release build on loopback, measured with wrk (Debian package `wrk`):
# cache hits, cache misses (every request a new title), and /healthz as the in-run baseline
# (the cost of HTTP alone). Each case runs ROUNDS times; the table gives medians.
#
#   bash benches/http-load.sh            # 3 rounds of 10 s per case, 64 connections
#   DURATION=5s ROUNDS=1 bash benches/http-load.sh
#
# wrk and the server share this machine's cores, so the figures are a floor for a
# dedicated server, and comparable only with those of the same run.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-10s}
ROUNDS=${ROUNDS:-3}
CONNS=${CONNS:-64}
MISS_CONNS=${MISS_CONNS:-16}
PORT=${PORT:-3917}

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
cargo build --release --quiet
log=$(mktemp)
OGMILL_LOG=warn ./target/release/ogmill serve --bind "127.0.0.1:$PORT" --queue 1024 >"$log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -f "$log" "$lua"' EXIT
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done

base="http://127.0.0.1:$PORT"
hit="$base/api/og/blog?title=Next.js+Dynamic+Image+Generation%3A+OG+Images%2C+Social+Cards+%26+More"
curl -fs "$hit" >/dev/null # warm: the first request renders, the rest are hits

lua=$(mktemp --suffix .lua)
cat >"$lua" <<'EOF'
-- Every request a title never seen before: a cache miss and a full render.
local n = 0
setup = function(thread) thread:set("id", tostring(math.random(1, 1000000000))) end
request = function()
  n = n + 1
  return wrk.format("GET", "/api/og/blog?title=Miss+" .. id .. "+" .. n)
end
EOF

# One wrk run; prints "requests/s p50_ms p99_ms non2xx".
run() {
  local conns=$1; shift
  wrk -t2 -c"$conns" -d"$DURATION" --latency "$@" | awk '
    /Requests\/sec/ { rps = $2 }
    /^ +50%/ { p50 = $2 } /^ +99%/ { p99 = $2 }
    /Non-2xx/ { bad = $NF }
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    END { printf "%s %.2f %.2f %d\n", rps, ms(p50), ms(p99), bad + 0 }'
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

declare -A results
for case in healthz hit miss; do
  for r in $(seq "$ROUNDS"); do
    case $case in
      healthz) out=$(run "$CONNS" "$base/healthz") ;;
      hit) out=$(run "$CONNS" "$hit") ;;
      miss) out=$(run "$MISS_CONNS" -s "$lua" "$base") ;;
    esac
    results[$case]+="$out"$'\n'
  done
done

printf '%-8s %6s %12s %10s %10s %8s\n' case conns "requests/s" "p50 ms" "p99 ms" non-2xx
for case in healthz hit miss; do
  conns=$CONNS; [ "$case" = miss ] && conns=$MISS_CONNS
  rows=${results[$case]}
  rps=$(echo -n "$rows" | awk '{print $1}' | median)
  p50=$(echo -n "$rows" | awk '{print $2}' | median)
  p99=$(echo -n "$rows" | awk '{print $3}' | median)
  bad=$(echo -n "$rows" | awk '{s += $4} END {print s + 0}')
  printf '%-8s %6s %12s %10s %10s %8s\n' "$case" "$conns" "$rps" "$p50" "$p99" "$bad"
done
hz=$(echo -n "${results[healthz]}" | awk '{print $1}' | median)
h=$(echo -n "${results[hit]}" | awk '{print $1}' | median)
awk -v h="$h" -v z="$hz" 'BEGIN { printf "hits run at %.2fx the rate of /healthz (HTTP alone) in this run\n", h / z }'
