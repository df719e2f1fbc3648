/*
 * Memory-checker annotations for the kernel's allocators. Valgrind client
 * requests are always compiled in (a few no-op instructions when not under
 * Valgrind); AddressSanitizer calls only in ASan builds.
 */
#include <valgrind/memcheck.h>

#include "core/hal/debug.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HOSTED_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define HOSTED_ASAN 1
#endif

#ifdef HOSTED_ASAN
#include <sanitizer/asan_interface.h>
#define ASAN_POISON(p, n) __asan_poison_memory_region((p), (n))
#define ASAN_UNPOISON(p, n) __asan_unpoison_memory_region((p), (n))
#else
#define ASAN_POISON(p, n) ((void)(p), (void)(n))
#define ASAN_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

void hal_memcheck_object_alloc(const void *p, size_t size, bool zeroed)
{
	ASAN_UNPOISON(p, size);
	VALGRIND_MALLOCLIKE_BLOCK(p, size, 0, zeroed);
}

void hal_memcheck_object_free(const void *p, size_t size)
{
	VALGRIND_FREELIKE_BLOCK(p, 0);
	ASAN_POISON(p, size);
}

void hal_memcheck_noaccess(const void *p, size_t size)
{
	ASAN_POISON(p, size);
	VALGRIND_MAKE_MEM_NOACCESS(p, size);
}

void hal_memcheck_undefined(const void *p, size_t size)
{
	ASAN_UNPOISON(p, size);
	VALGRIND_MAKE_MEM_UNDEFINED(p, size);
}

void hal_memcheck_defined(const void *p, size_t size)
{
	ASAN_UNPOISON(p, size);
	VALGRIND_MAKE_MEM_DEFINED(p, size);
}

/*
 * ASan leaves the shadow alone (the read is not instrumented); Valgrind's
 * view is changed around it, a few no-op instructions when not under it.
 */
__attribute__((no_sanitize_address)) uintptr_t
hal_memcheck_read_hidden(const void *p)
{
	uintptr_t word;

	VALGRIND_MAKE_MEM_DEFINED(p, sizeof(word));
	word = *(const volatile uintptr_t *)p;
	VALGRIND_MAKE_MEM_NOACCESS(p, sizeof(word));
	return word;
}

int hal_memcheck_freed(const void *p)
{
#ifdef HOSTED_ASAN
	return __asan_address_is_poisoned(p) ? 1 : 0;
#else
	(void)p;
	return -1; /* Valgrind tracks it but cannot be asked cheaply */
#endif
}
