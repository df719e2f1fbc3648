/*
 * The dentry cache: every (parent, name) the kernel has looked up, with
 * its inode or the fact that there is none (a negative dentry), in a hash
 * table keyed by parent and name. Unused dentries stay cached on an LRU
 * list, capped at DCACHE_UNUSED_MAX; the oldest go first.
 *
 * One spinlock, dcache_lock, protects the hash table, the LRU, every
 * dentry's refcount, parent, name, inode and child list, and every
 * inode's refcount. It ranks after the mount lock and is never held while
 * allocating or freeing: freeing collects dentries first, then releases
 * them with the lock dropped. Changes that reflect a directory change
 * (instantiate, delete, move) also need the super block's tree_lock held
 * exclusively, so a walker holding it shared sees a stable cache.
 */
#include "fs/vfs_internal.h"

#include "core/lib/err.h"
#include "core/lib/panic.h"
#include "core/lib/string.h"
#include "core/mm/kmem.h"

#define DCACHE_HASH_BITS 12
#define DCACHE_HASH_SIZE (1u << DCACHE_HASH_BITS)
#define DCACHE_UNUSED_MAX 16384

static struct spinlock dcache_lock =
	SPINLOCK_INIT("vfs.dcache", LOCK_RANK_VFS_DCACHE);
/* Protected by dcache_lock: */
static struct list_head hash_table[DCACHE_HASH_SIZE];
static struct list_head lru = LIST_HEAD_INIT(lru);
static long dentry_count, unused_count;

void vfs_dcache_init(void)
{
	for (unsigned int i = 0; i < DCACHE_HASH_SIZE; i++)
		list_init(&hash_table[i]);
}

/* FNV-1a: cheap, and good enough spread for file names. */
uint32_t vfs_name_hash(const char *name, size_t length)
{
	uint32_t hash = 2166136261u;

	for (size_t i = 0; i < length; i++)
		hash = (hash ^ (unsigned char)name[i]) * 16777619u;
	return hash;
}

static struct list_head *bucket(const struct vfs_dentry *parent,
				uint32_t hash)
{
	uintptr_t key = (uintptr_t)parent >> 4;

	return &hash_table[(hash ^ key ^ (key >> DCACHE_HASH_BITS)) &
			   (DCACHE_HASH_SIZE - 1)];
}

struct vfs_inode *vfs_dentry_inode(struct vfs_dentry *dentry)
{
	struct vfs_inode *inode;

	spin_lock(&dcache_lock);
	inode = dentry->inode;
	spin_unlock(&dcache_lock);
	return inode;
}

int vfs_dentry_prepend_name(struct vfs_dentry *dentry, char *buf,
			    size_t *pos)
{
	int err = 0;

	spin_lock(&dcache_lock);
	if (dentry->name_length + 1 > *pos)
		err = -ENAMETOOLONG;
	if (err == 0) {
		*pos -= dentry->name_length;
		memcpy(buf + *pos, dentry->name, dentry->name_length);
		buf[--*pos] = '/';
	}
	spin_unlock(&dcache_lock);
	return err;
}

/* Caller holds dcache_lock. */
static void get_locked(struct vfs_dentry *dentry)
{
	if (dentry->refcount++ == 0 && list_is_linked(&dentry->lru_link)) {
		list_remove(&dentry->lru_link);
		unused_count--;
	}
}

struct vfs_dentry *vfs_dentry_get(struct vfs_dentry *dentry)
{
	spin_lock(&dcache_lock);
	ASSERT(dentry->refcount > 0);
	dentry->refcount++;
	spin_unlock(&dcache_lock);
	return dentry;
}

struct vfs_dentry *vfs_dentry_get_parent(struct vfs_dentry *dentry)
{
	struct vfs_dentry *parent;

	spin_lock(&dcache_lock);
	parent = dentry->parent;
	parent->refcount++;
	spin_unlock(&dcache_lock);
	return parent;
}

