/*
 * Hosted CPUs. Each simulated CPU is a host thread; CPU 0 is the main
 * thread. A CPU's interrupt controller is a 256-bit pending set that any
 * thread may raise bits in (hal_ipi); the owning CPU delivers pending
 * vectors, highest first, by calling kinterrupt() whenever it (re-)enables
 * interrupts, and when it idles. The one-shot timer is a per-CPU deadline
 * checked at the same points. So interrupts arrive exactly where the core
 * could take them on real hardware with its kernel non-preemptive.
 *
 * Locking: `pending` and `timer_deadline` are atomics; `lock`/`wake` only
 * order an idle CPU's sleep against an IPI that wakes it. Everything else in
 * struct hosted_cpu belongs to the CPU's own thread.
 *
 * A kernel thread may resume on another host thread after a context switch,
 * so every function here looks up this_cpu afresh and no pointer to
 * thread-local data survives a switch.
 */
#include <cpuid.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/hal/cpu.h"
#include "core/hal/debug.h"
#include "core/hal/time.h"
#include "hosted.h"

#define VECTORS 256
#define PENDING_WORDS (VECTORS / 64)

struct hosted_cpu {
	unsigned int id;
	bool exists;		/* within --cpus */
	bool started;
	bool irq_enabled;
	bool in_interrupt;
	void *local;
	uintptr_t stack_low;	/* the running context's stack */
	uintptr_t stack_high;
	uint64_t pending[PENDING_WORDS];	/* atomic */
	uint64_t timer_deadline;		/* atomic; 0 = not armed */
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_t thread;
};

static struct hosted_cpu cpus[HAL_MAX_CPUS];
static unsigned int cpu_count = 1;
static _Thread_local struct hosted_cpu *this_cpu;

static struct hosted_cpu *current_cpu(void)
{
	/* Unit tests run on threads nobody initialised: treat them as CPU 0. */
	return this_cpu ? this_cpu : &cpus[0];
}

void hosted_cpus_init(unsigned int count)
{
	pthread_condattr_t attr;

	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	cpu_count = count;
	for (unsigned int i = 0; i < HAL_MAX_CPUS; i++) {
		cpus[i].id = i;
		cpus[i].exists = i < count;
		pthread_mutex_init(&cpus[i].lock, NULL);
		pthread_cond_init(&cpus[i].wake, &attr);
	}
	pthread_condattr_destroy(&attr);
	cpus[0].started = true;
}

unsigned int hosted_cpu_count(void)
{
	return cpu_count;
}

void hosted_cpu_thread_init(unsigned int cpu)
{
	pthread_attr_t attr;
	void *stack;
	size_t size;

	this_cpu = &cpus[cpu];
	this_cpu->irq_enabled = false;
	if (pthread_getattr_np(pthread_self(), &attr) == 0) {
		if (pthread_attr_getstack(&attr, &stack, &size) == 0) {
			this_cpu->stack_low = (uintptr_t)stack;
			this_cpu->stack_high = (uintptr_t)stack + size;
		}
		pthread_attr_destroy(&attr);
	}
}

void hosted_cpu_set_stack(uintptr_t low, uintptr_t high)
{
	struct hosted_cpu *cpu = current_cpu();

	cpu->stack_low = low;
	cpu->stack_high = high;
}

unsigned int hal_cpu_id(void)
{
	return current_cpu()->id;
}

void *hal_cpu_local(void)
{
	return current_cpu()->local;
}

void hal_cpu_local_set(void *area)
{
	current_cpu()->local = area;
}

static bool has_pending(struct hosted_cpu *cpu)
{
	for (int i = 0; i < PENDING_WORDS; i++)
		if (__atomic_load_n(&cpu->pending[i], __ATOMIC_ACQUIRE))
			return true;
	return false;
}

static void raise_vector(struct hosted_cpu *cpu, unsigned int vector)
{
	__atomic_fetch_or(&cpu->pending[vector / 64], 1ULL << (vector % 64),
			  __ATOMIC_RELEASE);
}

