/*
 * Page-table editing. Walks go from the top-level table down through
 * hal_phys_to_virt; missing intermediate tables are allocated zeroed from
 * the page allocator. A huge leaf that an operation needs to cut is split
 * into a table of 512 smaller leaves with the same flags. No locks here:
 * see pgtable.h for the ownership contract.
 */
#include "core/mm/pgtable.h"

#include "core/hal/mmu.h"
#include "core/include/uapi/errno.h"
#include "core/lib/compiler.h"
#include "core/lib/err.h"
#include "core/mm/pmm.h"

static pte_t *entry_at(paddr_t table, uint64_t va, unsigned int level)
{
	return (pte_t *)hal_phys_to_virt(table) + pt_index(va, level);
}

static bool is_user_va(uint64_t va)
{
	return va < PGTABLE_KERNEL_HALF;
}

/* Flags of a non-leaf entry: permissive, the leaf decides. */
static pte_t table_flags(uint64_t va)
{
	return PTE_PRESENT | PTE_WRITE | (is_user_va(va) ? PTE_USER : 0);
}

static int table_alloc(paddr_t *table)
{
	struct page *page = pmm_alloc(0, PMM_ZERO);

	if (page == NULL)
		return -ENOMEM;
	*table = page_to_phys(page);
	return 0;
}

static void table_free(paddr_t table)
{
	pmm_free(phys_to_page(table), 0);
}

/*
 * Replaces the huge leaf *entry at `level` (2 or 3) by a table of 512
 * leaves one level down that map the same memory with the same flags.
 */
static int split_huge(pte_t *entry, uint64_t va, unsigned int level)
{
	uint64_t step = pgtable_level_size(level - 1);
	pte_t flags = *entry & ~(PTE_ADDRESS_MASK | PTE_HUGE);
	paddr_t base = pte_address(*entry) & ~(pgtable_level_size(level) - 1);
	paddr_t table;
	pte_t *leaves;
	int err = table_alloc(&table);

	if (err < 0)
		return err;
	if (level - 1 > 1)
		flags |= PTE_HUGE;
	leaves = hal_phys_to_virt(table);
	for (unsigned int i = 0; i < PT_ENTRIES; i++)
		leaves[i] = (base + i * step) | flags;
	WRITE_ONCE(*entry, table | table_flags(va));
	return 0;
}

/*
 * Returns the entry that maps va at `level`. On the way down, missing
 * tables are created when `create`; huge leaves above `level` are split
 * when `split`. Returns NULL when the walk ends early (a missing table
 * without `create`, or a huge leaf without `split`), storing the level it
 * stopped at in *stop; ERR_PTR(-ENOMEM) when a table cannot be allocated.
 */
static pte_t *walk(paddr_t root, uint64_t va, unsigned int level, bool create,
		   bool split, unsigned int *stop)
{
	paddr_t table = root;
	int err;

	for (unsigned int l = PT_LEVELS; l > level; l--) {
		pte_t *entry = entry_at(table, va, l);

		if (!pte_is_present(*entry)) {
			if (!create) {
				*stop = l;
				return NULL;
			}
			err = table_alloc(&table);
			if (err < 0)
				return ERR_PTR(err);
			WRITE_ONCE(*entry, table | table_flags(va));
			continue;
		}
		if ((*entry & PTE_HUGE) && !split) {
			*stop = l;
			return NULL;
		}
		if (*entry & PTE_HUGE) {
			err = split_huge(entry, va, l);
			if (err < 0)
				return ERR_PTR(err);
		}
		table = pte_address(*entry);
	}
	return entry_at(table, va, level);
}

static bool range_is_valid(uint64_t va, uint64_t length)
{
	uint64_t last = va + length - 1;

	return length > 0 && IS_ALIGNED(va, PAGE_SIZE) &&
	       IS_ALIGNED(length, PAGE_SIZE) && last >= va &&
	       va_is_canonical(va) && va_is_canonical(last) &&
	       is_user_va(va) == is_user_va(last);
}

int pgtable_create(paddr_t *root)
{
	return table_alloc(root);
}

static void free_subtree(paddr_t table, unsigned int level)
{
	pte_t *entries = hal_phys_to_virt(table);

	for (unsigned int i = 0; level > 1 && i < PT_ENTRIES; i++) {
		if (pte_is_present(entries[i]) && !(entries[i] & PTE_HUGE))
			free_subtree(pte_address(entries[i]), level - 1);
	}
	table_free(table);
}

void pgtable_destroy(paddr_t root)
{
	pte_t *entries = hal_phys_to_virt(root);

	for (unsigned int i = 0; i < PT_ENTRIES / 2; i++) {
		if (pte_is_present(entries[i]))
			free_subtree(pte_address(entries[i]), PT_LEVELS - 1);
	}
	table_free(root);
}

/* The largest leaf level the options, alignment and remaining length allow. */
static unsigned int leaf_level(uint64_t va, paddr_t pa, uint64_t remaining,
			       unsigned int options)
{
	unsigned int top = (options & PGTABLE_MAP_HUGE_1G) ? 3 :
			   (options & PGTABLE_MAP_HUGE) ? 2 : 1;

	for (unsigned int level = top; level > 1; level--) {
		uint64_t size = pgtable_level_size(level);

		if (IS_ALIGNED(va, size) && IS_ALIGNED(pa, size) &&
		    remaining >= size)
			return level;
	}
	return 1;
}