void vfs_inode_get(struct vfs_inode *inode)
{
	spin_lock(&dcache_lock);
	ASSERT(inode->refcount > 0 || READ_ONCE(inode->nlink) > 0);
	inode->refcount++;
	spin_unlock(&dcache_lock);
}

/* Returns whether the caller must evict. Caller holds dcache_lock. */
static bool inode_put_locked(struct vfs_inode *inode)
{
	ASSERT(inode->refcount > 0);
	return --inode->refcount == 0 && (READ_ONCE(inode->nlink) == 0 ||
					  inode->sb->ops->evict_unused);
}

void vfs_inode_put(struct vfs_inode *inode)
{
	bool evict;

	spin_lock(&dcache_lock);
	evict = inode_put_locked(inode);
	spin_unlock(&dcache_lock);
	if (evict)
		inode->sb->ops->evict_inode(inode);
}

static void unhash_locked(struct vfs_dentry *dentry)
{
	if (dentry->hashed) {
		list_remove(&dentry->hash_link);
		dentry->hashed = false;
	}
}

/*
 * Unlinks an unused dentry from the cache. Returns the inode to release
 * (if its reference was the last of an unlinked inode, *evict is set).
 * Caller holds dcache_lock; the dentry's memory is freed afterwards.
 */
static void detach_locked(struct vfs_dentry *dentry)
{
	ASSERT(dentry->refcount == 0);
	unhash_locked(dentry);
	if (list_is_linked(&dentry->lru_link)) {
		list_remove(&dentry->lru_link);
		unused_count--;
	}
	list_remove(&dentry->child_link);
	dentry_count--;
	dentry->sb->dentry_count--;
}

static void free_dentry(struct vfs_dentry *dentry)
{
	if (dentry->name != dentry->inline_name)
		kfree(dentry->name);
	kfree(dentry);
}

/*
 * Frees a detached dentry, then walks up: the reference it held on its
 * parent may have been the last one of an unhashed parent.
 */
static void release_chain(struct vfs_dentry *dentry, struct vfs_inode *inode,
			  bool evict)
{
	for (;;) {
		struct vfs_dentry *parent = dentry->parent;

		free_dentry(dentry);
		if (evict)
			inode->sb->ops->evict_inode(inode);
		if (parent == dentry)
			return;
		spin_lock(&dcache_lock);
		ASSERT(parent->refcount > 0);
		if (--parent->refcount > 0 || parent->hashed) {
			if (parent->refcount == 0) {
				list_add(&parent->lru_link, &lru);
				unused_count++;
			}
			spin_unlock(&dcache_lock);
			return;
		}
		detach_locked(parent);
		inode = parent->inode;
		evict = inode != NULL && inode_put_locked(inode);
		spin_unlock(&dcache_lock);
		dentry = parent;
	}
}

/* Takes the least recently used unused dentry (of sb) out, or NULL. Locked. */
static struct vfs_dentry *lru_take_locked(struct vfs_super *sb)
{
	for (struct list_head *pos = lru.prev; pos != &lru; pos = pos->prev) {
		struct vfs_dentry *dentry =
			list_entry(pos, struct vfs_dentry, lru_link);

		if (sb == NULL || dentry->sb == sb) {
			detach_locked(dentry);
			return dentry;
		}
	}
	return NULL;
}

/* Frees one LRU dentry (of sb, or the oldest). Returns false if none. */
static bool evict_one(struct vfs_super *sb)
{
	struct vfs_dentry *dentry;
	struct vfs_inode *inode = NULL;
	bool evict = false;

	spin_lock(&dcache_lock);
	dentry = lru_take_locked(sb);
	if (dentry != NULL) {
		inode = dentry->inode;
		evict = inode != NULL && inode_put_locked(inode);
	}
	spin_unlock(&dcache_lock);
	if (dentry == NULL)
		return false;
	release_chain(dentry, inode, evict);
	return true;
}

