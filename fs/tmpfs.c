/*
 * tmpfs super blocks, inodes, directories and symbolic links. A directory
 * keeps its entries in two red-black trees: by name hash for lookups that
 * stay O(log n) with thousands of entries, and by a per-directory
 * increasing cookie that is the readdir position, so a directory read
 * concurrently with creates and unlinks returns every entry that stays
 * exactly once. Directory trees are protected by the super block's
 * tree_lock (the VFS holds it); attribute updates also take the inode's
 * lock, one inode at a time.
 */
#include "fs/tmpfs.h"

#include "core/lib/err.h"
#include "core/lib/string.h"
#include "core/mm/kmem.h"
#include "core/mm/pmm.h"
#include "fs/tmpfs_internal.h"

static const struct vfs_inode_ops tmpfs_file_inode_ops;
static const struct vfs_inode_ops tmpfs_special_ops;
static const struct vfs_file_ops tmpfs_special_file_ops;

/* nlink and size changes of one inode, plus times, under its lock. */
static void inode_adjust(struct vfs_inode *inode, int nlink_delta,
			 int64_t size_delta, bool modified)
{
	struct vfs_timespec now = vfs_now();

	mutex_lock(&inode->lock);
	WRITE_ONCE(inode->nlink, inode->nlink + nlink_delta);
	inode->size += size_delta;
	inode->ctime = now;
	if (modified)
		inode->mtime = now;
	mutex_unlock(&inode->lock);
}

static int compare_name(uint32_t hash, const char *name, size_t length,
			const struct tmpfs_dirent *entry)
{
	if (hash != entry->hash)
		return hash < entry->hash ? -1 : 1;
	if (length != entry->length)
		return length < entry->length ? -1 : 1;
	return memcmp(name, entry->name, length);
}

static struct tmpfs_dirent *find_entry(struct tmpfs_inode *dir,
				       const char *name, size_t length)
{
	uint32_t hash = vfs_name_hash(name, length);
	struct rb_node *node = dir->dir.names.node;

	while (node != NULL) {
		struct tmpfs_dirent *entry =
			rb_entry(node, struct tmpfs_dirent, name_node);
		int cmp = compare_name(hash, name, length, entry);

		if (cmp == 0)
			return entry;
		node = cmp < 0 ? node->left : node->right;
	}
	return NULL;
}

static struct tmpfs_dirent *entry_alloc(const char *name, size_t length)
{
	struct tmpfs_dirent *entry = kmalloc(sizeof(*entry) + length + 1);

	if (entry == NULL)
		return NULL;
	memcpy(entry->name, name, length);
	entry->name[length] = '\0';
	entry->length = length;
	entry->hash = vfs_name_hash(name, length);
	return entry;
}

/* Links a new entry into both trees with the next cookie. */
static void entry_insert(struct tmpfs_inode *dir, struct tmpfs_dirent *entry,
			 struct tmpfs_inode *inode)
{
	struct rb_node **link = &dir->dir.names.node, *parent = NULL;

	entry->inode = inode;
	entry->cookie = dir->dir.next_cookie++;
	while (*link != NULL) {
		parent = *link;
		link = compare_name(entry->hash, entry->name, entry->length,
				    rb_entry(parent, struct tmpfs_dirent,
					     name_node)) < 0 ?
		       &parent->left : &parent->right;
	}
	rb_link(&entry->name_node, parent, link);
	rb_insert_fixup(&dir->dir.names, &entry->name_node);
	/* Cookies only grow: the new entry is the rightmost. */
	link = &dir->dir.order.node;
	parent = NULL;
	while (*link != NULL) {
		parent = *link;
		link = &parent->right;
	}
	rb_link(&entry->order_node, parent, link);
	rb_insert_fixup(&dir->dir.order, &entry->order_node);
}

static void entry_remove(struct tmpfs_inode *dir, struct tmpfs_dirent *entry)
{
	rb_erase(&dir->dir.names, &entry->name_node);
	rb_erase(&dir->dir.order, &entry->order_node);
}

static struct vfs_inode *tmpfs_lookup(struct vfs_inode *dir, const char *name,
				      size_t length)
{
	struct tmpfs_dirent *entry = find_entry(tmpfs_i(dir), name, length);

	if (entry == NULL)
		return NULL;
	vfs_inode_get(&entry->inode->vfs);
	return &entry->inode->vfs;
}

