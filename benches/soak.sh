#!/usr/bin/env bash
# A soak test: mixed load against a release build for N minutes, with wrk, printing every
# 10 s the status counts, p50/p99 latency and the server's RSS. Fails on any 5xx or if RSS
# passes the bound. Not run in CI.
#
#   bash benches/soak.sh [MINUTES] [RSS_BOUND_MB]      # defaults: 5 minutes, 580 MB
#
# The default bound is what docs/configuration.md promises at default settings: the caches'
# budgets (256 MiB of cards, 64 of drawn backgrounds, 64 of images, 8 of text measurements
# and fits: 392 MiB, 411 MB) plus a base of 170 MB (fonts, templates, code, per-thread working
# memory). OGMILL_BIN=path runs that binary instead of building one (to compare two builds
# in the same session).
#
# Mix: 70% cache hits (20 warmed cards), 25% misses (a new title each), 5% hostile requests
# (bad UTF-8, traversal, markup, bad colors, huge values), which must get 4xx.
set -euo pipefail
cd "$(dirname "$0")/.."
MINUTES=${1:-5}
BOUND=${2:-580}
PORT=${PORT:-3979}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
BIN=${OGMILL_BIN:-}
if [ -z "$BIN" ]; then
  cargo build --release --quiet
  BIN=./target/release/ogmill
fi
OGMILL_LOG=warn "$BIN" --bind "127.0.0.1:$PORT" --queue 1024 >/dev/null 2>&1 &
pid=$!
lua=$(mktemp --suffix .lua)
trap 'kill $pid 2>/dev/null; rm -f "$lua"' EXIT
until curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null; do sleep 0.05; done
for i in $(seq 0 19); do curl -fs -o /dev/null "http://127.0.0.1:$PORT/api/og/blog?title=Hit+$i"; done

cat >"$lua" <<'LUA'
local hostile = {
  "/api/og/blog?title=%FF%FE", "/api/og/..%2F..%2Fetc%2Fpasswd", "/api/og/blog?accent=%22%3E%3Cx",
  "/api/og/blog?title=a&title=b", "/api/og/nope?title=x", "/api/og/product?image=file:///etc/passwd",
  "/api/og/blog?title=" .. string.rep("A", 9000),
}
local threads = {}
setup = function(t) table.insert(threads, t) end
init = function()
  counts = {}; n = 0
  -- A fresh seed per thread and run, or every run would replay the same "misses".
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "0", 16))
  seed = math.random(1, 1e9)
end
request = function()
  n = n + 1
  local r = math.random()
  if r < 0.70 then return wrk.format("GET", "/api/og/blog?title=Hit+" .. math.random(0, 19)) end
  if r < 0.95 then return wrk.format("GET", "/api/og/blog?title=Miss+" .. seed .. "+" .. n) end
  return wrk.format("GET", hostile[math.random(1, #hostile)])
end
response = function(status) counts[status] = (counts[status] or 0) + 1 end
done = function(summary, latency)
  local all = {}
  for _, t in ipairs(threads) do
    for s, c in pairs(t:get("counts")) do all[s] = (all[s] or 0) + c end
  end
  local parts = {}
  for s, c in pairs(all) do table.insert(parts, s .. "=" .. c) end
  table.sort(parts)
  io.write(string.format("STATS %s p50=%.2fms p99=%.2fms\n", table.concat(parts, ","),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
LUA

rss() { awk '/VmRSS/ { print int($2 / 1024) }' /proc/$pid/status; }
end=$(( $(date +%s) + MINUTES * 60 ))
fail=0
printf '%-6s %-40s %10s %10s %8s\n' time statuses p50 p99 "RSS MB"
while [ "$(date +%s)" -lt "$end" ]; do
  line=$(wrk -t2 -c32 -d10s -s "$lua" "http://127.0.0.1:$PORT" | grep '^STATS')
  statuses=$(echo "$line" | awk '{print $2}')
  p50=$(echo "$line" | sed -E 's/.*p50=([0-9.]+ms).*/\1/')
  p99=$(echo "$line" | sed -E 's/.*p99=([0-9.]+ms).*/\1/')
  mem=$(rss)
  printf '%-6s %-40s %10s %10s %8s\n' "$(( MINUTES * 60 - (end - $(date +%s)) ))s" "$statuses" "$p50" "$p99" "$mem"
  if echo "$statuses" | grep -qE '(^|,)5[0-9][0-9]='; then
    # 503 is load shedding (with Retry-After), the designed answer to overload; others fail.
    if echo "$statuses" | grep -qE '(^|,)(500|501|502|504)='; then echo "FAIL: a 5xx other than 503" >&2; fail=1; fi
  fi
  if [ "$mem" -gt "$BOUND" ]; then echo "FAIL: RSS $mem MB is past the bound of $BOUND MB" >&2; fail=1; fi
done
exit $fail