void vfs_dentry_put(struct vfs_dentry *dentry)
{
	struct vfs_inode *inode;
	bool evict, over;

	spin_lock(&dcache_lock);
	ASSERT(dentry->refcount > 0);
	if (--dentry->refcount > 0 ||
	    (dentry->hashed && dentry->parent != dentry)) {
		if (dentry->refcount == 0) {
			list_add(&dentry->lru_link, &lru);
			unused_count++;
		}
		over = unused_count > DCACHE_UNUSED_MAX;
		spin_unlock(&dcache_lock);
		if (over)
			evict_one(NULL);
		return;
	}
	detach_locked(dentry);
	inode = dentry->inode;
	evict = inode != NULL && inode_put_locked(inode);
	spin_unlock(&dcache_lock);
	release_chain(dentry, inode, evict);
}

static struct vfs_dentry *dentry_alloc(struct vfs_super *sb, const char *name,
				       size_t length)
{
	struct vfs_dentry *dentry = kzalloc(sizeof(*dentry));

	if (dentry == NULL)
		return NULL;
	dentry->name = dentry->inline_name;
	if (length >= DENTRY_INLINE_NAME) {
		dentry->name = kmalloc(length + 1);
		if (dentry->name == NULL) {
			kfree(dentry);
			return NULL;
		}
	}
	memcpy(dentry->name, name, length);
	dentry->name[length] = '\0';
	dentry->name_length = (uint32_t)length;
	dentry->hash = vfs_name_hash(name, length);
	dentry->sb = sb;
	dentry->refcount = 1;
	list_init(&dentry->hash_link);
	list_init(&dentry->lru_link);
	list_init(&dentry->child_link);
	list_init(&dentry->children);
	return dentry;
}

struct vfs_dentry *vfs_dentry_alloc_root(struct vfs_super *sb,
					 struct vfs_inode *inode)
{
	struct vfs_dentry *dentry = dentry_alloc(sb, "/", 1);

	if (dentry == NULL)
		return NULL;
	dentry->parent = dentry;
	dentry->inode = inode;
	spin_lock(&dcache_lock);
	dentry_count++;
	sb->dentry_count++;
	spin_unlock(&dcache_lock);
	return dentry;
}

static struct vfs_dentry *find_locked(struct vfs_dentry *parent,
				      const char *name, size_t length,
				      uint32_t hash)
{
	struct vfs_dentry *dentry;

	list_for_each_entry(dentry, bucket(parent, hash), hash_link) {
		if (dentry->parent == parent && dentry->hash == hash &&
		    dentry->name_length == length &&
		    memcmp(dentry->name, name, length) == 0)
			return dentry;
	}
	return NULL;
}

struct vfs_dentry *vfs_dcache_lookup(struct vfs_dentry *parent,
				     const char *name, size_t length)
{
	uint32_t hash = vfs_name_hash(name, length);
	struct vfs_dentry *dentry;
	bool (*revalidate)(struct vfs_dentry *dentry) =
		parent->sb->ops->revalidate;

	spin_lock(&dcache_lock);
	dentry = find_locked(parent, name, length, hash);
	if (dentry != NULL)
		get_locked(dentry);
	spin_unlock(&dcache_lock);
	if (dentry != NULL && revalidate != NULL && !revalidate(dentry)) {
		spin_lock(&dcache_lock);
		if (dentry->hashed)
			unhash_locked(dentry);
		spin_unlock(&dcache_lock);
		vfs_dentry_put(dentry);
		dentry = NULL;
	}
	return dentry;
}

/* Links a new dentry under parent and into the hash. Locked. */
static void attach_locked(struct vfs_dentry *dentry, struct vfs_dentry *parent)
{
	parent->refcount++;
	dentry->parent = parent;
	list_add(&dentry->child_link, &parent->children);
	list_add(&dentry->hash_link, bucket(parent, dentry->hash));
	dentry->hashed = true;
	dentry_count++;
	dentry->sb->dentry_count++;
}

