/*
 * Thread lifecycle: creation (structure from a slab cache, a guarded stack
 * from kstack.c), start, exit, join and
 * freeing on the last reference.
 *
 * threads_lock protects the list of all threads and next_tid. A thread's
 * scheduling fields belong to its run queue lock (see sched.c).
 */
#include "core/sched/sched_internal.h"

#include "core/include/uapi/errno.h"
#include "core/lib/err.h"
#include "core/lib/format.h"
#include "core/lib/panic.h"
#include "core/lib/printk.h"
#include "core/lib/string.h"
#include "core/mm/kmem.h"
#include "core/mm/pmm.h"
#include "core/sched/kstack.h"

static struct kmem_cache *thread_cache;
static struct spinlock threads_lock = SPINLOCK_INIT("threads", LOCK_RANK_THREADS);
/* Protected by threads_lock: */
static struct list_head all_threads = LIST_HEAD_INIT(all_threads);
static uint64_t next_tid = 1;
static unsigned long live_threads;
static unsigned long idle_threads;	/* never freed */

unsigned long thread_count(void)
{
	return READ_ONCE(live_threads);
}

unsigned long thread_count_nonidle(void)
{
	return READ_ONCE(live_threads) - READ_ONCE(idle_threads);
}

/* Counts `thread` as one of the per-CPU idle threads. */
static void thread_mark_idle(struct thread *thread)
{
	irq_flags_t flags = spin_lock_irqsave(&threads_lock);

	thread->is_idle = true;
	WRITE_ONCE(idle_threads, idle_threads + 1);
	spin_unlock_irqrestore(&threads_lock, flags);
}

/* Allocates and registers a thread structure with default settings. */
static struct thread *thread_alloc(const char *name)
{
	struct thread *thread;
	irq_flags_t flags;

	if (thread_cache == NULL) {
		thread_cache = kmem_cache_create("thread", sizeof(struct thread),
						 64);
		if (IS_ERR(thread_cache)) {
			thread_cache = NULL;
			return NULL;
		}
	}
	thread = kmem_cache_zalloc(thread_cache);
	if (thread == NULL)
		return NULL;
	kstrlcpy(thread->name, name, sizeof(thread->name));
	thread->state = THREAD_NEW;
	thread->nice = 0;
	thread->weight = sched_nice_weight(0);
	thread->affinity = CPUMASK_ALL;
	WRITE_ONCE(thread->cpu, hal_cpu_id());
	thread->refcount = 1;
	completion_init(&thread->done);
	flags = spin_lock_irqsave(&threads_lock);
	thread->tid = next_tid++;
	list_add_tail(&thread->all_link, &all_threads);
	WRITE_ONCE(live_threads, live_threads + 1); /* read locklessly */
	spin_unlock_irqrestore(&threads_lock, flags);
	return thread;
}

/*
 * The stack goes first, so that once thread_count() no longer counts a
 * thread, its stack is back (in the cache or the page allocator).
 */
static void thread_free(struct thread *thread)
{
	irq_flags_t flags;

	if (thread->stack) {
		hal_context_destroy(&thread->context);
		kstack_free(thread->stack);
	}
	flags = spin_lock_irqsave(&threads_lock);
	list_remove(&thread->all_link);
	WRITE_ONCE(live_threads, live_threads - 1);
	spin_unlock_irqrestore(&threads_lock, flags);
	kmem_cache_free(thread_cache, thread);
}

void thread_get(struct thread *thread)
{
	__atomic_fetch_add(&thread->refcount, 1, __ATOMIC_RELAXED);
}

void thread_put(struct thread *thread)
{
	int old = __atomic_fetch_sub(&thread->refcount, 1, __ATOMIC_ACQ_REL);

	BUG_ON(old <= 0);
	if (old == 1)
		thread_free(thread);
}

/* First code of every created thread. */
static void thread_trampoline(void *arg)
{
	struct thread *self = arg;

	sched_finish_switch();
	hal_irq_enable();
	thread_exit(self->entry(self->arg));
}