/* Claims the highest pending vector; -1 if none. */
static int take_pending(struct hosted_cpu *cpu)
{
	for (int i = PENDING_WORDS - 1; i >= 0; i--) {
		uint64_t word = __atomic_load_n(&cpu->pending[i], __ATOMIC_ACQUIRE);

		while (word) {
			int bit = 63 - __builtin_clzll(word);
			uint64_t mask = 1ULL << bit;

			if (__atomic_fetch_and(&cpu->pending[i], ~mask,
					       __ATOMIC_ACQ_REL) & mask)
				return i * 64 + bit;
			word = __atomic_load_n(&cpu->pending[i], __ATOMIC_ACQUIRE);
		}
	}
	return -1;
}

/* The highest pending vector, left pending; -1 if none. */
static int highest_pending(struct hosted_cpu *cpu)
{
	for (int i = PENDING_WORDS - 1; i >= 0; i--) {
		uint64_t word = __atomic_load_n(&cpu->pending[i], __ATOMIC_ACQUIRE);

		if (word)
			return i * 64 + 63 - __builtin_clzll(word);
	}
	return -1;
}

/* Raises the timer vector if this CPU's deadline has passed. */
static void check_timer(struct hosted_cpu *cpu)
{
	uint64_t deadline = __atomic_load_n(&cpu->timer_deadline, __ATOMIC_RELAXED);

	if (deadline != 0 && hal_clock_ns() >= deadline) {
		__atomic_store_n(&cpu->timer_deadline, 0, __ATOMIC_RELAXED);
		raise_vector(cpu, HAL_VECTOR_TIMER);
	}
}

/*
 * Delivers everything pending, as the hardware would with interrupts on.
 * Handlers run with interrupts off; a handler's own restore does not nest.
 */
static void deliver_pending(void)
{
	struct hosted_cpu *cpu = current_cpu();
	int vector;

	if (cpu->in_interrupt)
		return;
	check_timer(cpu);
	while ((vector = take_pending(cpu)) >= 0) {
		cpu->irq_enabled = false;
		cpu->in_interrupt = true;
		kinterrupt((unsigned int)vector);
		cpu = current_cpu();
		cpu->in_interrupt = false;
		cpu->irq_enabled = true;
		check_timer(cpu);
	}
}

irq_flags_t hal_irq_save(void)
{
	struct hosted_cpu *cpu = current_cpu();
	irq_flags_t previous = cpu->irq_enabled;

	cpu->irq_enabled = false;
	return previous;
}

void hal_irq_restore(irq_flags_t flags)
{
	if (flags)
		hal_irq_enable();
	else
		current_cpu()->irq_enabled = false;
}

void hal_irq_enable(void)
{
	current_cpu()->irq_enabled = true;
	deliver_pending();
}

void hal_irq_disable(void)
{
	current_cpu()->irq_enabled = false;
}

bool hal_irq_enabled(void)
{
	return current_cpu()->irq_enabled;
}

void hal_ipi(unsigned int cpu, unsigned int vector)
{
	struct hosted_cpu *target;

	if (cpu >= cpu_count || vector >= VECTORS)
		return;
	target = &cpus[cpu];
	raise_vector(target, vector);
	pthread_mutex_lock(&target->lock);
	pthread_cond_signal(&target->wake);
	pthread_mutex_unlock(&target->lock);
}

void hal_timer_arm(uint64_t deadline_ns)
{
	__atomic_store_n(&current_cpu()->timer_deadline, deadline_ns,
			 __ATOMIC_RELAXED);
}

static uint64_t earliest(uint64_t a, uint64_t b)
{
	if (a == 0)
		return b;
	if (b == 0)
		return a;
	return a < b ? a : b;
}

/* Sleeps until an IPI or the monotonic time `wake` (0: no limit). */
static void wait_for_event(struct hosted_cpu *cpu, uint64_t wake)
{
	struct timespec until;
	uint64_t absolute;

	pthread_mutex_lock(&cpu->lock);
	if (!has_pending(cpu)) {
		if (wake == 0) {
			pthread_cond_wait(&cpu->wake, &cpu->lock);
		} else {
			absolute = hosted_clock_to_host_ns(wake);
			until.tv_sec = (time_t)(absolute / 1000000000ULL);
			until.tv_nsec = (long)(absolute % 1000000000ULL);
			pthread_cond_timedwait(&cpu->wake, &cpu->lock, &until);
		}
	}
	pthread_mutex_unlock(&cpu->lock);
}