struct vfs_dentry *vfs_dcache_add(struct vfs_dentry *parent, const char *name,
				  size_t length, struct vfs_inode *inode)
{
	struct vfs_dentry *fresh = dentry_alloc(parent->sb, name, length);
	struct vfs_dentry *found;

	if (fresh == NULL) {
		if (inode != NULL)
			vfs_inode_put(inode);
		return ERR_PTR(-ENOMEM);
	}
	spin_lock(&dcache_lock);
	found = find_locked(parent, name, length, fresh->hash);
	if (found != NULL) {
		get_locked(found);
	} else {
		fresh->inode = inode;
		attach_locked(fresh, parent);
	}
	spin_unlock(&dcache_lock);
	if (found != NULL) {
		/* A concurrent lookup won; ours holds nothing else. */
		if (inode != NULL)
			vfs_inode_put(inode);
		free_dentry(fresh);
		return found;
	}
	return fresh;
}

void vfs_dentry_instantiate(struct vfs_dentry *dentry, struct vfs_inode *inode)
{
	spin_lock(&dcache_lock);
	ASSERT(dentry->inode == NULL);
	dentry->inode = inode;
	spin_unlock(&dcache_lock);
}

/*
 * The only user may simply turn negative; a dentry others hold (an open
 * file, a walk in progress) keeps its inode and leaves the hash instead,
 * so new lookups miss it.
 */
void vfs_dentry_delete(struct vfs_dentry *dentry)
{
	struct vfs_inode *inode = NULL;
	bool evict = false;

	spin_lock(&dcache_lock);
	if (dentry->refcount == 1 && list_is_empty(&dentry->children)) {
		inode = dentry->inode;
		dentry->inode = NULL;
		evict = inode != NULL && inode_put_locked(inode);
	} else {
		unhash_locked(dentry);
	}
	spin_unlock(&dcache_lock);
	if (evict)
		inode->sb->ops->evict_inode(inode);
}

bool vfs_dentry_is_unlinked(struct vfs_dentry *dentry)
{
	bool unlinked;

	spin_lock(&dcache_lock);
	unlinked = !dentry->hashed && dentry->parent != dentry;
	spin_unlock(&dcache_lock);
	return unlinked;
}

/* Renames dentry in place; a long name gets storage before any change. */
static int set_name(struct vfs_dentry *dentry, const char *name,
		    size_t length, char **old_storage)
{
	char *storage = dentry->inline_name;

	if (length >= DENTRY_INLINE_NAME) {
		storage = kmalloc(length + 1);
		if (storage == NULL)
			return -ENOMEM;
		memcpy(storage, name, length);
		storage[length] = '\0';
	}
	spin_lock(&dcache_lock);
	*old_storage = dentry->name != dentry->inline_name ? dentry->name :
							     NULL;
	if (storage == dentry->inline_name) {
		memcpy(storage, name, length);
		storage[length] = '\0';
	}
	dentry->name = storage;
	dentry->name_length = (uint32_t)length;
	dentry->hash = vfs_name_hash(name, length);
	spin_unlock(&dcache_lock);
	return 0;
}

void vfs_dentry_move(struct vfs_dentry *dentry, struct vfs_dentry *target,
		     struct vfs_dentry *new_parent, const char *name,
		     size_t length)
{
	struct vfs_dentry *old_parent;
	char *old_storage = NULL;

	if (target != NULL) {
		/* The replaced name (positive or negative) must not stay. */
		vfs_dentry_delete(target);
		spin_lock(&dcache_lock);
		unhash_locked(target);
		spin_unlock(&dcache_lock);
	}
	spin_lock(&dcache_lock);
	unhash_locked(dentry);
	spin_unlock(&dcache_lock);
	if (set_name(dentry, name, length, &old_storage) < 0) {
		/* Out of memory: the dentry just stays out of the cache. */
		return;
	}
	kfree(old_storage);
	spin_lock(&dcache_lock);
	old_parent = dentry->parent;
	list_remove(&dentry->child_link);
	new_parent->refcount++;
	dentry->parent = new_parent;
	list_add(&dentry->child_link, &new_parent->children);
	list_add(&dentry->hash_link, bucket(new_parent, dentry->hash));
	dentry->hashed = true;
	spin_unlock(&dcache_lock);
	vfs_dentry_put(old_parent);
}