/* Allocates an inode of `mode`, charged to the mount's inode limit. */
static struct tmpfs_inode *inode_alloc(struct vfs_super *sb, uint32_t mode,
				       const struct vfs_cred *cred)
{
	struct tmpfs_super *tsb = tmpfs_sb(sb);
	struct tmpfs_inode *inode;

	if (__atomic_add_fetch(&tsb->used_inodes, 1, __ATOMIC_RELAXED) >
	    tsb->max_inodes) {
		__atomic_fetch_sub(&tsb->used_inodes, 1, __ATOMIC_RELAXED);
		return ERR_PTR(-ENOSPC);
	}
	inode = kzalloc(sizeof(*inode));
	if (inode == NULL) {
		__atomic_fetch_sub(&tsb->used_inodes, 1, __ATOMIC_RELAXED);
		return ERR_PTR(-ENOMEM);
	}
	vfs_inode_init(&inode->vfs, sb,
		       __atomic_fetch_add(&tsb->next_ino, 1, __ATOMIC_RELAXED),
		       mode, cred);
	inode->vfs.sb = sb;
	if (S_ISDIR(mode)) {
		inode->vfs.ops = &tmpfs_dir_ops;
		inode->vfs.fops = &tmpfs_dir_file_ops;
		inode->vfs.size = 2 * TMPFS_BOGO_DIRENT_SIZE;
		inode->dir.next_cookie = 2;
	} else if (S_ISREG(mode)) {
		inode->vfs.ops = &tmpfs_file_inode_ops;
		inode->vfs.fops = &tmpfs_file_ops;
		vfs_pcache_init(&inode->pages);
	} else {
		inode->vfs.ops = &tmpfs_special_ops;
		inode->vfs.fops = &tmpfs_special_file_ops;
	}
	spin_lock(&tsb->lock);
	list_add(&inode->sb_link, &tsb->inodes);
	spin_unlock(&tsb->lock);
	return inode;
}

static void inode_free(struct tmpfs_inode *inode)
{
	struct tmpfs_super *tsb = tmpfs_sb(inode->vfs.sb);
	uint32_t mode = inode->vfs.mode;

	if (S_ISREG(mode))
		tmpfs_file_free_pages(inode);
	else if (S_ISLNK(mode))
		kfree(inode->target);
	spin_lock(&tsb->lock);
	list_remove(&inode->sb_link);
	spin_unlock(&tsb->lock);
	__atomic_fetch_sub(&tsb->used_inodes, 1, __ATOMIC_RELAXED);
	vfs_inode_freed(&inode->vfs);
	kfree(inode);
}

static struct vfs_inode *tmpfs_create(struct vfs_inode *vdir, const char *name,
				      size_t length, uint32_t mode,
				      const struct vfs_cred *cred,
				      uint32_t rdev, const char *target)
{
	struct tmpfs_inode *dir = tmpfs_i(vdir), *inode;
	struct tmpfs_dirent *entry = entry_alloc(name, length);
	char *copy = NULL;

	if (entry == NULL)
		return ERR_PTR(-ENOMEM);
	if (S_ISLNK(mode)) {
		size_t target_length = kstrlen(target);

		copy = kmalloc(target_length + 1);
		if (copy == NULL) {
			kfree(entry);
			return ERR_PTR(-ENOMEM);
		}
		memcpy(copy, target, target_length + 1);
	}
	inode = inode_alloc(vdir->sb, mode, cred);
	if (IS_ERR(inode)) {
		kfree(copy);
		kfree(entry);
		return (struct vfs_inode *)inode;
	}
	inode->vfs.rdev = rdev;
	if (copy != NULL) {
		inode->target = copy;
		inode->vfs.size = (int64_t)kstrlen(copy);
	}
	entry_insert(dir, entry, inode);
	inode_adjust(vdir, S_ISDIR(mode) ? 1 : 0, TMPFS_BOGO_DIRENT_SIZE, true);
	return &inode->vfs;
}

static int tmpfs_link(struct vfs_inode *vdir, const char *name, size_t length,
		      struct vfs_inode *target)
{
	struct tmpfs_dirent *entry = entry_alloc(name, length);

