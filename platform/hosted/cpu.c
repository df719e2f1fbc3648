/*
 * Hosted CPUs: each simulated CPU is a host thread with its own thread-
 * local state (index, interrupt-enable flag, per-CPU pointer, stack
 * bounds). Until the scheduler issue adds the simulated interrupt
 * controller, only CPU 0 (the main thread) runs and nothing is ever
 * pending, so the interrupt flag is pure state.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "core/hal/cpu.h"
#include "core/hal/debug.h"
#include "hosted.h"

struct hosted_cpu {
	unsigned int id;
	bool irq_enabled;
	void *local;
	uintptr_t stack_low;
	uintptr_t stack_high;
};

static _Thread_local struct hosted_cpu this_cpu;

void hosted_cpu_thread_init(unsigned int cpu)
{
	pthread_attr_t attr;
	void *stack;
	size_t size;

	this_cpu = (struct hosted_cpu){ .id = cpu };
	if (pthread_getattr_np(pthread_self(), &attr) == 0) {
		if (pthread_attr_getstack(&attr, &stack, &size) == 0) {
			this_cpu.stack_low = (uintptr_t)stack;
			this_cpu.stack_high = (uintptr_t)stack + size;
		}
		pthread_attr_destroy(&attr);
	}
}

unsigned int hal_cpu_id(void)
{
	return this_cpu.id;
}

void *hal_cpu_local(void)
{
	return this_cpu.local;
}

void hal_cpu_local_set(void *area)
{
	this_cpu.local = area;
}

irq_flags_t hal_irq_save(void)
{
	irq_flags_t previous = this_cpu.irq_enabled;

	this_cpu.irq_enabled = false;
	return previous;
}

void hal_irq_restore(irq_flags_t flags)
{
	this_cpu.irq_enabled = flags != 0;
}

void hal_irq_enable(void)
{
	this_cpu.irq_enabled = true;
}

void hal_irq_disable(void)
{
	this_cpu.irq_enabled = false;
}

bool hal_irq_enabled(void)
{
	return this_cpu.irq_enabled;
}

void hal_stack_bounds(uintptr_t *low, uintptr_t *high)
{
	*low = this_cpu.stack_low;
	*high = this_cpu.stack_high;
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
