/*
 * Internal interface of the hosted ptrace runner, shared by user_ptrace.c
 * (the child processes, their tracer threads and hosted_ptrace_run) and
 * user_maps.c (the children's memory windows, the registry of children by
 * address space, and hal_tlb_flush). See docs/hosted-user.md.
 */
#pragma once

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/hal/user.h"
#include "stub/stub_abi.h"

struct address_space;

#define RUNNER_STALE_MAX 8

/* The signal that stops a running child for an interrupt or a flush. */
#define RUNNER_KICK_SIGNAL SIGUSR1

enum runner_request {
	RUNNER_NONE,
	RUNNER_START,		/* create the child (the tracer's first job) */
	RUNNER_BATCH,		/* apply `batch` */
	RUNNER_RUN,		/* apply `batch`, then run the user code */
	RUNNER_EXIT,		/* kill and reap the child, end the tracer */
};

enum runner_result {
	RUNNER_TRAPPED = 1,	/* `trap` is filled */
	RUNNER_RETRY,		/* mappings went stale: sync, then run again */
};

struct runner_range {
	uint64_t start;
	uint64_t end;
};

/*
 * One user thread's host child and the host thread that traces it
 * (ptrace binds a child to one thread, so every CPU thread that runs
 * this user thread hands its requests to the tracer).
 */
/* Bytes of an XSAVE image the runner keeps (AMX needs 11 KiB). */
#define RUNNER_XSTATE_MAX 16384

struct runner {
	/*
	 * Protected by the registry lock (user_maps.c); `as` is written only
	 * by the runner's own user thread, which also reads it unlocked:
	 */
	struct runner *hash_next;
	struct address_space *as;	/* whose windows the child holds */
	bool stale_all;
	unsigned int stale_count;
	struct runner_range stale[RUNNER_STALE_MAX];

	/* Atomics shared by the CPU thread, the tracer and flushers: */
	uint64_t stale_generation;	/* bumped by every flush */
	bool in_user;		/* the child may be touching user memory */
	bool interrupt_kick;	/* the CPU thread stopped the child */
	bool done;		/* the tracer finished the request */

	/*
	 * The request hand-off: `request` (an enum runner_request) is
	 * atomic; `lock` and `posted` only order a sleeping tracer's wait
	 * against the post that wakes it.
	 */
	pthread_mutex_t lock;
	pthread_cond_t posted;
	int request;
	bool tracer_sleeping;	/* atomic */
	unsigned int cpu;	/* the CPU thread to wake when done */

	/*
	 * Owned by the CPU thread between requests and by the tracer while
	 * one is posted (the hand-off orders the accesses):
	 */
	struct user_regs regs;
	struct user_fpu fpu;
	uint64_t batch_generation;	/* stale_generation the batch reflects */
	unsigned int batch_count;
	struct stub_command batch[STUB_BATCH_MAX];
	enum runner_result result;
	struct trap trap;
	int error;		/* the request's -errno, or 0 */

	/*
	 * Kicks name the child by pid (Valgrind 3.19, Debian 12's, has no
	 * pidfd calls): the tracer sets kick_pid at RUNNER_START and clears
	 * it before it reaps the child, so a kick never reaches a reaped pid.
	 * Taken inside the registry lock (user_maps.c).
	 */
	pthread_mutex_t kick_lock;
	pid_t kick_pid;		/* protected by kick_lock; -1: none */

	/* The tracer thread's own: */
	pthread_t thread;
	pid_t pid;		/* -1 once reaped */
	struct user_regs stub_regs;	/* at the stub's hello stop */
	uint64_t stub_commands;		/* addresses in the child */
	uint64_t stub_batch_entry;
	uint64_t stub_stack_top;
	struct user_fpu reset_fpu;	/* a fresh process's FPU state */
	struct user_fpu child_fpu;	/* what the child's FPU holds */
	bool child_fpu_known;
	/* The full XSAVE image across a fault's signal handler (AVX state). */
	unsigned char xstate[RUNNER_XSTATE_MAX] __attribute__((aligned(64)));
};

/*
 * hal_user_run and hal_user_release for real programs (user.c picks them
 * or the scripted runner); their contract is core/hal/user.h's.
 */
int hosted_ptrace_run(struct user_ctx *ctx, struct trap *trap);
void hosted_ptrace_release(struct user_ctx *ctx);

/* user_ptrace.c: stops the running child (RUNNER_KICK_SIGNAL). Any thread. */
void hosted_runner_kick(struct runner *runner);

/* user_ptrace.c: posts a request and waits for it. */
int hosted_runner_call(struct runner *runner, enum runner_request request,
		bool interruptible);

/* user_maps.c */
void hosted_runner_attach(struct runner *runner, struct address_space *as);
void hosted_runner_detach(struct runner *runner);
void hosted_runner_mark_stale(struct runner *runner, uint64_t start, uint64_t end);
int hosted_runner_sync(struct runner *runner);
void hosted_user_flush(struct address_space *as, uint64_t va, uint64_t length);
