/*
 * The kernel stack cache. kstacks_lock protects the cache array; stacks in
 * it are guarded and belong to no thread. A cached stack is marked
 * inaccessible for the memory checkers, as a freed page would be, so a
 * stale pointer into a dead thread's stack is still caught, and made
 * accessible again when it is handed out (its old frames' ASan poison
 * goes with it).
 */
#include "core/sched/kstack.h"

#include "core/hal/cpu.h"
#include "core/hal/debug.h"
#include "core/include/uapi/errno.h"
#include "core/lib/err.h"
#include "core/lib/panic.h"
#include "core/mm/pmm.h"
#include "core/sched/thread.h"
#include "core/sync/spinlock.h"

static struct spinlock kstacks_lock =
	SPINLOCK_INIT("kstacks", LOCK_RANK_THREADS);
/* Protected by kstacks_lock: */
static void *cache[KSTACK_CACHE_MAX];
static unsigned int cached;

static void *usable(void *stack)
{
	return (char *)stack + PAGE_SIZE;
}

static void *cache_pop(void)
{
	irq_flags_t flags = spin_lock_irqsave(&kstacks_lock);
	void *stack = cached > 0 ? cache[--cached] : NULL;

	spin_unlock_irqrestore(&kstacks_lock, flags);
	return stack;
}

static bool cache_push(void *stack)
{
	irq_flags_t flags = spin_lock_irqsave(&kstacks_lock);
	bool kept = cached < KSTACK_CACHE_MAX;

	if (kept)
		cache[cached++] = stack;
	spin_unlock_irqrestore(&kstacks_lock, flags);
	return kept;
}

/* Unguards and frees a stack that is in no cache. */
static void release(void *stack)
{
	WARN_ON(hal_guard_page(stack, false) < 0);
	pmm_free_virt(stack, KSTACK_ORDER);
}

void *kstack_alloc(void)
{
	void *stack = cache_pop();
	int err;

	if (stack) {
		hal_memcheck_undefined(usable(stack), KSTACK_SIZE - PAGE_SIZE);
		return stack;
	}
	stack = pmm_alloc_virt(KSTACK_ORDER, 0);
	if (stack == NULL)
		return ERR_PTR(-ENOMEM);
	err = hal_guard_page(stack, true);
	if (err < 0) {
		pmm_free_virt(stack, KSTACK_ORDER);
		return ERR_PTR(err);
	}
	return stack;
}

void kstack_free(void *stack)
{
	hal_memcheck_noaccess(usable(stack), KSTACK_SIZE - PAGE_SIZE);
	if (!cache_push(stack))
		release(stack);
}

unsigned int kstack_cached(void)
{
	irq_flags_t flags = spin_lock_irqsave(&kstacks_lock);
	unsigned int count = cached;

	spin_unlock_irqrestore(&kstacks_lock, flags);
	return count;
}

unsigned int kstack_cache_drain(void)
{
	unsigned int freed = 0;
	void *stack;

	while ((stack = cache_pop()) != NULL) {
		release(stack);
		freed++;
	}
	return freed;
}
