/*
 * Run queues and the scheduling decision.
 *
 * Each CPU has a run queue: a red-black tree of runnable threads ordered by
 * virtual runtime (CPU time scaled by 1024/weight, so threads get CPU in
 * proportion to their weight), plus the thread running now, which is not in
 * the tree. A thread's scheduling fields are protected by the lock of the
 * run queue it belongs to (thread->cpu); a thread moves between run queues
 * only while it is on none (blocked, or just taken out of a tree with that
 * queue's lock held).
 *
 * A switch: schedule() takes this CPU's run queue lock, picks the next
 * thread and switches to it with the lock held; the next thread finishes
 * the switch (sched_finish_switch) and releases it. So a waker that gets
 * the lock never sees a thread half switched out.
 *
 * Lock order: a run queue lock, then (try only) another run queue's lock.
 */
#include "core/sched/sched_internal.h"

#include "core/cpu/irq.h"
#include "core/hal/time.h"
#include "core/lib/err.h"
#include "core/lib/format.h"
#include "core/lib/panic.h"
#include "core/lib/printk.h"
#include "core/lib/string.h"

#define SCHED_LATENCY_NS 12000000ULL	/* every runnable thread runs within */
#define SCHED_MIN_SLICE_NS 1500000ULL
#define WAKEUP_GRANULARITY_NS 1000000ULL
#define NICE_0_WEIGHT 1024
#define IDLE_POLL_MIN_NS 10000ULL	/* adaptive idle-poll window bounds */
#define IDLE_POLL_MAX_NS 200000ULL
#define IDLE_POLL_MAX_SPINS 100000	/* a bound whatever the clock does */

struct runqueue {
	struct spinlock lock;
	/* Protected by lock: */
	struct rb_root tree;
	unsigned int queued;		/* threads in the tree */
	uint64_t min_vruntime;		/* monotonic floor of queued vruntimes */
	struct thread *current;
	struct thread *idle;
	struct thread *last;		/* switched out, until finish_switch */
	uint64_t exec_start;		/* start of current's accounting period */
	uint64_t slice_end;		/* 0 while idle */
	bool need_resched;		/* also written remotely, READ/WRITE_ONCE */
	uint64_t idle_since;		/* idling since; 0 when not (owner writes) */
	uint64_t poll_ns;		/* idle-poll window (owner only) */
	struct sched_cpu_stats stats;
} __aligned(64);

static struct runqueue runqueues[HAL_MAX_CPUS];
static cpumask_t online_mask;	/* atomic */
static uint32_t nice_weights[NICE_MAX - NICE_MIN + 1];

static struct spinlock trace_lock = SPINLOCK_INIT("sched_trace", LOCK_RANK_NONE);
/* Protected by trace_lock: */
static char *trace_buffer;
static size_t trace_size, trace_length;

static struct runqueue *this_rq(void)
{
	return &runqueues[hal_cpu_id()];
}

struct thread *thread_current(void)
{
	return this_rq()->current;
}

struct lockcheck_state *lockcheck_current_state(void)
{
	struct thread *current = this_rq()->current;

	return current ? &current->lockcheck : NULL;
}

static void init_nice_weights(void)
{
	/* 1024 * 1.25^-nice in 16.16 fixed point, rounded. */
	uint64_t weight = (uint64_t)NICE_0_WEIGHT << 16;

	for (int nice = 0; nice <= NICE_MAX; nice++) {
		nice_weights[nice - NICE_MIN] = (uint32_t)((weight + 0x8000) >> 16);
		weight = weight * 4 / 5;
	}
	weight = (uint64_t)NICE_0_WEIGHT << 16;
	for (int nice = 0; nice >= NICE_MIN; nice--) {
		nice_weights[nice - NICE_MIN] = (uint32_t)((weight + 0x8000) >> 16);
		weight = weight * 5 / 4;
	}
}

uint32_t sched_nice_weight(int nice)
{
	return nice_weights[nice - NICE_MIN];
}

cpumask_t sched_online_mask(void)
{
	return __atomic_load_n(&online_mask, __ATOMIC_ACQUIRE);
}

unsigned int sched_online_count(void)
{
	return (unsigned int)__builtin_popcountll(sched_online_mask());
}

