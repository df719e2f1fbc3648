/*
 * Binary buddy allocator.
 *
 * Each usable RAM region gets a slice of one struct page array (the page
 * map), placed at boot in usable memory outside every reservation. A free
 * block is represented by its head page: PAGE_FREE, its order, and a link
 * in free_lists[order]. Blocks never cross a region boundary, so buddies
 * are always found in the same slice.
 *
 * pmm_lock (irqsave) protects free_lists, stats, and the flags/order/link of
 * every page while it is free. `regions` is written once by pmm_init and
 * read-only afterwards.
 */
#include "core/mm/pmm.h"

#include "core/hal/debug.h"
#include "core/hal/mmu.h"
#include "core/include/uapi/errno.h"
#include "core/lib/panic.h"
#include "core/lib/printk.h"
#include "core/lib/string.h"
#include "core/sync/spinlock.h"

struct pmm_region {
	uint64_t first_pfn;
	uint64_t page_count;
	struct page *pages;
};

/* A half-open range of page frame numbers. */
struct pfn_range {
	uint64_t start;
	uint64_t end;
};

static struct pmm_region regions[PMM_MAX_REGIONS];
static unsigned int region_count;

static struct spinlock pmm_lock = SPINLOCK_INIT("pmm", LOCK_RANK_PMM);
/* Protected by pmm_lock: */
static struct list_head free_lists[PMM_ORDERS];
static struct pmm_stats stats;
/*
 * The boot reservations (without the page map), so reserved memory can be
 * handed to the allocator once its boot user is done with it (the initrd).
 * Protected by pmm_lock after boot.
 */
static struct pfn_range boot_reserved[BOOT_MAX_RESERVED + 1];
static unsigned int boot_reserved_count;

static uint64_t block_pages(unsigned int order)
{
	return 1ULL << order;
}

static struct pmm_region *region_of_pfn(uint64_t pfn)
{
	for (unsigned int i = 0; i < region_count; i++) {
		struct pmm_region *region = &regions[i];

		if (pfn >= region->first_pfn &&
		    pfn < region->first_pfn + region->page_count)
			return region;
	}
	return NULL;
}

static struct pmm_region *region_of_page(const struct page *page)
{
	for (unsigned int i = 0; i < region_count; i++) {
		struct pmm_region *region = &regions[i];

		if (page >= region->pages &&
		    page < region->pages + region->page_count)
			return region;
	}
	return NULL;
}

paddr_t page_to_phys(const struct page *page)
{
	const struct pmm_region *region = region_of_page(page);

	BUG_ON(region == NULL);
	return (region->first_pfn + (uint64_t)(page - region->pages))
	       << PAGE_SHIFT;
}

void *page_to_virt(const struct page *page)
{
	return hal_phys_to_virt(page_to_phys(page));
}

struct page *phys_to_page(paddr_t pa)
{
	uint64_t pfn = pa >> PAGE_SHIFT;
	struct pmm_region *region = region_of_pfn(pfn);

	return region ? &region->pages[pfn - region->first_pfn] : NULL;
}

struct page *virt_to_page(const void *address)
{
	return phys_to_page(hal_virt_to_phys(address));
}

unsigned int pmm_order_for_size(size_t bytes)
{
	uint64_t pages = (bytes + PAGE_SIZE - 1) >> PAGE_SHIFT;
	unsigned int order = 0;

	while (order < PMM_ORDERS && block_pages(order) < pages)
		order++;
	return order;
}

/* Puts a block on its free list, merging with free buddies. Lock held. */
static void free_block_locked(struct pmm_region *region, uint64_t pfn,
			      unsigned int order)
{
	uint64_t region_end = region->first_pfn + region->page_count;
	struct page *head;

	stats.free_pages += block_pages(order);
	while (order < PMM_MAX_ORDER) {
		uint64_t buddy_pfn = pfn ^ block_pages(order);
		struct page *buddy;

		if (buddy_pfn < region->first_pfn ||
		    buddy_pfn + block_pages(order) > region_end)
			break;
		buddy = &region->pages[buddy_pfn - region->first_pfn];
		if (!(page_flags(buddy) & PAGE_FREE) || buddy->order != order)
			break;
		list_remove(&buddy->link);
		page_flags_store(buddy, 0);
		stats.free_blocks[order]--;
		pfn = MIN(pfn, buddy_pfn);
		order++;
	}
	head = &region->pages[pfn - region->first_pfn];
	page_flags_store(head, PAGE_FREE);
	head->order = (uint8_t)order;
	list_add(&head->link, &free_lists[order]);
	stats.free_blocks[order]++;
}

