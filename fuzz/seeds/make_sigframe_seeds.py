#!/usr/bin/env python3
"""Writes the sigframe fuzzer's seed corpus (fuzz/corpus/sigframe/seed-*):
each delivery (kill, tgkill, rt_sigqueueinfo, a page fault, a timer
ending pause), with and without an alternate stack, a nested signal, and
frames whose rax, rflags, mask, uc_stack and MXCSR are changed, in the
input encoding of fuzz/fuzz_sigframe.c. Rerun after changing it:

    fuzz/seeds/make_sigframe_seeds.py fuzz/corpus/sigframe
"""
import struct

from seeds import write_seeds

# The action byte's bits: sa_flags, and bits 5-7 the mask.
SA_ONSTACK, SA_RESTART, SA_SIGINFO, SA_NODEFER, SA_RESETHAND = 1, 2, 4, 8, 16
MASK_USR2, MASK_ALL = 0x40, 0x80
KILL, TGKILL, QUEUE, FAULT, PAUSE = 0, 2, 3, 4, 5

# Frame offsets (Linux's rt_sigframe: pretcode, ucontext at 8).
UC = 8
UC_STACK = UC + 16
SC = UC + 40
RAX = SC + 13 * 8
EFLAGS = SC + 17 * 8
SIGMASK = UC + 296
FRAME_SPAN = 440
MXCSR = FRAME_SPAN + 24     # in the FXSAVE image behind the frame


def choices(action, delivery, signal, altstack=0, stack=0, handler=0):
    if signal > 32:
        handler |= 0x20
    return bytes([action, delivery << 5 | (signal - 1) % 32, altstack, stack,
                  handler])


def patch(offset, payload):
    return struct.pack("<HB", offset, len(payload)) + payload


def u64(v):
    return struct.pack("<Q", v & (2**64 - 1))


SEEDS = {
    "kill-plain": choices(SA_SIGINFO, KILL, 10),
    "tgkill-rax": choices(SA_SIGINFO, TGKILL, 12) + patch(RAX, u64(-5000)),
    "queue-siginfo": choices(SA_SIGINFO, QUEUE, 34)
    + patch(EFLAGS, u64(~0)) + b"\x22" * 16,
    "fault-segv": choices(0, FAULT, 11) + patch(SIGMASK, u64(~0)),
    "pause-alarm": choices(SA_SIGINFO | SA_RESTART | SA_RESETHAND, PAUSE, 14) + patch(RAX, u64(-512)),
    "altstack-onstack": choices(SA_SIGINFO | SA_ONSTACK, KILL, 10, altstack=0x01,
                                stack=0x00) + patch(UC_STACK, u64(0x20001000)),
    "altstack-autodisarm": choices(SA_ONSTACK | MASK_ALL, KILL, 10,
                                   altstack=0x09)
    + patch(UC_STACK + 8, struct.pack("<i", 0)),
    "stack-too-low": choices(SA_SIGINFO, KILL, 10, stack=0x80),
    "nested": choices(SA_SIGINFO | SA_NODEFER, KILL, 10, handler=0x40)
    + patch(RAX, u64(7)),
    "mxcsr-reserved": choices(SA_SIGINFO, KILL, 10)
    + patch(MXCSR, struct.pack("<I", 0xffff1f80)),
    "forged-rip": choices(SA_SIGINFO, KILL, 10, handler=0x80)
    + patch(SC + 16 * 8, u64(0xffff800000000000)),
}


def main():
    write_seeds("fuzz/corpus/sigframe", SEEDS)


if __name__ == "__main__":
    main()
