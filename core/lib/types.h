/*
 * Basic kernel types. Only compiler-provided freestanding headers are used,
 * so the same definitions hold in the hosted and the bare-metal build.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A physical address: an offset into the machine's RAM as the boot info lists it. */
typedef uint64_t paddr_t;
/* A kernel virtual address. */
typedef uintptr_t vaddr_t;
/* A user-space address: never dereferenced, only passed to copy_*_user. */
typedef uint64_t uaddr_t;

typedef long ssize_t;

#define PAGE_SHIFT 12
#define PAGE_SIZE (1UL << PAGE_SHIFT)
#define PAGE_MASK (~(PAGE_SIZE - 1))

#define KiB (1ULL << 10)
#define MiB (1ULL << 20)
#define GiB (1ULL << 30)
