/*
 * Memory objects: what backs VMAs whose pages must be found again by
 * offset, so every mapping of the object (across fork too) sees the same
 * page. Shared anonymous memory is the first kind: a sparse set of
 * zero-filled pages in a red-black tree keyed by page offset, created on
 * first touch. Its lock (a mutex, taken under an address space's lock)
 * protects the tree. The object holds one reference on each of its pages;
 * each page-table entry that maps one holds another.
 */
#include "core/mm/vm_internal.h"

#include "core/lib/err.h"
#include "core/mm/kmem.h"
#include "core/mm/pmm.h"
#include "core/sync/mutex.h"

struct anon_page {
	struct rb_node node;	/* in anon_object.pages, keyed by pgoff */
	uint64_t pgoff;
	struct page *page;
};

struct anon_object {
	struct vm_object object;
	struct mutex lock;
	/* Protected by lock: */
	struct rb_root pages;
};

void vm_object_get(struct vm_object *object)
{
	__atomic_fetch_add(&object->refcount, 1, __ATOMIC_RELAXED);
}

void vm_object_put(struct vm_object *object)
{
	if (__atomic_sub_fetch(&object->refcount, 1, __ATOMIC_ACQ_REL) == 0)
		object->ops->release(object);
}

static struct anon_object *to_anon(struct vm_object *object)
{
	return container_of(object, struct anon_object, object);
}

/* The slot for pgoff: its node if present, else where to link one. */
static struct anon_page *anon_lookup(struct anon_object *anon, uint64_t pgoff,
				     struct rb_node **parent,
				     struct rb_node ***link)
{
	*link = &anon->pages.node;
	*parent = NULL;
	while (**link != NULL) {
		struct anon_page *entry =
			rb_entry(**link, struct anon_page, node);

		if (pgoff == entry->pgoff)
			return entry;
		*parent = **link;
		*link = pgoff < entry->pgoff ? &(**link)->left
					     : &(**link)->right;
	}
	return NULL;
}

/* Allocates the zero page for pgoff and links it. Lock held. */
static int anon_add(struct anon_object *anon, uint64_t pgoff,
		    struct rb_node *parent, struct rb_node **link,
		    struct anon_page **out)
{
	struct anon_page *entry = kmalloc(sizeof(*entry));

	if (entry == NULL)
		return -ENOMEM;
	entry->page = pmm_alloc(0, PMM_ZERO);
	if (entry->page == NULL) {
		kfree(entry);
		return -ENOMEM;
	}
	entry->pgoff = pgoff;
	rb_link(&entry->node, parent, link);
	rb_insert_fixup(&anon->pages, &entry->node);
	*out = entry;
	return 0;
}

static int anon_fault(struct vm_object *object, uint64_t pgoff,
		      struct page **page)
{
	struct anon_object *anon = to_anon(object);
	struct rb_node *parent, **link;
	struct anon_page *entry;
	int err = 0;

	mutex_lock(&anon->lock);
	entry = anon_lookup(anon, pgoff, &parent, &link);
	if (entry == NULL)
		err = anon_add(anon, pgoff, parent, link, &entry);
	if (err == 0) {
		page_ref_get(entry->page);
		*page = entry->page;
	}
	mutex_unlock(&anon->lock);
	return err;
}

/* The last reference is gone: nobody else can reach the tree. */
static void anon_release(struct vm_object *object)
{
	struct anon_object *anon = to_anon(object);
	struct rb_node *node;

	while ((node = rb_first(&anon->pages)) != NULL) {
		struct anon_page *entry =
			rb_entry(node, struct anon_page, node);

		rb_erase(&anon->pages, node);
		vm_page_put(entry->page);
		kfree(entry);
	}
	kfree(anon);
}

static const struct vm_object_ops anon_object_ops = {
	.fault = anon_fault,
	.release = anon_release,
};

struct vm_object *vm_anon_object_create(void)
{
	struct anon_object *anon = kzalloc(sizeof(*anon));

	if (anon == NULL)
		return NULL;
	anon->object.ops = &anon_object_ops;
	anon->object.refcount = 1;
	mutex_init(&anon->lock, "vm_object", LOCK_RANK_VM_OBJECT);
	anon->pages = (struct rb_root)RB_ROOT_INIT;
	return &anon->object;
}