void hal_idle_until(uint64_t deadline_ns)
{
	struct hosted_cpu *cpu = current_cpu();

	for (;;) {
		uint64_t wake = earliest(deadline_ns,
					 __atomic_load_n(&cpu->timer_deadline,
							 __ATOMIC_RELAXED));

		check_timer(cpu);
		if (has_pending(cpu) ||
		    (deadline_ns != 0 && hal_clock_ns() >= deadline_ns))
			break;
		if (hosted_clock_is_virtual() && wake != 0)
			hosted_clock_advance_to(wake);
		else
			wait_for_event(cpu, wake);
	}
	cpu->irq_enabled = true;
	deliver_pending();
	current_cpu()->irq_enabled = false;
}

/*
 * Sleeps until *done (atomic) or, when `interruptible`, until an interrupt
 * is due. Under the CPU's lock, so hosted_cpu_wake and hal_ipi cannot be
 * missed between the checks and the sleep. In virtual-clock mode the
 * clock jumps to the timer deadline once the host time for it has come.
 */
bool hosted_cpu_wait_user(const bool *done, bool interruptible)
{
	struct hosted_cpu *cpu = current_cpu();
	bool finished;

	pthread_mutex_lock(&cpu->lock);
	for (;;) {
		uint64_t deadline = 0;

		finished = __atomic_load_n(done, __ATOMIC_ACQUIRE);
		if (finished)
			break;
		if (interruptible) {
			check_timer(cpu);
			if (has_pending(cpu))
				break;
			deadline = __atomic_load_n(&cpu->timer_deadline,
						   __ATOMIC_RELAXED);
		}
		if (deadline == 0) {
			pthread_cond_wait(&cpu->wake, &cpu->lock);
			continue;
		}
		uint64_t absolute = hosted_clock_to_host_ns(deadline);
		struct timespec until = {
			.tv_sec = (time_t)(absolute / 1000000000ULL),
			.tv_nsec = (long)(absolute % 1000000000ULL),
		};

		if (pthread_cond_timedwait(&cpu->wake, &cpu->lock, &until) ==
			    ETIMEDOUT &&
		    hosted_clock_is_virtual())
			hosted_clock_advance_to(deadline);
	}
	pthread_mutex_unlock(&cpu->lock);
	return finished;
}

void hosted_cpu_wake(unsigned int cpu)
{
	struct hosted_cpu *target = &cpus[cpu < HAL_MAX_CPUS ? cpu : 0];

	pthread_mutex_lock(&target->lock);
	pthread_cond_broadcast(&target->wake);
	pthread_mutex_unlock(&target->lock);
}

int hosted_cpu_take_interrupts(void)
{
	struct hosted_cpu *cpu = current_cpu();
	int first;

	check_timer(cpu);
	first = highest_pending(cpu);
	if (cpu->irq_enabled)
		deliver_pending();
	return first;
}

static void *secondary_main(void *arg)
{
	unsigned int id = (unsigned int)(uintptr_t)arg;

	hosted_cpu_thread_init(id);
	kmain_ap(id);
}

int hal_cpu_start(unsigned int cpu)
{
	pthread_attr_t attr;
	int err;

	if (cpu == 0 || cpu >= cpu_count)
		return -EINVAL;
	if (cpus[cpu].started)
		return -EBUSY;
	cpus[cpu].started = true;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	err = pthread_create(&cpus[cpu].thread, &attr, secondary_main,
			     (void *)(uintptr_t)cpu);
	pthread_attr_destroy(&attr);
	if (err != 0) {
		cpus[cpu].started = false;
		return -EIO;
	}
	return 0;
}

void hal_stack_bounds(uintptr_t *low, uintptr_t *high)
{
	struct hosted_cpu *cpu = current_cpu();

	*low = cpu->stack_low;
	*high = cpu->stack_high;
}

__noreturn void hal_poweroff(int status)
{
	fflush(stdout);
	exit(status);
}

__noreturn void hal_halt_all(void)
{
	fflush(stdout);
	abort();
}

void hal_cpu_spin_yield(void)
{
	sched_yield();
}

/* User programs run on this host's CPU: its own CPUID leaf 1. */
uint64_t hal_cpu_hwcap(void)
{
	unsigned int eax, ebx, ecx, edx;

	if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx))
		return 0;
	return edx;
}
