#!/usr/bin/env python3
"""Writes the tty fuzzer's seed corpus (fuzz/corpus/tty/seed-*): canonical
editing, raw reads, echo, signal characters, flow control, output
processing, flushes, TIOCSTI, window sizes and a reopened slave, in the
operation encoding of fuzz/fuzz_tty.c. Rerun after changing it:

    fuzz/seeds/make_tty_seeds.py fuzz/corpus/tty
"""
from seeds import write_seeds

# Operations: the first byte picks, the second is the argument.
(MASTER_WRITE, SLAVE_WRITE, SLAVE_READ, MASTER_READ, TERMIOS, FLAG_BIT,
 CONTROL_CHAR, WINSIZE, FLUSH, FLOW, STI, REOPEN) = range(12)
# Flag words for FLAG_BIT: iflag, oflag, cflag, lflag (what >> 5).
IFLAG, OFLAG, LFLAG = 0, 1, 3
ICANON_BIT, ECHO_BIT, ISIG_BIT, ECHOCTL_BIT, IEXTEN_BIT = 1, 3, 0, 9, 15
IXON_BIT, ICRNL_BIT, OPOST_BIT, ONLCR_BIT, OLCUC_BIT = 10, 8, 0, 2, 1
VMIN, VTIME, VEOL = 6, 5, 11


def master(text):
    return bytes([MASTER_WRITE, len(text)]) + text


def slave(text):
    return bytes([SLAVE_WRITE, len(text)]) + text


def read_slave(n=64):
    return bytes([SLAVE_READ, n // 2])


def read_master(n=64):
    return bytes([MASTER_READ, n // 2])


def flag(word, bit):
    return bytes([FLAG_BIT, word << 5 | bit])


def cc(index, value):
    return bytes([CONTROL_CHAR, index, value])


SEEDS = {
    "canonical-editing": master(b"abc\x7fd\x17word \x15kill\x16\x7fx\n")
    + read_slave() + read_master(),
    "eof-and-eol": cc(VEOL, ord(";")) + master(b"one;two\x04three")
    + read_slave() + read_slave() + read_slave(),
    "raw-vmin-vtime": flag(LFLAG, ICANON_BIT) + cc(VMIN, 3) + cc(VTIME, 1)
    + master(b"ab") + read_slave() + master(b"c") + read_slave(),
    "echoctl": flag(LFLAG, ECHOCTL_BIT) + master(b"\x01\x02\t\x1b[A\n")
    + read_master(),
    "signal-chars": master(b"\x03\x1a\x1c") + flag(LFLAG, ISIG_BIT)
    + master(b"\x03") + read_slave(),
    "flow-control": master(b"\x13") + slave(b"held") + master(b"\x11")
    + read_master() + flag(IFLAG, IXON_BIT) + master(b"\x13x"),
    "output-processing": slave(b"a\nb\r") + flag(OFLAG, ONLCR_BIT)
    + flag(OFLAG, OLCUC_BIT) + slave(b"low\n") + read_master()
    + flag(OFLAG, OPOST_BIT) + slave(b"raw\n") + read_master(),
    "flushes": master(b"queued\n") + bytes([FLUSH, 0]) + read_slave()
    + slave(b"out") + bytes([FLUSH, 2]) + bytes([FLOW, 0, FLOW, 1]),
    "sti-winsize": bytes([STI, ord("z"), STI, ord("\n")]) + read_slave()
    + bytes([WINSIZE, 1]) + b"\x18\x00\x50\x00\x00\x00\x00\x00",
    "reopen": slave(b"bye") + bytes([REOPEN, 1]) + read_master()
    + master(b"again\n") + read_slave(),
    "full-queue": (master(b"x" * 255) * 20) + read_slave(255)
    + flag(LFLAG, ICANON_BIT) + (master(b"y" * 255) * 20),
}


def main():
    write_seeds("fuzz/corpus/tty", SEEDS)


if __name__ == "__main__":
    main()