/* Tree order: vruntime, then tid so equal keys keep a stable order. */
static bool runs_before(const struct thread *a, const struct thread *b)
{
	if (a->vruntime != b->vruntime)
		return (int64_t)(a->vruntime - b->vruntime) < 0;
	return a->tid < b->tid;
}

static void enqueue(struct runqueue *rq, struct thread *thread)
{
	struct rb_node **link = &rq->tree.node, *parent = NULL;

	while (*link) {
		parent = *link;
		link = runs_before(thread, rb_entry(parent, struct thread, rq_node))
			       ? &parent->left : &parent->right;
	}
	rb_link(&thread->rq_node, parent, link);
	rb_insert_fixup(&rq->tree, &thread->rq_node);
	thread->on_rq = true;
	WRITE_ONCE(rq->queued, rq->queued + 1);
}

static void dequeue(struct runqueue *rq, struct thread *thread)
{
	rb_erase(&rq->tree, &thread->rq_node);
	thread->on_rq = false;
	WRITE_ONCE(rq->queued, rq->queued - 1);
}

static struct thread *leftmost(struct runqueue *rq)
{
	struct rb_node *node = rb_first(&rq->tree);

	return node ? rb_entry(node, struct thread, rq_node) : NULL;
}

/* Charges the running thread for the time since exec_start. Lock held. */
static void update_current(struct runqueue *rq, uint64_t now)
{
	struct thread *current = rq->current;
	struct thread *first;
	uint64_t delta = now > rq->exec_start ? now - rq->exec_start : 0;
	uint64_t floor;

	rq->exec_start = now;
	if (current == NULL || current->is_idle)
		return;
	/* procfs reads these two without the runqueue lock. */
	WRITE_ONCE(current->runtime_ns, current->runtime_ns + delta);
	if (current->in_user) {
		WRITE_ONCE(current->user_ns, current->user_ns + delta);
		rq->stats.user_ns += delta;
	} else {
		rq->stats.system_ns += delta;
	}
	current->vruntime += delta * NICE_0_WEIGHT / current->weight;
	floor = current->vruntime;
	first = leftmost(rq);
	if (first && (int64_t)(first->vruntime - floor) < 0)
		floor = first->vruntime;
	if ((int64_t)(floor - rq->min_vruntime) > 0)
		rq->min_vruntime = floor;
}

static uint64_t slice_length(const struct runqueue *rq)
{
	uint64_t slice = SCHED_LATENCY_NS / (rq->queued + 1);

	return slice < SCHED_MIN_SLICE_NS ? SCHED_MIN_SLICE_NS : slice;
}

static bool cpu_is_idle(unsigned int cpu)
{
	struct runqueue *rq = &runqueues[cpu];

	return READ_ONCE(rq->current) == rq->idle && READ_ONCE(rq->queued) == 0;
}

static unsigned int load_of(unsigned int cpu)
{
	struct runqueue *rq = &runqueues[cpu];

	return READ_ONCE(rq->queued) + (READ_ONCE(rq->current) != rq->idle);
}

/* The CPUs a thread may run on now; all online ones if none is left. */
static cpumask_t allowed_cpus(const struct thread *thread)
{
	cpumask_t online = sched_online_mask();
	cpumask_t allowed = READ_ONCE(thread->affinity) & online;

	return allowed ? allowed : online;
}

/* Picks a CPU for a thread about to become runnable: idle first, then least loaded. */
static unsigned int select_cpu(const struct thread *thread)
{
	cpumask_t allowed = allowed_cpus(thread);
	unsigned int previous = thread->cpu, best = previous;
	unsigned int best_load = UINT32_MAX;

	if ((allowed & CPUMASK_OF(previous)) && cpu_is_idle(previous))
		return previous;
	for (unsigned int i = 1; i <= HAL_MAX_CPUS; i++) {
		unsigned int cpu = (previous + i) % HAL_MAX_CPUS;
		unsigned int load;

		if (!(allowed & CPUMASK_OF(cpu)))
			continue;
		if (cpu_is_idle(cpu))
			return cpu;
		load = load_of(cpu);
		if (load < best_load || (load == best_load && cpu == previous)) {
			best = cpu;
			best_load = load;
		}
	}
	return best;
}

