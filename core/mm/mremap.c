/*
 * Resizing and moving mappings (mremap), the heap break (brk) and
 * madvise. Same discipline as mmap.c: validate the arguments, take
 * as->lock (for writing, except madvise, which only drops pages and reads
 * the VMAs), check, then change.
 */
#include "core/mm/vm_internal.h"

#include "core/include/uapi/mman.h"
#include "core/lib/err.h"

void vm_set_mmap_base(struct address_space *as, uaddr_t base)
{
	rwlock_write_lock(&as->lock);
	as->mmap_base = base;
	rwlock_write_unlock(&as->lock);
}

void vm_set_stack_limit(struct address_space *as, uint64_t limit)
{
	WRITE_ONCE(as->stack_limit, limit);
}

void vm_brk_init(struct address_space *as, uaddr_t start)
{
	rwlock_write_lock(&as->lock);
	as->brk_start = start;
	as->brk = start;
	rwlock_write_unlock(&as->lock);
}

/* Grows the heap from old_end to new_end (page-aligned). Write-locked. */
static int brk_grow(struct address_space *as, uaddr_t old_end, uaddr_t new_end,
		    const struct vm_limits *limits)
{
	struct vma *next = vma_find(as, old_end);
	struct vma *vma;

	/* Linux keeps a page free between the heap and the next mapping. */
	if (next != NULL && new_end + PAGE_SIZE > vma_start_gap(next))
		return -ENOMEM;
	if (!vm_may_expand_locked(as, limits, PROT_READ | PROT_WRITE, 0,
				  new_end - old_end))
		return -ENOMEM;
	vma = vma_alloc(old_end, new_end, PROT_READ | PROT_WRITE, 0, NULL, 0);
	if (vma == NULL)
		return -ENOMEM;
	vm_insert_vma(as, vma);
	return 0;
}

uaddr_t vm_brk(struct address_space *as, uaddr_t brk,
	       const struct vm_limits *limits)
{
	uaddr_t old_end, new_end, result;
	int err = 0;

	rwlock_write_lock(&as->lock);
	result = as->brk;
	if (as->brk_start == 0 || brk < as->brk_start ||
	    brk > as->limit - PAGE_SIZE)
		goto out_unlock;
	/* Linux's check_data_rlimit, before any change (a shrink too). */
	if (limits != NULL && brk - as->brk_start > limits->data)
		goto out_unlock;
	old_end = ALIGN_UP(as->brk, PAGE_SIZE);
	new_end = ALIGN_UP(brk, PAGE_SIZE);
	if (new_end < old_end)
		err = vm_unmap_locked(as, new_end, old_end);
	else if (new_end > old_end)
		err = brk_grow(as, old_end, new_end, limits);
	if (err == 0)
		as->brk = result = brk;
out_unlock:
	rwlock_write_unlock(&as->lock);
	return result;
}

/*
 * Moves [old, old + old_length) (inside one VMA) to a new VMA at `to` of
 * new_length bytes (>= old_length; the range there is free). Returns `to`
 * or -ENOMEM. Write-locked.
 */
static long move_mapping(struct address_space *as, uaddr_t old,
			 uint64_t old_length, uaddr_t to, uint64_t new_length)
{
	struct vma *piece, *moved;
	int err = vma_split_range(as, old, old + old_length);

	if (err < 0)
		return err;
	piece = vma_find(as, old);
	moved = vma_alloc(to, to + new_length, piece->prot, piece->flags,
			  piece->object, piece->pgoff);
	err = moved ? vm_move_range(as, old, to, old_length) : -ENOMEM;
	if (err < 0) {
		if (moved != NULL)
			vma_free(moved);
		vma_merge(as, piece); /* undo the split */
		return err;
	}
	vma_unlink(as, piece);
	vma_free(piece);
	vm_insert_vma(as, moved);
	return (long)to;
}

/* Grows the VMA ending at old + old_length in place if there is room. */
static bool grow_in_place(struct address_space *as, struct vma *vma,
			  uaddr_t old, uint64_t old_length, uint64_t new_length)
{
	struct vma *next = vma_next(vma);
	uaddr_t end = old + new_length;

	if (old + old_length != vma->end || new_length > as->limit - old)
		return false;
	if (next != NULL && end > vma_start_gap(next))
		return false;
	vma->end = end;
	vma_merge(as, vma);
	return true;
}

/* The VMA holding all of [old, old + length), or NULL. Locked. */
static struct vma *vma_holding(struct address_space *as, uaddr_t old,
			       uint64_t length)
{
	struct vma *vma = vma_find(as, old);

	if (vma == NULL || vma->start > old || length > vma->end - old)
		return NULL;
	return vma;
}

