/*
 * Kernel stacks: guarded, cached for reuse (no page allocator traffic and
 * no guard-page changes when threads come and go), and every page returned
 * when the cache is drained.
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <unistd.h>

#include "core/lib/err.h"
#include "core/mm/pmm.h"
#include "core/sched/kstack.h"
#include "core/sched/sched.h"
#include "support/kernel.h"

static uint64_t free_pages(void)
{
	struct pmm_stats stats;

	pmm_get_stats(&stats);
	return stats.free_pages;
}

static int touch_stack(void *arg)
{
	volatile char buffer[8192];

	for (size_t i = 0; i < sizeof(buffer); i += 512)
		buffer[i] = (char)i;
	return (int)(intptr_t)arg + buffer[512];
}

/*
 * Runs `count` threads one after another, each freed before the next is
 * created: a joined thread is freed (its stack returned) only once its
 * CPU has switched away from it, so wait for that. So at most one stack
 * is in use at any time.
 */
static void run_and_join(int count)
{
	unsigned long baseline = thread_count();

	for (int i = 0; i < count; i++) {
		struct thread *thread = thread_create("stack", touch_stack,
						      (void *)(intptr_t)i);
		int code;

		cr_assert(!IS_ERR(thread));
		thread_start(thread);
		cr_assert_eq(thread_join(thread, &code), 0);
		cr_assert_eq(code, i + (char)512);
		cr_assert(test_wait_thread_count(baseline),
			  "a joined thread was not freed");
	}
}

Test(sched_kstack, exited_threads_leave_their_stacks_cached)
{
	uint64_t before;

	test_kernel_sched_init(2, false);
	kstack_cache_drain();
	before = free_pages();
	run_and_join(50);
	/* Fifty threads, one at a time, all ran on the same cached stack. */
	cr_assert_eq(kstack_cache_drain(), 1);
	cr_assert_eq(free_pages(), before);
}

Test(sched_kstack, drain_returns_every_page)
{
	uint64_t before;
	void *stacks[KSTACK_CACHE_MAX + 4];

	test_kernel_sched_init(1, false);
	kstack_cache_drain();
	before = free_pages();
	for (unsigned int i = 0; i < KSTACK_CACHE_MAX + 4; i++) {
		stacks[i] = kstack_alloc();
		cr_assert(!IS_ERR(stacks[i]));
	}
	cr_assert_lt(free_pages(), before);
	for (unsigned int i = 0; i < KSTACK_CACHE_MAX + 4; i++)
		kstack_free(stacks[i]);
	cr_assert_eq(kstack_cached(), KSTACK_CACHE_MAX);
	/* What the leak checks count: free pages plus the cached stacks. */
	cr_assert_eq(free_pages() + (KSTACK_CACHE_MAX << KSTACK_ORDER), before);
	cr_assert_eq(kstack_cache_drain(), KSTACK_CACHE_MAX,
		     "the cache keeps at most KSTACK_CACHE_MAX stacks");
	cr_assert_eq(free_pages(), before);
	cr_assert_eq(kstack_cache_drain(), 0);
	cr_assert_eq(kstack_cached(), 0);
}

Test(sched_kstack, a_reused_stack_is_guarded_and_usable)
{
	void *stack;

	test_kernel_sched_init(1, false);
	stack = kstack_alloc();
	cr_assert(!IS_ERR(stack));
	kstack_free(stack);
	cr_assert_eq(kstack_alloc(), stack, "the cached stack comes back");
	/* Its usable part can be written; its guard page is still a guard. */
	((volatile char *)stack)[PAGE_SIZE] = 1;
	((volatile char *)stack)[KSTACK_SIZE - 1] = 1;
	kstack_free(stack);
}

/* The sanitizers report a SEGV as an error; a handler of our own says it. */
static void exit_on_fault(int signal)
{
	(void)signal;
	_exit(42);
}

Test(sched_kstack, writing_the_guard_page_faults, .exit_code = 42)
{
	struct sigaction action = { .sa_handler = exit_on_fault };
	void *stack;

	test_kernel_sched_init(1, false);
	stack = kstack_alloc();
	kstack_free(stack);
	stack = kstack_alloc();
	sigaction(SIGSEGV, &action, NULL);
	((volatile char *)stack)[PAGE_SIZE - 1] = 1;
	cr_assert_fail("the write below the stack did not fault");
}
