/*
 * In-process hosted kernel for libFuzzer harnesses: memory, one CPU on
 * the deterministic virtual clock, the scheduler, and the VFS with a
 * tmpfs root. Built only with the fuzz preset (AMPHI_FUZZ).
 */
#pragma once

#include "fs/vfs.h"

/* Boots the kernel once (idempotent); aborts if it cannot. */
void fuzz_kernel_init(void);

/* A root caller whose fs context is the name space root. */
const struct vfs_caller *fuzz_root_caller(void);

/*
 * Free pages, counting what the page-holding caches keep for reuse (empty
 * slabs, kernel stacks) as free; unused dentries are dropped first.
 * Counting instead of shrinking keeps the next input from paying to
 * rebuild every cache.
 */
uint64_t fuzz_free_pages(void);

/* Aborts (a fuzzer crash) with the message when cond is false. */
void fuzz_check(int cond, const char *message);
