/*
 * Linux x86_64 signal-frame ABI: the alternate stack (stack_t), the
 * sigcontext (the registers a handler sees and may change) and the
 * ucontext a handler's third argument points to. Written from the
 * documented interface; layout checked by the static asserts.
 */
#pragma once

#include "core/lib/types.h"

/* sigaltstack flags and limits. */
#define SS_ONSTACK 1
#define SS_DISABLE 2
#define SS_AUTODISARM (1U << 31)
#define MINSIGSTKSZ 2048

/* ucontext flags: the frame's ss is meaningful, and restored strictly. */
#define UC_SIGCONTEXT_SS 0x2
#define UC_STRICT_RESTORE_SS 0x4

/* stack_t. */
struct signal_stack {
	uint64_t sp;
	int32_t flags;
	int32_t pad;
	uint64_t size;
};

/* struct sigcontext (256 bytes). */
struct sigcontext {
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
	uint16_t cs, gs, fs, ss;
	uint64_t err, trapno, oldmask, cr2;
	uint64_t fpstate;		/* user address of the FXSAVE image */
	uint64_t reserved[8];
};

struct ucontext {
	uint64_t flags;
	uint64_t link;
	struct signal_stack stack;
	struct sigcontext mcontext;
	uint64_t sigmask;
};

_Static_assert(sizeof(struct signal_stack) == 24, "stack_t layout");
_Static_assert(sizeof(struct sigcontext) == 256, "sigcontext layout");
_Static_assert(sizeof(struct ucontext) == 304, "ucontext layout");
