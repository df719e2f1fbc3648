/*
 * Cross-CPU function calls: run a function on another CPU (or on every
 * online CPU) in interrupt context, raised with HAL_VECTOR_IPI_CALL, and
 * wait until it has run. For work that must happen on a given CPU: TLB or
 * cache maintenance, per-CPU state changes, tests. The function must be
 * short and must not sleep or take a lock the caller holds.
 */
#pragma once

#include "core/lib/types.h"

/*
 * Installs the HAL_VECTOR_IPI_CALL handler. Returns 0, or -EBUSY if the
 * vector is taken. Boot only, before any other CPU starts.
 */
int cpu_call_init(void);

/*
 * Runs fn(arg) on `cpu` and returns once it has returned there; on the
 * calling CPU it runs directly, with interrupts disabled. Returns 0, or
 * -EINVAL if `cpu` is not online. Any context but interrupt handlers;
 * interrupts may be disabled (the caller serves calls aimed at it while it
 * waits, so two CPUs calling each other cannot deadlock).
 */
int cpu_call(unsigned int cpu, void (*fn)(void *arg), void *arg);

/*
 * Runs fn(arg) on every online CPU, the caller's included, in parallel;
 * returns the number of CPUs it ran on once all have finished. Same
 * context rules as cpu_call.
 */
unsigned int cpu_call_all(void (*fn)(void *arg), void *arg);

/* Calls this CPU has run for others since boot (tests, statistics). */
uint64_t cpu_call_count(unsigned int cpu);
