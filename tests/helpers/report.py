#!/usr/bin/env python3
"""What the program got: prints "got SigBlk=.. SigIgn=.. fds=.." and, as seen
from inside, pidone's (PID 1's, or the parent's) descriptors and directory.

Python ignores SIGPIPE as it starts, so the signal state is read by a shell
that pidone started and that then exec'd this script:
    sh -c 'exec python3 report.py "$(grep ^Sig /proc/$$/status)"'
"""
import os
import sys

from procstate import open_fds, status_field

fds = open_fds()
given = sys.argv[1]
print("got SigBlk=%s SigIgn=%s fds=%s" % (status_field(given, "SigBlk"),
                                          status_field(given, "SigIgn"), fds), flush=True)
init = os.getppid()
links = {}
for fd in os.listdir("/proc/%d/fd" % init):
    try:
        links[int(fd)] = os.readlink("/proc/%d/fd/%s" % (init, fd))
    except OSError:
        pass
extra = sorted("%d:%s" % (fd, t) for fd, t in links.items() if fd > 2)
print("init cwd=%s extra=%s" % (os.readlink("/proc/%d/cwd" % init), ",".join(extra)), flush=True)
