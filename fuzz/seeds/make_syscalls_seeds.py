#!/usr/bin/env python3
"""Writes the syscalls fuzzer's seed corpus (fuzz/corpus/syscalls/seed-*):
one small program per syscall family, in the input encoding of
fuzz/program.h (raw syscall numbers, so the seeds do not depend on the
table's order). Rerun after changing the encoding:

    fuzz/seeds/make_syscalls_seeds.py fuzz/corpus/syscalls
"""
import struct

from seeds import write_seeds

AT_FDCWD = -100


def call(task, nr, *args):
    return bytes([0x80 | task]) + struct.pack("<H", nr) + b"".join(args)


def small(v):
    return bytes([0x00, v & 0xff])


def i32(v):
    return b"\x20" + struct.pack("<I", v & 0xffffffff)


def i64(v):
    return b"\x40" + struct.pack("<Q", v & (2**64 - 1))


def res(i):
    return bytes([0x60, i])


def data(offset, payload):
    return b"\x80" + struct.pack("<HB", offset, len(payload)) + payload


def flock(l_type, start, length):
    """A struct flock (x86_64: 32 bytes), l_whence SEEK_SET, l_pid 0."""
    return struct.pack("<hhxxxxqqixxxx", l_type, 0, start, length, 0)


def path(name):
    raw = name.encode()
    return bytes([0xA0 | 31, len(raw)]) + raw


def addr(index):
    return bytes([0xC0 | index])


