/*
 * libFuzzer harness for the syscall layer: each input is a program
 * (program.h) of up to FUZZ_MAX_CALLS syscalls across up to
 * FUZZ_MAX_TASKS processes and threads, run by real tasks of the hosted
 * kernel (tasks.h: one CPU, the virtual clock, so an input always does
 * the same thing; every task reaped and the invariants checked after it).
 * Any failure prints the program's text form and aborts, which libFuzzer
 * records as a crash.
 *
 * State: `harness` below, used by the harness thread and the tasks'
 * kernel threads in turn (tasks.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/lib/errno_name.h"
#include "core/mm/uaccess.h"
#include "program.h"
#include "tasks.h"
#include "user_script.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Script steps (calls, signal handlers) an input may take in all. */
#define STEP_BUDGET 4000

enum { NR_RT_SIGRETURN = 15, NR_RT_SIGACTION = 13, NR_EXIT = 60,
       NR_EXIT_GROUP = 231 };

/*
 * Roles (tasks.h): 0..3 are program tasks (position: the call just made,
 * plus one), then a child the program has no task for, a signal handler.
 */
enum { ROLE_EXTRA = FUZZ_MAX_TASKS, ROLE_HANDLER };

static struct {
	struct fuzz_program program;
	int64_t results[FUZZ_MAX_CALLS];
	unsigned int steps;
	bool trace;	/* AMPHI_FUZZ_TRACE set: each result to stderr */
	char text[16384];
} harness;

static struct fuzz_program decoded;	/* the input being run */

__attribute__((noreturn)) static void report(const char *what,
					     const char *detail)
{
	fuzz_program_format(&harness.program, harness.text,
			    sizeof(harness.text));
	fprintf(stderr, "fuzz_syscalls: %s%s%s\nprogram:\n%s", what,
		detail ? ": " : "", detail ? detail : "", harness.text);
	abort();
}

#define CALL(nr, a0, a1, a2, a3, a4, a5) \
	user_script_syscall(ctx, trap, nr, a0, a1, a2, a3, a4, a5)

/* Places the argument's bytes in the task's data area (best effort). */
static void place_arg(struct user_ctx *ctx, const struct fuzz_arg *arg)
{
	size_t length = arg->blob_length;

	if (arg->form != FUZZ_ARG_DATA && arg->form != FUZZ_ARG_PATH)
		return;
	if (length > FUZZ_DATA_SIZE - arg->value)
		length = FUZZ_DATA_SIZE - arg->value;
	/* The program may have unmapped or protected it: that is its test. */
	(void)vm_copy_to_user(ctx->as, FUZZ_DATA + arg->value,
			      harness.program.blob + arg->blob_offset, length);
}

/*
 * rt_sigaction with a handler other than SIG_DFL/SIG_IGN gets ours: the
 * handler role returns with rt_sigreturn, as a real handler would.
 */
static void hook_handler(struct user_ctx *ctx, const struct fuzz_call *call)
{
	const struct fuzz_arg *action = &call->args[1];
	uint64_t handler = fuzz_tasks_rip(FUZZ_STATE(ROLE_HANDLER, 0));
	uint64_t given = 0;

	if (call->nr != NR_RT_SIGACTION || action->form != FUZZ_ARG_DATA ||
	    action->blob_length < 8 || action->value > FUZZ_DATA_SIZE - 8)
		return;
	memcpy(&given, harness.program.blob + action->blob_offset, 8);
	if (given > 1)
		(void)vm_copy_to_user(ctx->as, FUZZ_DATA + action->value,
				      &handler, sizeof(handler));
}

/* Task `role` makes its next call after `position`, or exits. */
static int program_step(struct user_ctx *ctx, struct trap *trap,
			unsigned int role, unsigned int position)
{
	const struct fuzz_program *program = &harness.program;
	uint64_t value[SYSCALL_MAX_ARGS];

	if (++harness.steps > STEP_BUDGET) {
		CALL(NR_EXIT_GROUP, 0, 0, 0, 0, 0, 0);
		return 0;
	}
	if (position > 0) {
		const struct fuzz_call *made = &program->calls[position - 1];

		int64_t result = (int64_t)ctx->regs.rax;

		if (fuzz_syscall_creates_task(made->nr) && result == 0)
			role = made->child_task >= 0 ?
				(unsigned int)made->child_task : ROLE_EXTRA;
		else
			harness.results[position - 1] = result;
		if (harness.trace)
			fprintf(stderr, "r%u = %lld%s%s%s\n", position - 1,
				(long long)result,
				result < 0 && result >= -4095 ? " (" : "",
				result < 0 && result >= -4095 ?
					errno_name((int)-result) : "",
				result < 0 && result >= -4095 ? ")" : "");
	}
	while (role < FUZZ_MAX_TASKS && position < program->count &&
	       program->calls[position].task != role)
		position++;
	if (role >= FUZZ_MAX_TASKS || position == program->count) {
		CALL(NR_EXIT, 0, 0, 0, 0, 0, 0);
		user_script_goto(ctx, FUZZ_STATE(ROLE_EXTRA, 0));
		return 0;
	}
	const struct fuzz_call *call = &program->calls[position];

	for (unsigned int i = 0; i < SYSCALL_MAX_ARGS; i++) {
		place_arg(ctx, &call->args[i]);
		value[i] = fuzz_arg_value(&call->args[i], harness.results);
	}
	hook_handler(ctx, call);
	CALL(call->nr, value[0], value[1], value[2], value[3], value[4],
	     value[5]);
	user_script_goto(ctx, FUZZ_STATE(role, position + 1));
	return 0;
}

/* A task's next stop: a program task's call, or the handler's return. */
static int step(struct user_ctx *ctx, struct trap *trap, unsigned int role,
		unsigned int position)
{
	if (role > ROLE_HANDLER) {
		CALL(NR_EXIT_GROUP, 0, 0, 0, 0, 0, 0);	/* a forged rip */
		return 0;
	}
	if (role == ROLE_HANDLER) {
		if (++harness.steps > STEP_BUDGET) {
			CALL(NR_EXIT_GROUP, 0, 0, 0, 0, 0, 0);
			return 0;
		}
		ctx->regs.rsp += 8;	/* `ret` to the restorer */
		CALL(NR_RT_SIGRETURN, 0, 0, 0, 0, 0, 0);
		return 0;
	}
	return program_step(ctx, trap, role, position);
}

static void begin(void)
{
	harness.program = decoded;
	for (unsigned int i = 0; i < FUZZ_MAX_CALLS; i++)
		harness.results[i] = -1;
	harness.steps = 0;
}

static const struct fuzz_tasks_harness syscalls_harness = {
	.step = step, .begin = begin, .report = report,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	harness.trace = getenv("AMPHI_FUZZ_TRACE") != NULL;
	fuzz_tasks_boot(&syscalls_harness);
	fuzz_program_decode(data, size, &decoded);
	fuzz_tasks_run_input();
	return 0;
}