/* Whether `thread`, just queued on rq, should interrupt rq's current thread. */
static bool should_preempt(struct runqueue *rq, const struct thread *thread)
{
	const struct thread *current = rq->current;

	if (current == rq->idle)
		return true;
	return (int64_t)(current->vruntime - thread->vruntime) >
	       (int64_t)WAKEUP_GRANULARITY_NS;
}

/* Queues a runnable thread on `cpu` and pokes that CPU. Lock of `cpu` held. */
static void enqueue_and_kick(unsigned int cpu, struct thread *thread)
{
	struct runqueue *rq = &runqueues[cpu];
	uint64_t floor = rq->min_vruntime > SCHED_LATENCY_NS / 2
				 ? rq->min_vruntime - SCHED_LATENCY_NS / 2 : 0;

	WRITE_ONCE(thread->cpu, cpu);
	/* A sleeper keeps a little credit, never a hoard of it. */
	if ((int64_t)(thread->vruntime - floor) < 0)
		thread->vruntime = floor;
	enqueue(rq, thread);
	rq->stats.wakeups++;
	if (should_preempt(rq, thread)) {
		WRITE_ONCE(rq->need_resched, true);
		if (cpu != hal_cpu_id())
			hal_ipi(cpu, HAL_VECTOR_IPI_RESCHEDULE);
	}
}

/*
 * Puts a runnable thread that is on no run queue onto the CPU select_cpu
 * chooses. Takes that CPU's lock; caller holds no run queue lock.
 */
static void place_runnable(struct thread *thread)
{
	unsigned int cpu = select_cpu(thread);
	struct runqueue *rq = &runqueues[cpu];
	irq_flags_t flags = spin_lock_irqsave(&rq->lock);

	enqueue_and_kick(cpu, thread);
	spin_unlock_irqrestore(&rq->lock, flags);
}

void sched_enqueue_new(struct thread *thread)
{
	thread->vruntime = READ_ONCE(runqueues[thread->cpu].min_vruntime);
	place_runnable(thread);
}

/* Locks the run queue `thread` belongs to, following it if it moves. */
static struct runqueue *lock_thread_rq(struct thread *thread,
				       irq_flags_t *flags)
{
	for (;;) {
		unsigned int cpu = READ_ONCE(thread->cpu);
		struct runqueue *rq = &runqueues[cpu];

		*flags = spin_lock_irqsave(&rq->lock);
		if (thread->cpu == cpu)
			return rq;
		spin_unlock_irqrestore(&rq->lock, *flags);
	}
}

bool sched_wake(struct thread *thread)
{
	irq_flags_t flags;
	struct runqueue *rq = lock_thread_rq(thread, &flags);
	unsigned int target;

	if (thread->state != THREAD_BLOCKED) {
		spin_unlock_irqrestore(&rq->lock, flags);
		return false;
	}
	WRITE_ONCE(thread->state, THREAD_RUNNABLE);
	if (thread->on_cpu) {
		/* Still on its CPU before (or inside) schedule(): it stays. */
		spin_unlock_irqrestore(&rq->lock, flags);
		return true;
	}
	target = select_cpu(thread);
	if (target == thread->cpu) {
		enqueue_and_kick(target, thread);
		spin_unlock_irqrestore(&rq->lock, flags);
		return true;
	}
	/* Move it: publish the new owner before dropping the old lock. */
	WRITE_ONCE(thread->cpu, target);
	spin_unlock(&rq->lock);
	rq = &runqueues[target];
	spin_lock(&rq->lock);
	enqueue_and_kick(target, thread);
	spin_unlock_irqrestore(&rq->lock, flags);
	return true;
}

static void set_current_state(enum thread_state state)
{
	struct runqueue *rq = this_rq();
	irq_flags_t flags = spin_lock_irqsave(&rq->lock);

	WRITE_ONCE(rq->current->state, state);
	spin_unlock_irqrestore(&rq->lock, flags);
}

void sched_set_blocked(void)
{
	set_current_state(THREAD_BLOCKED);
}

