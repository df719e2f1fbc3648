/*
 * Scheduler benchmarks: the cost of a blocking kernel-thread switch, of a
 * contended mutex passing between two threads, and of a thread's whole
 * life (create, start, run, exit, join).
 *
 * Each benchmark's shared state lives on its driver's stack and is used
 * only by the driver and the partner thread it starts and joins; the
 * semaphores and the mutex are the synchronisation being measured.
 */
#include "core/bench/bench_internal.h"

#include "core/lib/compiler.h"
#include "core/lib/err.h"
#include "core/sched/sched.h"
#include "core/sync/mutex.h"
#include "core/sync/semaphore.h"

/*
 * Context switch: the driver and an echo thread on the same CPU take
 * turns, each upping the other's semaphore and sleeping on its own, so
 * every turn is one switch from a thread that blocks to one just woken
 * (as lmbench's lat_ctx does with pipes). ns_per_op is per switch.
 */
struct pingpong {
	struct semaphore ping;	/* driver -> echo */
	struct semaphore pong;	/* echo -> driver */
	bool stop;		/* set by the driver before its last ping */
};

static int pingpong_echo(void *arg)
{
	struct pingpong *pp = arg;

	for (;;) {
		semaphore_down(&pp->ping);
		if (READ_ONCE(pp->stop))
			return 0;
		semaphore_up(&pp->pong);
	}
}

static int bench_context_switch(const struct bench_params *params,
				struct bench_result *result)
{
	struct pingpong pp = { .stop = false };
	struct bench_timer timer;
	struct thread *echo;
	uint64_t switches;

	semaphore_init(&pp.ping, 0);
	semaphore_init(&pp.pong, 0);
	echo = bench_thread_start("bench-echo", pingpong_echo, &pp,
				  hal_cpu_id());
	if (IS_ERR(echo))
		return (int)PTR_ERR(echo);
	bench_timer_start(&timer, params);
	for (switches = 0; !bench_timer_expired(&timer, switches);
	     switches += 2) {
		semaphore_up(&pp.ping);
		semaphore_down(&pp.pong);
	}
	WRITE_ONCE(pp.stop, true);
	semaphore_up(&pp.ping);
	thread_join(echo, NULL);
	result->cpus = 1;
	return bench_timer_result(&timer, switches, result);
}

/*
 * Mutex hand-off: the driver and a partner on another CPU (the same one if
 * only one is online) lock and unlock one mutex in a loop. While one holds
 * it the other waits, so each unlock grants it to the waiter (the mutex's
 * FIFO hand-off), which must wake, possibly by IPI, before it can hand it
 * back. ns_per_op is per hand-off: acquisitions by the thread that did not
 * hold the mutex last, so an uncontended re-lock is not counted.
 */
struct handoff {
	struct mutex lock;
	struct completion partner_ready;
	/* Protected by lock: */
	struct thread *last_holder;
	uint64_t handoffs;
	bool stop;
};

/* Counts a hand-off if the lock changed hands. Caller holds h->lock. */
static void handoff_note(struct handoff *h)
{
	struct thread *self = thread_current();

	if (h->last_holder != self) {
		h->last_holder = self;
		h->handoffs++;
	}
}

static int handoff_partner(void *arg)
{
	struct handoff *h = arg;
	bool stop;

	complete(&h->partner_ready);
	do {
		mutex_lock(&h->lock);
		handoff_note(h);
		stop = h->stop;
		mutex_unlock(&h->lock);
	} while (!stop);
	return 0;
}

/* Another online CPU than `cpu`, or `cpu` itself if it is the only one. */
static unsigned int other_cpu(unsigned int cpu)
{
	cpumask_t others = sched_online_mask() & ~CPUMASK_OF(cpu);

	return others ? (unsigned int)__builtin_ctzll(others) : cpu;
}

/* The driver's loop; enters and returns with h->lock held. */
static void handoff_loop(struct handoff *h, struct bench_timer *timer)
{
	handoff_note(h);
	while (!bench_timer_expired(timer, h->handoffs)) {
		mutex_unlock(&h->lock);
		mutex_lock(&h->lock);
		handoff_note(h);
	}
}

static int bench_mutex_handoff(const struct bench_params *params,
			       struct bench_result *result)
{
	struct handoff h = { .last_holder = NULL, .handoffs = 0, .stop = false };
	unsigned int partner_cpu = other_cpu(hal_cpu_id());
	struct bench_timer timer;
	struct thread *partner;

	mutex_init(&h.lock, "bench_handoff", LOCK_RANK_MUTEX);
	completion_init(&h.partner_ready);
	/*
	 * Taken before the partner starts, so its first mutex_lock (after
	 * partner_ready) finds it held and queues. On one CPU nothing else
	 * would make the two contend: the kernel is not preempted, so the
	 * driver would re-lock a free mutex until its budget ran out.
	 */
	mutex_lock(&h.lock);
	partner = bench_thread_start("bench-handoff", handoff_partner, &h,
				     partner_cpu);
	if (IS_ERR(partner)) {
		mutex_unlock(&h.lock);
		return (int)PTR_ERR(partner);
	}
	wait_for_completion(&h.partner_ready);
	bench_timer_start(&timer, params);
	handoff_loop(&h, &timer);
	h.stop = true;
	mutex_unlock(&h.lock);
	thread_join(partner, NULL);
	result->cpus = partner_cpu == hal_cpu_id() ? 1 : 2;
	return bench_timer_result(&timer, h.handoffs, result);
}

/*
 * Thread life cycle: create a thread pinned to this CPU, start it, and
 * join it once its (empty) entry returned; the stack and structure are
 * freed before the next one is made. Pinned, so the figure is the
 * lifecycle's own cost and not that of waking another CPU.
 */
static int nop_entry(void *arg)
{
	(void)arg;
	return 0;
}

static int bench_thread_lifecycle(const struct bench_params *params,
				  struct bench_result *result)
{
	struct bench_timer timer;
	uint64_t threads;

	bench_timer_start(&timer, params);
	for (threads = 0; !bench_timer_expired(&timer, threads); threads++) {
		struct thread *thread = bench_thread_start(
			"bench-nop", nop_entry, NULL, hal_cpu_id());

		if (IS_ERR(thread))
			return (int)PTR_ERR(thread);
		thread_join(thread, NULL);
	}
	result->cpus = 1;
	return bench_timer_result(&timer, threads, result);
}

const struct bench bench_sched[] = {
	{ "sched.context_switch", bench_context_switch },
	{ "sched.mutex_handoff", bench_mutex_handoff },
	{ "sched.thread_create_join", bench_thread_lifecycle },
};
const unsigned int bench_sched_count = ARRAY_SIZE(bench_sched);
