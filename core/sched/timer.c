/*
 * Per-CPU timer trees and the timer interrupt. tree_lock[cpu] (irqsave)
 * protects that CPU's tree and the node, cpu and running fields of every
 * timer in it. Callbacks run with no timer lock held.
 */
#include "core/sched/timer.h"

#include "core/cpu/irq.h"
#include "core/hal/cpu.h"
#include "core/hal/time.h"
#include "core/lib/panic.h"
#include "core/sched/sched_internal.h"
#include "core/sync/spinlock.h"

struct timer_base {
	struct spinlock lock;
	/* Protected by lock: */
	struct rb_root tree;
	unsigned int count;
	struct timer *running;	/* whose callback runs now */
} __aligned(64);

static struct timer_base bases[HAL_MAX_CPUS];

void timer_init(struct timer *timer, timer_fn *fn, void *arg)
{
	*timer = (struct timer){ .fn = fn, .arg = arg, .cpu = -1 };
}

static void tree_insert(struct timer_base *base, struct timer *timer)
{
	struct rb_node **link = &base->tree.node, *parent = NULL;

	while (*link) {
		struct timer *at = rb_entry(*link, struct timer, node);

		parent = *link;
		link = timer->deadline < at->deadline ? &parent->left
						      : &parent->right;
	}
	rb_link(&timer->node, parent, link);
	rb_insert_fixup(&base->tree, &timer->node);
	base->count++;
}

static void tree_remove(struct timer_base *base, struct timer *timer)
{
	rb_erase(&base->tree, &timer->node);
	base->count--;
	WRITE_ONCE(timer->cpu, -1);
}

/* Locks the base `timer` is pending on; NULL (nothing locked) if none. */
static struct timer_base *lock_timer_base(struct timer *timer,
					  irq_flags_t *flags)
{
	for (;;) {
		int cpu = READ_ONCE(timer->cpu);
		struct timer_base *base;

		if (cpu < 0)
			return NULL;
		base = &bases[cpu];
		*flags = spin_lock_irqsave(&base->lock);
		if (timer->cpu == cpu)
			return base;
		spin_unlock_irqrestore(&base->lock, *flags);
	}
}

bool timer_cancel(struct timer *timer)
{
	irq_flags_t flags;
	struct timer_base *base = lock_timer_base(timer, &flags);
	bool pending = base != NULL;

	if (base) {
		tree_remove(base, timer);
		spin_unlock_irqrestore(&base->lock, flags);
	}
	/* Wait out a callback running on another CPU. */
	for (unsigned int cpu = 0, spins = 0; cpu < HAL_MAX_CPUS; cpu++) {
		if (cpu == hal_cpu_id())
			continue;
		while (__atomic_load_n(&bases[cpu].running, __ATOMIC_ACQUIRE) ==
		       timer)
			spin_relax(&spins);
	}
	return pending;
}

void timer_add(struct timer *timer, uint64_t deadline)
{
	struct timer_base *base;
	irq_flags_t flags;

	timer_cancel(timer);
	base = &bases[hal_cpu_id()];
	flags = spin_lock_irqsave(&base->lock);
	timer->deadline = deadline;
	WRITE_ONCE(timer->cpu, (int)hal_cpu_id());
	tree_insert(base, timer);
	spin_unlock_irqrestore(&base->lock, flags);
	timer_reprogram();
}

unsigned int timer_pending_count(unsigned int cpu)
{
	return READ_ONCE(bases[cpu % HAL_MAX_CPUS].count);
}

static uint64_t earliest_deadline(struct timer_base *base)
{
	irq_flags_t flags = spin_lock_irqsave(&base->lock);
	struct rb_node *first = rb_first(&base->tree);
	uint64_t deadline = first ? rb_entry(first, struct timer, node)->deadline
				  : 0;

	spin_unlock_irqrestore(&base->lock, flags);
	return deadline;
}

void timer_reprogram(void)
{
	irq_flags_t flags = hal_irq_save();
	uint64_t timer = earliest_deadline(&bases[hal_cpu_id()]);
	uint64_t slice = sched_slice_deadline();
	uint64_t deadline = timer;

	if (slice != 0 && (deadline == 0 || slice < deadline))
		deadline = slice;
	hal_timer_arm(deadline);
	hal_irq_restore(flags);
}

/* Pops one expired timer and marks it running; NULL if none. Lock held. */
static struct timer *take_expired(struct timer_base *base, uint64_t now)
{
	struct rb_node *first = rb_first(&base->tree);
	struct timer *timer;

	if (first == NULL)
		return NULL;
	timer = rb_entry(first, struct timer, node);
	if (timer->deadline > now)
		return NULL;
	tree_remove(base, timer);
	__atomic_store_n(&base->running, timer, __ATOMIC_RELEASE);
	return timer;
}

static void run_expired(struct timer_base *base)
{
	for (;;) {
		struct timer *timer;

		spin_lock(&base->lock);
		timer = take_expired(base, hal_clock_ns());
		spin_unlock(&base->lock);
		if (timer == NULL)
			return;
		timer->fn(timer, timer->arg);
		__atomic_store_n(&base->running, NULL, __ATOMIC_RELEASE);
	}
}

static void timer_interrupt(unsigned int vector, void *arg)
{
	(void)vector;
	(void)arg;
	run_expired(&bases[hal_cpu_id()]);
	sched_tick();
	timer_reprogram();
}

void timer_init_cpu(void)
{
	struct timer_base *base = &bases[hal_cpu_id()];

	spin_init(&base->lock, "timer_base", LOCK_RANK_TIMER);
	base->tree = (struct rb_root)RB_ROOT_INIT;
	if (hal_cpu_id() == 0)
		irq_register(HAL_VECTOR_TIMER, timer_interrupt, NULL);
}
