/*
 * Kernel threads. A thread is created stopped (so its affinity and nice
 * level can be set), started, and ends by returning from its entry function
 * or calling thread_exit(). thread_join() waits for it and collects the
 * exit code. Threads are reference counted: the creator holds one reference
 * (dropped by thread_join or thread_put) and the running thread one.
 */
#pragma once

#include "core/hal/cpu.h"
#include "core/lib/compiler.h"
#include "core/lib/list.h"
#include "core/lib/rbtree.h"
#include "core/lib/types.h"
#include "core/sched/wait.h"
#include "core/sync/lockcheck.h"

#define THREAD_NAME_MAX 16
#define KSTACK_ORDER 3				/* 32 KiB, the lowest page a guard */
#define KSTACK_SIZE (PAGE_SIZE << KSTACK_ORDER)
#define NICE_MIN (-20)
#define NICE_MAX 19

/* A set of CPUs, bit n = CPU n. */
typedef uint64_t cpumask_t;
#define CPUMASK_ALL (~(cpumask_t)0)
#define CPUMASK_OF(cpu) ((cpumask_t)1 << (cpu))

enum thread_state {
	THREAD_NEW,		/* created, not started */
	THREAD_RUNNABLE,	/* running or waiting for a CPU */
	THREAD_BLOCKED,		/* waiting for an event */
	THREAD_DEAD,		/* exited; kept until the last reference */
};

struct thread {
	/* Set at creation, then read-only: */
	uint64_t tid;
	char name[THREAD_NAME_MAX];
	int (*entry)(void *arg);
	void *arg;
	void *stack;		/* lowest address (guard page); NULL: boot stack */
	struct hal_context context;
	bool is_idle;
	void *task;		/* the user task it runs (core/proc), or NULL */

	/* Protected by the lock of run queue `cpu`: */
	enum thread_state state;
	unsigned int cpu;	/* the run queue it belongs to */
	bool on_cpu;		/* running, or still switching out */
	bool on_rq;		/* queued in the run queue's tree */
	struct rb_node rq_node;
	uint64_t vruntime;	/* weighted ns of CPU time */
	int nice;
	uint32_t weight;
	cpumask_t affinity;
	uint64_t runtime_ns;	/* CPU time received */
	uint64_t user_ns;	/* the part of it spent in user mode */
	bool in_user;		/* running user code (sched_account_user) */
	uint64_t switches;	/* times switched in */

	/* Exit status: written once before `done` completes. */
	int exit_code;
	struct completion done;

	int refcount;			/* atomic */
	struct list_head all_link;	/* the thread list, under threads_lock */
	struct lockcheck_state lockcheck;	/* the current thread's only */
};

/*
 * Creates a stopped thread that will run entry(arg); its return value is
 * the exit code. Returns the thread (one reference, the caller's), or
 * ERR_PTR(-ENOMEM). May sleep.
 */
struct thread *thread_create(const char *name, int (*entry)(void *arg),
			     void *arg);

/* Makes a new thread runnable. */
void thread_start(struct thread *thread);

/*
 * Restricts where the thread runs. Returns 0, or -EINVAL if the mask holds
 * no online CPU. A running thread moves at its next scheduling point.
 */
int thread_set_affinity(struct thread *thread, cpumask_t mask);

/* Sets the nice level, -20 (most CPU) to 19. Returns 0 or -EINVAL. */
int thread_set_nice(struct thread *thread, int nice);

/* Ends the calling thread with `code`. Never returns. */
__noreturn void thread_exit(int code);

/*
 * Waits until `thread` has exited, stores its exit code (if exit_code is
 * not NULL) and drops the caller's reference. Returns 0; -EDEADLK for a
 * thread joining itself and -EINVAL for a thread never started (nothing is
 * dropped then). May sleep.
 */
int thread_join(struct thread *thread, int *exit_code);

void thread_get(struct thread *thread);
void thread_put(struct thread *thread);

/* The thread running on this CPU; NULL before the scheduler starts. */
struct thread *thread_current(void);

/* Threads alive (created and not yet freed), for leak checks. */
unsigned long thread_count(void);
/* Threads other than the per-CPU idle ones (Linux's nr_threads). */
unsigned long thread_count_nonidle(void);
