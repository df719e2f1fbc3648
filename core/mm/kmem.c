/*
 * Slab allocator. A slab is a block of 2^slab_order pages from the buddy
 * allocator, cut into equal objects; its head page's struct page holds the
 * owning cache, the in-use count and the free list, which is threaded
 * through the free objects themselves. Tail pages point at the head, so
 * any object address finds its slab in O(1).
 *
 * Each cache's lock (irqsave) protects its slab lists, its statistics and
 * the slab fields of its slabs' head pages. caches_lock protects the list
 * of caches. Lock order: caches_lock, then a cache lock, then the pmm lock.
 *
 * Free objects are inaccessible to the memory checker; the allocator opens
 * the 8-byte link word only while it reads or writes it.
 *
 * FIXME: per-CPU object caches in front of the cache lock, once the
 * scheduler brings per-CPU data.
 */
#include "core/mm/kmem.h"

#include "core/hal/debug.h"
#include "core/include/uapi/errno.h"
#include "core/lib/err.h"
#include "core/lib/format.h"
#include "core/lib/panic.h"
#include "core/lib/string.h"
#include "core/mm/pmm.h"

#define SLAB_MAX_ORDER 3
#define SLAB_MIN_OBJECTS 8
#define EMPTY_SLABS_KEPT 1

static const size_t kmalloc_sizes[] = {
	8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192,
};

static struct kmem_cache kmalloc_caches[ARRAY_SIZE(kmalloc_sizes)];
static struct kmem_cache cache_cache;	/* holds struct kmem_cache */

static struct spinlock caches_lock =
	SPINLOCK_INIT("kmem_caches", LOCK_RANK_KMEM_CACHES);
/* Protected by caches_lock: */
static struct list_head caches = LIST_HEAD_INIT(caches);

static uint64_t large_pages;	/* atomic */

static void *object_next(void *object)
{
	return (void *)hal_memcheck_read_hidden(object);
}

static void object_set_next(void *object, void *next)
{
	hal_memcheck_undefined(object, sizeof(void *));
	*(void **)object = next;
	hal_memcheck_noaccess(object, sizeof(void *));
}

static unsigned int objects_per_slab(size_t stride, unsigned int order)
{
	return (unsigned int)((PAGE_SIZE << order) / stride);
}

/* Smallest order giving SLAB_MIN_OBJECTS objects and at most 1/8 waste. */
static unsigned int choose_slab_order(size_t stride)
{
	unsigned int order = 0;

	while (order < SLAB_MAX_ORDER) {
		size_t bytes = PAGE_SIZE << order;
		unsigned int objects = objects_per_slab(stride, order);

		if (objects >= SLAB_MIN_OBJECTS &&
		    bytes - objects * stride <= bytes / 8)
			break;
		order++;
	}
	return order;
}

static void cache_setup(struct kmem_cache *cache, const char *name,
			size_t size, size_t align)
{
	irq_flags_t irq;

	kstrlcpy(cache->name, name, sizeof(cache->name));
	cache->object_size = size;
	cache->stride = ALIGN_UP(MAX(size, (size_t)KMALLOC_MIN_SIZE), align);
	cache->slab_order = choose_slab_order(cache->stride);
	cache->objects_per_slab = objects_per_slab(cache->stride,
						   cache->slab_order);
	spin_init(&cache->lock, "kmem_cache", LOCK_RANK_KMEM_CACHE);
	list_init(&cache->partial);
	list_init(&cache->full);
	list_init(&cache->empty);
	cache->empty_count = 0;
	cache->stats = (struct kmem_cache_stats){
		.object_size = size,
		.stride = cache->stride,
		.objects_per_slab = cache->objects_per_slab,
		.slab_order = cache->slab_order,
	};
	irq = spin_lock_irqsave(&caches_lock);
	list_add_tail(&cache->cache_link, &caches);
	spin_unlock_irqrestore(&caches_lock, irq);
}

/* Allocates and formats a new slab. Caller holds cache->lock. */
static struct page *slab_create_locked(struct kmem_cache *cache)
{
	struct page *head = pmm_alloc(cache->slab_order, 0);
	char *base;

