#!/usr/bin/env python3
"""Before/after of the render path: two ogmill binaries, alternating rounds on one core.

    python3 benches/compare.py OLD_BINARY NEW_BINARY [ogmill bench args...]

Each round runs `ogmill bench --threads 1 --iterations 30 --no-baseline --json` under
`taskset -c 1` with the old binary, then the new; ROUNDS (default 3) rounds. Prints each
template's median p50 per binary, their ratio, and the median ratio: these machines are
shared and noisy, so only ratios from one run mean anything. Extra args go to `ogmill
bench` (`--templates DIR`, `--format webp`, template names...).
"""
import json
import os
import statistics
import subprocess
import sys

if len(sys.argv) < 3:
    sys.exit(__doc__)
old, new, extra = sys.argv[1], sys.argv[2], sys.argv[3:]
rounds = int(os.environ.get("ROUNDS", "3"))
p50 = {"old": {}, "new": {}}
for _ in range(rounds):
    for which, binary in (("old", old), ("new", new)):
        cmd = ["taskset", "-c", "1", binary, "bench", "--threads", "1",
               "--iterations", "30", "--no-baseline", "--json", *extra]
        out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
        for row in json.loads(out):
            p50[which].setdefault(row["template"], []).append(row["p50"])
ratios = []
print(f"{'template':50s} {'old ms':>8s} {'new ms':>8s} {'new/old':>8s}")
for name in sorted(set(p50["old"]) & set(p50["new"])):
    a, b = statistics.median(p50["old"][name]), statistics.median(p50["new"][name])
    ratios.append(b / a)
    print(f"{name:50s} {a:8.2f} {b:8.2f} {b / a:8.2f}")
if ratios:
    print(f"median ratio {statistics.median(ratios):.3f}, range {min(ratios):.2f}-{max(ratios):.2f}")