/* Takes a block of exactly `order` pages, splitting a larger one. Lock held. */
static struct page *take_block_locked(unsigned int order)
{
	unsigned int found = order;
	struct page *head;

	while (found <= PMM_MAX_ORDER && list_is_empty(&free_lists[found]))
		found++;
	if (found > PMM_MAX_ORDER)
		return NULL;
	head = list_first_entry(&free_lists[found], struct page, link);
	list_remove(&head->link);
	stats.free_blocks[found]--;
	while (found > order) {
		struct page *upper;

		found--;
		upper = head + block_pages(found);
		page_flags_store(upper, PAGE_FREE);
		upper->order = (uint8_t)found;
		list_add(&upper->link, &free_lists[found]);
		stats.free_blocks[found]++;
	}
	page_flags_store(head, PAGE_ALLOCATED);
	head->order = (uint8_t)order;
	head->refcount = 1;
	stats.free_pages -= block_pages(order);
	return head;
}

struct page *pmm_alloc(unsigned int order, unsigned int flags)
{
	struct page *page = NULL;
	irq_flags_t irq;

	if (order <= PMM_MAX_ORDER) {
		irq = spin_lock_irqsave(&pmm_lock);
		page = take_block_locked(order);
		if (page)
			stats.allocations++;
		else
			stats.failures++;
		spin_unlock_irqrestore(&pmm_lock, irq);
	}
	if (page == NULL)
		return NULL;
	hal_memcheck_undefined(page_to_virt(page), block_pages(order) * PAGE_SIZE);
	if (flags & PMM_ZERO)
		memset(page_to_virt(page), 0, block_pages(order) * PAGE_SIZE);
	return page;
}

void pmm_free(struct page *page, unsigned int order)
{
	struct pmm_region *region = region_of_page(page);
	uint64_t pfn;
	irq_flags_t irq;

	if (region == NULL)
		panic("pmm_free: %p is not a page descriptor", (void *)page);
	pfn = region->first_pfn + (uint64_t)(page - region->pages);
	hal_memcheck_noaccess(page_to_virt(page), block_pages(order) * PAGE_SIZE);
	irq = spin_lock_irqsave(&pmm_lock);
	if (!(page_flags(page) & PAGE_ALLOCATED) || page->order != order)
		panic("pmm_free: bad free of pfn 0x%llx order %u (flags 0x%x order %u)",
		      (unsigned long long)pfn, order, page_flags(page), page->order);
	page->refcount = 0;
	free_block_locked(region, pfn, order);
	spin_unlock_irqrestore(&pmm_lock, irq);
}

void *pmm_alloc_virt(unsigned int order, unsigned int flags)
{
	struct page *page = pmm_alloc(order, flags);

	return page ? page_to_virt(page) : NULL;
}

void pmm_free_virt(void *address, unsigned int order)
{
	struct page *page = virt_to_page(address);

	if (page == NULL)
		panic("pmm_free_virt: %p is not managed RAM", address);
	pmm_free(page, order);
}

void pmm_get_stats(struct pmm_stats *out)
{
	irq_flags_t irq = spin_lock_irqsave(&pmm_lock);

	*out = stats;
	spin_unlock_irqrestore(&pmm_lock, irq);
}

/* Frees [start, end) as maximal naturally aligned blocks. Boot only. */
static void release_range(struct pmm_region *region, uint64_t start,
			  uint64_t end)
{
	while (start < end) {
		unsigned int order = PMM_MAX_ORDER;

		while (order > 0 && (start % block_pages(order) != 0 ||
				     start + block_pages(order) > end))
			order--;
		hal_memcheck_noaccess(hal_phys_to_virt(start << PAGE_SHIFT),
				      block_pages(order) * PAGE_SIZE);
		free_block_locked(region, start, order);
		stats.managed_pages += block_pages(order);
		start += block_pages(order);
	}
}