	if (head == NULL)
		return NULL;
	base = page_to_virt(head);
	page_flags_set(head, PAGE_SLAB);
	head->slab.cache = cache;
	head->slab.inuse = 0;
	head->slab.freelist = NULL;
	for (unsigned int i = 1; i < (1u << cache->slab_order); i++) {
		page_flags_store(&head[i], PAGE_TAIL);
		head[i].head = head;
	}
	hal_memcheck_noaccess(base, PAGE_SIZE << cache->slab_order);
	for (unsigned int i = cache->objects_per_slab; i > 0; i--) {
		void *object = base + (i - 1) * cache->stride;

		object_set_next(object, head->slab.freelist);
		head->slab.freelist = object;
	}
	cache->stats.slabs++;
	cache->stats.total_objects += cache->objects_per_slab;
	return head;
}

/* Returns an empty slab's pages. Caller holds cache->lock. */
static void slab_destroy_locked(struct kmem_cache *cache, struct page *head)
{
	list_remove(&head->link);
	for (unsigned int i = 1; i < (1u << cache->slab_order); i++)
		page_flags_store(&head[i], 0);
	page_flags_clear(head, PAGE_SLAB);
	cache->stats.slabs--;
	cache->stats.total_objects -= cache->objects_per_slab;
	pmm_free(head, cache->slab_order);
}

/* A slab with a free object, creating one if needed. Lock held. */
static struct page *slab_with_room_locked(struct kmem_cache *cache)
{
	if (!list_is_empty(&cache->partial))
		return list_first_entry(&cache->partial, struct page, link);
	if (!list_is_empty(&cache->empty)) {
		cache->empty_count--;
		return list_first_entry(&cache->empty, struct page, link);
	}
	return slab_create_locked(cache);
}

/* Allocates one object; `visible` bytes become addressable. */
static void *cache_alloc(struct kmem_cache *cache, size_t visible)
{
	irq_flags_t irq = spin_lock_irqsave(&cache->lock);
	struct page *slab = slab_with_room_locked(cache);
	void *object;

	if (slab == NULL) {
		cache->stats.failures++;
		spin_unlock_irqrestore(&cache->lock, irq);
		return NULL;
	}
	object = slab->slab.freelist;
	slab->slab.freelist = object_next(object);
	slab->slab.inuse++;
	if (slab->slab.inuse == cache->objects_per_slab)
		list_move(&slab->link, &cache->full);
	else if (slab->slab.inuse == 1)
		list_move(&slab->link, &cache->partial);
	cache->stats.active_objects++;
	cache->stats.allocations++;
	spin_unlock_irqrestore(&cache->lock, irq);
	hal_memcheck_object_alloc(object, visible, false);
	return object;
}

/* The head page of the slab holding `object`, or NULL if it is in none. */
static struct page *slab_of(const void *object)
{
	struct page *page = virt_to_page(object);

	if (page && (page_flags(page) & PAGE_TAIL))
		page = page->head;
	if (page == NULL || !(page_flags(page) & PAGE_SLAB))
		return NULL;
	return page;
}

static bool object_is_valid(const struct kmem_cache *cache,
			    const struct page *slab, const void *object)
{
	uintptr_t offset = (uintptr_t)object - (uintptr_t)page_to_virt(slab);

	return offset % cache->stride == 0 &&
	       offset / cache->stride < cache->objects_per_slab;
}

/*
 * Debug builds: panics if object is already on the slab's free list.
 * `freed` is hal_memcheck_freed(object) before this free: a checker that
 * tracks objects answers at once; without one, the list is walked.
 */
static void check_not_free_locked(struct kmem_cache *cache, struct page *slab,
				  void *object, int freed)
{
	unsigned int steps = 0;

	if (freed > 0)
		panic("kmem: double free of %p in cache %s", object,
		      cache->name);
	if (!CONFIG_DEBUG || freed == 0)
		return;
	for (void *p = slab->slab.freelist; p; p = object_next(p)) {
		if (p == object)
			panic("kmem: double free of %p in cache %s", object,
			      cache->name);
		if (++steps > cache->objects_per_slab)
			panic("kmem: corrupt free list in cache %s", cache->name);
	}
}

