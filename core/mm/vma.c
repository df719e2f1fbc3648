/*
 * The VMA tree of an address space: a red-black tree keyed by start
 * address holding non-overlapping VMAs. VMAs are kmalloc'd; each holds a
 * reference on its memory object. Splitting allocates; merging frees.
 * Everything here runs under the address space's lock (read for lookups,
 * write for changes), as the callers in vm.c, fault.c and mmap.c take it.
 */
#include "core/mm/vm_internal.h"

#include "core/include/uapi/mman.h"
#include "core/lib/err.h"
#include "core/mm/kmem.h"

static struct vma *node_vma(struct rb_node *node)
{
	return rb_entry_or_null(node, struct vma, node);
}

struct vma *vma_find(struct address_space *as, uaddr_t addr)
{
	struct rb_node *node = as->vmas.node;
	struct vma *best = NULL;

	while (node != NULL) {
		struct vma *vma = node_vma(node);

		if (addr < vma->end) {
			best = vma;
			if (addr >= vma->start)
				return vma;
			node = node->left;
		} else {
			node = node->right;
		}
	}
	return best;
}

struct vma *vma_first(struct address_space *as)
{
	return node_vma(rb_first(&as->vmas));
}

struct vma *vma_next(struct vma *vma)
{
	return node_vma(rb_next(&vma->node));
}

struct vma *vma_prev(struct vma *vma)
{
	return node_vma(rb_prev(&vma->node));
}

struct vma *vma_alloc(uaddr_t start, uaddr_t end, unsigned int prot,
		      unsigned int flags, struct vm_object *object,
		      uint64_t pgoff)
{
	struct vma *vma = kzalloc(sizeof(*vma));

	if (vma == NULL)
		return NULL;
	vma->start = start;
	vma->end = end;
	vma->prot = prot;
	vma->flags = flags;
	vma->object = object;
	vma->pgoff = pgoff;
	if (object != NULL)
		vm_object_get(object);
	return vma;
}

void vma_free(struct vma *vma)
{
	if (vma->object != NULL)
		vm_object_put(vma->object);
	kfree(vma);
}

void vma_link(struct address_space *as, struct vma *vma)
{
	struct rb_node **link = &as->vmas.node;
	struct rb_node *parent = NULL;

	while (*link != NULL) {
		parent = *link;
		if (vma->start < node_vma(parent)->start)
			link = &parent->left;
		else
			link = &parent->right;
	}
	rb_link(&vma->node, parent, link);
	rb_insert_fixup(&as->vmas, &vma->node);
	as->vma_count++;
}

void vma_unlink(struct address_space *as, struct vma *vma)
{
	rb_erase(&as->vmas, &vma->node);
	as->vma_count--;
}

int vma_split(struct address_space *as, struct vma *vma, uaddr_t addr)
{
	uint64_t pages = (addr - vma->start) >> PAGE_SHIFT;
	struct vma *upper = vma_alloc(addr, vma->end, vma->prot, vma->flags,
				      vma->object, vma->pgoff + pages);

	if (upper == NULL)
		return -ENOMEM;
	/* The tree is keyed by start: shrinking vma keeps its place. */
	vma->end = addr;
	vma_link(as, upper);
	return 0;
}

int vma_split_range(struct address_space *as, uaddr_t start, uaddr_t end)
{
	struct vma *vma = vma_find(as, start);
	int err;

	if (start >= end)
		return 0;
	if (vma != NULL && vma->start < start) {
		err = vma_split(as, vma, start);
		if (err < 0)
			return err;
	}
	vma = vma_find(as, end - 1);
	if (vma != NULL && vma->start < end && vma->end > end) {
		err = vma_split(as, vma, end);
		if (err < 0)
			vma_merge(as, vma); /* undo the first split */
		return err;
	}
	return 0;
}

bool vma_can_merge(const struct vma *a, const struct vma *b)
{
	if (a->end != b->start || a->prot != b->prot ||
	    a->flags != b->flags || a->object != b->object)
		return false;
	return a->object == NULL ||
	       a->pgoff + ((a->end - a->start) >> PAGE_SHIFT) == b->pgoff;
}

/* Folds `upper` into `lower` (adjacent, compatible) and frees it. */
static void absorb(struct address_space *as, struct vma *lower,
		   struct vma *upper)
{
	lower->end = upper->end;
	vma_unlink(as, upper);
	vma_free(upper);
}

struct vma *vma_merge(struct address_space *as, struct vma *vma)
{
	struct vma *prev = vma_prev(vma);
	struct vma *next = vma_next(vma);

	if (next != NULL && vma_can_merge(vma, next))
		absorb(as, vma, next);
	if (prev != NULL && vma_can_merge(prev, vma)) {
		absorb(as, prev, vma);
		return prev;
	}
	return vma;
}

bool vm_range_is_free(struct address_space *as, uaddr_t start, uaddr_t end)
{
	struct vma *vma = vma_find(as, start);

	return vma == NULL || vma->start >= end;
}

uaddr_t vma_start_gap(const struct vma *vma)
{
	if (!(vma->flags & VMA_GROWSDOWN))
		return vma->start;
	return vma->start > VM_STACK_GUARD_GAP ?
		       vma->start - VM_STACK_GUARD_GAP : 0;
}

/* Linux's is_data_mapping: private, writable, not a stack. */
static bool counts_as_data(unsigned int prot, unsigned int flags)
{
	return (prot & PROT_WRITE) && !(flags & (VMA_SHARED | VMA_GROWSDOWN));
}

bool vm_may_expand_locked(struct address_space *as,
			  const struct vm_limits *limits, unsigned int prot,
			  unsigned int flags, uint64_t bytes)
{
	bool data = counts_as_data(prot, flags);
	uint64_t pages = bytes >> PAGE_SHIFT, total = 0, data_pages = 0;
	uint64_t as_pages, data_limit;

	if (limits == NULL || (limits->as == VM_UNLIMITED &&
			       (!data || limits->data == VM_UNLIMITED)))
		return true;
	for (struct vma *vma = vma_first(as); vma; vma = vma_next(vma)) {
		uint64_t size = (vma->end - vma->start) >> PAGE_SHIFT;

		total += size;
		if (counts_as_data(vma->prot, vma->flags))
			data_pages += size;
	}
	as_pages = limits->as >> PAGE_SHIFT;
	if (total > as_pages || pages > as_pages - total)
		return false;
	if (!data)
		return true;
	data_limit = limits->data >> PAGE_SHIFT;
	if (data_pages <= data_limit && pages <= data_limit - data_pages)
		return true;
	/* Linux lets a soft limit of 0 mean the hard one, for old programs. */
	return limits->data == 0 &&
	       data_pages <= limits->data_max >> PAGE_SHIFT &&
	       pages <= (limits->data_max >> PAGE_SHIFT) - data_pages;
}

uint64_t vm_mapped_bytes_locked(struct address_space *as, uaddr_t start,
				uaddr_t end)
{
	uint64_t bytes = 0;

	for (struct vma *vma = vma_find(as, start); vma && vma->start < end;
	     vma = vma_next(vma))
		bytes += MIN(vma->end, end) - MAX(vma->start, start);
	return bytes;
}
