/*
 * x86_64 4-level page tables, built and edited by the core in physical
 * memory (through hal_phys_to_virt) on both platforms: bare metal loads them
 * into CR3, the hosted build walks them in software. Table pages come from
 * the page allocator.
 *
 * A page table is named by the physical address of its top-level table
 * (PML4). These functions do not lock: the owner of a table (the kernel
 * address space, or a process's address space) serialises its edits, and
 * flushes TLBs itself (hal_tlb_flush) after unmapping or changing entries.
 *
 * Conventions: the lower half (PML4 slots 0..255) belongs to user address
 * spaces and its intermediate entries carry PTE_USER; the upper half is the
 * kernel's and never does. Leaf permissions are the caller's `flags`.
 */
#pragma once

#include "core/arch/x86_64/pte.h"
#include "core/lib/types.h"

/* pgtable_map options */
#define PGTABLE_MAP_HUGE (1u << 0)	/* 2 MiB leaves where va/pa/length allow */
#define PGTABLE_MAP_HUGE_1G (1u << 1)	/* also 1 GiB leaves (CPU must support) */

/* Leaf flags a caller may pass to pgtable_map (PTE_PRESENT is implied). */
#define PGTABLE_LEAF_FLAGS                                                   \
	(PTE_WRITE | PTE_USER | PTE_WRITE_THROUGH | PTE_CACHE_DISABLE |      \
	 PTE_GLOBAL | PTE_NO_EXECUTE | (7ULL << PTE_SOFTWARE_SHIFT))

/* First address of the kernel half (PML4 slot 256, canonical form). */
#define PGTABLE_KERNEL_HALF 0xffff800000000000ULL

/*
 * Allocates an empty top-level table. Returns 0 and stores its physical
 * address in *root, or -ENOMEM. Any context; does not sleep.
 */
int pgtable_create(paddr_t *root);

/*
 * Frees `root` and every lower-level table reachable from its lower
 * (user) half. Upper-half tables are the kernel's, shared by every address
 * space, and stay. Mapped memory itself is not freed. The table must not
 * be loaded on any CPU.
 */
void pgtable_destroy(paddr_t root);

/*
 * Maps [va, va + length) to [pa, pa + length) with leaf `flags`
 * (PGTABLE_LEAF_FLAGS). va, pa and length must be page-aligned, length
 * non-zero, the range canonical and inside one half. With
 * PGTABLE_MAP_HUGE, 2 MiB (and with PGTABLE_MAP_HUGE_1G, 1 GiB) leaves are
 * used wherever va and pa are aligned and enough length remains.
 * Returns 0; -EINVAL for bad arguments; -EEXIST if part of the range is
 * already mapped; -ENOMEM when a table cannot be allocated. On failure
 * nothing of the range stays mapped (tables created on the way may stay,
 * empty).
 */
int pgtable_map(paddr_t root, uint64_t va, paddr_t pa, uint64_t length,
		pte_t flags, unsigned int options);

/*
 * Unmaps every page of [va, va + length) (page-aligned); holes are fine.
 * A huge leaf only partly inside the range is split first, so the rest of
 * it stays mapped. Returns 0, -EINVAL for a bad range, or -ENOMEM if a
 * split needed a table (pages before the failing one are unmapped).
 */
int pgtable_unmap(paddr_t root, uint64_t va, uint64_t length);

/*
 * Translates va. Returns 0 and stores the physical address of va in *pa
 * and the leaf entry in *entry (either may be NULL); -ENOENT when va is not
 * mapped; -EINVAL when va is not canonical. `*level` (may be NULL) gets the
 * leaf's level: 1 for 4 KiB, 2 for 2 MiB, 3 for 1 GiB.
 */
int pgtable_lookup(paddr_t root, uint64_t va, paddr_t *pa, pte_t *entry,
		   unsigned int *level);

/*
 * The 4 KiB leaf entry that maps va, for callers that edit entries in
 * place (with WRITE_ONCE). With `create`, missing tables are allocated and
 * a huge leaf on the way is split; without it, NULL is returned when a
 * table is missing or a huge leaf maps va. Returns ERR_PTR(-ENOMEM) when
 * a table cannot be allocated, ERR_PTR(-EINVAL) for a non-canonical va.
 */
pte_t *pgtable_leaf_entry(paddr_t root, uint64_t va, bool create);

/*
 * Calls fn(va, entry, arg) for every present 4 KiB leaf in
 * [va, va + length), in address order, skipping missing tables (so a
 * sparse range costs what is mapped, not its size). Huge leaves are not
 * visited: user address spaces use 4 KiB leaves only. fn may rewrite the
 * entry; a negative return stops the walk and is returned. Returns 0, or
 * -EINVAL for a bad range.
 */
int pgtable_for_each_leaf(paddr_t root, uint64_t va, uint64_t length,
			  int (*fn)(uint64_t va, pte_t *entry, void *arg),
			  void *arg);

/* Bytes one leaf at `level` (1..3) maps. */
static inline uint64_t pgtable_level_size(unsigned int level)
{
	return 1ULL << PT_LEVEL_SHIFT(level);
}
