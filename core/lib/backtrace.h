/*
 * Stack walking by frame pointers (every kernel file is built with
 * -fno-omit-frame-pointer). Each frame is [saved rbp][return address].
 */
#pragma once

#include "core/lib/types.h"

/*
 * Collects up to `max` return addresses, starting with the caller of
 * backtrace_collect's caller when `skip` is 0. Stops at the end of the
 * stack (hal_stack_bounds) or at a corrupt frame. Returns the count.
 */
int backtrace_collect(uintptr_t *addresses, int max, int skip);

/* Prints addresses as " [<address>] symbol+0xoffset" lines via printk_raw. */
void backtrace_print_addresses(const uintptr_t *addresses, int count);

/* Prints the current call chain, innermost first. Any context. */
void backtrace_print(void);