SEEDS = {
    "files": [
        call(0, 257, small(AT_FDCWD), path("/tmp/f"), i32(0o2), i32(0)),
        call(0, 0, res(0), data(0, bytes(32)), small(16)),
        call(0, 1, res(0), data(64, b"hello"), small(5)),
        call(0, 8, res(0), small(0), small(0)),
        call(0, 17, res(0), data(128, bytes(8)), small(8), small(2)),
        call(0, 77, res(0), small(3)),
        call(0, 5, res(0), data(256, bytes(144))),
        call(0, 3, res(0)),
    ],
    "dirs": [
        call(0, 83, path("/tmp/new"), i32(0o755)),
        call(0, 257, small(AT_FDCWD), path("/tmp"), i32(0o200000), i32(0)),
        call(0, 217, res(1), data(0, bytes(255)), i32(4096)),
        call(0, 88, path("/tmp/f"), path("/tmp/new/s")),
        call(0, 89, path("/tmp/new/s"), data(512, bytes(64)), small(64)),
        call(0, 82, path("/tmp/new/s"), path("/tmp/s2")),
        call(0, 87, path("/tmp/s2")),
        call(0, 84, path("/tmp/new")),
        call(0, 80, path("/tmp/d")),
        call(0, 79, data(1024, bytes(128)), small(127)),
    ],
    "memory": [
        call(0, 9, small(0), i32(0x3000), small(3), small(0x22), small(-1),
             small(0)),
        call(0, 10, res(0), i32(0x1000), small(1)),
        call(0, 25, res(0), i32(0x3000), i32(0x6000), small(1)),
        call(0, 28, res(2), i32(0x1000), small(4)),
        call(0, 11, res(2), i32(0x6000)),
        call(0, 12, small(0)),
        call(0, 9, small(0), i32(0x2000), small(3), small(0x01), small(-1),
             small(0)),
    ],
    "processes": [
        call(0, 57),
        call(1, 39),
        call(1, 110),
        call(1, 60, small(3)),
        call(0, 61, small(-1), data(0, bytes(4)), small(0), small(0)),
        call(0, 109, small(0), small(0)),
        call(0, 112),
        call(0, 124, small(0)),
    ],
    "threads": [
        call(0, 56, i32(0x50f00), addr(6), small(0), small(0), small(0)),
        call(1, 202, addr(5), small(0), small(0), small(0), small(0),
             small(0)),
        call(0, 202, addr(5), small(1), small(1), small(0), small(0),
             small(0)),
        call(1, 186),
        call(0, 218, addr(5)),
    ],
    "signals": [
        call(0, 13, small(10), data(0, struct.pack("<QQQQ", 2, 0x04000000,
                                                   0, 0)),
             small(0), small(8)),
        call(0, 14, small(0), data(64, struct.pack("<Q", 1 << 9)),
             small(0), small(8)),
        call(0, 62, small(0), small(10)),
        call(0, 131, data(128, struct.pack("<QiiQ", 0x20001000, 0, 0,
                                           0x1000)), small(0)),
        call(0, 38, small(0), data(192, struct.pack("<qqqq", 0, 0, 0,
                                                    1000)), small(0)),
        call(0, 127, data(256, bytes(8)), small(8)),
        call(0, 34),
    ],
    "pipes_poll": [
        call(0, 293, data(0, bytes(8)), small(0)),
        call(0, 1, small(4), data(16, b"ping"), small(4)),
        call(0, 7, data(32, struct.pack("<ihhihh", 3, 1, 0, 4, 4, 0)),
             small(2), small(0)),
        call(0, 291, small(0)),
        call(0, 233, res(3), small(1), small(3),
             data(64, struct.pack("<IQ", 1, 7))),
        call(0, 232, res(3), data(96, bytes(24)), small(2), small(0)),
        call(0, 290, small(1), small(0)),
        call(0, 0, small(3), data(128, bytes(8)), small(8)),
    ],
    # /proc/self/fd/N magic links (the first task starts with no fds): a
    # pipe (0, 1) reopened as new ends (2, 3) that outlive its own, a
    # deleted file (0 again) reopened (1), stat and readlink through them.
    "magic_links": [
        call(0, 293, data(0, bytes(8)), small(0)),
        call(0, 257, small(AT_FDCWD), path("/proc/self/fd/0"), i32(0),
             i32(0)),
        call(0, 257, small(AT_FDCWD), path("/proc/self/fd/1"),
             i32(0o1 | 0o100 | 0o1000), i32(0o600)),
        call(0, 1, small(3), data(16, b"x"), small(1)),
        call(0, 0, small(2), data(32, bytes(8)), small(8)),
        call(0, 3, small(0)),
        call(0, 3, small(1)),
        call(0, 262, small(AT_FDCWD), path("/proc/self/fd/2"),
             data(64, bytes(144)), small(0)),
        call(0, 257, small(AT_FDCWD), path("/tmp/g"), i32(0o2 | 0o100),
             i32(0o600)),
        call(0, 263, small(AT_FDCWD), path("/tmp/g"), small(0)),
        call(0, 257, small(AT_FDCWD), path("/proc/self/fd/0"), i32(0),
             i32(0)),
        call(0, 89, path("/proc/self/fd/1"), data(224, bytes(64)),
             small(64)),
    ],
    # flock(2) between two descriptions of /tmp/f (0 and 1): exclusive,
    # a non-blocking conflict, a conversion, unlock, a close releasing.
    "flock": [
        call(0, 257, small(AT_FDCWD), path("/tmp/f"), i32(0o2), i32(0)),
        call(0, 257, small(AT_FDCWD), path("/tmp/f"), i32(0), i32(0)),
        call(0, 73, small(0), small(2)),
        call(0, 73, small(1), small(1 | 4)),
        call(0, 73, small(0), small(1)),
        call(0, 73, small(1), small(1 | 4)),
        call(0, 73, small(1), small(2 | 4)),
        call(0, 3, small(0)),
        call(0, 73, small(1), small(2 | 4)),
        call(0, 73, small(1), small(8)),
    ],
    # fcntl record locks on /tmp/r: a POSIX write lock, a forked child
    # probing it, conflicting, then waiting (F_SETLKW) until the parent,
    # back from a 10 ms sleep, unlocks; an OFD lock (refused: the child's
    # lock is in the way) and F_OFD_GETLK of the description's own.
    "record_locks": [
        call(0, 257, small(AT_FDCWD), path("/tmp/r"), i32(0o102), i32(0o644)),
        call(0, 72, res(0), small(6), data(0, flock(1, 0, 10))),
        call(0, 57),
        call(0, 35, data(384, struct.pack("<qq", 0, 10000000)), small(0)),
        call(1, 72, res(0), small(5), data(64, flock(0, 5, 1))),
        call(1, 72, res(0), small(6), data(64, flock(0, 5, 1))),
        call(1, 72, res(0), small(7), data(128, flock(1, 0, 0))),
        call(0, 72, res(0), small(6), data(192, flock(2, 0, 0))),
        call(0, 72, res(0), small(37), data(256, flock(0, 20, 5))),
        call(0, 72, res(0), small(36), data(320, flock(2, 0, 0))),
        call(0, 3, res(0)),
    ],
    "tty_pty": [
        call(0, 257, small(AT_FDCWD), path("/dev/ptmx"), i32(0o2), i32(0)),
        call(0, 16, res(0), i32(0x80045430), data(0, bytes(4))),
        call(0, 16, res(0), i32(0x40045431), data(8, bytes(4))),
        call(0, 257, small(AT_FDCWD), path("/dev/pts/0"), i32(0o2), i32(0)),
        call(0, 16, res(3), i32(0x5401), data(64, bytes(60))),
        call(0, 1, res(0), data(128, b"ab\x7fc\n"), small(5)),
        call(0, 0, res(3), data(192, bytes(16)), small(16)),
        call(0, 16, res(3), i32(0x5414), data(256, struct.pack("<HHHH", 30,
                                                                100, 0, 0))),
        call(0, 3, res(0)),
        call(0, 0, res(3), data(320, bytes(16)), small(16)),
    ],
    "timers": [
        call(0, 283, small(1), small(0)),
        call(0, 286, res(0), small(0), data(0, struct.pack("<qqqq", 0,
                                                           1000, 0, 1000)),
             small(0)),
        call(0, 0, res(0), data(64, bytes(8)), small(8)),
        call(0, 35, data(96, struct.pack("<qq", 0, 5000)), small(0)),
        call(0, 37, small(1)),
        call(0, 36, small(0), data(128, bytes(32))),
        call(0, 228, small(1), data(160, bytes(16))),
    ],
    "procfs": [
        call(0, 2, path("/proc/self/maps"), small(0), small(0)),
        call(0, 0, res(0), data(0, bytes(255)), i32(4096)),
        call(0, 2, path("/proc/self/status"), small(0), small(0)),
        call(0, 0, res(2), data(0, bytes(255)), i32(4096)),
        call(0, 267, small(AT_FDCWD), path("/proc/self/exe"),
             data(512, bytes(64)), small(64)),
        call(0, 2, path("/proc/self/comm"), small(1), small(0)),
        call(0, 1, res(5), data(600, b"fuzzed"), small(6)),
    ],
    "attrs": [
        call(0, 262, small(AT_FDCWD), path("/tmp/l"), data(0, bytes(144)),
             i32(0x100)),
        call(0, 332, small(AT_FDCWD), path("/tmp/f"), small(0), i32(0xfff),
             data(256, bytes(255))),
        call(0, 188, path("/tmp/f"), path("user.k"), data(768, b"v"),
             small(1), small(0)),
        call(0, 191, path("/tmp/f"), path("user.k"), data(800, bytes(8)),
             small(8)),
        call(0, 90, path("/tmp/f"), i32(0o4755)),
        call(0, 92, path("/tmp/f"), small(1), small(1)),
        call(0, 280, small(AT_FDCWD), path("/tmp/f"), small(0), small(0)),
        call(0, 137, path("/tmp"), data(1024, bytes(120))),
    ],
    "ids_limits": [
        call(0, 117, small(1), small(1), small(1)),
        call(0, 118, data(0, bytes(4)), data(4, bytes(4)), data(8, bytes(4))),
        call(0, 302, small(0), small(7), data(64, struct.pack("<QQ", 8, 8)),
             data(80, bytes(16))),
        call(0, 257, small(AT_FDCWD), path("/tmp/f"), i32(0), i32(0)),
        call(0, 95, i32(0o77)),
        call(0, 157, small(15), data(128, b"fuzzname\0"), small(0),
             small(0), small(0)),
    ],
}


def main():
    write_seeds("fuzz/corpus/syscalls",
                {name: b"".join(calls) for name, calls in SEEDS.items()})


if __name__ == "__main__":
    main()
