/*
 * The scheduler: one run queue per CPU, ordered by weighted virtual
 * runtime (fair sharing with nice levels), wake-up placement on idle CPUs
 * with an IPI, idle CPUs pulling work from busy ones, and time slices that
 * end at the CPU's one-shot timer.
 *
 * The kernel itself is not preempted: a thread gives up the CPU when it
 * blocks, yields, or passes a preemption point (sched_preempt_point) after
 * its slice ended. User code (later) is preempted on every interrupt.
 */
#pragma once

#include "core/lib/types.h"
#include "core/sched/thread.h"

struct sched_cpu_stats {
	uint64_t context_switches;
	uint64_t idle_ns;		/* time spent in hal_idle_until */
	uint64_t user_ns;		/* threads ran user code */
	uint64_t system_ns;		/* threads ran in the kernel */
	uint64_t wakeups;		/* threads woken onto this CPU */
	uint64_t migrations;		/* threads pulled onto this CPU */
	unsigned int queued;		/* runnable threads waiting for it */
	bool online;
};

/*
 * Boot CPU: turns the running boot context into the thread "kmain", and
 * creates CPU 0's idle thread. Boot only, after kmem_init.
 */
void sched_init(void);

/*
 * Starts CPUs 1..count-1 (hal_cpu_start) and waits until each is online.
 * Returns how many CPUs are online.
 */
unsigned int sched_start_cpus(unsigned int count);

/* A secondary CPU's boot context becomes its idle thread; never returns. */
__noreturn void sched_run_ap(unsigned int cpu);

/*
 * Gives up the CPU: a runnable current thread is requeued, a blocked one
 * waits for sched_wake. Interrupts enabled, no spinlock held. May sleep.
 */
void schedule(void);

/*
 * Requeues the current thread by its virtual runtime: another runnable
 * thread runs first only if it has had less CPU time (the same thread
 * may go on; sleep to let every woken thread run). May sleep.
 */
void thread_yield(void);

/*
 * A preemption point for long kernel loops: takes pending interrupts and
 * switches away if this thread's slice is over. May sleep.
 */
void sched_preempt_point(void);

/*
 * Marks the current thread blocked (it sleeps at its next schedule()), or
 * runnable again. Used by wait queues and sleeping locks.
 */
void sched_set_blocked(void);
void sched_set_runnable(void);

/*
 * Wakes a blocked thread onto a suitable CPU. Returns true if it was
 * blocked. Any context.
 */
bool sched_wake(struct thread *thread);

/* Online CPUs. */
cpumask_t sched_online_mask(void);
unsigned int sched_online_count(void);

void sched_get_cpu_stats(unsigned int cpu, struct sched_cpu_stats *stats);

/*
 * Deterministic schedule tracing for tests: while on, each switch appends
 * "cpu:tid " to a buffer. sched_trace_stop returns the text length.
 */
void sched_trace_start(char *buffer, size_t size);
size_t sched_trace_stop(void);

/*
 * Accounting hook of the user-thread loop: the calling thread enters
 * (true) or leaves (false) user mode, so its CPU time and its CPU's are
 * split into user and system time (/proc/stat, /proc/PID/stat).
 */
void sched_account_user(bool entering);

/* Threads running or waiting for a CPU, over all CPUs (load average). */
unsigned int sched_nr_running(void);

/*
 * The load averages over 1, 5 and 15 minutes in fixed point (value /
 * SCHED_LOAD_FIXED), as Linux's avenrun: sampled every 5 s from the
 * scheduler tick (core/sched/loadavg.c).
 */
#define SCHED_LOAD_FIXED 2048
void sched_get_loadavg(unsigned long loads[3]);
/* For sched_tick: takes a sample when 5 s have passed. */
void sched_loadavg_tick(uint64_t now);

/* For the timer code: the end of the current slice on this CPU (0: none). */
uint64_t sched_slice_deadline(void);

/* For the timer interrupt: account the running thread, end slices. */
void sched_tick(void);