/* Frees every page of `region` outside the sorted reservations. Boot only. */
static void release_region(struct pmm_region *region,
			   const struct pfn_range *reserved, unsigned int count)
{
	uint64_t cursor = region->first_pfn;
	uint64_t end = region->first_pfn + region->page_count;

	for (unsigned int i = 0; i < count; i++) {
		if (reserved[i].end <= cursor || reserved[i].start >= end)
			continue;
		if (reserved[i].start > cursor)
			release_range(region, cursor, reserved[i].start);
		cursor = MAX(cursor, reserved[i].end);
		if (cursor >= end)
			return;
	}
	release_range(region, cursor, end);
}

/* Page-granular usable regions from the boot memory map. Boot only. */
static void collect_regions(const struct boot_info *boot_info)
{
	region_count = 0;
	for (unsigned int i = 0; i < boot_info->memory_count; i++) {
		const struct boot_mem_region *m = &boot_info->memory[i];
		paddr_t start = ALIGN_UP(m->base, PAGE_SIZE);
		paddr_t end = ALIGN_DOWN(m->base + m->length, PAGE_SIZE);

		if (m->type != BOOT_MEM_USABLE || m->base + m->length < m->base ||
		    end <= start)
			continue;
		if (region_count == PMM_MAX_REGIONS) {
			pr_warn("pmm: more than %d usable regions, ignoring [%#llx-%#llx)",
				PMM_MAX_REGIONS, (unsigned long long)start,
				(unsigned long long)end);
			continue;
		}
		regions[region_count++] = (struct pmm_region){
			.first_pfn = start >> PAGE_SHIFT,
			.page_count = (end - start) >> PAGE_SHIFT,
		};
		stats.total_pages += (end - start) >> PAGE_SHIFT;
	}
}

/* Inserts a range into the array kept sorted by start. Boot only. */
static void insert_sorted(struct pfn_range *ranges, unsigned int *count,
			  struct pfn_range range)
{
	unsigned int i = *count;

	while (i > 0 && ranges[i - 1].start > range.start) {
		ranges[i] = ranges[i - 1];
		i--;
	}
	ranges[i] = range;
	(*count)++;
}

/* The boot reservations as page ranges rounded outwards, sorted. */
static unsigned int collect_reserved(const struct boot_info *boot_info,
				     struct pfn_range *out)
{
	unsigned int count = 0;

	for (unsigned int i = 0; i < boot_info->reserved_count &&
				 i < BOOT_MAX_RESERVED; i++) {
		const struct boot_mem_region *r = &boot_info->reserved[i];
		struct pfn_range range = {
			.start = r->base >> PAGE_SHIFT,
			.end = (r->base + r->length + PAGE_SIZE - 1) >> PAGE_SHIFT,
		};

		if (r->length > 0)
			insert_sorted(out, &count, range);
	}
	return count;
}

/* Index of a reservation overlapping [start, end), or `count` if none. */
static unsigned int first_overlap(const struct pfn_range *reserved,
				  unsigned int count, uint64_t start,
				  uint64_t end)
{
	for (unsigned int i = 0; i < count; i++) {
		if (reserved[i].end > start && reserved[i].start < end)
			return i;
	}
	return count;
}

/*
 * Finds `pages` consecutive pages inside one usable region that overlap no
 * reservation. Returns true and stores the first pfn in *pfn.
 */
static bool find_free_span(const struct pfn_range *reserved,
			   unsigned int count, uint64_t pages, uint64_t *pfn)
{
	for (unsigned int r = 0; r < region_count; r++) {
		uint64_t start = regions[r].first_pfn;
		uint64_t end = start + regions[r].page_count;
		unsigned int hit;

		while (start + pages <= end) {
			hit = first_overlap(reserved, count, start, start + pages);
			if (hit == count) {
				*pfn = start;
				return true;
			}
			start = reserved[hit].end;
		}
	}
	return false;
}

