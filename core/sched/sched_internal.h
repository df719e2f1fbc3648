/*
 * Declarations shared inside core/sched between the run queues (sched.c),
 * threads (thread.c) and timers (timer.c).
 */
#pragma once

#include "core/sched/sched.h"

/* Places a runnable thread that is on no run queue onto a suitable CPU. */
void sched_enqueue_new(struct thread *thread);

/*
 * The first thing a newly switched-in context does: completes the switch
 * that the previous thread began (releases the run queue lock it left held,
 * drops a dead thread's last reference). Interrupts stay disabled.
 */
void sched_finish_switch(void);

/* Changes a thread's nice level and weight under its run queue lock. */
void sched_set_nice(struct thread *thread, int nice);

/* Re-places a runnable thread after its affinity changed. */
void sched_affinity_changed(struct thread *thread);

/* Called by thread_exit: marks the current thread dead and switches away. */
__noreturn void sched_exit_current(void);

/* The idle loop of this CPU's idle thread. */
__noreturn void sched_idle_loop(void);

/*
 * A thread structure for a context that is already running (a CPU's boot
 * stack): "kmain" on the boot CPU, the idle thread on the others. NULL when
 * out of memory.
 */
struct thread *thread_adopt_boot_context(const char *name, bool is_idle);

/* Creates the idle thread of `cpu` with its own stack. */
struct thread *thread_create_idle(unsigned int cpu);

/* Weight of a nice level (1024 at nice 0, about 1.25x per step). */
uint32_t sched_nice_weight(int nice);

/* Programs this CPU's one-shot timer for its next event (timer.c). */
void timer_reprogram(void);

/* Sets up this CPU's timer tree and the timer interrupt (timer.c). */
void timer_init_cpu(void);