/* Gives a thread its own guarded stack and initial context. */
static int thread_setup_stack(struct thread *thread, void (*start)(void *))
{
	void *stack = kstack_alloc();

	if (IS_ERR(stack))
		return (int)PTR_ERR(stack);
	thread->stack = stack;
	hal_context_init(&thread->context, (char *)stack + PAGE_SIZE,
			 KSTACK_SIZE - PAGE_SIZE, start, thread);
	return 0;
}

struct thread *thread_create(const char *name, int (*entry)(void *arg),
			     void *arg)
{
	struct thread *thread = thread_alloc(name);
	int err;

	if (thread == NULL)
		return ERR_PTR(-ENOMEM);
	thread->entry = entry;
	thread->arg = arg;
	err = thread_setup_stack(thread, thread_trampoline);
	if (err < 0) {
		thread_free(thread);
		return ERR_PTR(err);
	}
	return thread;
}

static void idle_entry(void *arg)
{
	(void)arg;
	sched_finish_switch();
	sched_idle_loop();
}

struct thread *thread_create_idle(unsigned int cpu)
{
	char name[THREAD_NAME_MAX];
	struct thread *thread;
	int err;

	ksnprintf(name, sizeof(name), "idle/%u", cpu);
	thread = thread_alloc(name);
	if (thread == NULL)
		return ERR_PTR(-ENOMEM);
	err = thread_setup_stack(thread, idle_entry);
	if (err < 0) {
		thread_free(thread);
		return ERR_PTR(err);
	}
	thread_mark_idle(thread);
	thread->affinity = CPUMASK_OF(cpu);
	WRITE_ONCE(thread->cpu, cpu);
	thread->state = THREAD_RUNNABLE;
	return thread;
}

struct thread *thread_adopt_boot_context(const char *name, bool is_idle)
{
	char full[THREAD_NAME_MAX];
	struct thread *thread;

	if (is_idle)
		ksnprintf(full, sizeof(full), "%s/%u", name, hal_cpu_id());
	else
		kstrlcpy(full, name, sizeof(full));
	thread = thread_alloc(full);
	if (thread == NULL)
		return NULL;
	if (is_idle) {
		thread_mark_idle(thread);
		thread->affinity = CPUMASK_OF(hal_cpu_id());
	}
	hal_context_init_current(&thread->context, NULL, 0);
	return thread;
}

void thread_start(struct thread *thread)
{
	BUG_ON(thread->state != THREAD_NEW);
	thread_get(thread); /* the running thread's own reference */
	WRITE_ONCE(thread->state, THREAD_RUNNABLE);
	sched_enqueue_new(thread);
}

int thread_set_affinity(struct thread *thread, cpumask_t mask)
{
	if ((mask & sched_online_mask()) == 0)
		return -EINVAL;
	WRITE_ONCE(thread->affinity, mask);
	if (READ_ONCE(thread->state) != THREAD_NEW)
		sched_affinity_changed(thread);
	return 0;
}

int thread_set_nice(struct thread *thread, int nice)
{
	if (nice < NICE_MIN || nice > NICE_MAX)
		return -EINVAL;
	sched_set_nice(thread, nice);
	return 0;
}

__noreturn void thread_exit(int code)
{
	struct thread *self = thread_current();

	BUG_ON(self == NULL || self->is_idle);
	lockcheck_thread_exit(&self->lockcheck, self->name);
	self->exit_code = code;
	complete_all(&self->done);
	sched_exit_current();
}

int thread_join(struct thread *thread, int *exit_code)
{
	if (thread == thread_current())
		return -EDEADLK;
	if (READ_ONCE(thread->state) == THREAD_NEW)
		return -EINVAL; /* never started: it would never finish */
	wait_for_completion(&thread->done);
	if (exit_code)
		*exit_code = thread->exit_code;
	thread_put(thread);
	return 0;
}
