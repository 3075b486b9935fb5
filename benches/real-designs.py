#!/usr/bin/env python3
"""Real design exports (tests/designs/real) through `ogmill import` and `ogmill bench`:
per file, whether it imports with no flags (and why not), its slots, the fonts substituted,
and its render p50 as a ratio to the blog card measured in the same run (one core, taskset,
medians of three rounds).

    python3 benches/real-designs.py [path/to/ogmill]
"""
import glob
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
binary = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "target/release/ogmill")
pin = ["taskset", "-c", "1"] if shutil.which("taskset") else []
out = tempfile.mkdtemp(prefix="ogmill-real-")
rows = []
for f in sorted(glob.glob(os.path.join(root, "tests/designs/real/*.svg"))):
    name = re.sub(r"[^a-z0-9_-]", "-", os.path.basename(f)[:-4].lower())
    p = subprocess.run([binary, "import", f, "--out", out, "--name", name], capture_output=True, text=True)
    subs = sorted(set(re.findall(r"font (.+?) drawn as (\S+?):", p.stderr)))
    slots = sum(1 for l in p.stdout.splitlines() if l.startswith("| ") and not l.startswith("| param"))
    why = "" if p.returncode == 0 else ("text outlined" if "converted to outlines" in p.stderr else p.stderr.strip()[:80])
    rows.append((name, p.returncode == 0, why, slots, ", ".join(f"{a} as {b}" for a, b in subs)))


def bench(*args):
    o = subprocess.run(pin + [binary, "bench", "--no-baseline", "--json", *args], capture_output=True, text=True, check=True)
    return {r["template"]: r["p50"] for r in json.loads(o.stdout)}


p50 = {}
for _ in range(3):
    for t, v in bench("--templates", out, "--iterations", "30").items():
        p50.setdefault(t, []).append(v)
    p50.setdefault("(blog)", []).append(bench("blog", "--iterations", "60")["blog"])
blog = statistics.median(p50["(blog)"])
ok = sum(1 for r in rows if r[1])
print(f"{ok} of {len(rows)} import with no flags; blog card p50 {blog:.2f} ms in the same run.\n")
print("| file | imported | slots | fonts substituted | p50 ms | / blog |")
print("|---|---|---|---|---|---|")
for name, imported, why, slots, subs in rows:
    if imported and name in p50:
        v = statistics.median(p50[name])
        print(f"| {name} | yes | {slots} | {subs or '-'} | {v:.2f} | {v / blog:.2f}x |")
    else:
        print(f"| {name} | no: {why} | - | - | - | - |")
shutil.rmtree(out)
