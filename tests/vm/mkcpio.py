#!/usr/bin/env python3
"""Writes a newc cpio archive (the initramfs format) from a list of entries,
so that device nodes and ownership need neither root nor a cpio tool.

Reads entries from stdin, one a line:
    dir   PATH MODE
    file  PATH MODE HOSTFILE
    link  PATH TARGET
    char  PATH MODE MAJOR MINOR
and writes the archive to the file named by argv[1]. Everything is owned
by root, mtime 0, so the same input gives the same bytes.
"""
import os
import stat
import sys


def header(out, ino, mode, size, name, rdev=(0, 0), nlink=1):
    name_b = name.encode() + b"\0"
    fields = [ino, mode, 0, 0, nlink, 0, size, 0, 0, rdev[0], rdev[1], len(name_b), 0]
    out.write(b"070701" + b"".join(b"%08X" % f for f in fields))
    out.write(name_b)
    pad(out)


def pad(out):
    out.write(b"\0" * (-out.tell() % 4))


def main():
    entries = [line.split() for line in sys.stdin if line.strip() and not line.startswith("#")]
    with open(sys.argv[1], "wb") as out:
        for ino, e in enumerate(entries, start=1):
            kind, path = e[0], e[1].lstrip("/")
            if kind == "dir":
                header(out, ino, stat.S_IFDIR | int(e[2], 8), 0, path, nlink=2)
            elif kind == "file":
                with open(e[3], "rb") as f:
                    data = f.read()
                header(out, ino, stat.S_IFREG | int(e[2], 8), len(data), path)
                out.write(data)
                pad(out)
            elif kind == "link":
                target = e[2].encode()
                header(out, ino, stat.S_IFLNK | 0o777, len(target), path)
                out.write(target)
                pad(out)
            elif kind == "char":
                rdev = (int(e[3]), int(e[4]))
                header(out, ino, stat.S_IFCHR | int(e[2], 8), 0, path, rdev=rdev)
            else:
                sys.exit(f"mkcpio: unknown entry kind {kind!r}")
        header(out, 0, 0, 0, "TRAILER!!!")
        out.write(b"\0" * (-out.tell() % 512))


if __name__ == "__main__":
    main()