void sched_set_runnable(void)
{
	set_current_state(THREAD_RUNNABLE);
}

static void trace_switch(unsigned int cpu, const struct thread *next)
{
	char entry[32];
	int n;

	if (READ_ONCE(trace_buffer) == NULL)
		return;
	n = ksnprintf(entry, sizeof(entry), "%u:%llu ", cpu,
		      (unsigned long long)next->tid);
	spin_lock(&trace_lock);
	if (trace_buffer && trace_length + (size_t)n < trace_size) {
		memcpy(trace_buffer + trace_length, entry, (size_t)n + 1);
		trace_length += (size_t)n;
	}
	spin_unlock(&trace_lock);
}

/* Chooses and dequeues the next thread. Lock held; prev already requeued. */
static struct thread *pick_next(struct runqueue *rq)
{
	struct thread *next = leftmost(rq);

	if (next == NULL)
		return rq->idle;
	dequeue(rq, next);
	return next;
}

void schedule(void)
{
	irq_flags_t flags = hal_irq_save();
	struct runqueue *rq = this_rq();
	struct thread *prev, *next;
	uint64_t now;

	if (CONFIG_DEBUG)
		lockcheck_before_sleep();
	spin_lock(&rq->lock);
	prev = rq->current;
	now = hal_clock_ns();
	update_current(rq, now);
	if (prev->state == THREAD_RUNNABLE && !prev->is_idle &&
	    (allowed_cpus(prev) & CPUMASK_OF(hal_cpu_id())))
		enqueue(rq, prev);
	next = pick_next(rq);
	WRITE_ONCE(rq->need_resched, false);
	rq->slice_end = next->is_idle ? 0 : now + slice_length(rq);
	if (next == prev) {
		spin_unlock(&rq->lock);
		timer_reprogram();
		hal_irq_restore(flags);
		return;
	}
	/* The lock passes to `next`, which releases it in finish_switch. */
	lockcheck_release(&rq->lock, &rq->lock.class);
	WRITE_ONCE(rq->current, next);
	WRITE_ONCE(next->on_cpu, true);	/* task_kick reads it unlocked */
	next->switches++;
	rq->stats.context_switches++;
	rq->last = prev;
	trace_switch(hal_cpu_id(), next);
	hal_context_switch(&prev->context, &next->context);
	sched_finish_switch();
	hal_irq_restore(flags);
}

void sched_finish_switch(void)
{
	struct runqueue *rq = this_rq();
	struct thread *last = rq->last;
	bool homeless, dead;

	lockcheck_acquire(&rq->lock, &rq->lock.class, true);
	rq->last = NULL;
	/*
	 * Decide under the lock: once on_cpu is clear and the lock dropped,
	 * `last` may be woken, run elsewhere, exit and be freed.
	 */
	dead = last->state == THREAD_DEAD;
	/* Runnable but not requeued: its affinity excludes this CPU now. */
	homeless = last->state == THREAD_RUNNABLE && !last->on_rq &&
		   !last->is_idle;
	WRITE_ONCE(last->on_cpu, false);
	spin_unlock(&rq->lock);
	timer_reprogram();
	if (homeless)
		place_runnable(last);
	if (dead)
		thread_put(last); /* the reference the running thread held */
}

void thread_yield(void)
{
	schedule();
}

void sched_preempt_point(void)
{
	/* Opening the interrupt window delivers a pending timer tick. */
	hal_irq_restore(hal_irq_save());
	if (READ_ONCE(this_rq()->need_resched))
		schedule();
}

uint64_t sched_slice_deadline(void)
{
	return this_rq()->slice_end;
}

/*
 * Wakes one idle CPU (other than this one) so that its idle loop pulls
 * work from the busiest queue: the periodic half of load balancing, for
 * threads that queued up while CPUs slept (an affinity change, a burst of
 * wake-ups that all chose this CPU).
 */
static void kick_idle_cpu(void)
{
	cpumask_t online = sched_online_mask();
	unsigned int self = hal_cpu_id();

	for (unsigned int cpu = 0; cpu < HAL_MAX_CPUS; cpu++) {
		if (cpu == self || !(online & CPUMASK_OF(cpu)) ||
		    !cpu_is_idle(cpu))
			continue;
		hal_ipi(cpu, HAL_VECTOR_IPI_RESCHEDULE);
		return;
	}
}

