/*
 * Kernel thread stacks: KSTACK_SIZE bytes from the page allocator whose
 * lowest page is a guard (unmapped), so an overflow faults instead of
 * corrupting the page below. Guarding and unguarding a page changes the
 * kernel's mappings, which on SMP costs a TLB shootdown of every CPU, so
 * freed stacks are kept, still guarded, in a small cache for the next
 * thread (as Linux caches its vmap stacks).
 */
#pragma once

#include "core/lib/types.h"

#define KSTACK_CACHE_MAX 8

/*
 * Returns a guarded stack (its lowest address; the guard page is the first
 * page), or ERR_PTR(-ENOMEM) / the guard's error. May sleep.
 */
void *kstack_alloc(void);

/* Gives a stack from kstack_alloc back; it must not be in use. May sleep. */
void kstack_free(void *stack);

/*
 * Returns every cached stack to the page allocator, for callers that
 * account for every page (tests, leak checks). Returns how many it freed.
 * May sleep.
 */
unsigned int kstack_cache_drain(void);

/* How many stacks the cache holds now (each KSTACK_SIZE bytes). */
unsigned int kstack_cached(void);
