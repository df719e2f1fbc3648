/*
 * Page faults: demand-zero anonymous pages, pages of memory objects,
 * copy-on-write, and stack growth. A fault holds the address space's lock
 * for reading (writing only to grow a stack, which changes a VMA), and
 * pt_lock around each look at or change of an entry. Pages are allocated
 * outside pt_lock when that is possible; an entry someone else filled in
 * the meantime wins and our page goes back. Hardware Accessed/Dirty bits
 * are never consulted: write access to private memory is granted by write
 * faults only.
 */
#include "core/mm/vm_internal.h"

#include "core/hal/mmu.h"
#include "core/include/uapi/mman.h"
#include "core/lib/err.h"
#include "core/lib/panic.h"
#include "core/lib/string.h"
#include "core/mm/pgtable.h"
#include "core/mm/pmm.h"

static bool access_allowed(const struct vma *vma, unsigned int access)
{
	if (!(vma->prot & (PROT_READ | PROT_WRITE | PROT_EXEC)))
		return false;
	if ((access & VM_ACCESS_WRITE) && !(vma->prot & PROT_WRITE))
		return false;
	if ((access & VM_ACCESS_EXEC) && !(vma->prot & PROT_EXEC))
		return false;
	return true;
}

/*
 * Gives the write fault at *entry (present, read-only, in a writable
 * private VMA) its own page: reuse when this entry is the page's only
 * user, else copy. pt_lock held.
 */
static int cow_locked(struct address_space *as, uaddr_t va, pte_t *entry)
{
	pte_t old_entry = *entry;
	struct page *old = phys_to_page(pte_address(old_entry));
	pte_t flags = old_entry & PGTABLE_LEAF_FLAGS;
	struct page *copy;

	ASSERT(spin_is_locked(&as->pt_lock));
	if ((page_flags(old) & PAGE_ANON) && page_ref_count(old) == 1) {
		WRITE_ONCE(*entry, old_entry | PTE_WRITE);
		hal_tlb_flush(as, va, PAGE_SIZE);
		return 0;
	}
	copy = pmm_alloc(0, 0);
	if (copy == NULL)
		return -ENOMEM;
	page_flags_set(copy, PAGE_ANON);
	memcpy(page_to_virt(copy), page_to_virt(old), PAGE_SIZE);
	WRITE_ONCE(*entry,
		   page_to_phys(copy) | flags | PTE_WRITE | PTE_PRESENT);
	hal_tlb_flush(as, va, PAGE_SIZE);
	vm_page_put(old);
	return 0;
}

/* The page for a missing entry, with one reference for that entry. */
static int fault_get_page(const struct vma *vma, uaddr_t va, struct page **page)
{
	uint64_t pgoff;

	if (vma->object != NULL) {
		pgoff = vma->pgoff + ((va - vma->start) >> PAGE_SHIFT);
		return vma->object->ops->fault(vma->object, pgoff, page);
	}
	*page = pmm_alloc(0, PMM_ZERO);
	if (*page == NULL)
		return -ENOMEM;
	page_flags_set(*page, PAGE_ANON);
	return 0;
}

/*
 * Maps `page` at va unless someone else did first. A fresh private page
 * of our own is mapped writable at once if the VMA allows it. Returns the
 * entry (pt_lock held on success), or an ERR_PTR with pt_lock dropped.
 */
static pte_t *install_locked(struct address_space *as, const struct vma *vma,
			     uaddr_t va, struct page *page)
{
	pte_t flags = vm_pte_flags(vma);
	pte_t *entry = pgtable_leaf_entry(as->root, va, true);

	ASSERT(spin_is_locked(&as->pt_lock));
	if (IS_ERR(entry)) {
		spin_unlock(&as->pt_lock);
		vm_page_put(page);
		return entry;
	}
	if (pte_is_present(*entry)) {
		vm_page_put(page); /* lost a race: the other page stands */
		return entry;
	}
	if ((page_flags(page) & PAGE_ANON) && (vma->prot & PROT_WRITE))
		flags |= PTE_WRITE;
	WRITE_ONCE(*entry, page_to_phys(page) | flags | PTE_PRESENT);
	hal_tlb_flush(as, va, PAGE_SIZE);
	return entry;
}

/* Makes va accessible for `access` in vma. as->lock held (any mode). */
static int fault_page(struct address_space *as, const struct vma *vma,
		      uaddr_t va, unsigned int access)
{
	struct page *page;
	pte_t *entry;
	int err = 0;

	spin_lock(&as->pt_lock);
	entry = pgtable_leaf_entry(as->root, va, false);
	if (entry == NULL || IS_ERR(entry) || !pte_is_present(*entry)) {
		spin_unlock(&as->pt_lock);
		err = fault_get_page(vma, va, &page);
		if (err < 0)
			return err;
		spin_lock(&as->pt_lock);
		entry = install_locked(as, vma, va, page);
		if (IS_ERR(entry))
			return (int)PTR_ERR(entry);
	}
	if ((access & VM_ACCESS_WRITE) && !(*entry & PTE_WRITE)) {
		if (vma->flags & VMA_SHARED) {
			WRITE_ONCE(*entry, *entry | PTE_WRITE);
			hal_tlb_flush(as, va, PAGE_SIZE);
		} else {
			err = cow_locked(as, va, entry);
		}
	}
	spin_unlock(&as->pt_lock);
	return err;
}