void sched_tick(void)
{
	struct runqueue *rq = this_rq();
	uint64_t now = hal_clock_ns();
	unsigned int queued;

	spin_lock(&rq->lock);
	if (rq->current && !rq->current->is_idle) {
		update_current(rq, now);
		if (rq->slice_end != 0 && now >= rq->slice_end) {
			/*
			 * Either way the slice deadline moves out of the past,
			 * or the re-armed timer would fire again at once.
			 */
			if (rq->queued > 0) {
				WRITE_ONCE(rq->need_resched, true);
				rq->slice_end = 0;
			} else {
				rq->slice_end = now + slice_length(rq);
			}
		}
	}
	queued = rq->queued;
	spin_unlock(&rq->lock);
	sched_loadavg_tick(now);
	if (queued > 0)
		kick_idle_cpu();
}

void sched_account_user(bool entering)
{
	irq_flags_t flags = hal_irq_save();
	struct runqueue *rq = this_rq();

	spin_lock(&rq->lock);
	update_current(rq, hal_clock_ns());
	rq->current->in_user = entering;
	spin_unlock(&rq->lock);
	hal_irq_restore(flags);
}

unsigned int sched_nr_running(void)
{
	cpumask_t online = sched_online_mask();
	unsigned int count = 0;

	for (unsigned int cpu = 0; cpu < HAL_MAX_CPUS; cpu++) {
		if (online & CPUMASK_OF(cpu))
			count += load_of(cpu);
	}
	return count;
}

__noreturn void sched_exit_current(void)
{
	set_current_state(THREAD_DEAD);
	schedule();
	panic("a dead thread was scheduled again");
}

/* A queued thread of `rq` that may run on `cpu`, or NULL. Lock held. */
static struct thread *find_migratable(struct runqueue *rq, unsigned int cpu)
{
	for (struct rb_node *node = rb_last(&rq->tree); node;
	     node = rb_prev(node)) {
		struct thread *thread = rb_entry(node, struct thread, rq_node);

		if (allowed_cpus(thread) & CPUMASK_OF(cpu))
			return thread;
	}
	return NULL;
}

/* Moves one thread from `source` to this CPU's queue. Interrupts off. */
static bool pull_from(struct runqueue *source, unsigned int cpu)
{
	struct runqueue *rq = &runqueues[cpu];
	struct thread *thread;
	bool moved = false;

	spin_lock(&source->lock);
	thread = find_migratable(source, cpu);
	if (thread && spin_trylock(&rq->lock)) {
		dequeue(source, thread);
		thread->vruntime = thread->vruntime - source->min_vruntime +
				   rq->min_vruntime;
		WRITE_ONCE(thread->cpu, cpu);
		enqueue(rq, thread);
		rq->stats.migrations++;
		spin_unlock(&rq->lock);
		moved = true;
	}
	spin_unlock(&source->lock);
	return moved;
}

/*
 * An idle CPU takes a waiting thread from the busiest other CPU. A CPU
 * that is itself idle is about to run what it has queued: leave it alone.
 */
static bool pull_work(unsigned int cpu)
{
	cpumask_t online = sched_online_mask();
	unsigned int busiest = cpu, most = 0;

	for (unsigned int other = 0; other < HAL_MAX_CPUS; other++) {
		struct runqueue *rq = &runqueues[other];
		unsigned int queued = READ_ONCE(rq->queued);

		if (other == cpu || !(online & CPUMASK_OF(other)) ||
		    READ_ONCE(rq->current) == rq->idle)
			continue;
		if (queued > most) {
			busiest = other;
			most = queued;
		}
	}
	return most > 0 && pull_from(&runqueues[busiest], cpu);
}

/*
 * Before halting, an idle CPU polls its queue for a while, so a wake-up
 * that comes soon (a lock hand-off, a reply) costs no round trip through a
 * halted CPU (hosted: a host futex wake; QEMU: waking a vCPU), as Linux's
 * haltpoll governor does for guests. Interrupts are on meanwhile, so timers
 * and IPIs are taken. Returns whether work arrived.
 */
