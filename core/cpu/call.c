/*
 * Cross-CPU calls. Each CPU has a queue of pending requests; a caller
 * links a request (on its own stack: it waits) into the target's queue,
 * raises HAL_VECTOR_IPI_CALL there, and spins until the target marks it
 * done. queues[cpu].lock (irqsave) protects queues[cpu].pending; `done` is
 * an atomic flag written by the target.
 */
#include "core/cpu/call.h"

#include "core/arch/x86_64/cpu.h"
#include "core/cpu/irq.h"
#include "core/hal/cpu.h"
#include "core/include/uapi/errno.h"
#include "core/lib/list.h"
#include "core/sched/sched.h"
#include "core/sync/spinlock.h"

struct call_request {
	struct list_head link;
	void (*fn)(void *arg);
	void *arg;
	bool done;		/* atomic: set by the target when fn returned */
};

struct call_queue {
	struct spinlock lock;
	struct list_head pending;	/* under lock */
	uint64_t served;		/* atomic */
};

static struct call_queue queues[HAL_MAX_CPUS];

/* Runs every request queued for this CPU. Interrupts disabled. */
static void serve_calls(void)
{
	struct call_queue *queue = &queues[hal_cpu_id()];
	struct list_head batch;

	spin_lock(&queue->lock);
	list_init(&batch);
	while (!list_is_empty(&queue->pending)) {
		struct list_head *node = queue->pending.next;

		list_remove(node);
		list_add_tail(node, &batch);
	}
	spin_unlock(&queue->lock);
	while (!list_is_empty(&batch)) {
		struct call_request *request =
			list_first_entry(&batch, struct call_request, link);

		list_remove(&request->link);
		request->fn(request->arg);
		__atomic_fetch_add(&queue->served, 1, __ATOMIC_RELAXED);
		__atomic_store_n(&request->done, true, __ATOMIC_RELEASE);
	}
}

static void call_interrupt(unsigned int vector, void *arg)
{
	(void)vector, (void)arg;
	serve_calls();
}

int cpu_call_init(void)
{
	for (unsigned int cpu = 0; cpu < HAL_MAX_CPUS; cpu++) {
		spin_init(&queues[cpu].lock, "cpu-call", LOCK_RANK_CPU_CALL);
		list_init(&queues[cpu].pending);
	}
	return irq_register(HAL_VECTOR_IPI_CALL, call_interrupt, NULL);
}

static bool is_online(unsigned int cpu)
{
	return cpu < HAL_MAX_CPUS && (sched_online_mask() & CPUMASK_OF(cpu));
}

/* Queues `request` on `cpu` and raises the call vector there. */
static void post(unsigned int cpu, struct call_request *request)
{
	irq_flags_t flags = spin_lock_irqsave(&queues[cpu].lock);

	list_add_tail(&request->link, &queues[cpu].pending);
	spin_unlock_irqrestore(&queues[cpu].lock, flags);
	hal_ipi(cpu, HAL_VECTOR_IPI_CALL);
}

/* Waits for `request`, serving calls to this CPU meanwhile. */
static void wait_done(struct call_request *request)
{
	unsigned int spins = 0;

	while (!__atomic_load_n(&request->done, __ATOMIC_ACQUIRE)) {
		irq_flags_t flags = hal_irq_save();

		serve_calls();
		hal_irq_restore(flags);
		spin_relax(&spins);
	}
}

static void run_here(void (*fn)(void *arg), void *arg)
{
	irq_flags_t flags = hal_irq_save();

	fn(arg);
	__atomic_fetch_add(&queues[hal_cpu_id()].served, 1, __ATOMIC_RELAXED);
	hal_irq_restore(flags);
}

int cpu_call(unsigned int cpu, void (*fn)(void *arg), void *arg)
{
	struct call_request request = { .fn = fn, .arg = arg };

	if (!is_online(cpu))
		return -EINVAL;
	if (cpu == hal_cpu_id()) {
		run_here(fn, arg);
		return 0;
	}
	post(cpu, &request);
	wait_done(&request);
	return 0;
}

unsigned int cpu_call_all(void (*fn)(void *arg), void *arg)
{
	struct call_request requests[HAL_MAX_CPUS];
	unsigned int self = hal_cpu_id(), count = 1;

	for (unsigned int cpu = 0; cpu < HAL_MAX_CPUS; cpu++) {
		bool target = cpu != self && is_online(cpu);

		/* A request nobody serves counts as done from the start. */
		requests[cpu] = (struct call_request){
			.fn = fn, .arg = arg, .done = !target };
		if (target) {
			post(cpu, &requests[cpu]);
			count++;
		}
	}
	run_here(fn, arg);
	for (unsigned int cpu = 0; cpu < HAL_MAX_CPUS; cpu++)
		wait_done(&requests[cpu]);
	return count;
}

uint64_t cpu_call_count(unsigned int cpu)
{
	return cpu < HAL_MAX_CPUS ?
		       __atomic_load_n(&queues[cpu].served, __ATOMIC_RELAXED) : 0;
}
