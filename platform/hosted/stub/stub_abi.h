/*
 * The contract between the hosted ptrace runner (platform/hosted/user*.c)
 * and its stub program (stub.c), which every user thread's host child
 * runs. Plain numbers only: the stub is built without libc, the runner
 * with it, and both include this file.
 *
 * The stub stops itself with `int3` (a SIGTRAP stop at an address above
 * HOSTED_USER_LIMIT) and says why in rax; the runner drives it by setting
 * registers and resuming it with PTRACE_CONT.
 */
#pragma once

#include <stdint.h>

/* File descriptor of the RAM memfd in the child (dup2'd before exec). */
#define STUB_RAM_FD 3

/* Where the stub is linked: above HOSTED_USER_LIMIT (0x7f0000000000). */
#define STUB_BASE 0x7f8000000000ULL

/* Why the stub stopped (rax at its int3). */
#define STUB_STOP_HELLO 1	/* rdi = command buffer, rsi = batch entry,
				   rdx = stub stack top, r10 = capacity */
#define STUB_STOP_BATCH 2	/* rdi = failed commands, rsi = first failed
				   index, rdx = its -errno */
#define STUB_STOP_SIGNAL 3	/* rdi = signo, rsi = trapno, rdx = error
				   code, r10 = fault address, r8 = si_code */

/* One host memory call of a batch. */
enum stub_op {
	STUB_OP_MAP = 1,	/* mmap(addr, length, prot, SHARED|FIXED,
				   STUB_RAM_FD, offset) */
	STUB_OP_UNMAP = 2,	/* munmap(addr, length) */
};

struct stub_command {
	uint64_t op;
	uint64_t addr;
	uint64_t length;
	uint64_t prot;		/* host PROT_* bits */
	uint64_t offset;	/* byte offset in the RAM memfd */
};

#define STUB_BATCH_MAX 256