	if (entry == NULL)
		return -ENOMEM;
	entry_insert(tmpfs_i(vdir), entry, tmpfs_i(target));
	inode_adjust(target, 1, 0, false);
	inode_adjust(vdir, 0, TMPFS_BOGO_DIRENT_SIZE, true);
	return 0;
}

/* Drops the name's link to its inode (a directory loses both of its). */
static void drop_link(struct vfs_inode *dir, struct vfs_inode *inode)
{
	bool is_dir = S_ISDIR(vfs_mode(inode));

	inode_adjust(inode, is_dir ? -(int)inode->nlink : -1, 0, false);
	inode_adjust(dir, is_dir ? -1 : 0, -TMPFS_BOGO_DIRENT_SIZE, true);
}

static int tmpfs_unlink(struct vfs_inode *vdir, const char *name,
			size_t length, struct vfs_inode *inode)
{
	struct tmpfs_inode *dir = tmpfs_i(vdir);
	struct tmpfs_dirent *entry = find_entry(dir, name, length);

	if (entry == NULL || &entry->inode->vfs != inode)
		return -ENOENT;
	entry_remove(dir, entry);
	kfree(entry);
	drop_link(vdir, inode);
	return 0;
}

static bool tmpfs_is_empty_dir(struct vfs_inode *dir)
{
	return rb_is_empty(&tmpfs_i(dir)->dir.names);
}

/* nlink bookkeeping when a directory changes parent. */
static void reparent(struct vfs_inode *from, struct vfs_inode *to,
		     struct vfs_inode *moved)
{
	if (from != to && S_ISDIR(vfs_mode(moved))) {
		inode_adjust(from, -1, 0, true);
		inode_adjust(to, 1, 0, true);
	}
}

static int rename_exchange(struct tmpfs_dirent *a, struct tmpfs_dirent *b,
			   struct vfs_inode *a_dir, struct vfs_inode *b_dir)
{
	struct tmpfs_inode *a_inode = a->inode, *b_inode = b->inode;

	a->inode = b_inode;
	b->inode = a_inode;
	reparent(a_dir, b_dir, &a_inode->vfs);
	reparent(b_dir, a_dir, &b_inode->vfs);
	inode_adjust(&a_inode->vfs, 0, 0, false);
	inode_adjust(&b_inode->vfs, 0, 0, false);
	inode_adjust(a_dir, 0, 0, true);
	if (b_dir != a_dir)
		inode_adjust(b_dir, 0, 0, true);
	return 0;
}

static int tmpfs_rename(struct vfs_inode *old_dir, const char *old_name,
			size_t old_length, struct vfs_inode *new_dir,
			const char *new_name, size_t new_length,
			unsigned int flags)
{
	struct tmpfs_dirent *old = find_entry(tmpfs_i(old_dir), old_name,
					      old_length);
	struct tmpfs_dirent *target = find_entry(tmpfs_i(new_dir), new_name,
						 new_length);
	struct tmpfs_dirent *moved;
	struct tmpfs_inode *inode;

	if (old == NULL)
		return -ENOENT;
	if (flags & RENAME_EXCHANGE)
		return target == NULL ? -ENOENT :
		       rename_exchange(old, target, old_dir, new_dir);
	moved = entry_alloc(new_name, new_length);
	if (moved == NULL)
		return -ENOMEM;
	inode = old->inode;
	if (target != NULL) {
		entry_remove(tmpfs_i(new_dir), target);
		drop_link(new_dir, &target->inode->vfs);
		kfree(target);
	}
	entry_remove(tmpfs_i(old_dir), old);
	kfree(old);
	entry_insert(tmpfs_i(new_dir), moved, inode);
	inode_adjust(old_dir, 0, -TMPFS_BOGO_DIRENT_SIZE, true);
	inode_adjust(new_dir, 0, TMPFS_BOGO_DIRENT_SIZE, true);
	reparent(old_dir, new_dir, &inode->vfs);
	inode_adjust(&inode->vfs, 0, 0, false);
	return 0;
}

static ssize_t tmpfs_readlink(struct vfs_inode *inode, char *buf, size_t size)
{
	const char *target = tmpfs_i(inode)->target;
	size_t length = kstrlen(target);

	memcpy(buf, target, MIN(length, size));
	return (ssize_t)length;
}