static int mremap_check(struct address_space *as, uaddr_t old,
			uint64_t *old_length, uint64_t *new_length,
			unsigned int flags, uaddr_t new_addr)
{
	uint64_t new_aligned = ALIGN_UP(*new_length, PAGE_SIZE);

	if (flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP))
		return -EINVAL;
	if ((flags & (MREMAP_FIXED | MREMAP_DONTUNMAP)) &&
	    !(flags & MREMAP_MAYMOVE))
		return -EINVAL;
	if ((old & ~PAGE_MASK) || new_aligned == 0 ||
	    new_aligned < *new_length)
		return -EINVAL;
	*old_length = ALIGN_UP(*old_length, PAGE_SIZE);
	*new_length = new_aligned;
	if (*old_length == 0)
		return -EINVAL; /* FIXME: duplicating a shared mapping */
	if (flags & MREMAP_DONTUNMAP)
		return *old_length == *new_length ? -EOPNOTSUPP : -EINVAL;
	if (!(flags & MREMAP_FIXED))
		return 0;
	if ((new_addr & ~PAGE_MASK) || *new_length > as->limit ||
	    new_addr > as->limit - *new_length)
		return -EINVAL;
	if (new_addr < old + *old_length && old < new_addr + *new_length)
		return -EINVAL; /* the ranges overlap */
	return 0;
}

/* Whether growing `vma` by `bytes` fits the limits (Linux's vma_to_resize). */
static bool growth_fits(struct address_space *as, const struct vma *vma,
			uint64_t bytes, const struct vm_limits *limits)
{
	return vm_may_expand_locked(as, limits, vma->prot, vma->flags, bytes);
}

/* mremap with MREMAP_FIXED: the target range is replaced. Write-locked. */
static long mremap_fixed(struct address_space *as, uaddr_t old,
			 uint64_t old_length, uint64_t new_length,
			 uaddr_t new_addr, const struct vm_limits *limits)
{
	struct vma *vma = vma_holding(as, old, old_length);
	int err;

	if (vma == NULL)
		return -EFAULT;
	err = vm_unmap_locked(as, new_addr, new_addr + new_length);
	if (err == 0 && new_length < old_length) {
		err = vm_unmap_locked(as, old + new_length, old + old_length);
		old_length = new_length;
	}
	if (err < 0)
		return err;
	/* After the unmaps, as Linux: the target's old pages do not count. */
	vma = vma_holding(as, old, old_length);
	if (vma == NULL)
		return -EFAULT;
	if (new_length > old_length &&
	    !growth_fits(as, vma, new_length - old_length, limits))
		return -ENOMEM;
	return move_mapping(as, old, old_length, new_addr, new_length);
}

static long mremap_locked(struct address_space *as, uaddr_t old,
			  uint64_t old_length, uint64_t new_length,
			  unsigned int flags, const struct vm_limits *limits)
{
	struct vma *vma = vma_holding(as, old, old_length);
	long to;
	int err;

	if (vma == NULL)
		return -EFAULT;
	if (new_length <= old_length) {
		err = vm_unmap_locked(as, old + new_length, old + old_length);
		return err < 0 ? err : (long)old;
	}
	if (!growth_fits(as, vma, new_length - old_length, limits))
		return -ENOMEM;
	if (grow_in_place(as, vma, old, old_length, new_length))
		return (long)old;
	if (!(flags & MREMAP_MAYMOVE))
		return -ENOMEM;
	to = vm_find_free_range(as, 0, new_length);
	if (to < 0)
		return to;
	return move_mapping(as, old, old_length, (uaddr_t)to, new_length);
}

long vm_mremap(struct address_space *as, uaddr_t old_addr, uint64_t old_length,
	       uint64_t new_length, unsigned int flags, uaddr_t new_addr,
	       const struct vm_limits *limits)
{
	long result = mremap_check(as, old_addr, &old_length, &new_length,
				   flags, new_addr);

	if (result < 0)
		return result;
	rwlock_write_lock(&as->lock);
	if (flags & MREMAP_FIXED)
		result = mremap_fixed(as, old_addr, old_length, new_length,
				      new_addr, limits);
	else
		result = mremap_locked(as, old_addr, old_length, new_length,
				       flags, limits);
	rwlock_write_unlock(&as->lock);
	return result;
}

static bool advice_is_hint(int advice)
{
	switch (advice) {
	case MADV_NORMAL:
	case MADV_RANDOM:
	case MADV_SEQUENTIAL:
	case MADV_WILLNEED:
	case MADV_HUGEPAGE:
	case MADV_NOHUGEPAGE:
	case MADV_DONTDUMP:
	case MADV_DODUMP:
		return true;
	default:
		return false;
	}
}

int vm_madvise(struct address_space *as, uaddr_t addr, uint64_t length,
	       int advice)
{
	uint64_t aligned = ALIGN_UP(length, PAGE_SIZE);
	bool drop = advice == MADV_DONTNEED || advice == MADV_FREE;
	uaddr_t end = addr + aligned, covered = addr;
	struct vma *vma;

	if ((addr & ~PAGE_MASK) || aligned < length || end < addr)
		return -EINVAL;
	if (!drop && !advice_is_hint(advice))
		return -EINVAL; /* FIXME: DONTFORK/DOFORK, REMOVE, KSM */
	if (end == addr)
		return 0;
	rwlock_read_lock(&as->lock);
	for (vma = vma_find(as, addr); vma && vma->start < end;
	     vma = vma_next(vma)) {
		if (vma->start > covered)
			break; /* a hole */
		if (drop)
			vm_zap_range(as, covered, MIN(vma->end, end));
		covered = MIN(vma->end, end);
	}
	rwlock_read_unlock(&as->lock);
	return covered == end ? 0 : -ENOMEM;
}
