/*
 * The host children's memory: each child holds the user pages of its
 * address space as MAP_SHARED|MAP_FIXED windows of the RAM memfd, and
 * those windows act as its TLB. hal_tlb_flush marks ranges stale in every
 * child of the space (found through a small hash keyed by the space); a
 * child that may be running user code at that moment is stopped first,
 * so no stale window is used after the flush returns. Before a child
 * runs, hosted_runner_sync re-reads its stale ranges from the page table and
 * turns them into a batch of mmap/munmap calls that the stub executes in
 * one round trip (more only when a batch fills up). Adjacent pages with
 * consecutive physical addresses and the same protection become one
 * window, which is also what lets the host merge its own mappings.
 *
 * Locks: `registry_lock` (a host mutex) protects the hash and every
 * runner's stale set; page-table entries are read under as->pt_lock,
 * never with registry_lock held. hal_tlb_flush runs with pt_lock held and
 * takes registry_lock inside it, and a kick takes the runner's kick_lock
 * inside that: pt_lock -> registry_lock -> kick_lock.
 */
#include "user_internal.h"

#include <errno.h>
#include <sched.h>
#include <sys/mman.h>

#include "core/lib/compiler.h"
#include "core/mm/pgtable.h"
#include "core/mm/vm.h"
#include "core/sync/spinlock.h"
#include "hosted.h"

#define REGISTRY_BUCKETS 64

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static struct runner *registry[REGISTRY_BUCKETS];

static unsigned int bucket_of(const struct address_space *as)
{
	return (unsigned int)(((uintptr_t)as * 0x9e3779b97f4a7c15ULL) >> 58);
}

static void unlink_locked(struct runner *runner)
{
	struct runner **link = &registry[bucket_of(runner->as)];

	while (*link != NULL && *link != runner)
		link = &(*link)->hash_next;
	if (*link == runner)
		*link = runner->hash_next;
	runner->hash_next = NULL;
}

/*
 * Makes `runner` a child of `as` (first run, or exec replaced the space):
 * everything it holds is stale.
 */
void hosted_runner_attach(struct runner *runner, struct address_space *as)
{
	pthread_mutex_lock(&registry_lock);
	if (runner->as != NULL)
		unlink_locked(runner);
	runner->as = as;
	runner->hash_next = registry[bucket_of(as)];
	registry[bucket_of(as)] = runner;
	runner->stale_all = true;
	runner->stale_count = 0;
	__atomic_add_fetch(&runner->stale_generation, 1, __ATOMIC_SEQ_CST);
	pthread_mutex_unlock(&registry_lock);
}

void hosted_runner_detach(struct runner *runner)
{
	pthread_mutex_lock(&registry_lock);
	if (runner->as != NULL)
		unlink_locked(runner);
	runner->as = NULL;
	pthread_mutex_unlock(&registry_lock);
}

static bool ranges_touch(const struct runner_range *range, uint64_t start,
			 uint64_t end)
{
	return start <= range->end && range->start <= end;
}

/*
 * Adds [start, end) to the stale set, merged into a range it touches; a
 * full set becomes one range around everything (the walk skips what is
 * not mapped, so a wide range costs what it maps, not its size).
 */
static void stale_add_locked(struct runner *runner, uint64_t start,
			     uint64_t end)
{
	struct runner_range *ranges = runner->stale;

	for (unsigned int i = 0; i < runner->stale_count; i++) {
		if (ranges_touch(&ranges[i], start, end)) {
			ranges[i].start = MIN(ranges[i].start, start);
			ranges[i].end = MAX(ranges[i].end, end);
			return;
		}
	}
	if (runner->stale_count == RUNNER_STALE_MAX) {
		for (unsigned int i = 0; i < runner->stale_count; i++) {
			start = MIN(start, ranges[i].start);
			end = MAX(end, ranges[i].end);
		}
		runner->stale_count = 0;
	}
	ranges[runner->stale_count++] = (struct runner_range){ start, end };
}

static void mark_stale_locked(struct runner *runner, uint64_t start,
			      uint64_t end)
{
	start = ALIGN_DOWN(start, PAGE_SIZE);
	end = MIN(ALIGN_UP(end, PAGE_SIZE), HOSTED_USER_LIMIT);
	if (start < end && !runner->stale_all)
		stale_add_locked(runner, start, end);
	__atomic_add_fetch(&runner->stale_generation, 1, __ATOMIC_SEQ_CST);
}

void hosted_runner_mark_stale(struct runner *runner, uint64_t start, uint64_t end)
{
	pthread_mutex_lock(&registry_lock);
	mark_stale_locked(runner, start, end);
	pthread_mutex_unlock(&registry_lock);
}

/*
 * Marks the range stale in every child of `as`, and stops the children
 * that run user code now (a TLB shootdown): returns once none of them can
 * touch the old windows. A stopped child resyncs before it runs again.
 */