/* The first entry whose cookie is >= pos, or NULL. */
static struct tmpfs_dirent *entry_at(struct tmpfs_inode *dir, uint64_t pos)
{
	struct rb_node *node = dir->dir.order.node;
	struct tmpfs_dirent *best = NULL;

	while (node != NULL) {
		struct tmpfs_dirent *entry =
			rb_entry(node, struct tmpfs_dirent, order_node);

		if (entry->cookie >= pos) {
			best = entry;
			node = node->left;
		} else {
			node = node->right;
		}
	}
	return best;
}

static int tmpfs_readdir(struct vfs_inode *vdir, uint64_t *pos,
			 vfs_filldir_fn fill, void *ctx)
{
	struct tmpfs_inode *dir = tmpfs_i(vdir);
	struct tmpfs_dirent *entry = entry_at(dir, *pos);

	while (entry != NULL) {
		struct vfs_inode *inode = &entry->inode->vfs;
		struct rb_node *next;

		if (!fill(ctx, entry->name, entry->length, inode->ino,
			  vfs_mode_to_dtype(vfs_mode(inode)),
			  entry->cookie + 1)) {
			*pos = entry->cookie;
			return 0;
		}
		next = rb_next(&entry->order_node);
		entry = rb_entry_or_null(next, struct tmpfs_dirent, order_node);
	}
	*pos = dir->dir.next_cookie;
	return 0;
}

const struct vfs_inode_ops tmpfs_dir_ops = {
	.lookup = tmpfs_lookup,
	.create = tmpfs_create,
	.link = tmpfs_link,
	.unlink = tmpfs_unlink,
	.is_empty_dir = tmpfs_is_empty_dir,
	.rename = tmpfs_rename,
	.readdir = tmpfs_readdir,
};

static const struct vfs_inode_ops tmpfs_file_inode_ops = {
	.set_size = tmpfs_set_size,
};

static const struct vfs_inode_ops tmpfs_special_ops = {
	.readlink = tmpfs_readlink,
};

/* FIFOs, sockets and device nodes open to nothing until drivers exist. */
static int special_open(struct vfs_inode *inode, struct vfs_file *file)
{
	(void)inode;
	(void)file;
	return -ENXIO;
}

static const struct vfs_file_ops tmpfs_special_file_ops = {
	.open = special_open,
};

static void tmpfs_evict(struct vfs_inode *inode)
{
	inode_free(tmpfs_i(inode));
}

static int tmpfs_statfs(struct vfs_super *sb, struct statfs *buf)
{
	struct tmpfs_super *tsb = tmpfs_sb(sb);
	uint64_t pages = __atomic_load_n(&tsb->used_pages, __ATOMIC_RELAXED);
	uint64_t inodes = __atomic_load_n(&tsb->used_inodes, __ATOMIC_RELAXED);

	buf->f_type = TMPFS_MAGIC;
	buf->f_bsize = PAGE_SIZE;
	buf->f_blocks = tsb->max_pages;
	buf->f_bfree = tsb->max_pages - MIN(pages, tsb->max_pages);
	buf->f_bavail = buf->f_bfree;
	buf->f_files = tsb->max_inodes;
	buf->f_ffree = tsb->max_inodes - MIN(inodes, tsb->max_inodes);
	return 0;
}

/* Every dentry is gone: free every inode, linked or not. */
static void tmpfs_kill(struct vfs_super *sb)
{
	struct tmpfs_super *tsb = tmpfs_sb(sb);

	while (!list_is_empty(&tsb->inodes)) {
		struct tmpfs_inode *inode = list_first_entry(
			&tsb->inodes, struct tmpfs_inode, sb_link);

		if (S_ISDIR(vfs_mode(&inode->vfs))) {
			/* Entries only: the inodes they name are listed too. */
			struct rb_node *node;

			while ((node = rb_first(&inode->dir.order)) != NULL) {
				struct tmpfs_dirent *entry = rb_entry(
					node, struct tmpfs_dirent, order_node);

				entry_remove(inode, entry);
				kfree(entry);
			}
		}
		inode_free(inode);
	}
	kfree(tsb);
}

