/*
 * x86_64 4-level page-table entry format. Both builds speak it: bare metal
 * hands the tables to the MMU, the hosted build walks them in software.
 * Facts from the Intel SDM vol. 3A, section 4.5.
 */
#pragma once

#include "core/lib/types.h"

typedef uint64_t pte_t;

#define PTE_PRESENT (1ULL << 0)
#define PTE_WRITE (1ULL << 1)
#define PTE_USER (1ULL << 2)
#define PTE_WRITE_THROUGH (1ULL << 3)
#define PTE_CACHE_DISABLE (1ULL << 4)
#define PTE_ACCESSED (1ULL << 5)
#define PTE_DIRTY (1ULL << 6)
#define PTE_HUGE (1ULL << 7)	/* 2 MiB in a PD entry, 1 GiB in a PDPT entry */
#define PTE_GLOBAL (1ULL << 8)
#define PTE_SOFTWARE_SHIFT 9	/* bits 9-11 are free for the OS */
#define PTE_NO_EXECUTE (1ULL << 63)

/* Physical address bits 12..51 of an entry. */
#define PTE_ADDRESS_MASK 0x000ffffffffff000ULL

#define PT_LEVELS 4
#define PT_ENTRIES 512
#define PT_LEVEL_SHIFT(level) (PAGE_SHIFT + 9 * ((level) - 1)) /* level 1..4 */

/* Index of `va` in the table of `level` (4 = PML4, 1 = page table). */
static inline unsigned int pt_index(uint64_t va, unsigned int level)
{
	return (unsigned int)(va >> PT_LEVEL_SHIFT(level)) & (PT_ENTRIES - 1);
}

static inline paddr_t pte_address(pte_t entry)
{
	return entry & PTE_ADDRESS_MASK;
}

static inline bool pte_is_present(pte_t entry)
{
	return entry & PTE_PRESENT;
}

/* Canonical form: bits 63..47 equal (48-bit virtual addresses). */
static inline bool va_is_canonical(uint64_t va)
{
	return (uint64_t)((int64_t)(va << 16) >> 16) == va;
}
