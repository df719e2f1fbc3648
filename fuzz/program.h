/*
 * Syscall programs: what the syscalls fuzzer runs for one input, decoded
 * from its bytes with the syscall table's argument kinds, and their text
 * form (amphi-fuzz-decode, crash reports). Pure data: no kernel state.
 *
 * A program is up to FUZZ_MAX_CALLS calls, each made by one of
 * FUZZ_MAX_TASKS tasks. Task 0 is the program's first process; a call
 * that creates a task (fork, vfork, clone, clone3) gives its child the
 * next free task number, so later calls of that number run in the child.
 * An argument is a plain value, the result of an earlier call (a file
 * descriptor, a pid, a mapped address), a pointer to bytes of the input
 * placed in the task's user memory (buffers, structs, paths), or one of a
 * few telling addresses (NULL, a read-only page, an unmapped one, a
 * kernel address).
 *
 * Encoding, call by call until the input ends (docs/fuzzing.md):
 *   byte 0     task (bits 0-1); bit 7: a raw syscall number follows as
 *              2 bytes, else 1 byte picks from the fuzzed syscalls
 *   each arg   1 choice byte: its top 3 bits pick the form, its low 5
 *              bits and the bytes after it the value (fuzz_arg_form)
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "core/sys/syscall_table.h"
#include "user_layout.h"

#define FUZZ_MAX_CALLS 48
#define FUZZ_MAX_TASKS 4
#define FUZZ_BLOB_MAX 4096	/* bytes of input all arguments may place */


enum fuzz_arg_form {
	FUZZ_ARG_VALUE,		/* `value` as it is */
	FUZZ_ARG_RESULT,	/* what call `ref` returned (-1 if it did not run) */
	FUZZ_ARG_DATA,		/* FUZZ_DATA + `value`, holding the blob */
	FUZZ_ARG_PATH,		/* FUZZ_DATA + `value`, holding a NUL-ended path */
};

struct fuzz_arg {
	enum fuzz_arg_form form;
	uint64_t value;		/* VALUE: the value; DATA, PATH: the offset */
	unsigned int ref;	/* RESULT: an earlier call's index */
	uint16_t blob_offset;	/* DATA, PATH: the bytes, in program->blob */
	uint16_t blob_length;
};

struct fuzz_call {
	unsigned int task;	/* 0..FUZZ_MAX_TASKS-1 */
	uint64_t nr;
	int child_task;		/* a task-creating call: the child's, or -1 */
	unsigned int arg_count;
	struct fuzz_arg args[SYSCALL_MAX_ARGS];
};

struct fuzz_program {
	unsigned int count;
	struct fuzz_call calls[FUZZ_MAX_CALLS];
	size_t blob_used;
	uint8_t blob[FUZZ_BLOB_MAX];
};

/* Decodes `data` into *program (always succeeds; extra bytes are dropped). */
void fuzz_program_decode(const uint8_t *data, size_t size,
			 struct fuzz_program *program);

/* The argument's value as a register holds it; results[] by call index. */
uint64_t fuzz_arg_value(const struct fuzz_arg *arg, const int64_t *results);

/*
 * Whether the fuzzer makes this syscall: implemented, and not one that
 * would change what the next input sees or end the harness (execve,
 * reboot, mount, chroot, settimeofday, sethostname: docs/fuzzing.md).
 */
bool fuzz_syscall_allowed(uint64_t nr);

/* Whether `nr` creates a task (fork, vfork, clone, clone3). */
bool fuzz_syscall_creates_task(uint64_t nr);

/*
 * Writes the program's text form, one call a line (`r3 = t1 openat(...)`),
 * into out (NUL-terminated, truncated to size). Returns the length it
 * needed.
 */
size_t fuzz_program_format(const struct fuzz_program *program, char *out,
			   size_t size);
