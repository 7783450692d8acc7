#!/usr/bin/env python3
"""make size-report: what the KiBs of the static binary are made of.

Builds the static binary once more without stripping (target/size/), then
sums the symbol sizes (`nm --size-sort`) by the crate or library they come
from, biggest first, followed by the largest single symbols. The groups
are a guide, not an exact account: generic code is attributed to the crate
whose name appears first in the symbol.
"""
import collections
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET_DIR = os.path.join(ROOT, "target", "size")
BIN = os.path.join(TARGET_DIR, "x86_64-unknown-linux-musl", "release", "pidone")

GROUPS = [
    ("std's backtrace printer (gimli, addr2line, rustc-demangle, miniz_oxide)",
     ["gimli", "addr2line", "rustc_demangle", "miniz_oxide", "backtrace_rs", "backtrace::"]),
    ("libunwind", ["libunwind", "_Unwind", "unw_"]),
    ("pidone", ["pidone::"]),
    ("serde, serde_json", ["serde"]),
    ("cgroups-rs", ["cgroups_rs"]),
    ("libseccomp (Rust side)", ["libseccomp::", "libseccomp_sys"]),
    ("caps", ["caps::"]),
    ("env_logger, log", ["env_logger", "env_filter", "log::"]),
    ("lexopt", ["lexopt"]),
    ("nix", ["nix::"]),
    ("float formatting and parsing", ["flt2dec", "dec2flt", "fmt::float", "f64 as core", "f32 as core", "fmt_fp"]),
    ("core::fmt", ["core::fmt"]),
    ("std", ["std::"]),
    ("alloc, hashbrown", ["alloc::", "hashbrown"]),
    ("core", ["core::"]),
]


def main():
    env = dict(os.environ, CARGO_PROFILE_RELEASE_STRIP="false", CARGO_TARGET_DIR=TARGET_DIR)
    subprocess.run([os.path.join(ROOT, "scripts", "static.sh")], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    seccomp_dir = subprocess.run([os.path.join(ROOT, "scripts", "libseccomp-musl.sh")],
                                 capture_output=True, text=True, check=True).stdout.strip()
    lib = os.path.join(seccomp_dir, "libseccomp.a")
    seccomp = set()
    for line in subprocess.run(["nm", "--defined-only", lib], capture_output=True, text=True).stdout.splitlines():
        parts = line.split()
        if len(parts) == 3:
            seccomp.add(parts[2])
    raw = subprocess.run(["nm", "--size-sort", "-S", BIN], capture_output=True, text=True, check=True).stdout
    dem = subprocess.run(["nm", "--size-sort", "-S", "-C", BIN], capture_output=True, text=True, check=True).stdout
    totals = collections.Counter()
    biggest = []
    for r, d in zip(raw.splitlines(), dem.splitlines()):
        r, d = r.split(None, 3), d.split(None, 3)
        if len(r) < 4 or len(d) < 4:
            continue
        size, name, pretty = int(r[1], 16), r[3], d[3]
        if name in seccomp:
            group = "libseccomp (C)"
        else:
            group = next((g for g, keys in GROUPS if any(k in pretty for k in keys)), None)
            if group is None:
                group = "musl libc and other C" if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", pretty) else "other Rust"
        totals[group] += size
        biggest.append((size, pretty))
    stripped = os.path.join(ROOT, "target", "x86_64-unknown-linux-musl", "release", "pidone")
    if os.path.exists(stripped):
        print(f"make static's binary: {os.path.getsize(stripped)} bytes "
              f"({(os.path.getsize(stripped) + 1023) // 1024} KiB; goal: at most 691 KiB)")
    print(f"symbols: {sum(totals.values()) / 1024:.1f} KiB, by origin:")
    for group, size in totals.most_common():
        print(f"  {size / 1024:7.1f} KiB  {group}")
    print("largest symbols:")
    for size, pretty in sorted(biggest, reverse=True)[:int(sys.argv[1]) if len(sys.argv) > 1 else 20]:
        print(f"  {size / 1024:7.1f} KiB  {pretty[:110]}")


if __name__ == "__main__":
    main()