/* Puts the object back on its slab; keeps a few empty slabs. */
static void cache_free(struct kmem_cache *cache, struct page *slab,
		       void *object)
{
	int freed = hal_memcheck_freed(object);
	irq_flags_t irq;

	hal_memcheck_object_free(object, cache->stride);
	irq = spin_lock_irqsave(&cache->lock);
	check_not_free_locked(cache, slab, object, freed);
	object_set_next(object, slab->slab.freelist);
	slab->slab.freelist = object;
	if (slab->slab.inuse == cache->objects_per_slab)
		list_move(&slab->link, &cache->partial);
	slab->slab.inuse--;
	cache->stats.active_objects--;
	if (slab->slab.inuse == 0) {
		if (cache->empty_count < EMPTY_SLABS_KEPT) {
			list_move(&slab->link, &cache->empty);
			cache->empty_count++;
		} else {
			slab_destroy_locked(cache, slab);
		}
	}
	spin_unlock_irqrestore(&cache->lock, irq);
}

void kmem_init(void)
{
	cache_setup(&cache_cache, "kmem_cache", sizeof(struct kmem_cache),
		    _Alignof(struct kmem_cache));
	for (size_t i = 0; i < ARRAY_SIZE(kmalloc_sizes); i++) {
		char name[KMEM_NAME_MAX];
		size_t size = kmalloc_sizes[i];

		ksnprintf(name, sizeof(name), "kmalloc-%zu", size);
		cache_setup(&kmalloc_caches[i], name, size,
			    IS_POWER_OF_2(size) ? size : 8);
	}
}

struct kmem_cache *kmem_cache_create(const char *name, size_t size,
				     size_t align)
{
	struct kmem_cache *cache;

	if (align == 0)
		align = 8;
	if (size == 0 || size > KMALLOC_MAX_CACHE_SIZE ||
	    !IS_POWER_OF_2(align) || align > PAGE_SIZE)
		return ERR_PTR(-EINVAL);
	cache = cache_alloc(&cache_cache, sizeof(*cache));
	if (cache == NULL)
		return ERR_PTR(-ENOMEM);
	cache_setup(cache, name, size, MAX(align, (size_t)8));
	return cache;
}

int kmem_cache_destroy(struct kmem_cache *cache)
{
	irq_flags_t irq = spin_lock_irqsave(&cache->lock);
	struct page *slab, *tmp;

	if (cache->stats.active_objects != 0) {
		spin_unlock_irqrestore(&cache->lock, irq);
		return -EBUSY;
	}
	list_for_each_entry_safe(slab, tmp, &cache->empty, link)
		slab_destroy_locked(cache, slab);
	cache->empty_count = 0;
	spin_unlock_irqrestore(&cache->lock, irq);
	irq = spin_lock_irqsave(&caches_lock);
	list_remove(&cache->cache_link);
	spin_unlock_irqrestore(&caches_lock, irq);
	kmem_cache_free(&cache_cache, cache);
	return 0;
}

void *kmem_cache_alloc(struct kmem_cache *cache)
{
	return cache_alloc(cache, cache->object_size);
}

void *kmem_cache_zalloc(struct kmem_cache *cache)
{
	void *object = kmem_cache_alloc(cache);

	if (object)
		memset(object, 0, cache->object_size);
	return object;
}

void kmem_cache_free(struct kmem_cache *cache, void *object)
{
	struct page *slab;

	if (object == NULL)
		return;
	slab = slab_of(object);
	if (slab == NULL || slab->slab.cache != cache ||
	    !object_is_valid(cache, slab, object))
		panic("kmem_cache_free(%s): %p is not an object of this cache",
		      cache->name, object);
	cache_free(cache, slab, object);
}

size_t kmem_cache_shrink(struct kmem_cache *cache)
{
	irq_flags_t irq = spin_lock_irqsave(&cache->lock);
	struct page *slab, *tmp;
	size_t pages = 0;

	list_for_each_entry_safe(slab, tmp, &cache->empty, link) {
		slab_destroy_locked(cache, slab);
		pages += 1u << cache->slab_order;
	}
	cache->empty_count = 0;
	spin_unlock_irqrestore(&cache->lock, irq);
	return pages;
}

