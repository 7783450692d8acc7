#!/usr/bin/env python3
"""Process families for pidone's reaping and shutdown tests.

family.py orphans N            N orphans that exit at once, reparented to the
                               init; waits until /proc shows no zombie, prints
                               "orphans N zombies Z", exits 0
family.py adopted              an orphan reports its new parent; prints
                               "orphan-parent P init P2 zombies Z"
family.py leave MODE MARKER CODE
                               leaves a grandchild behind and exits CODE.
                               MODE: trap (writes MARKER on TERM, then exits),
                               ignore (ignores TERM), daemon (setsid + double
                               fork, writes MARKER on TERM)
"""
import os
import signal
import sys
import time


def zombies(parent=None):
    n = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % pid) as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] == "Z" and (parent is None or int(fields[1]) == parent):
            n += 1
    return n


def orphans(n):
    for _ in range(n):
        pid = os.fork()
        if pid == 0:
            if os.fork() == 0:
                os._exit(0)
            os._exit(0)
        os.waitpid(pid, 0)
    deadline = time.monotonic() + 20
    z = zombies()
    while z and time.monotonic() < deadline:
        time.sleep(0.05)
        z = zombies()
    print("orphans %d zombies %d" % (n, z), flush=True)


def adopted():
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        if os.fork() == 0:
            time.sleep(0.3)
            os.write(w, b"%d\n" % os.getppid())
            os._exit(0)
        os._exit(0)
    os.waitpid(pid, 0)
    os.close(w)
    parent = int(os.read(r, 64).decode().strip())
    time.sleep(0.5)
    print("orphan-parent %d init %d zombies %d" % (parent, os.getppid(), zombies(os.getppid())), flush=True)


def on_term_write(marker):
    def handler(_sig, _frame):
        time.sleep(0.2)  # a slow flush
        with open(marker, "w") as f:
            f.write("flushed\n")
        os._exit(0)
    return handler


def leave(mode, marker, code):
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        if mode == "daemon":
            os.setsid()
            if os.fork() != 0:
                os._exit(0)
        if mode == "ignore":
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
        else:
            signal.signal(signal.SIGTERM, on_term_write(marker))
        os.write(w, b"%d\n" % os.getpid())
        os.close(w)
        while True:
            time.sleep(60)
    os.close(w)
    grandchild = os.read(r, 64).decode().strip()
    if mode == "daemon":
        os.waitpid(pid, 0)
    print("left %s" % grandchild, flush=True)
    sys.exit(code)


def main():
    what = sys.argv[1]
    if what == "orphans":
        orphans(int(sys.argv[2]))
    elif what == "adopted":
        adopted()
    elif what == "leave":
        leave(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        sys.exit("unknown: " + what)


if __name__ == "__main__":
    main()
