"""What a process holds, for transparent.py and report.py."""
import os


def status_field(text, key):
    """`key`'s value in /proc/PID/status text."""
    for line in text.splitlines():
        if line.startswith(key + ":"):
            return line.split()[1]
    return "?"


def open_fds(limit=64):
    """Descriptors below `limit` that are open, found without opening any."""
    fds = []
    for fd in range(limit):
        try:
            os.fstat(fd)
            fds.append(fd)
        except OSError:
            pass
    return fds