static bool idle_poll(struct runqueue *rq)
{
	uint64_t start = hal_clock_ns(), end = start + rq->poll_ns, now;
	unsigned int spins = 0;

	hal_irq_enable();
	while (READ_ONCE(rq->queued) == 0 && rq->poll_ns > 0 &&
	       ++spins < IDLE_POLL_MAX_SPINS) {
		/* A clock that stands still (virtual time) never ends a poll. */
		if (spins % 16 == 0 &&
		    ((now = hal_clock_ns()) >= end || now == start))
			break;
		arch_cpu_relax();
		hal_irq_restore(hal_irq_save());
	}
	hal_irq_disable();
	return READ_ONCE(rq->queued) > 0;
}

/*
 * Adapts the poll window to how long the CPU stayed idle: a wake-up that
 * came just after the window widens it (up to IDLE_POLL_MAX_NS); a long
 * sleep narrows it, down to no polling at all.
 */
static void idle_poll_adapt(struct runqueue *rq, uint64_t idle_ns)
{
	if (idle_ns <= IDLE_POLL_MAX_NS) {
		rq->poll_ns = rq->poll_ns < IDLE_POLL_MIN_NS
				      ? IDLE_POLL_MIN_NS
				      : MIN(rq->poll_ns * 2, IDLE_POLL_MAX_NS);
	} else if (idle_ns > 4 * IDLE_POLL_MAX_NS) {
		rq->poll_ns /= 2;
		if (rq->poll_ns < IDLE_POLL_MIN_NS)
			rq->poll_ns = 0;
	}
}

/* Idles this CPU until there may be work. Interrupts off. */
static void idle_wait(struct runqueue *rq)
{
	uint64_t start = hal_clock_ns(), idle_ns;

	WRITE_ONCE(rq->idle_since, start);
	if (!idle_poll(rq) && READ_ONCE(rq->queued) == 0) {
		timer_reprogram();
		hal_idle_until(0);
		idle_poll_adapt(rq, hal_clock_ns() - start);
	}
	idle_ns = hal_clock_ns() - start;
	WRITE_ONCE(rq->idle_since, 0);
	WRITE_ONCE(rq->stats.idle_ns, rq->stats.idle_ns + idle_ns);
}

__noreturn void sched_idle_loop(void)
{
	for (;;) {
		unsigned int cpu;
		struct runqueue *rq;

		hal_irq_disable();
		cpu = hal_cpu_id();
		rq = &runqueues[cpu];
		if (READ_ONCE(rq->queued) == 0 && !pull_work(cpu))
			idle_wait(rq);
		hal_irq_enable();
		if (READ_ONCE(rq->queued) > 0)
			schedule();
	}
}

static void reschedule_interrupt(unsigned int vector, void *arg)
{
	(void)vector;
	(void)arg;
	/* need_resched was set by the sender; waking the CPU was the point. */
}

/* Makes the calling context the running thread of this CPU's run queue. */
static void adopt_current(struct runqueue *rq, struct thread *thread)
{
	unsigned int cpu = hal_cpu_id();

	spin_init(&rq->lock, "runqueue", LOCK_RANK_RUNQUEUE);
	rq->tree = (struct rb_root)RB_ROOT_INIT;
	WRITE_ONCE(thread->cpu, cpu);
	WRITE_ONCE(thread->on_cpu, true);
	thread->state = THREAD_RUNNABLE;
	rq->exec_start = hal_clock_ns();
	WRITE_ONCE(rq->current, thread);
	rq->stats.online = true;
	__atomic_fetch_or(&online_mask, CPUMASK_OF(cpu), __ATOMIC_RELEASE);
}

void sched_init(void)
{
	struct runqueue *rq = this_rq();
	struct thread *boot, *idle;

	init_nice_weights();
	boot = thread_adopt_boot_context("kmain", false);
	irq_register(HAL_VECTOR_IPI_RESCHEDULE, reschedule_interrupt, NULL);
	BUG_ON(boot == NULL);
	adopt_current(rq, boot);
	idle = thread_create_idle(hal_cpu_id());
	BUG_ON(IS_ERR(idle));
	rq->idle = idle;
	timer_init_cpu();
}

