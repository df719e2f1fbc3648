/*
 * Snapshots of what the kernel holds, for the fuzzers' leak checks
 * (invariants.h). Runs on the harness's kernel thread with nothing else
 * of the input left alive, so the counters are stable while read.
 */
#include "invariants.h"

#include <stdio.h>
#include <string.h>

#include "core/lib/panic.h"
#include "core/mm/kmem.h"
#include "core/proc/proc.h"
#include "core/sched/wait.h"
#include "core/sched/thread.h"
#include "core/sched/timer.h"
#include "core/sync/lockcheck.h"
#include "fs/vfs.h"
#include "fs/vfs_internal.h"
#include "fuzz_support.h"

static void record_cache(struct kmem_cache *cache, void *arg)
{
	struct fuzz_snapshot *snapshot = arg;
	struct kmem_cache_stats stats;

	if (snapshot->cache_count == FUZZ_MAX_CACHES)
		return;
	kmem_cache_get_stats(cache, &stats);
	snapshot->caches[snapshot->cache_count].name = cache->name;
	snapshot->caches[snapshot->cache_count].objects =
		stats.active_objects;
	snapshot->cache_count++;
}

void fuzz_snapshot_take(struct fuzz_snapshot *snapshot)
{
	struct vfs_stats vfs;

	memset(snapshot, 0, sizeof(*snapshot));
	/*
	 * Kernel threads woken by the input's end (the itimer thread, told
	 * its last timer is gone) run first, or a timed sleep they are
	 * about to leave counts as a pending timer.
	 */
	sleep_ns(1);
	snapshot->free_pages = fuzz_free_pages();	/* drops dentries */
	kmem_for_each_cache(record_cache, snapshot);
	vfs_get_stats(&vfs);
	snapshot->files = vfs.files;
	snapshot->pinned_dentries = vfs.dentries - vfs.unused_dentries;
	snapshot->inodes = vfs.inodes;
	snapshot->mounts = vfs.mounts;
	snapshot->supers = vfs.supers;
	snapshot->timers = timer_pending_count(0);
	snapshot->threads = thread_count();
	snapshot->processes = proc_process_count();
	snapshot->tasks = proc_task_count();
}

struct report {
	char *out;
	size_t size, length;
	bool same;
	bool growth_only;	/* fewer objects (more free pages) is the same */
};

/* `held` < 0: a count of what is free (pages), where less is more held. */
static void differ_held(struct report *report, const char *what,
			long long base, long long now, int held)
{
	int n;

	if (base == now)
		return;
	if (report->growth_only && (now - base) * held < 0)
		return;
	report->same = false;
	if (report->length >= report->size)
		return;
	n = snprintf(report->out + report->length,
		     report->size - report->length, "%s%s %lld -> %lld",
		     report->length ? ", " : "", what, base, now);
	if (n > 0)
		report->length += (size_t)n;
}

static void differ(struct report *report, const char *what, long long base,
		   long long now)
{
	differ_held(report, what, base, now, 1);
}

static bool compare(const struct fuzz_snapshot *base,
		    const struct fuzz_snapshot *now, char *out, size_t size,
		    bool growth_only)
{
	struct report report = { out, size, 0, true, growth_only };

	if (size > 0)
		out[0] = '\0';
	differ_held(&report, "free pages", (long long)base->free_pages,
		    (long long)now->free_pages, -1);
	for (unsigned int i = 0; i < now->cache_count; i++) {
		uint64_t before = 0;

		for (unsigned int j = 0; j < base->cache_count; j++) {
			if (base->caches[j].name == now->caches[i].name)
				before = base->caches[j].objects;
		}
		differ(&report, now->caches[i].name, (long long)before,
		       (long long)now->caches[i].objects);
	}
	differ(&report, "open files", base->files, now->files);
	differ(&report, "pinned dentries", base->pinned_dentries,
	       now->pinned_dentries);
	differ(&report, "inodes", base->inodes, now->inodes);
	differ(&report, "mounts", base->mounts, now->mounts);
	differ(&report, "supers", base->supers, now->supers);
	differ(&report, "timers", base->timers, now->timers);
	differ(&report, "threads", (long long)base->threads,
	       (long long)now->threads);
	differ(&report, "processes", base->processes, now->processes);
	differ(&report, "tasks", base->tasks, now->tasks);
	return report.same;
}

bool fuzz_snapshot_same(const struct fuzz_snapshot *base,
			const struct fuzz_snapshot *now, char *out,
			size_t size)
{
	return compare(base, now, out, size, false);
}

bool fuzz_snapshot_grew(const struct fuzz_snapshot *base,
			const struct fuzz_snapshot *now, char *out,
			size_t size)
{
	return !compare(base, now, out, size, true);
}

const char *fuzz_locks_and_warnings(void)
{
	if (lockcheck_spinlocks_held() != 0)
		return "a spinlock is still held";
	if (lockcheck_violations() != 0)
		return "the lock checker reported a violation";
	if (warn_count() != 0)
		return "a WARN fired";
	return NULL;
}
