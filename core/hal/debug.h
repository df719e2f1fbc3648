/*
 * HAL: debugging aids. Memory-checker annotations (AddressSanitizer and
 * Valgrind in hosted builds; no-ops on bare metal), symbol lookup for
 * backtraces, and the bounds of the current stack.
 */
#pragma once

#include "core/lib/types.h"

/*
 * An allocator hands out the object [p, p + size): it becomes addressable
 * (defined when `zeroed`) and is tracked as a heap block, so leaks and
 * use-after-free are reported against it. Any context.
 */
void hal_memcheck_object_alloc(const void *p, size_t size, bool zeroed);

/* The object at p (size as allocated) is freed: it becomes inaccessible. */
void hal_memcheck_object_free(const void *p, size_t size);

/* Raw range state changes, for allocator-internal memory (free pages, slabs). */
void hal_memcheck_noaccess(const void *p, size_t size);
void hal_memcheck_undefined(const void *p, size_t size);
void hal_memcheck_defined(const void *p, size_t size);

/*
 * Reads the word at p that an allocator keeps inaccessible (a free
 * object's link) and leaves it inaccessible: cheaper than making it
 * defined and back for every step of a free-list walk. Any context.
 */
uintptr_t hal_memcheck_read_hidden(const void *p);

/*
 * Whether the checker holds the byte at p inaccessible (a freed object's
 * first byte, where a live one's is addressable): 1 yes, 0 no, -1 when no
 * checker tracks it (bare metal; hosted without ASan). Lets an allocator
 * tell a double free in O(1) instead of walking its free list. Any
 * context.
 */
int hal_memcheck_freed(const void *p);

/*
 * Looks up the function containing code address `address`. Stores its name
 * in `name` (truncated to `size`) and the distance from its start in
 * `*offset`. Returns 0, or -ENOENT if no symbol covers the address. Any
 * context, no allocation (safe during a panic).
 */
int hal_symbolize(uintptr_t address, char *name, size_t size,
		  uintptr_t *offset);

/*
 * Bounds [*low, *high) of the stack the caller runs on, so a frame-pointer
 * walk never leaves it. Any context.
 */
void hal_stack_bounds(uintptr_t *low, uintptr_t *high);