const struct vfs_super_ops tmpfs_super_ops = {
	.evict_inode = tmpfs_evict,
	.statfs = tmpfs_statfs,
	.kill = tmpfs_kill,
};

/* A decimal number with an optional k/m/g suffix (value is modified). */
static int parse_size(char *value, size_t length, uint64_t *number)
{
	char unit = (char)ktolower(value[length - 1]);
	unsigned long long parsed, scale = 1;

	if (unit == 'k' || unit == 'm' || unit == 'g') {
		scale = unit == 'k' ? KiB : unit == 'm' ? MiB : GiB;
		value[length - 1] = '\0';
	}
	if (kstrtoull(value, 10, &parsed) < 0 || parsed > UINT64_MAX / scale)
		return -EINVAL;
	*number = parsed * scale;
	return 0;
}

/* Applies one "key=value" option. */
static int apply_option(struct tmpfs_super *tsb, const char *key, char *value,
			size_t value_length, uint32_t *root_mode)
{
	unsigned long long mode;
	uint64_t number;

	if (kstrcmp(key, "mode") == 0) {
		if (kstrtoull(value, 8, &mode) < 0 || mode > 07777)
			return -EINVAL;
		*root_mode = (uint32_t)mode;
		return 0;
	}
	if (parse_size(value, value_length, &number) < 0)
		return -EINVAL;
	if (kstrcmp(key, "size") == 0)
		tsb->max_pages = (number + PAGE_SIZE - 1) / PAGE_SIZE;
	else if (kstrcmp(key, "nr_inodes") == 0)
		tsb->max_inodes = number;
	else
		return -EINVAL;
	return 0;
}

/* Parses "size=N[kmg],nr_inodes=N[kmg],mode=OCTAL". */
static int parse_options(struct tmpfs_super *tsb, const char *options,
			 uint32_t *root_mode)
{
	char key[16], value[32];

	while (options != NULL && *options != '\0') {
		const char *end = kstrchr(options, ',');
		size_t length = end ? (size_t)(end - options) :
				      kstrlen(options);
		const char *equals = kmemchr(options, '=', length);
		size_t key_length, value_length;
		int err;

		if (equals == NULL)
			return -EINVAL;
		key_length = (size_t)(equals - options);
		value_length = length - key_length - 1;
		if (key_length >= sizeof(key) || value_length == 0 ||
		    value_length >= sizeof(value))
			return -EINVAL;
		memcpy(key, options, key_length);
		key[key_length] = '\0';
		memcpy(value, equals + 1, value_length);
		value[value_length] = '\0';
		err = apply_option(tsb, key, value, value_length, root_mode);
		if (err < 0)
			return err;
		options = end ? end + 1 : NULL;
	}
	return 0;
}

struct vfs_inode *tmpfs_fill_super(struct vfs_super *sb, const char *options)
{
	struct tmpfs_super *tsb = kzalloc(sizeof(*tsb));
	const struct vfs_cred root_cred = { 0 };
	struct tmpfs_inode *root;
	struct pmm_stats stats;
	uint32_t root_mode = 01777;
	int err;

	if (tsb == NULL)
		return ERR_PTR(-ENOMEM);
	pmm_get_stats(&stats);
	tsb->max_pages = stats.total_pages / 2;
	tsb->max_inodes = stats.total_pages / 2;
	tsb->next_ino = 1;
	spin_init(&tsb->lock, "tmpfs.inodes", LOCK_RANK_VFS_LEAF);
	list_init(&tsb->inodes);
	err = parse_options(tsb, options, &root_mode);
	if (err < 0) {
		kfree(tsb);
		return ERR_PTR(err);
	}
	sb->private = tsb;
	sb->ops = &tmpfs_super_ops;
	sb->dev = vfs_anon_dev();
	root = inode_alloc(sb, S_IFDIR | root_mode, &root_cred);
	if (IS_ERR(root)) {
		kfree(tsb);
		return (struct vfs_inode *)root;
	}
	return &root->vfs;
}

static struct vfs_fs_type tmpfs_type = {
	.name = "tmpfs",
	.fill_super = tmpfs_fill_super,
};

void tmpfs_register(void)
{
	vfs_register_fs(&tmpfs_type);
}
