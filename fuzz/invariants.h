/*
 * Kernel invariants the fuzzers check after every input: what a quiet
 * kernel holds (free pages, every slab cache's live objects, files,
 * pinned dentries, inodes, mounts, pending timers, threads, processes),
 * taken as a snapshot (pages the caches keep count as free) and compared
 * with the baseline taken before the input. A difference is a kernel leak.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FUZZ_MAX_CACHES 96

struct fuzz_snapshot {
	uint64_t free_pages;
	unsigned int cache_count;
	struct {
		const char *name;
		uint64_t objects;
	} caches[FUZZ_MAX_CACHES];
	long files, pinned_dentries, inodes, mounts, supers;
	unsigned int timers;
	unsigned long threads;
	unsigned int processes, tasks;
};

/*
 * Drops unused dentries and records the snapshot; empty slabs and cached
 * kernel stacks count as free pages (fuzz_free_pages). May sleep.
 */
void fuzz_snapshot_take(struct fuzz_snapshot *snapshot);

/*
 * Compares `now` with `base`; writes what differs (one clause each) into
 * `out` and returns whether they are the same.
 */
bool fuzz_snapshot_same(const struct fuzz_snapshot *base,
			const struct fuzz_snapshot *now, char *out,
			size_t size);

/*
 * Whether `now` holds more than `base` in any way (fewer free pages, more
 * objects of a kind); writes those clauses into `out`. What was freed
 * since is not growth.
 */
bool fuzz_snapshot_grew(const struct fuzz_snapshot *base,
			const struct fuzz_snapshot *now, char *out,
			size_t size);

/* A lock still held, a lock-order report or a WARN: a description, or NULL. */
const char *fuzz_locks_and_warnings(void);