void hosted_user_flush(struct address_space *as, uint64_t va, uint64_t length)
{
	unsigned int bucket = bucket_of(as);
	struct runner *runner;

	pthread_mutex_lock(&registry_lock);
	for (runner = registry[bucket]; runner; runner = runner->hash_next) {
		if (runner->as != as)
			continue;
		mark_stale_locked(runner, va, va + length);
		if (__atomic_load_n(&runner->in_user, __ATOMIC_SEQ_CST))
			hosted_runner_kick(runner);
	}
	for (runner = registry[bucket]; runner; runner = runner->hash_next) {
		if (runner->as != as)
			continue;
		while (__atomic_load_n(&runner->in_user, __ATOMIC_SEQ_CST))
			sched_yield();
	}
	pthread_mutex_unlock(&registry_lock);
}

/* The walk of one stale range, turning leaves into commands. */
struct sync_walk {
	struct runner *runner;
	uint64_t cursor;	/* first address no command covers yet */
	bool have_window;
	struct stub_command window;	/* the window being grown */
};

static void emit(struct runner *runner, uint64_t op, uint64_t addr,
		 uint64_t length, uint64_t prot, uint64_t offset)
{
	runner->batch[runner->batch_count++] = (struct stub_command){
		.op = op, .addr = addr, .length = length, .prot = prot,
		.offset = offset,
	};
}

static void emit_window(struct sync_walk *walk)
{
	struct stub_command *window = &walk->window;

	if (!walk->have_window)
		return;
	emit(walk->runner, STUB_OP_MAP, window->addr, window->length,
	     window->prot, window->offset);
	walk->cursor = window->addr + window->length;
	walk->have_window = false;
}

/* Unmaps [cursor, end), the part of the range no window covers. */
static void emit_gap(struct sync_walk *walk, uint64_t end)
{
	if (walk->cursor < end)
		emit(walk->runner, STUB_OP_UNMAP, walk->cursor,
		     end - walk->cursor, 0, 0);
	walk->cursor = end;
}

static uint64_t host_prot(pte_t entry)
{
	uint64_t prot = PROT_READ;

	if (entry & PTE_WRITE)
		prot |= PROT_WRITE;
	if (!(entry & PTE_NO_EXECUTE))
		prot |= PROT_EXEC;
	return prot;
}

/* Each present leaf: grow the window, or close it and open another. */
static int sync_leaf(uint64_t va, pte_t *entry, void *arg)
{
	struct sync_walk *walk = arg;
	struct stub_command *window = &walk->window;
	pte_t value = READ_ONCE(*entry);
	uint64_t prot = host_prot(value);
	paddr_t pa = pte_address(value);

	if (!(value & PTE_USER))
		return 0; /* kernel-only (PROT_NONE): a hole for the child */
	if (walk->have_window && va == window->addr + window->length &&
	    pa == window->offset + window->length && prot == window->prot) {
		window->length += PAGE_SIZE;
		return 0;
	}
	if (walk->runner->batch_count + 3 > STUB_BATCH_MAX) {
		emit_window(walk);
		return -ENOSPC; /* apply the batch, walk on from the cursor */
	}
	emit_window(walk);
	emit_gap(walk, va);
	*window = (struct stub_command){ .addr = va, .length = PAGE_SIZE,
					 .prot = prot, .offset = pa };
	walk->have_window = true;
	return 0;
}

static int apply_batch(struct runner *runner)
{
	int err = hosted_runner_call(runner, RUNNER_BATCH, false);

	runner->batch_count = 0;
	return err;
}

static int sync_range(struct runner *runner, uint64_t start, uint64_t end)
{
	struct address_space *as = runner->as;
	struct sync_walk walk = { .runner = runner, .cursor = start };
	int err;

	for (;;) {
		spin_lock(&as->pt_lock);
		err = pgtable_for_each_leaf(as->root, walk.cursor,
					    end - walk.cursor, sync_leaf, &walk);
		spin_unlock(&as->pt_lock);
		if (err != -ENOSPC)
			break;
		err = apply_batch(runner);
		if (err < 0)
			return err;
		if (walk.cursor >= end)
			return 0;
	}
	if (err < 0)
		return err;
	if (runner->batch_count + 2 > STUB_BATCH_MAX) {
		err = apply_batch(runner);
		if (err < 0)
			return err;
	}
	emit_window(&walk);
	emit_gap(&walk, end);
	return 0;
}

/*
 * Brings the child's windows up to date with the page table, leaving the
 * last batch in runner->batch for the run request to apply. Called by the
 * CPU thread, holding no locks. Returns 0 or the -errno of a batch.
 */
int hosted_runner_sync(struct runner *runner)
{
	struct runner_range ranges[RUNNER_STALE_MAX];
	unsigned int count;
	bool all;
	int err = 0;

	pthread_mutex_lock(&registry_lock);
	all = runner->stale_all;
	count = runner->stale_count;
	for (unsigned int i = 0; i < count; i++)
		ranges[i] = runner->stale[i];
	runner->stale_all = false;
	runner->stale_count = 0;
	runner->batch_generation =
		__atomic_load_n(&runner->stale_generation, __ATOMIC_SEQ_CST);
	pthread_mutex_unlock(&registry_lock);

	runner->batch_count = 0;
	if (all)
		return sync_range(runner, 0, HOSTED_USER_LIMIT);
	for (unsigned int i = 0; i < count && err == 0; i++)
		err = sync_range(runner, ranges[i].start, ranges[i].end);
	return err;
}