/*
 * Extends the grows-down VMA above addr down to addr's page, keeping it
 * within the stack limit, `limits` (may be NULL) and VM_STACK_GUARD_GAP
 * above the VMA below. Returns 0 or -EFAULT. Write-locked.
 */
static int expand_stack(struct address_space *as, uaddr_t addr,
			const struct vm_limits *limits)
{
	struct vma *vma = vma_find(as, addr);
	uaddr_t start = ALIGN_DOWN(addr, PAGE_SIZE);
	uint64_t pages;
	struct vma *prev;

	if (vma != NULL && addr >= vma->start)
		return 0; /* grown or mapped while we waited for the lock */
	if (vma == NULL || !(vma->flags & VMA_GROWSDOWN))
		return -EFAULT;
	pages = (vma->start - start) >> PAGE_SHIFT;
	/* Linux's acct_stack_growth: the whole VMA within RLIMIT_STACK. */
	if (vma->end - start > READ_ONCE(as->stack_limit) ||
	    start < VM_MMAP_MIN_ADDR)
		return -EFAULT;
	if (vma->object != NULL && vma->pgoff < pages)
		return -EFAULT;
	if (!vm_may_expand_locked(as, limits, vma->prot, vma->flags,
				  pages << PAGE_SHIFT))
		return -EFAULT;
	prev = vma_prev(vma);
	if (prev != NULL && prev->end + VM_STACK_GUARD_GAP > start)
		return -EFAULT;
	/* Still above prev: the tree order holds with the new start. */
	vma->start = start;
	if (vma->object != NULL)
		vma->pgoff -= pages;
	return 0;
}

/* The fault with as->lock held (any mode; write if `grow`). */
static int fault_locked(struct address_space *as, uaddr_t addr,
			unsigned int access, bool grow,
			const struct vm_limits *limits)
{
	struct vma *vma;
	int err;

	if (grow) {
		err = expand_stack(as, addr, limits);
		if (err < 0)
			return err;
	}
	vma = vma_find(as, addr);
	if (vma == NULL || addr < vma->start)
		return -EFAULT;
	if (!access_allowed(vma, access))
		return -EACCES;
	return fault_page(as, vma, ALIGN_DOWN(addr, PAGE_SIZE), access);
}

int vm_fault(struct address_space *as, uaddr_t addr, unsigned int access)
{
	return vm_fault_limited(as, addr, access, NULL);
}

int vm_fault_limited(struct address_space *as, uaddr_t addr,
		     unsigned int access, const struct vm_limits *limits)
{
	struct vma *vma;
	int err;

	ASSERT(lockcheck_spinlocks_held() == 0); /* may sleep */
	if (addr >= as->limit)
		return -EFAULT;
	rwlock_read_lock(&as->lock);
	vma = vma_find(as, addr);
	if (vma == NULL || addr >= vma->start ||
	    !(vma->flags & VMA_GROWSDOWN)) {
		err = fault_locked(as, addr, access, false, limits);
		rwlock_read_unlock(&as->lock);
		return err;
	}
	rwlock_read_unlock(&as->lock);
	rwlock_write_lock(&as->lock);
	err = fault_locked(as, addr, access, true, limits);
	rwlock_write_unlock(&as->lock);
	return err;
}

/*
 * Pages vm_populate faults in under one hold of as->lock before it lets
 * a waiting writer (mmap, munmap of another thread) in.
 */
#define POPULATE_BATCH 256

int vm_populate(struct address_space *as, uaddr_t start, uint64_t length,
		unsigned int access)
{
	uaddr_t va = ALIGN_DOWN(start, PAGE_SIZE);
	uaddr_t end = start + length;
	int err = 0;

	ASSERT(lockcheck_spinlocks_held() == 0); /* may sleep */
	if (end < start || end > as->limit)
		return -EFAULT;
	while (va < end && err == 0) {
		struct vma *vma;
		uaddr_t stop;

		rwlock_read_lock(&as->lock);
		vma = vma_find(as, va);	/* again each batch: it may change */
		if (vma == NULL || va < vma->start)
			err = -EFAULT;
		else if (!access_allowed(vma, access))
			err = -EACCES;
		stop = err ? va : MIN(MIN(end, vma->end),
				      va + POPULATE_BATCH * PAGE_SIZE);
		for (; va < stop && err == 0; va += PAGE_SIZE)
			err = fault_page(as, vma, va, access);
		rwlock_read_unlock(&as->lock);
	}
	return err;
}

int vm_fault_segv_code(int error)
{
	return error == -EACCES ? VM_SEGV_ACCERR : VM_SEGV_MAPERR;
}
