#!/usr/bin/env python3
"""Gives pidone an unusual signal mask, ignored signals and descriptors,
prints them, then execs pidone (keeping the pid: as PID 1 it stays PID 1).

transparent.py PIDONE ARGS...   → prints "given SigBlk=.. SigIgn=.. fds=.."
"""
import os
import signal
import sys

from procstate import open_fds, status_field

signal.pthread_sigmask(signal.SIG_SETMASK, {signal.SIGUSR2, signal.SIGRTMIN + 3, signal.SIGWINCH})
signal.signal(signal.SIGHUP, signal.SIG_IGN)
signal.signal(signal.SIGPIPE, signal.SIG_DFL)
signal.signal(signal.SIGINT, signal.SIG_DFL)
extra = os.open("/dev/null", os.O_RDONLY)
os.dup2(extra, 7)
os.close(extra)
r, w = os.pipe()
os.dup2(w, 9)
os.close(w)
os.close(r)
with open("/proc/self/status") as f:
    status = f.read()
fds = open_fds()
print("given SigBlk=%s SigIgn=%s fds=%s" % (status_field(status, "SigBlk"),
                                            status_field(status, "SigIgn"), fds), flush=True)
os.execv(sys.argv[1], sys.argv[1:])
