#!/usr/bin/env python3
"""Runs pidone as PID 1 on a pseudo-terminal, types Ctrl-C, and reports
what the shell under it printed and pidone's exit status."""
import os
import pty
import select
import sys
import time

pidone = sys.argv[1]
script = "trap 'echo got INT; exit 7' INT; echo ready; while :; do sleep 0.05; done"
pid, master = pty.fork()
if pid == 0:
    os.execvp("unshare", ["unshare", "--pid", "--fork", "--mount-proc", "--kill-child",
                          pidone, "sh", "-c", script])

seen = b""
def read_until(needle, timeout=20):
    global seen
    deadline = time.monotonic() + timeout
    while needle not in seen and time.monotonic() < deadline:
        r, _, _ = select.select([master], [], [], 0.1)
        if r:
            try:
                seen += os.read(master, 4096)
            except OSError:
                break
    return needle in seen

if not read_until(b"ready"):
    print("never ready: %r" % seen)
    sys.exit(1)
time.sleep(0.2)
os.write(master, b"\x03")
ok = read_until(b"got INT")
print("saw: got INT" if ok else "missing INT: %r" % seen, flush=True)
deadline = time.monotonic() + 20
status = None
while time.monotonic() < deadline:
    read_until(b"\0", 0.1)
    done, st = os.waitpid(pid, os.WNOHANG)
    if done:
        status = os.waitstatus_to_exitcode(st)
        break
print("exit status %s" % status, flush=True)
sys.exit(0 if ok else 1)
