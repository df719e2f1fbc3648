/*
 * Kernel-thread contexts in the hosted build: the shared switch routine
 * (core/arch/x86_64/context_switch.S) plus what the debugging tools need to
 * follow a stack switch: ASan fiber annotations, ThreadSanitizer fibers and
 * Valgrind stack registration. A context's platform[] slots hold:
 *   [0] Valgrind stack id, [1] TSan fiber, [2] entry, [3] entry argument.
 */
#include <sys/mman.h>
#include <errno.h>
#include <valgrind/valgrind.h>

#include "core/arch/x86_64/context.h"
#include "core/hal/debug.h"
#include "core/hal/cpu.h"
#include "hosted.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HOSTED_ASAN 1
#endif
#if __has_feature(thread_sanitizer)
#define HOSTED_TSAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define HOSTED_ASAN 1
#endif
#if defined(__SANITIZE_THREAD__)
#define HOSTED_TSAN 1
#endif

#ifdef HOSTED_ASAN
#include <sanitizer/common_interface_defs.h>
#endif
#ifdef HOSTED_TSAN
#include <sanitizer/tsan_interface.h>
#endif

/* The first code of every new context: finish the sanitizer's switch. */
static void context_entry(void *arg)
{
	struct hal_context *context = arg;
	void (*entry)(void *) = (void (*)(void *))context->platform[2];

#ifdef HOSTED_ASAN
	__sanitizer_finish_switch_fiber(NULL, NULL, NULL);
#endif
	entry(context->platform[3]);
}

void hal_context_init(struct hal_context *context, void *stack_base,
		      size_t stack_size, void (*entry)(void *), void *arg)
{
	char *base = stack_base;

	context->stack_base = stack_base;
	context->stack_size = stack_size;
	context->platform[0] = (void *)(uintptr_t)VALGRIND_STACK_REGISTER(
		base, base + stack_size);
	context->platform[1] = NULL;
#ifdef HOSTED_TSAN
	context->platform[1] = __tsan_create_fiber(0);
#endif
	context->platform[2] = (void *)entry;
	context->platform[3] = arg;
	context->stack_pointer = arch_context_prepare(stack_base, stack_size,
						      context_entry, context);
}

void hal_context_init_current(struct hal_context *context, void *stack_base,
			      size_t stack_size)
{
	arch_context_describe_current(context, stack_base, stack_size);
	context->platform[0] = NULL;
	context->platform[1] = NULL;
#ifdef HOSTED_TSAN
	context->platform[1] = __tsan_get_current_fiber();
#endif
}

void hal_context_destroy(struct hal_context *context)
{
	if (context->platform[0])
		VALGRIND_STACK_DEREGISTER((uintptr_t)context->platform[0]);
#ifdef HOSTED_TSAN
	if (context->platform[1] && context->platform[2])
		__tsan_destroy_fiber(context->platform[1]);
#endif
	context->platform[0] = NULL;
	context->platform[1] = NULL;
}

void hal_context_switch(struct hal_context *from, struct hal_context *to)
{
	uintptr_t low = (uintptr_t)to->stack_base;

	hosted_cpu_set_stack(low, low + to->stack_size);
#ifdef HOSTED_ASAN
	void *fake_stack = NULL;

	__sanitizer_start_switch_fiber(&fake_stack, to->stack_base, to->stack_size);
#endif
#ifdef HOSTED_TSAN
	__tsan_switch_to_fiber(to->platform[1], 0);
#endif
	arch_context_switch(&from->stack_pointer, to->stack_pointer);
#ifdef HOSTED_ASAN
	__sanitizer_finish_switch_fiber(fake_stack, NULL, NULL);
#endif
}

int hal_guard_page(void *page, bool guarded)
{
	if (mprotect(page, 4096, guarded ? PROT_NONE : PROT_READ | PROT_WRITE) < 0)
		return -errno;
	return 0;
}
