#!/usr/bin/env python3
"""Spins on the CPU until the kernel has throttled cgroup DIR (cpu.stat
nr_throttled) at least N times, at most 10 s; prints 'nr_throttled K'.
Usage: throttled.py DIR [N]"""
import sys
import time

cgroup = sys.argv[1]
want = int(sys.argv[2]) if len(sys.argv) > 2 else 3


def throttled():
    with open(f"{cgroup}/cpu.stat") as f:
        for line in f:
            key, value = line.split()
            if key == "nr_throttled":
                return int(value)
    return 0


end = time.time() + 10
n = throttled()
while n < want and time.time() < end:
    for _ in range(100000):
        pass
    n = throttled()
print("nr_throttled", n, flush=True)
