/*
 * Futexes: user-space words that threads sleep on (FUTEX_WAIT) until
 * another thread wakes them (FUTEX_WAKE), the base of pthread mutexes and
 * condition variables and of CLONE_CHILD_CLEARTID. A futex is named by its
 * address space and user address (private futexes; FIXME: shared futexes
 * between processes through MAP_SHARED memory need the physical page as
 * the key).
 */
#pragma once

#include "core/lib/types.h"

struct address_space;

/* Wakes up to `count` waiters of (as, addr) with any bitset; returns how many. */
int futex_wake(struct address_space *as, uaddr_t addr, int count);

/* The futex(2) operation, for sys_futex. Returns the result or -errno. */
long futex_op(struct address_space *as, uaddr_t addr, int op, uint32_t val,
	      uaddr_t timeout, uaddr_t addr2, uint32_t val3);