/* Installs one leaf; -EEXIST if anything already maps part of it. */
static int map_one(paddr_t root, uint64_t va, paddr_t pa, pte_t flags,
		   unsigned int level)
{
	unsigned int stop;
	pte_t *entry = walk(root, va, level, true, false, &stop);

	if (entry == NULL)
		return -EEXIST; /* a huge leaf covers it */
	if (IS_ERR(entry))
		return (int)PTR_ERR(entry);
	if (pte_is_present(*entry))
		return -EEXIST;
	WRITE_ONCE(*entry, pa | flags | PTE_PRESENT |
			   (level > 1 ? PTE_HUGE : 0));
	return 0;
}

int pgtable_map(paddr_t root, uint64_t va, paddr_t pa, uint64_t length,
		pte_t flags, unsigned int options)
{
	uint64_t done = 0;
	int err = 0;

	if (!range_is_valid(va, length) || !IS_ALIGNED(pa, PAGE_SIZE) ||
	    (flags & ~PGTABLE_LEAF_FLAGS) || pa + length < pa ||
	    ((pa + length - 1) >> 52) != 0)
		return -EINVAL;
	if ((flags & PTE_USER) && !is_user_va(va))
		return -EINVAL;
	while (done < length) {
		unsigned int level = leaf_level(va + done, pa + done,
						length - done, options);

		err = map_one(root, va + done, pa + done, flags, level);
		if (err < 0)
			break;
		done += pgtable_level_size(level);
	}
	if (err < 0 && done > 0)
		pgtable_unmap(root, va, done); /* splits nothing: whole leaves */
	return err;
}

/*
 * Unmaps what maps `va`, within the `remaining` bytes from va. Returns the
 * bytes handled (a whole hole or leaf, clipped to `remaining`), or -ENOMEM
 * when a huge leaf only partly inside the range could not be split.
 */
static int64_t unmap_step(paddr_t root, uint64_t va, uint64_t remaining)
{
	paddr_t table = root;

	for (unsigned int level = PT_LEVELS; level >= 1; level--) {
		pte_t *entry = entry_at(table, va, level);
		uint64_t size = pgtable_level_size(level);
		uint64_t to_boundary = size - (va & (size - 1));

		if (!pte_is_present(*entry))
			return (int64_t)MIN(to_boundary, remaining);
		if (level == 1 || (*entry & PTE_HUGE)) {
			if (level == 1 || (to_boundary == size &&
					   remaining >= size)) {
				WRITE_ONCE(*entry, 0);
				return (int64_t)size;
			}
			if (split_huge(entry, va, level) < 0)
				return -ENOMEM;
		}
		table = pte_address(*entry);
	}
	return -ENOMEM; /* not reached: level 1 always returns */
}

int pgtable_unmap(paddr_t root, uint64_t va, uint64_t length)
{
	uint64_t remaining = length;

	if (!range_is_valid(va, length))
		return -EINVAL;
	while (remaining > 0) {
		int64_t step = unmap_step(root, va, remaining);

		if (step < 0)
			return (int)step;
		va += (uint64_t)step;
		remaining -= (uint64_t)step;
	}
	return 0;
}

int pgtable_lookup(paddr_t root, uint64_t va, paddr_t *pa, pte_t *entry,
		   unsigned int *level)
{
	paddr_t table = root;

	if (!va_is_canonical(va))
		return -EINVAL;
	for (unsigned int l = PT_LEVELS; l >= 1; l--) {
		pte_t e = *entry_at(table, va, l);
		uint64_t size = pgtable_level_size(l);

		if (!pte_is_present(e))
			return -ENOENT;
		if (l == 1 || ((e & PTE_HUGE) && l <= 3)) {
			if (pa)
				*pa = (pte_address(e) & ~(size - 1)) +
				      (va & (size - 1));
			if (entry)
				*entry = e;
			if (level)
				*level = l;
			return 0;
		}
		table = pte_address(e);
	}
	return -ENOENT;
}

pte_t *pgtable_leaf_entry(paddr_t root, uint64_t va, bool create)
{
	unsigned int stop;

	if (!va_is_canonical(va))
		return ERR_PTR(-EINVAL);
	return walk(root, va, 1, create, create, &stop);
}

static int for_each_in(paddr_t table, unsigned int level, uint64_t va,
		       uint64_t end,
		       int (*fn)(uint64_t va, pte_t *entry, void *arg),
		       void *arg)
{
	uint64_t size = pgtable_level_size(level);

	while (va < end) {
		pte_t *entry = entry_at(table, va, level);
		uint64_t next = ALIGN_DOWN(va, size) + size;
		int err = 0;

		if (pte_is_present(*entry) && level == 1)
			err = fn(va, entry, arg);
		else if (pte_is_present(*entry) && !(*entry & PTE_HUGE))
			err = for_each_in(pte_address(*entry), level - 1, va,
					  MIN(next, end), fn, arg);
		if (err < 0)
			return err;
		va = next;
	}
	return 0;
}

int pgtable_for_each_leaf(paddr_t root, uint64_t va, uint64_t length,
			  int (*fn)(uint64_t va, pte_t *entry, void *arg),
			  void *arg)
{
	if (!range_is_valid(va, length))
		return -EINVAL;
	return for_each_in(root, PT_LEVELS, va, va + length, fn, arg);
}
