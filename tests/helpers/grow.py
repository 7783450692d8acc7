#!/usr/bin/env python3
"""Grows its memory by CHUNK MiB at a time up to TOTAL MiB (touching every
page), printing 'got SIGNAL' for each signal received, then waits up to
WAIT seconds for one more signal. Usage: grow.py TOTAL [CHUNK] [WAIT]"""
import signal
import sys
import time

total = int(sys.argv[1]) if len(sys.argv) > 1 else 64
chunk = int(sys.argv[2]) if len(sys.argv) > 2 else 4
wait = float(sys.argv[3]) if len(sys.argv) > 3 else 10
got = []


def on_signal(sig, _frame):
    got.append(sig)
    print(f"got {signal.Signals(sig).name}", flush=True)


for s in (signal.SIGUSR1, signal.SIGUSR2):
    signal.signal(s, on_signal)

held = []
for i in range(0, total, chunk):
    held.append(bytearray(b"x" * (chunk << 20)))
    time.sleep(0.05)
print(f"holding {total} MiB", flush=True)
deadline = time.time() + wait
while not got and time.time() < deadline:
    time.sleep(0.05)
print("done", flush=True)
