/*
 * Page-table work on ranges of an address space: dropping, re-protecting
 * and moving pages, and removing whole ranges. Every entry is read and
 * written under as->pt_lock (callers also hold as->lock, which keeps the
 * VMAs still). Pages leave a page table in batches: entries are cleared,
 * the TLB is flushed, and only then are the page references dropped, so
 * no CPU can still write through a stale entry to a page that someone
 * else now owns (Linux's mmu_gather).
 */
#include "core/mm/vm_internal.h"

#include "core/hal/mmu.h"
#include "core/include/uapi/mman.h"
#include "core/lib/err.h"
#include "core/mm/pgtable.h"
#include "core/mm/pmm.h"

#define ZAP_BATCH 32

struct zap_batch {
	struct address_space *as;
	uaddr_t start;
	uaddr_t end;
	unsigned int count;
	struct page *pages[ZAP_BATCH];
};

void vm_page_put(struct page *page)
{
	if (page_ref_put_is_last(page))
		pmm_free(page, 0);
}

pte_t vm_pte_flags(const struct vma *vma)
{
	pte_t flags = 0;

	if (vma->prot & (PROT_READ | PROT_WRITE | PROT_EXEC))
		flags |= PTE_USER; /* PROT_NONE: present, kernel-only */
	if (!(vma->prot & PROT_EXEC))
		flags |= PTE_NO_EXECUTE;
	if ((vma->prot & PROT_WRITE) && (vma->flags & VMA_SHARED))
		flags |= PTE_WRITE;
	return flags;
}

/* Flushes the range and releases the batched pages. pt_lock held. */
static void zap_flush(struct zap_batch *batch)
{
	if (batch->count == 0)
		return;
	hal_tlb_flush(batch->as, batch->start, batch->end - batch->start);
	for (unsigned int i = 0; i < batch->count; i++)
		vm_page_put(batch->pages[i]);
	batch->count = 0;
}

static int zap_one(uint64_t va, pte_t *entry, void *arg)
{
	struct zap_batch *batch = arg;

	(void)va;
	batch->pages[batch->count++] = phys_to_page(pte_address(*entry));
	WRITE_ONCE(*entry, 0);
	if (batch->count == ZAP_BATCH)
		zap_flush(batch);
	return 0;
}

void vm_zap_range(struct address_space *as, uaddr_t start, uaddr_t end)
{
	struct zap_batch batch = { .as = as, .start = start, .end = end };

	if (start >= end)
		return;
	spin_lock(&as->pt_lock);
	pgtable_for_each_leaf(as->root, start, end - start, zap_one, &batch);
	zap_flush(&batch);
	spin_unlock(&as->pt_lock);
}

struct protect_args {
	pte_t flags;
	bool keep_write;
};

static int protect_one(uint64_t va, pte_t *entry, void *arg)
{
	const struct protect_args *args = arg;
	pte_t old = *entry;
	pte_t new = (old & PTE_ADDRESS_MASK) | PTE_PRESENT | args->flags;

	(void)va;
	if (args->keep_write)
		new |= old & PTE_WRITE;
	WRITE_ONCE(*entry, new);
	return 0;
}

void vm_protect_range(struct address_space *as, const struct vma *vma,
		      uaddr_t start, uaddr_t end)
{
	struct protect_args args = {
		.flags = vm_pte_flags(vma),
		.keep_write = (vma->prot & PROT_WRITE) != 0,
	};

	spin_lock(&as->pt_lock);
	pgtable_for_each_leaf(as->root, start, end - start, protect_one, &args);
	hal_tlb_flush(as, start, end - start);
	spin_unlock(&as->pt_lock);
}

struct move_args {
	paddr_t root;
	int64_t delta;		/* destination minus source */
};

/* Pass 1: every destination entry exists, so pass 2 cannot fail. */
static int move_prepare(uint64_t va, pte_t *entry, void *arg)
{
	const struct move_args *args = arg;
	pte_t *to = pgtable_leaf_entry(args->root, va + args->delta, true);

	(void)entry;
	return IS_ERR(to) ? (int)PTR_ERR(to) : 0;
}

static int move_one(uint64_t va, pte_t *entry, void *arg)
{
	const struct move_args *args = arg;
	pte_t *to = pgtable_leaf_entry(args->root, va + args->delta, false);

	WRITE_ONCE(*to, *entry);
	WRITE_ONCE(*entry, 0);
	return 0;
}

int vm_move_range(struct address_space *as, uaddr_t from, uaddr_t to,
		  uint64_t length)
{
	struct move_args args = { .root = as->root,
				  .delta = (int64_t)(to - from) };
	int err;

	spin_lock(&as->pt_lock);
	err = pgtable_for_each_leaf(as->root, from, length, move_prepare,
				    &args);
	if (err == 0) {
		pgtable_for_each_leaf(as->root, from, length, move_one, &args);
		hal_tlb_flush(as, from, length);
		hal_tlb_flush(as, to, length);
	}
	spin_unlock(&as->pt_lock);
	return err;
}

int vm_unmap_locked(struct address_space *as, uaddr_t start, uaddr_t end)
{
	struct vma *vma, *next;
	int err;

	if (start >= end)
		return 0;
	err = vma_split_range(as, start, end);
	if (err < 0)
		return err;
	vm_zap_range(as, start, end);
	for (vma = vma_find(as, start); vma && vma->start < end; vma = next) {
		next = vma_next(vma);
		vma_unlink(as, vma);
		vma_free(vma);
	}
	return 0;
}
