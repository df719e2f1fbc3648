/*
 * libFuzzer harness for the syscall layer: each input is a program of
 * syscalls made through syscall_dispatch with the tracer on, so both the
 * handlers and the tracer's reading of user memory see hostile arguments.
 * The arguments are chosen by the table's kinds: pointers land inside a
 * small mapping (read-write, then read-only, then PROT_NONE pages) or at a
 * raw address, lengths are small or raw. Every result must be a value or
 * -1..-MAX_ERRNO, no warning may fire and the address space must stay
 * sound. Record: 2 bytes of number, then 6 x (1 byte choice, 8 bytes).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/hal/user.h"
#include "core/include/uapi/errno.h"
#include "core/include/uapi/mman.h"
#include "core/lib/err.h"
#include "core/lib/panic.h"
#include "core/mm/uaccess.h"
#include "core/mm/vm.h"
#include "core/sys/dispatch.h"
#include "core/sys/trace.h"
#include "fuzz_support.h"

#define FUZZ_BASE 0x40000000ULL
#define FUZZ_RW_PAGES 4
#define FUZZ_PAGES (FUZZ_RW_PAGES + 2)
#define FUZZ_RECORD (2 + SYSCALL_MAX_ARGS * 9)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * A fresh address space for each input (the memory syscalls change it:
 * one input's munmap or mprotect must not decide the next one's fate).
 */
static struct address_space *fuzz_space(void)
{
	struct address_space *as;
	uaddr_t top = FUZZ_BASE + FUZZ_RW_PAGES * PAGE_SIZE;

	as = vm_create();
	fuzz_check(!IS_ERR(as), "vm_create");
	fuzz_check(vm_mmap(as, FUZZ_BASE, FUZZ_PAGES * PAGE_SIZE,
			   PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, 0) >= 0,
		   "mmap");
	fuzz_check(vm_mprotect(as, top, PAGE_SIZE, PROT_READ) == 0, "ro");
	fuzz_check(vm_mprotect(as, top + PAGE_SIZE, PAGE_SIZE, PROT_NONE) == 0,
		   "none");
	return as;
}

static uint64_t load_u64(const uint8_t *bytes)
{
	uint64_t value;

	memcpy(&value, bytes, sizeof(value));
	return value;
}

/* An argument of `kind` from one choice byte and one raw value. */
static uint64_t pick_arg(enum syscall_arg_kind kind, uint8_t choice,
			 uint64_t raw)
{
	if (choice & 0x80)
		return raw;	/* anything at all */
	switch (kind) {
	case SYSCALL_ARG_PATH:
	case SYSCALL_ARG_BUF_IN:
	case SYSCALL_ARG_BUF_OUT:
	case SYSCALL_ARG_BIN_OUT:
	case SYSCALL_ARG_PTR:
		return FUZZ_BASE + raw % (FUZZ_PAGES * PAGE_SIZE);
	case SYSCALL_ARG_SIZE:
		return raw % (2 * PAGE_SIZE);
	case SYSCALL_ARG_FD:
	case SYSCALL_ARG_DIRFD:
		return (uint64_t)(int64_t)(int8_t)raw;
	default:
		return raw;
	}
}

static void run_record(struct syscall_context *ctx, const uint8_t *record)
{
	uint64_t nr = (record[0] | (uint64_t)record[1] << 8) %
		      (SYSCALL_TABLE_SIZE + 4);
	const struct syscall_desc *desc = syscall_lookup(nr);
	uint64_t arg[SYSCALL_MAX_ARGS];
	struct user_regs regs = { .orig_rax = nr };

	for (unsigned int i = 0; i < SYSCALL_MAX_ARGS; i++) {
		const uint8_t *field = record + 2 + i * 9;
		enum syscall_arg_kind kind =
			desc != NULL ? desc->args[i].kind : SYSCALL_ARG_NONE;

		arg[i] = pick_arg(kind, field[0], load_u64(field + 1));
	}
	regs.rdi = arg[0], regs.rsi = arg[1], regs.rdx = arg[2];
	regs.r10 = arg[3], regs.r8 = arg[4], regs.r9 = arg[5];
	syscall_dispatch(ctx, &regs);
	fuzz_check((int64_t)regs.rax >= -MAX_ERRNO, "result below -MAX_ERRNO");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct syscall_context ctx;
	uint8_t fill[FUZZ_RW_PAGES * 64];

	fuzz_kernel_init();
	ctx = (struct syscall_context){ .as = fuzz_space() };
	syscall_trace_set_enabled(true);
	/* The input's tail doubles as user memory (strings for paths). */
	memset(fill, 0, sizeof(fill));
	memcpy(fill, data, size < sizeof(fill) ? size : sizeof(fill));
	fuzz_check(vm_copy_to_user(ctx.as, FUZZ_BASE, fill, sizeof(fill)) == 0,
		   "fill");
	for (size_t offset = 0; offset + FUZZ_RECORD <= size;
	     offset += FUZZ_RECORD)
		run_record(&ctx, data + offset);
	fuzz_check(warn_count() == 0, "a warning fired");
	fuzz_check(vm_validate(ctx.as) == 0, "address space invariants");
	vm_put(ctx.as);
	return 0;
}
