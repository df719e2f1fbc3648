/*
 * The physical page allocator: a binary buddy system over the usable RAM
 * the boot info lists. Blocks of 2^order pages, order 0..PMM_MAX_ORDER,
 * naturally aligned in physical memory. Exhaustion returns NULL, never a
 * crash.
 */
#pragma once

#include "core/hal/boot.h"
#include "core/mm/page.h"

#define PMM_MAX_ORDER 10	/* largest block: 1024 pages, 4 MiB */
#define PMM_ORDERS (PMM_MAX_ORDER + 1)
#define PMM_MAX_REGIONS 32

/* pmm_alloc flags */
#define PMM_ZERO (1u << 0)	/* fill the block with zeros */

struct pmm_stats {
	uint64_t total_pages;		/* pages in usable RAM */
	uint64_t managed_pages;		/* pages the allocator owns */
	uint64_t reserved_pages;	/* boot reservations + the page map */
	uint64_t free_pages;
	uint64_t free_blocks[PMM_ORDERS];	/* free blocks of each order */
	uint64_t allocations;		/* successful pmm_alloc calls */
	uint64_t failures;		/* pmm_alloc calls that returned NULL */
	uint64_t page_map_bytes;	/* memory used by struct page arrays */
};

/*
 * Builds the page map and frees every usable page that no boot
 * reservation covers. Returns 0, or -ENOMEM when there is no usable RAM or
 * no room for the page map. Boot only, once.
 */
int pmm_init(const struct boot_info *boot_info);

/*
 * Allocates 2^order contiguous pages. Returns the head page (refcount 1),
 * or NULL if order > PMM_MAX_ORDER or no block is free. Any context; does
 * not sleep.
 */
struct page *pmm_alloc(unsigned int order, unsigned int flags);

/*
 * Returns a block from pmm_alloc with the same order. Freeing anything
 * else (a tail page, a wrong order, a free block) is a kernel bug and
 * panics. Any context.
 */
void pmm_free(struct page *page, unsigned int order);

/* pmm_alloc/pmm_free through direct-map addresses. */
void *pmm_alloc_virt(unsigned int order, unsigned int flags);
void pmm_free_virt(void *address, unsigned int order);

paddr_t page_to_phys(const struct page *page);
void *page_to_virt(const struct page *page);

/* The descriptor of a managed page, or NULL if pa is not managed RAM. */
struct page *phys_to_page(paddr_t pa);
struct page *virt_to_page(const void *address);

void pmm_get_stats(struct pmm_stats *stats);

/*
 * Hands boot-reserved memory whose boot user is done with it (the initrd,
 * once unpacked) to the allocator: the whole pages inside [base, base +
 * length) that lie in usable RAM. The range must lie within one boot
 * reservation and overlap no other; each page is released at most once.
 * Returns the number of pages released, or -EINVAL (nothing changes).
 * Any context; takes the pmm lock.
 */
int pmm_release_reserved(paddr_t base, uint64_t length);

/* Smallest order whose block holds `bytes` (PMM_ORDERS if none does). */
unsigned int pmm_order_for_size(size_t bytes);
