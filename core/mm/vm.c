/*
 * Address-space life cycle: creation, the last reference freeing every
 * page, table and VMA, fork with copy-on-write, and the read-only walks
 * (iteration, invariant checks). An address space is reference-counted
 * (threads sharing it, later the process); the struct and its locks are
 * described in vm.h.
 */
#include "core/mm/vm.h"

#include "core/hal/mmu.h"
#include "core/include/uapi/mman.h"
#include "core/lib/err.h"
#include "core/lib/printk.h"
#include "core/mm/kmem.h"
#include "core/mm/pgtable.h"
#include "core/mm/pmm.h"
#include "core/mm/vm_internal.h"

struct address_space *vm_create(void)
{
	struct address_space *as = kzalloc(sizeof(*as));

	if (as == NULL)
		return ERR_PTR(-ENOMEM);
	if (pgtable_create(&as->root) < 0) {
		kfree(as);
		return ERR_PTR(-ENOMEM);
	}
	hal_as_init_root(as->root);
	rwlock_init(&as->lock, "address_space", LOCK_RANK_VM_SPACE);
	spin_init(&as->pt_lock, "address_space.pt", LOCK_RANK_VM_PT);
	as->vmas = (struct rb_root)RB_ROOT_INIT;
	as->limit = hal_user_limit();
	as->mmap_base = as->limit - VM_MMAP_TOP_GAP;
	as->stack_limit = VM_STACK_LIMIT_DEFAULT;
	as->refcount = 1;
	return as;
}

void vm_get(struct address_space *as)
{
	__atomic_fetch_add(&as->refcount, 1, __ATOMIC_RELAXED);
}

/* Frees everything. No other reference exists, so no one else locks. */
static void destroy(struct address_space *as)
{
	struct vma *vma;

	rwlock_write_lock(&as->lock);
	while ((vma = vma_first(as)) != NULL) {
		vm_zap_range(as, vma->start, vma->end);
		vma_unlink(as, vma);
		vma_free(vma);
	}
	rwlock_write_unlock(&as->lock);
	hal_as_release(as);
	pgtable_destroy(as->root);
	kfree(as);
}

void vm_put(struct address_space *as)
{
	if (__atomic_sub_fetch(&as->refcount, 1, __ATOMIC_ACQ_REL) == 0)
		destroy(as);
}

struct fork_args {
	struct address_space *child;
	bool shared;
};

/*
 * Shares one page with the child. Private pages lose PTE_WRITE on both
 * sides, so the first write to either copies (or, once the other side has
 * let go, just gets write access back).
 */
static int fork_one(uint64_t va, pte_t *entry, void *arg)
{
	const struct fork_args *args = arg;
	pte_t value = *entry;
	int err;

	if (!args->shared) {
		value &= ~PTE_WRITE;
		WRITE_ONCE(*entry, value);
	}
	err = pgtable_map(args->child->root, va, pte_address(value), PAGE_SIZE,
			  value & PGTABLE_LEAF_FLAGS, 0);
	if (err < 0)
		return err;
	page_ref_get(phys_to_page(pte_address(value)));
	return 0;
}

/*
 * Copies one VMA and its pages into the child. The child is not visible
 * to anyone yet, so its table is edited without its pt_lock. Parent
 * write-locked.
 */
static int fork_vma(struct address_space *parent, struct address_space *child,
		    const struct vma *vma)
{
	struct fork_args args = { .child = child,
				  .shared = (vma->flags & VMA_SHARED) != 0 };
	struct vma *copy = vma_alloc(vma->start, vma->end, vma->prot,
				     vma->flags, vma->object, vma->pgoff);
	int err;

	if (copy == NULL)
		return -ENOMEM;
	vma_link(child, copy);
	spin_lock(&parent->pt_lock);
	err = pgtable_for_each_leaf(parent->root, vma->start,
				    vma->end - vma->start, fork_one, &args);
	if (!args.shared)
		hal_tlb_flush(parent, vma->start, vma->end - vma->start);
	spin_unlock(&parent->pt_lock);
	return err;
}

struct address_space *vm_fork(struct address_space *parent)
{
	struct address_space *child = vm_create();
	struct vma *vma;
	int err = 0;

	if (IS_ERR(child))
		return child;
	rwlock_write_lock(&parent->lock);
	child->brk_start = parent->brk_start;
	child->brk = parent->brk;
	child->mmap_base = parent->mmap_base;
	child->limit = parent->limit;
	child->stack_limit = parent->stack_limit;
	for (vma = vma_first(parent); vma && err == 0; vma = vma_next(vma))
		err = fork_vma(parent, child, vma);
	rwlock_write_unlock(&parent->lock);
	if (err < 0) {
		vm_put(child); /* drops the page references taken so far */
		return ERR_PTR(err);
	}
	return child;
}

int vm_for_each_vma(struct address_space *as,
		    int (*fn)(const struct vma *vma, void *arg), void *arg)
{
	int err = 0;

	rwlock_read_lock(&as->lock);
	for (struct vma *vma = vma_first(as); vma && err >= 0;
	     vma = vma_next(vma))
		err = fn(vma, arg);
	rwlock_read_unlock(&as->lock);
	return err < 0 ? err : 0;
}

static int invalid(const char *why, uaddr_t addr)
{
	pr_err("vm: invariant broken at %#llx: %s\n", (unsigned long long)addr,
	       why);
	return -EINVAL;
}

/* Checks one VMA against its predecessor. Read-locked. */
static int validate_vma(struct address_space *as, const struct vma *prev,
			const struct vma *vma)
{
	if (vma->start >= vma->end || !IS_ALIGNED(vma->start, PAGE_SIZE) ||
	    !IS_ALIGNED(vma->end, PAGE_SIZE))
		return invalid("empty or misaligned VMA", vma->start);
	if (vma->end > as->limit)
		return invalid("VMA beyond the limit", vma->start);
	if (prev != NULL && prev->end > vma->start)
		return invalid("VMAs overlap or are out of order", vma->start);
	if (prev != NULL && vma_can_merge(prev, vma))
		return invalid("adjacent compatible VMAs not merged",
			       vma->start);
	return 0;
}

/* Every present page lies in a VMA and has no more rights than it. */
static int validate_page(uint64_t va, pte_t *entry, void *arg)
{
	struct address_space *as = arg;
	struct vma *vma = vma_find(as, va);
	pte_t allowed;

	if (vma == NULL || vma->start > va)
		return invalid("page mapped outside every VMA", va);
	allowed = vm_pte_flags(vma);
	if ((*entry & PTE_USER) != (allowed & PTE_USER))
		return invalid("page accessibility differs from its VMA", va);
	if ((*entry & PTE_WRITE) && !(vma->prot & PROT_WRITE))
		return invalid("writable page in a read-only VMA", va);
	return 0;
}

int vm_validate(struct address_space *as)
{
	const struct vma *prev = NULL;
	uint64_t count = 0;
	int err = 0;

	rwlock_read_lock(&as->lock);
	if (rb_validate(&as->vmas) < 0)
		err = invalid("broken red-black tree", 0);
	for (struct vma *vma = vma_first(as); vma && err == 0;
	     vma = vma_next(vma), count++) {
		err = validate_vma(as, prev, vma);
		prev = vma;
	}
	if (err == 0 && count != as->vma_count)
		err = invalid("VMA count is wrong", 0);
	if (err == 0) {
		spin_lock(&as->pt_lock);
		err = pgtable_for_each_leaf(as->root, 0, as->limit,
					    validate_page, as);
		spin_unlock(&as->pt_lock);
	}
	rwlock_read_unlock(&as->lock);
	return err;
}
