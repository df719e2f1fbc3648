/*
 * Kernel timers: a callback at a monotonic deadline. Each CPU keeps its
 * pending timers in a red-black tree ordered by deadline (O(log n) add and
 * cancel, O(1) to find the next one) and programs its one-shot hardware
 * timer for the earliest of that and the end of the current time slice.
 * Callbacks run in interrupt context on the CPU that added the timer.
 */
#pragma once

#include "core/lib/rbtree.h"
#include "core/lib/types.h"

struct timer;
typedef void timer_fn(struct timer *timer, void *arg);

struct timer {
	struct rb_node node;	/* in a CPU's tree, under its timer lock */
	uint64_t deadline;
	timer_fn *fn;
	void *arg;
	int cpu;		/* the tree it is in; -1 when not pending */
};

void timer_init(struct timer *timer, timer_fn *fn, void *arg);

/*
 * Arms (or re-arms) the timer for monotonic time `deadline` on the calling
 * CPU. A deadline in the past fires at the next timer interrupt. Any
 * context.
 */
void timer_add(struct timer *timer, uint64_t deadline);

/*
 * Disarms the timer and waits for a running callback to finish (unless
 * called from that callback). Returns true if it was pending. Not from an
 * interrupt handler of another timer's CPU while holding its locks.
 */
bool timer_cancel(struct timer *timer);

/* Timers pending on `cpu` (statistics, leak checks). */
unsigned int timer_pending_count(unsigned int cpu);
