#!/usr/bin/env python3
"""Makes one raw system call and prints `ok` or the errno name (EPERM, ...).

Usage: syscall.py CASE, where CASE is one of the names in CASES. The
arguments are chosen so that, without a seccomp filter, root gets an error
other than EPERM (or success) and nothing on the host changes.
"""
import ctypes
import errno
import os
import platform
import sys

NUMBERS = {
    # name: (x86_64, aarch64)
    "mount": (165, 40),
    "bpf": (321, 280),
    "clone": (56, 220),
    "clone3": (435, 435),
    "unshare": (272, 97),
    "keyctl": (250, 219),
    "getpid": (39, 172),
}

CLONE_NEWUTS = 0x04000000
CLONE_THREAD = 0x00010000
SIGCHLD = 17

CASES = {
    # Target does not exist: ENOENT without a filter.
    "mount": ("mount", [b"none", b"/nonexistent-pidone-test", b"tmpfs", 0, None]),
    # Command 0xffff does not exist: EINVAL without a filter.
    "bpf": ("bpf", [0xFFFF, None, 0]),
    # A new UTS namespace with CLONE_THREAD but no CLONE_SIGHAND: EINVAL
    # without a filter, so no process is ever created.
    "clone-ns": ("clone", [CLONE_NEWUTS | CLONE_THREAD, 0, 0, 0, 0]),
    # A NULL argument: EFAULT without a filter.
    "clone3": ("clone3", [None, 0]),
    # No flags: a no-op that succeeds without a filter.
    "unshare": ("unshare", [0]),
    # KEYCTL_GET_KEYRING_ID of the thread keyring, not created.
    "keyctl": ("keyctl", [0, -1 & 0xFFFFFFFF, 0]),
    "getpid": ("getpid", []),
}


def main():
    case = sys.argv[1]
    name, args = CASES[case]
    arch = platform.machine()
    column = {"x86_64": 0, "aarch64": 1}.get(arch)
    if column is None:
        print(f"unsupported architecture {arch}")
        return 2
    number = NUMBERS[name][column]
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    cargs = [a if a is None or isinstance(a, bytes) else ctypes.c_long(a) for a in args]
    ret = libc.syscall(ctypes.c_long(number), *cargs)
    if ret == 0 and name == "clone":
        os._exit(0)  # only ever in a child that should not exist
    if ret < 0:
        print(errno.errorcode.get(ctypes.get_errno(), str(ctypes.get_errno())))
    else:
        print("ok")
    return 0


sys.exit(main())