void kmem_cache_get_stats(struct kmem_cache *cache,
			  struct kmem_cache_stats *stats)
{
	irq_flags_t irq = spin_lock_irqsave(&cache->lock);

	*stats = cache->stats;
	spin_unlock_irqrestore(&cache->lock, irq);
}

void kmem_for_each_cache(void (*fn)(struct kmem_cache *cache, void *arg),
			 void *arg)
{
	irq_flags_t irq = spin_lock_irqsave(&caches_lock);
	struct kmem_cache *cache;

	list_for_each_entry(cache, &caches, cache_link)
		fn(cache, arg);
	spin_unlock_irqrestore(&caches_lock, irq);
}

static void shrink_one(struct kmem_cache *cache, void *total)
{
	*(size_t *)total += kmem_cache_shrink(cache);
}

size_t kmem_shrink_all(void)
{
	size_t total = 0;

	kmem_for_each_cache(shrink_one, &total);
	return total;
}

static void count_cached(struct kmem_cache *cache, void *total)
{
	irq_flags_t irq = spin_lock_irqsave(&cache->lock);

	*(size_t *)total += (size_t)cache->empty_count << cache->slab_order;
	spin_unlock_irqrestore(&cache->lock, irq);
}

size_t kmem_cached_pages(void)
{
	size_t total = 0;

	kmem_for_each_cache(count_cached, &total);
	return total;
}

struct kmem_cache *kmalloc_cache_for(size_t size)
{
	for (size_t i = 0; i < ARRAY_SIZE(kmalloc_sizes); i++) {
		if (size <= kmalloc_sizes[i])
			return &kmalloc_caches[i];
	}
	return NULL;
}

static void *kmalloc_large(size_t size)
{
	unsigned int order = pmm_order_for_size(size);
	struct page *page;
	void *p;

	if (order > PMM_MAX_ORDER)
		return NULL;
	page = pmm_alloc(order, 0);
	if (page == NULL)
		return NULL;
	page_flags_set(page, PAGE_LARGE_KMALLOC);
	page->large_size = size;
	__atomic_fetch_add(&large_pages, 1ULL << order, __ATOMIC_RELAXED);
	p = page_to_virt(page);
	hal_memcheck_object_alloc(p, size, false);
	return p;
}

static void kfree_large(struct page *page, const void *p)
{
	if (p != page_to_virt(page))
		panic("kfree: %p is inside a large allocation, not its start", p);
	hal_memcheck_object_free(p, page->large_size);
	page_flags_clear(page, PAGE_LARGE_KMALLOC);
	__atomic_fetch_sub(&large_pages, 1ULL << page->order, __ATOMIC_RELAXED);
	pmm_free(page, page->order);
}

void *kmalloc(size_t size)
{
	struct kmem_cache *cache;

	if (size == 0)
		return ZERO_SIZE_PTR;
	cache = kmalloc_cache_for(size);
	if (cache == NULL)
		return kmalloc_large(size);
	return cache_alloc(cache, size);
}

void *kzalloc(size_t size)
{
	void *p = kmalloc(size);

	if (p && p != ZERO_SIZE_PTR)
		memset(p, 0, size);
	return p;
}

void *kcalloc(size_t count, size_t size)
{
	size_t bytes;

	if (__builtin_mul_overflow(count, size, &bytes))
		return NULL;
	return kzalloc(bytes);
}

void kfree(const void *p)
{
	struct page *page, *slab;

	if (p == NULL || p == ZERO_SIZE_PTR)
		return;
	page = virt_to_page(p);
	if (page && (page_flags(page) & PAGE_LARGE_KMALLOC)) {
		kfree_large(page, p);
		return;
	}
	slab = slab_of(p);
	if (slab == NULL || !object_is_valid(slab->slab.cache, slab, p))
		panic("kfree: %p was not allocated by kmalloc", p);
	cache_free(slab->slab.cache, slab, (void *)p);
}

uint64_t kmalloc_large_pages(void)
{
	return __atomic_load_n(&large_pages, __ATOMIC_RELAXED);
}
