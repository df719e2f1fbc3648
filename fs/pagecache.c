/*
 * Radix tree page index. Level `height` nodes hold 64 children each; a
 * leaf slot holds a struct page pointer. Nodes are kmalloc'd on insert
 * and freed by truncate once empty. The caller holds cache->lock.
 */
#include "fs/pagecache.h"

#include "core/include/uapi/errno.h"
#include "core/lib/compiler.h"
#include "core/lib/panic.h"
#include "core/mm/kmem.h"

#define PCACHE_BITS 6
#define PCACHE_SLOTS (1u << PCACHE_BITS)
#define PCACHE_MAX_HEIGHT ((64 + PCACHE_BITS - 1) / PCACHE_BITS)

struct pcache_node {
	void *slots[PCACHE_SLOTS];
	unsigned int count;	/* non-NULL slots */
};

/* Pages one slot of a level-`height` node covers. */
static uint64_t slot_span(unsigned int height)
{
	return 1ull << (PCACHE_BITS * (height - 1));
}

/* Whether the tree of this height reaches index. */
static bool covers(unsigned int height, uint64_t index)
{
	if (height >= PCACHE_MAX_HEIGHT)
		return true;
	return index < (1ull << (PCACHE_BITS * height));
}

static unsigned int slot_of(uint64_t index, unsigned int height)
{
	return (unsigned int)(index >> (PCACHE_BITS * (height - 1))) &
	       (PCACHE_SLOTS - 1);
}

void vfs_pcache_init(struct vfs_page_cache *cache)
{
	*cache = (struct vfs_page_cache){ 0 };
	mutex_init(&cache->lock, "vfs.pagecache", LOCK_RANK_VM_OBJECT);
}

struct page *vfs_pcache_lookup(const struct vfs_page_cache *cache,
			       uint64_t index)
{
	const struct pcache_node *node = cache->root;

	ASSERT(mutex_is_locked((struct mutex *)&cache->lock));
	if (cache->height == 0 || !covers(cache->height, index))
		return NULL;
	for (unsigned int h = cache->height; h > 1; h--) {
		node = node->slots[slot_of(index, h)];
		if (node == NULL)
			return NULL;
	}
	return node->slots[slot_of(index, 1)];
}

/* Adds levels on top until the tree covers index. */
static int grow(struct vfs_page_cache *cache, uint64_t index)
{
	while (cache->height == 0 || !covers(cache->height, index)) {
		struct pcache_node *top = kzalloc(sizeof(*top));

		if (top == NULL)
			return -ENOMEM;
		if (cache->root != NULL) {
			top->slots[0] = cache->root;
			top->count = 1;
		}
		cache->root = top;
		cache->height++;
	}
	return 0;
}

int vfs_pcache_insert(struct vfs_page_cache *cache, uint64_t index,
		      struct page *page)
{
	struct pcache_node *node;
	int err;

	ASSERT(mutex_is_locked(&cache->lock));
	err = grow(cache, index);

	if (err < 0)
		return err;
	node = cache->root;
	for (unsigned int h = cache->height; h > 1; h--) {
		void **slot = &node->slots[slot_of(index, h)];

		if (*slot == NULL) {
			*slot = kzalloc(sizeof(*node));
			if (*slot == NULL)
				return -ENOMEM;	/* empty nodes are harmless */
			node->count++;
		}
		node = *slot;
	}
	node->slots[slot_of(index, 1)] = page;
	node->count++;
	cache->pages++;
	return 0;
}

struct truncate_ctx {
	struct vfs_page_cache *cache;
	uint64_t from;
	void (*release)(struct page *page, void *arg);
	void *arg;
};

/* Truncates the subtree `node` (covering pages from base); true if empty. */
static bool truncate_node(struct truncate_ctx *ctx, struct pcache_node *node,
			  unsigned int height, uint64_t base)
{
	uint64_t span = slot_span(height);

	for (unsigned int i = 0; i < PCACHE_SLOTS; i++) {
		uint64_t start = base + i * span;
		void *child = node->slots[i];

		if (child == NULL || start + span - 1 < ctx->from)
			continue;
		if (height == 1) {
			ctx->release(child, ctx->arg);
			ctx->cache->pages--;
		} else if (!truncate_node(ctx, child, height - 1, start)) {
			continue;
		} else {
			kfree(child);
		}
		node->slots[i] = NULL;
		node->count--;
	}
	return node->count == 0;
}

void vfs_pcache_truncate(struct vfs_page_cache *cache, uint64_t from,
			 void (*release)(struct page *page, void *arg),
			 void *arg)
{
	struct truncate_ctx ctx = { cache, from, release, arg };

	ASSERT(mutex_is_locked(&cache->lock));
	if (cache->height == 0)
		return;
	if (truncate_node(&ctx, cache->root, cache->height, 0)) {
		kfree(cache->root);
		cache->root = NULL;
		cache->height = 0;
	}
}

static bool next_in(const struct pcache_node *node, unsigned int height,
		    uint64_t base, uint64_t from, uint64_t *index)
{
	uint64_t span = slot_span(height);

	for (unsigned int i = 0; i < PCACHE_SLOTS; i++) {
		uint64_t start = base + i * span;

		if (node->slots[i] == NULL || start + span - 1 < from)
			continue;
		if (height == 1) {
			*index = start;
			return true;
		}
		if (next_in(node->slots[i], height - 1, start, from, index))
			return true;
	}
	return false;
}

bool vfs_pcache_next(const struct vfs_page_cache *cache, uint64_t from,
		     uint64_t *index)
{
	if (cache->height == 0)
		return false;
	return next_in(cache->root, cache->height, 0, from, index);
}
