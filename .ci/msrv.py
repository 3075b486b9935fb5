"""Fails when a dependency declares a newer rust-version than ogmill's (cargo metadata on stdin).

Only one toolchain can be installed on CI's machine, so the MSRV is checked in two parts:
clippy's incompatible_msrv lint flags std APIs newer than rust-version, and this flags a
dependency that needs a newer compiler.
"""
import json
import sys

meta = json.load(sys.stdin)
ours = next(p for p in meta["packages"] if p["name"] == "ogmill")["rust_version"]


def key(v):
    parts = [int(x) for x in v.split(".")]
    return tuple(parts + [0] * (3 - len(parts)))


used = {n["id"] for n in meta["resolve"]["nodes"]}
newer = sorted(
    "{} {} needs Rust {}".format(p["name"], p["version"], p["rust_version"])
    for p in meta["packages"]
    if p["id"] in used and p.get("rust_version") and key(p["rust_version"]) > key(ours)
)
if newer:
    sys.exit("rust-version is {}, but:\n  {}".format(ours, "\n  ".join(newer)))
print("MSRV {}: no dependency needs a newer Rust".format(ours))