/* Swaps the places of two dentries: unhash both, then re-link crosswise. */
void vfs_dentry_exchange(struct vfs_dentry *a, struct vfs_dentry *b)
{
	struct vfs_dentry *a_parent = a->parent, *b_parent = b->parent;
	char a_name[NAME_MAX + 1], *b_name;
	size_t a_length = a->name_length;

	/* Names are stable here: the caller holds tree_lock exclusively. */
	memcpy(a_name, a->name, a_length);
	b_name = b->name;
	vfs_dentry_get(a_parent);
	vfs_dentry_get(b_parent);
	vfs_dentry_move(a, NULL, b_parent, b_name, b->name_length);
	vfs_dentry_move(b, NULL, a_parent, a_name, a_length);
	vfs_dentry_put(a_parent);
	vfs_dentry_put(b_parent);
}

bool vfs_dentry_is_below(struct vfs_dentry *dentry,
			 struct vfs_dentry *ancestor)
{
	bool below = false;

	spin_lock(&dcache_lock);
	for (;;) {
		if (dentry == ancestor) {
			below = true;
			break;
		}
		if (dentry->parent == dentry)
			break;
		dentry = dentry->parent;
	}
	spin_unlock(&dcache_lock);
	return below;
}

void vfs_dcache_shrink(struct vfs_super *sb)
{
	while (evict_one(sb))
		;
}

void vfs_dcache_prune_children(struct vfs_dentry *dentry)
{
	for (;;) {
		struct vfs_dentry *child, *victim = NULL;

		spin_lock(&dcache_lock);
		list_for_each_entry(child, &dentry->children, child_link) {
			if (child->refcount == 0 && child->inode == NULL) {
				victim = child;
				detach_locked(victim);
				break;
			}
		}
		spin_unlock(&dcache_lock);
		if (victim == NULL)
			return;
		release_chain(victim, NULL, false);
	}
}

static long validate_dentry(struct vfs_dentry *dentry)
{
	long broken = 0;
	long children = 0;
	struct vfs_dentry *child;

	list_for_each_entry(child, &dentry->children, child_link) {
		children++;
		broken += child->parent != dentry;
	}
	broken += dentry->refcount < children;
	broken += (dentry->refcount == 0) != list_is_linked(&dentry->lru_link);
	broken += dentry->inode != NULL && dentry->inode->refcount <= 0;
	broken += dentry->hashed &&
		  find_locked(dentry->parent, dentry->name, dentry->name_length,
			      dentry->hash) != dentry;
	return broken;
}

long vfs_dcache_validate(void)
{
	long broken = 0, counted = 0, unused = 0;
	struct vfs_dentry *dentry;

	spin_lock(&dcache_lock);
	for (unsigned int i = 0; i < DCACHE_HASH_SIZE; i++) {
		list_for_each_entry(dentry, &hash_table[i], hash_link) {
			counted++;
			broken += validate_dentry(dentry);
		}
	}
	list_for_each_entry(dentry, &lru, lru_link) {
		unused++;
		broken += dentry->refcount != 0;
	}
	broken += unused != unused_count;
	broken += counted > dentry_count;
	spin_unlock(&dcache_lock);
	return broken;
}

void vfs_dcache_get_stats(struct vfs_stats *stats)
{
	spin_lock(&dcache_lock);
	stats->dentries = dentry_count;
	stats->unused_dentries = unused_count;
	spin_unlock(&dcache_lock);
}
