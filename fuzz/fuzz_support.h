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

/* Free pages once the caches let go of what they keep (dentries, slabs). */
uint64_t fuzz_free_pages(void);

/* Aborts (a fuzzer crash) with the message when cond is false. */
void fuzz_check(int cond, const char *message);
