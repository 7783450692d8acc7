#!/usr/bin/env python3
"""Signal recorder for pidone's tests.

catch.py [--exit-on SIG]... [--ignore SIG]... [--prefix P] SIG...
Catches each SIG, printing "P got NAME t=MONOTONIC" per arrival; exits 0 on an
--exit-on signal; prints "P ready PID" once every handler is in place.
"""
import argparse
import os
import signal
import sys
import time


def number(name):
    name = name.upper().removeprefix("SIG")
    if name.startswith("RTMIN"):
        return signal.SIGRTMIN + int(name[5:] or 0)
    return int(getattr(signal, "SIG" + name))


def label(sig):
    if sig >= signal.SIGRTMIN:
        return "RTMIN+%d" % (sig - signal.SIGRTMIN)
    return signal.Signals(sig).name.removeprefix("SIG")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--exit-on", action="append", default=[])
    p.add_argument("--ignore", action="append", default=[])
    p.add_argument("--prefix", default="child")
    p.add_argument("signals", nargs="*")
    a = p.parse_args()
    exit_on = {number(s) for s in a.exit_on}
    caught = {number(s) for s in a.signals} | exit_on
    for s in a.ignore:
        signal.signal(number(s), signal.SIG_IGN)
    # sigwaitinfo rather than handlers: Python runs one handler call for any
    # number of queued real-time signals, sigwaitinfo dequeues each.
    signal.pthread_sigmask(signal.SIG_BLOCK, caught)
    print("%s ready %d" % (a.prefix, os.getpid()), flush=True)
    while True:
        sig = signal.sigwaitinfo(caught).si_signo
        print("%s got %s t=%.6f" % (a.prefix, label(sig), time.monotonic()), flush=True)
        if sig in exit_on:
            sys.exit(0)


if __name__ == "__main__":
    main()
