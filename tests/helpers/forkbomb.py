#!/usr/bin/env python3
"""A bounded fork bomb: forks (children sleep) until fork fails or LIMIT
forks succeeded, prints how it ended, kills its children and exits with
status 7. Safe even where no pids limit holds it: it stops at LIMIT."""
import errno
import os
import signal
import sys
import time

limit = int(sys.argv[1]) if len(sys.argv) > 1 else 100
children = []
failure = None
for _ in range(limit):
    try:
        pid = os.fork()
    except OSError as e:
        failure = errno.errorcode.get(e.errno, str(e.errno))
        break
    if pid == 0:
        time.sleep(60)
        os._exit(0)
    children.append(pid)
print(f"forked {len(children)}, then {failure or 'no failure'}", flush=True)
for pid in children:
    os.kill(pid, signal.SIGKILL)
for pid in children:
    os.waitpid(pid, 0)
sys.exit(7)
