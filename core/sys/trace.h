/*
 * strace-style syscall tracing (`trace=syscalls` on the kernel command
 * line): one line per call, `openat(AT_FDCWD, "/etc/passwd",
 * O_RDONLY|O_CLOEXEC) = 3`, driven by the table's argument kinds.
 */
#pragma once

#include "core/lib/types.h"
#include "core/sys/syscall_table.h"

/*
 * Whether calls are traced: `trace=` lists `syscalls` (comma-separated),
 * unless syscall_trace_set_enabled decided otherwise. Any context.
 */
bool syscall_trace_enabled(void);

/* Turns tracing on or off, whatever the command line says. */
void syscall_trace_set_enabled(bool enabled);

/*
 * Prints the line for call `nr` with `args` that returned `result`. User
 * memory (paths, buffers) is read through ctx->as after the call; an
 * unreadable pointer prints as its address. May sleep (user copies).
 */
void syscall_trace(struct syscall_context *ctx, uint64_t nr,
		   const struct syscall_args *args, long result);

/*
 * Power-off hook: when tracing, lists the unimplemented syscalls that
 * were called (syscall_unimplemented_report). The process code calls it
 * when init exits.
 */
void syscall_trace_poweroff(void);