__noreturn void sched_run_ap(unsigned int cpu)
{
	struct runqueue *rq = &runqueues[cpu];
	struct thread *idle = thread_adopt_boot_context("idle", true);

	BUG_ON(idle == NULL);
	rq->idle = idle;
	adopt_current(rq, idle);
	timer_init_cpu();
	sched_idle_loop();
}

unsigned int sched_start_cpus(unsigned int count)
{
	for (unsigned int cpu = 1; cpu < count && cpu < HAL_MAX_CPUS; cpu++) {
		uint64_t deadline;
		unsigned int spins = 0;
		int err = hal_cpu_start(cpu);

		if (err < 0) {
			pr_warn("sched: CPU %u did not start (error %d)", cpu, err);
			continue;
		}
		deadline = hal_clock_ns() + 2000000000ULL;
		while (!(sched_online_mask() & CPUMASK_OF(cpu)) &&
		       hal_clock_ns() < deadline)
			spin_relax(&spins);
		if (!(sched_online_mask() & CPUMASK_OF(cpu)))
			pr_warn("sched: CPU %u started but never came online", cpu);
	}
	return sched_online_count();
}

void sched_affinity_changed(struct thread *thread)
{
	irq_flags_t flags;
	struct runqueue *rq = lock_thread_rq(thread, &flags);
	bool move = thread->on_rq &&
		    !(allowed_cpus(thread) & CPUMASK_OF(thread->cpu));

	if (move)
		dequeue(rq, thread);
	else if (thread->on_cpu &&
		 !(allowed_cpus(thread) & CPUMASK_OF(thread->cpu)))
		WRITE_ONCE(rq->need_resched, true);
	spin_unlock_irqrestore(&rq->lock, flags);
	if (move)
		place_runnable(thread);
	else
		kick_idle_cpu(); /* it may now run where it could not before */
}

void sched_set_nice(struct thread *thread, int nice)
{
	irq_flags_t flags;
	struct runqueue *rq = lock_thread_rq(thread, &flags);

	if (rq->current == thread)
		update_current(rq, hal_clock_ns());
	WRITE_ONCE(thread->nice, nice);
	thread->weight = sched_nice_weight(nice);
	spin_unlock_irqrestore(&rq->lock, flags);
}

void sched_get_cpu_stats(unsigned int cpu, struct sched_cpu_stats *stats)
{
	struct runqueue *rq = &runqueues[cpu % HAL_MAX_CPUS];
	uint64_t idle_since;
	irq_flags_t flags;

	if (!(sched_online_mask() & CPUMASK_OF(cpu % HAL_MAX_CPUS))) {
		*stats = (struct sched_cpu_stats){ 0 };
		return;
	}
	flags = spin_lock_irqsave(&rq->lock);
	stats->context_switches = rq->stats.context_switches;
	stats->wakeups = rq->stats.wakeups;
	stats->migrations = rq->stats.migrations;
	stats->online = rq->stats.online;
	stats->queued = rq->queued;
	stats->user_ns = rq->stats.user_ns;
	stats->system_ns = rq->stats.system_ns;
	spin_unlock_irqrestore(&rq->lock, flags);
	/* The owner updates idle time locklessly; include the idle period going on now. */
	stats->idle_ns = READ_ONCE(rq->stats.idle_ns);
	idle_since = READ_ONCE(rq->idle_since);
	if (idle_since != 0)
		stats->idle_ns += hal_clock_ns() - idle_since;
}

void sched_trace_start(char *buffer, size_t size)
{
	irq_flags_t flags = spin_lock_irqsave(&trace_lock);

	trace_length = 0;
	trace_size = size;
	if (size > 0)
		buffer[0] = '\0';
	WRITE_ONCE(trace_buffer, size > 0 ? buffer : NULL);
	spin_unlock_irqrestore(&trace_lock, flags);
}

size_t sched_trace_stop(void)
{
	irq_flags_t flags = spin_lock_irqsave(&trace_lock);
	size_t length = trace_length;

	WRITE_ONCE(trace_buffer, NULL);
	spin_unlock_irqrestore(&trace_lock, flags);
	return length;
}
