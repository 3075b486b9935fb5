#!/usr/bin/env bash
# Start-up to ready and idle memory of ogmill binaries, alternating:
#   bash benches/idle.sh BINARY [BINARY...]   (ROUNDS=3 by default)
# Each run starts `BINARY serve` on a free port with the embedded defaults, polls /readyz every
# 5 ms (start-up = until it answers 200), waits 15 s (jemalloc returns freed pages after ~10 s)
# and reads VmRSS. The machine is shared: compare binaries within one run.
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: bash benches/idle.sh BINARY [BINARY...]" >&2; exit 2; }
for _ in $(seq "${ROUNDS:-3}"); do
  for bin in "$@"; do
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    start=$(date +%s%N)
    "$bin" serve --port "$port" >/dev/null 2>&1 &
    pid=$!
    until curl -sf "localhost:$port/readyz" >/dev/null 2>&1; do
      kill -0 "$pid" 2>/dev/null || { echo "$bin exited before it was ready" >&2; exit 1; }
      sleep 0.005
    done
    ready_ms=$(( ($(date +%s%N) - start) / 1000000 ))
    sleep 15
    rss_mb=$(awk '/VmRSS/ { print int($2 / 1024) }' "/proc/$pid/status")
    echo "$bin ready_ms=$ready_ms rss_mb=$rss_mb"
    kill "$pid"; wait "$pid" 2>/dev/null || true
  done
done
