"""Builds one generated MkDocs site three ways (no cards, Material's social plugin, ogmill's
plugin) for ROUNDS rounds, caches cleared each time, and prints medians and the per-card cost.

    python bench.py SITE_DIR PAGES ROUNDS   (run by benches/mkdocs/run.sh)
"""
import os
import shutil
import statistics
import subprocess
import sys
import time

site, pages, rounds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
shutil.rmtree(site, ignore_errors=True)
words = "ogmill renders cards from templates with text that always fits the box it is given".split()
for i in range(pages):
    section = f"section-{i % 10}"
    os.makedirs(os.path.join(site, "docs", section), exist_ok=True)
    title = " ".join(words[(i + k) % len(words)] for k in range(4 + i % 9)).capitalize()
    with open(os.path.join(site, "docs", section, f"page-{i}.md"), "w") as f:
        f.write(f"---\ndescription: Page {i} of the benchmark site.\n---\n# {title}\n\nText.\n")
with open(os.path.join(site, "docs", "index.md"), "w") as f:
    f.write("# Benchmark\n")
base = "site_name: Bench Docs\nsite_url: https://docs.example.com/\ntheme:\n  name: material\n  font:\n    text: Inter\n"
configs = {
    "none": base,
    "material": base + "plugins:\n  - social:\n      cards_layout_options:\n        font_family: Inter\n",
    "ogmill": base + "plugins:\n  - ogmill\n",
}
for name, text in configs.items():
    with open(os.path.join(site, f"{name}.yml"), "w") as f:
        f.write(text)


def build(name):
    for cache in (".cache",):
        shutil.rmtree(os.path.join(site, cache), ignore_errors=True)
    if name == "material":
        fonts = os.path.join(site, ".cache", "plugin", "social", "fonts", "Inter")
        os.makedirs(fonts)
        for style, file in (("Regular", "Inter-Regular.otf"), ("Bold", "Inter-Bold.otf")):
            shutil.copyfile(os.path.join(root, "fonts", file), os.path.join(fonts, f"{style}.ttf"))
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", f"{name}.yml"], cwd=site, check=True)
    return time.perf_counter() - started


times = {name: [] for name in configs}
for _ in range(rounds):
    for name in configs:
        times[name].append(build(name))
med = {name: statistics.median(v) for name, v in times.items()}
cards = pages + 1
print(f"{cards} pages, {rounds} rounds, medians, {os.cpu_count()} cores\n")
print("| build | seconds | cards' cost | per card (ms) |")
print("|---|---|---|---|")
for name in configs:
    cost = med[name] - med["none"]
    per = "-" if name == "none" else f"{cost / cards * 1000:.1f}"
    print(f"| {name} | {med[name]:.2f} | {'-' if name == 'none' else f'{cost:.2f} s'} | {per} |")
ratio = (med["ogmill"] - med["none"]) / max(med["material"] - med["none"], 1e-9)
print(f"\nogmill's cards cost {ratio:.2f}x Material's.")