/* Points each region at its slice of the map and marks every page reserved. */
static void build_page_map(struct page *map)
{
	uint64_t next = 0;

	for (unsigned int r = 0; r < region_count; r++) {
		regions[r].pages = map + next;
		for (uint64_t i = 0; i < regions[r].page_count; i++) {
			struct page *page = &regions[r].pages[i];

			*page = (struct page){ .flags = PAGE_RESERVED };
			list_init(&page->link);
		}
		next += regions[r].page_count;
	}
}

int pmm_init(const struct boot_info *boot_info)
{
	struct pfn_range reserved[BOOT_MAX_RESERVED + 1];
	unsigned int reserved_count;
	uint64_t map_pages, map_pfn;

	for (unsigned int i = 0; i < PMM_ORDERS; i++)
		list_init(&free_lists[i]);
	collect_regions(boot_info);
	if (region_count == 0)
		return -ENOMEM;
	reserved_count = collect_reserved(boot_info, reserved);
	boot_reserved_count = reserved_count;
	for (unsigned int i = 0; i < reserved_count; i++)
		boot_reserved[i] = reserved[i];
	map_pages = (stats.total_pages * sizeof(struct page) + PAGE_SIZE - 1) >>
		    PAGE_SHIFT;
	if (!find_free_span(reserved, reserved_count, map_pages, &map_pfn))
		return -ENOMEM;
	insert_sorted(reserved, &reserved_count, (struct pfn_range){
		map_pfn, map_pfn + map_pages });
	hal_memcheck_undefined(hal_phys_to_virt(map_pfn << PAGE_SHIFT),
			       map_pages * PAGE_SIZE);
	build_page_map(hal_phys_to_virt(map_pfn << PAGE_SHIFT));
	stats.page_map_bytes = map_pages * PAGE_SIZE;
	for (unsigned int r = 0; r < region_count; r++)
		release_region(&regions[r], reserved, reserved_count);
	stats.reserved_pages = stats.total_pages - stats.managed_pages;
	return 0;
}

/* Whether [start, end) overlaps a boot reservation other than `except`. */
static bool overlaps_other(uint64_t start, uint64_t end, unsigned int except)
{
	for (unsigned int i = 0; i < boot_reserved_count; i++)
		if (i != except && boot_reserved[i].end > start &&
		    boot_reserved[i].start < end)
			return true;
	return false;
}

/* The boot reservation that contains all of [start, end), or -1. */
static int containing_reservation(uint64_t start, uint64_t end)
{
	for (unsigned int i = 0; i < boot_reserved_count; i++)
		if (boot_reserved[i].start <= start &&
		    boot_reserved[i].end >= end)
			return (int)i;
	return -1;
}

/* Frees [start, end) region by region. Lock held. */
static void release_pages_locked(uint64_t start, uint64_t end)
{
	for (unsigned int r = 0; r < region_count; r++) {
		uint64_t first = regions[r].first_pfn;
		uint64_t last = first + regions[r].page_count;

		if (MAX(start, first) < MIN(end, last))
			release_range(&regions[r], MAX(start, first),
				      MIN(end, last));
	}
}

int pmm_release_reserved(paddr_t base, uint64_t length)
{
	uint64_t start = (base + PAGE_SIZE - 1) >> PAGE_SHIFT;
	uint64_t end = (base + length) >> PAGE_SHIFT, before;
	struct pfn_range *range;
	irq_flags_t irq;
	int index;

	if (base + length < base)
		return -EINVAL;
	if (end <= start)
		return 0;
	irq = spin_lock_irqsave(&pmm_lock);
	index = containing_reservation(start, end);
	if (index < 0 || overlaps_other(start, end, (unsigned int)index)) {
		spin_unlock_irqrestore(&pmm_lock, irq);
		return -EINVAL;
	}
	range = &boot_reserved[index];
	/* What stays reserved: the pages before and after the release. */
	if (range->end > end && boot_reserved_count < ARRAY_SIZE(boot_reserved))
		boot_reserved[boot_reserved_count++] =
			(struct pfn_range){ end, range->end };
	range->end = start;
	before = stats.managed_pages;
	release_pages_locked(start, end);
	stats.reserved_pages -= stats.managed_pages - before;
	spin_unlock_irqrestore(&pmm_lock, irq);
	return (int)(stats.managed_pages - before);
}
