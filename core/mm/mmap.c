/*
 * mmap (anonymous and file), munmap, mprotect and msync on an address
 * space, with Linux's argument validation, and the placement of new mappings (hints, top-down search
 * below mmap_base, guard gaps below stacks). Each call validates its
 * arguments, takes as->lock for writing, checks the address space, and
 * only then changes it (STYLE.md: validate, then commit).
 */
#include "core/mm/vm_internal.h"

#include "core/include/uapi/fcntl.h"
#include "core/include/uapi/mman.h"
#include "core/lib/err.h"
#include "core/lib/panic.h"
#include "core/mm/pgtable.h"
#include "core/mm/uaccess.h"
#include "fs/vfs.h"

#define PROT_ACCESS (PROT_READ | PROT_WRITE | PROT_EXEC)
#define MAP_32BIT_START 0x40000000ULL
#define MAP_32BIT_END 0x80000000ULL

/* Every flag mmap knows; others are ignored unless MAP_SHARED_VALIDATE. */
#define MAP_KNOWN_FLAGS                                                      \
	(MAP_TYPE | MAP_FIXED | MAP_ANONYMOUS | MAP_32BIT | MAP_GROWSDOWN |  \
	 MAP_DENYWRITE | MAP_EXECUTABLE | MAP_LOCKED | MAP_NORESERVE |       \
	 MAP_POPULATE | MAP_NONBLOCK | MAP_STACK | MAP_HUGETLB | MAP_SYNC |  \
	 MAP_FIXED_NOREPLACE | MAP_UNINITIALIZED)

/* What MAP_SHARED_VALIDATE accepts (Linux's LEGACY_MAP_MASK). */
#define MAP_VALIDATED_FLAGS                                                  \
	(MAP_TYPE | MAP_FIXED | MAP_ANONYMOUS | MAP_32BIT | MAP_GROWSDOWN |  \
	 MAP_DENYWRITE | MAP_EXECUTABLE | MAP_LOCKED | MAP_NORESERVE |       \
	 MAP_POPULATE | MAP_NONBLOCK | MAP_STACK | MAP_HUGETLB |             \
	 MAP_UNINITIALIZED)

/* What a validated mmap maps. */
struct mmap_source {
	struct vfs_file *file;	/* NULL: anonymous memory */
	uint64_t pgoff;		/* the file page at the start */
	unsigned int vma_flags;	/* VMA_* decided by the checks */
};

/* Whether [start, start + length) is free, guard gaps included. Locked. */
static bool range_fits(struct address_space *as, uaddr_t start,
		       uint64_t length)
{
	struct vma *next = vma_find(as, start);

	return next == NULL ||
	       (next->start > start && start + length <= vma_start_gap(next));
}

/* The highest gap of `length` bytes below `top`, or -ENOMEM. Locked. */
static long find_top_down(struct address_space *as, uint64_t length,
			  uaddr_t top)
{
	struct vma *next = NULL;
	struct vma *vma = rb_entry_or_null(rb_last(&as->vmas), struct vma,
					   node);

	for (;;) {
		uaddr_t gap_end = next ? MIN(vma_start_gap(next), top) : top;
		uaddr_t gap_start = vma ? MAX(vma->end, VM_MMAP_MIN_ADDR)
					: VM_MMAP_MIN_ADDR;

		if (gap_end > gap_start && gap_end - gap_start >= length)
			return (long)(gap_end - length);
		if (vma == NULL)
			return -ENOMEM;
		next = vma;
		vma = vma_prev(vma);
	}
}

long vm_find_free_range(struct address_space *as, uaddr_t hint,
			uint64_t length)
{
	long found;

	if (length > as->limit - VM_MMAP_MIN_ADDR)
		return -ENOMEM;
	if (hint != 0) {
		hint = MAX(ALIGN_UP(hint, PAGE_SIZE), VM_MMAP_MIN_ADDR);
		if (hint <= as->limit - length && range_fits(as, hint, length))
			return (long)hint;
	}
	found = find_top_down(as, length, MIN(as->mmap_base, as->limit));
	if (found < 0)
		found = find_top_down(as, length, as->limit);
	return found;
}

struct vma *vm_insert_vma(struct address_space *as, struct vma *vma)
{
	vma_link(as, vma);
	return vma_merge(as, vma);
}

/*
 * Argument checks that need no lock. Rounds *length up to pages. The
 * mapping type of a file is checked by mmap_file_check.
 */
static int mmap_check(struct address_space *as, uaddr_t addr,
		      uint64_t *length, unsigned int flags, uint64_t offset,
		      bool anonymous)
{
	unsigned int type = flags & MAP_TYPE;
	uint64_t pages;

	if (*length == 0)
		return -EINVAL;
	pages = ALIGN_UP(*length, PAGE_SIZE) >> PAGE_SHIFT;
	if (pages == 0 || pages > (as->limit >> PAGE_SHIFT))
		return -ENOMEM;
	*length = pages << PAGE_SHIFT;
	if ((offset >> PAGE_SHIFT) + pages < (offset >> PAGE_SHIFT))
		return -EOVERFLOW;
	if (anonymous && type != MAP_SHARED && type != MAP_PRIVATE)
		return -EINVAL; /* anonymous MAP_SHARED_VALIDATE, as Linux */
	if (anonymous && type == MAP_SHARED && (flags & MAP_GROWSDOWN))
		return -EINVAL;
	if (flags & MAP_HUGETLB)
		return -ENOMEM; /* no huge pages reserved, as a default Linux */
	if (!(flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)))
		return 0;
	if (addr & ~PAGE_MASK)
		return -EINVAL;
	if (addr > as->limit - *length)
		return -ENOMEM;
	if (addr < VM_MMAP_MIN_ADDR)
		return -EPERM;
	return 0;
}

/* MAP_32BIT: Linux x86_64 places these in [1 GiB, 2 GiB). Locked. */
static long find_32bit(struct address_space *as, uint64_t length)
{
	long found = find_top_down(as, length, MAP_32BIT_END);

	return found >= (long)MAP_32BIT_START ? found : -ENOMEM;
}

/* Where the new mapping goes, or -errno. Write-locked. */
static long mmap_place(struct address_space *as, uaddr_t addr,
		       uint64_t length, unsigned int flags)
{
	if (flags & MAP_FIXED_NOREPLACE) /* wins over MAP_FIXED, as Linux */
		return vm_range_is_free(as, addr, addr + length) ? (long)addr
								   : -EEXIST;
	if (flags & MAP_FIXED)
		return (long)addr;
	if (flags & MAP_32BIT)
		return find_32bit(as, length);
	return vm_find_free_range(as, addr, length);
}

/*
 * Linux do_mmap's checks of a file mapping, filling *source: the mapping
 * type, the file's open mode against the protection, and whether the
 * file maps at all (/dev/zero maps as anonymous memory).
 */
static int mmap_file_check(struct vfs_file *file, unsigned int prot,
			   unsigned int flags, struct mmap_source *source)
{
	int mode = vfs_file_flags(file) & O_ACCMODE;
	bool readable = mode == O_RDONLY || mode == O_RDWR;
	bool writable = mode == O_WRONLY || mode == O_RDWR;
	unsigned int type = flags & MAP_TYPE;
	int kind = vfs_file_mmap_kind(file);

	if (type == MAP_SHARED_VALIDATE && (flags & ~MAP_VALIDATED_FLAGS))
		return -EOPNOTSUPP;
	if (type != MAP_PRIVATE && type != MAP_SHARED &&
	    type != MAP_SHARED_VALIDATE)
		return -EINVAL;
	if (type != MAP_PRIVATE && !writable) {
		if (prot & PROT_WRITE)
			return -EACCES;
		source->vma_flags |= VMA_READONLY_FILE;
	}
	if (!readable)
		return -EACCES;
	if (kind < 0)
		return kind;
	if (kind == VFS_MMAP_ANONYMOUS)
		source->file = NULL;
	return 0;
}

static struct vma *mmap_vma_alloc(uaddr_t start, uint64_t length,
				  unsigned int prot, unsigned int flags,
				  const struct mmap_source *source)
{
	unsigned int vma_flags = source->vma_flags;
	struct vm_object *object = NULL;
	uint64_t pgoff = 0;
	struct vma *vma;

	if (flags & MAP_GROWSDOWN)
		vma_flags |= VMA_GROWSDOWN;
	if ((flags & MAP_TYPE) != MAP_PRIVATE)
		vma_flags |= VMA_SHARED;
	if (source->file != NULL) {
		object = vm_file_object_create(source->file);
		pgoff = source->pgoff;
	} else if (vma_flags & VMA_SHARED) {
		object = vm_anon_object_create();
	}
	if ((source->file != NULL || (vma_flags & VMA_SHARED)) &&
	    object == NULL)
		return NULL;
	vma = vma_alloc(start, start + length, prot & PROT_ACCESS, vma_flags,
			object, pgoff);
	if (object != NULL)
		vm_object_put(object); /* the VMA holds its own reference */
	return vma;
}

/* MAP_POPULATE: fault every page in now. No lock held. */
static void populate(struct address_space *as, uaddr_t start, uint64_t length,
		     unsigned int prot)
{
	unsigned int access = (prot & PROT_WRITE) ? VM_ACCESS_WRITE
						  : VM_ACCESS_READ;

	if (prot & PROT_ACCESS) /* Linux ignores a failed populate */
		(void)vm_populate(as, start, length, access);
}

/* Every check before the address space is locked. */
static int mmap_validate(struct address_space *as, uaddr_t addr,
			 uint64_t *length, unsigned int prot,
			 unsigned int flags, uint64_t offset,
			 struct mmap_source *source)
{
	bool anonymous = (flags & MAP_ANONYMOUS) != 0;
	int err;

	/* Linux's order: the offset, the descriptor, then the rest. */
	if (offset & ~PAGE_MASK)
		return -EINVAL;
	if (!anonymous && source->file == NULL)
		return -EBADF;
	if (!anonymous && vfs_file_mmap_kind(source->file) == -EBADF)
		return -EBADF; /* O_PATH descriptors */
	if (!anonymous && (flags & MAP_HUGETLB))
		return -EINVAL; /* no hugetlbfs files */
	if (anonymous)
		source->file = NULL;
	source->pgoff = offset >> PAGE_SHIFT;
	err = mmap_check(as, addr, length, flags, offset, anonymous);
	if (err == 0 && !anonymous)
		err = mmap_file_check(source->file, prot, flags, source);
	return err;
}

long vm_mmap(struct address_space *as, uaddr_t addr, uint64_t length,
	     unsigned int prot, unsigned int flags, uint64_t offset)
{
	return vm_mmap_file(as, addr, length, prot, flags, offset, NULL, NULL);
}

/*
 * Whether the new VMA fits the limits, counting what it replaces (Linux's
 * mmap_region: the pages of mappings MAP_FIXED unmaps come back). Locked.
 */
static bool mmap_fits(struct address_space *as, const struct vma *vma,
		      const struct vm_limits *limits)
{
	uint64_t length = vma->end - vma->start;

	if (vm_may_expand_locked(as, limits, vma->prot, vma->flags, length))
		return true;
	return vm_may_expand_locked(as, limits, vma->prot, vma->flags,
				    length - vm_mapped_bytes_locked(
						     as, vma->start, vma->end));
}

long vm_mmap_file(struct address_space *as, uaddr_t addr, uint64_t length,
		  unsigned int prot, unsigned int flags, uint64_t offset,
		  struct vfs_file *file, const struct vm_limits *limits)
{
	struct mmap_source source = { .file = file };
	struct vma *vma = NULL;
	long start;
	int err = mmap_validate(as, addr, &length, prot, flags, offset,
				&source);

	if (err < 0)
		return err;
	rwlock_write_lock(&as->lock);
	start = mmap_place(as, addr, length, flags);
	if (start >= 0 && as->vma_count >= VM_MAX_MAP_COUNT)
		start = -ENOMEM;
	if (start >= 0) {
		vma = mmap_vma_alloc((uaddr_t)start, length, prot, flags,
				     &source);
		if (vma == NULL)
			start = -ENOMEM;
	}
	if (vma != NULL && !mmap_fits(as, vma, limits)) {
		vma_free(vma);
		vma = NULL;
		start = -ENOMEM;
	}
	if (vma != NULL && (flags & MAP_FIXED)) {
		err = vm_unmap_locked(as, vma->start, vma->end);
		if (err < 0) {
			vma_free(vma);
			start = err;
		}
	}
	if (start >= 0)
		vm_insert_vma(as, vma);
	rwlock_write_unlock(&as->lock);
	if (start >= 0 && (flags & MAP_POPULATE))
		populate(as, (uaddr_t)start, length, prot);
	return start;
}

int vm_munmap(struct address_space *as, uaddr_t addr, uint64_t length)
{
	uint64_t aligned = ALIGN_UP(length, PAGE_SIZE);
	int err;

	if ((addr & ~PAGE_MASK) || length == 0 || aligned < length ||
	    aligned > as->limit || addr > as->limit - aligned)
		return -EINVAL;
	rwlock_write_lock(&as->lock);
	err = vm_unmap_locked(as, addr, addr + aligned);
	rwlock_write_unlock(&as->lock);
	return err;
}

/*
 * The start of the range mprotect changes (lowered to the VMA's start for
 * PROT_GROWSDOWN), after checking [*start, end) is mapped without holes.
 * Returns 0, -ENOMEM (a hole) or -EINVAL. Write-locked.
 */
static int mprotect_range(struct address_space *as, uaddr_t *start,
			  uaddr_t end, unsigned int prot)
{
	struct vma *vma = vma_find(as, *start);
	uaddr_t covered;

	if (vma == NULL || vma->start >= end)
		return -ENOMEM;
	if (prot & PROT_GROWSDOWN) {
		if (!(vma->flags & VMA_GROWSDOWN))
			return -EINVAL;
		*start = vma->start;
	} else if (prot & PROT_GROWSUP) {
		return -EINVAL; /* no grows-up VMAs on x86_64 */
	}
	if (vma->start > *start)
		return -ENOMEM;
	for (covered = vma->end;; covered = vma->end) {
		if ((prot & PROT_WRITE) && (vma->flags & VMA_READONLY_FILE))
			return -EACCES;
		if (covered >= end)
			return 0;
		vma = vma_next(vma);
		if (vma == NULL || vma->start != covered)
			return -ENOMEM;
	}
}

/* Merges every VMA touching [start, end) with its neighbours. */
static void merge_range(struct address_space *as, uaddr_t start, uaddr_t end)
{
	struct vma *vma = vma_find(as, start);

	while (vma != NULL && vma->start <= end)
		vma = vma_next(vma_merge(as, vma));
}

/*
 * Linux's check in mprotect_fixup, for each VMA of [addr, end) before any
 * changes: making private memory writable must fit RLIMIT_DATA, unless
 * its old protection would not fit the limits either. Write-locked.
 */
static int mprotect_fits(struct address_space *as, uaddr_t addr, uaddr_t end,
			 unsigned int prot, const struct vm_limits *limits)
{
	if (limits == NULL || !(prot & PROT_WRITE))
		return 0;
	for (struct vma *vma = vma_find(as, addr); vma && vma->start < end;
	     vma = vma_next(vma)) {
		uint64_t bytes = MIN(vma->end, end) - MAX(vma->start, addr);

		if (!vm_may_expand_locked(as, limits, prot, vma->flags,
					  bytes) &&
		    vm_may_expand_locked(as, limits, vma->prot, vma->flags,
					 bytes))
			return -ENOMEM;
	}
	return 0;
}

int vm_mprotect(struct address_space *as, uaddr_t addr, uint64_t length,
		unsigned int prot, const struct vm_limits *limits)
{
	uint64_t aligned = ALIGN_UP(length, PAGE_SIZE);
	uaddr_t end = addr + aligned;
	struct vma *vma;
	int err;

	if ((addr & ~PAGE_MASK) ||
	    (prot & ~(PROT_ACCESS | PROT_GROWSDOWN | PROT_GROWSUP)) ||
	    (prot & PROT_GROWSDOWN && prot & PROT_GROWSUP))
		return -EINVAL;
	if (length == 0)
		return 0;
	if (end <= addr)
		return -ENOMEM;
	rwlock_write_lock(&as->lock);
	err = mprotect_range(as, &addr, end, prot);
	if (err == 0)
		err = mprotect_fits(as, addr, end, prot, limits);
	if (err == 0)
		err = vma_split_range(as, addr, end);
	for (vma = vma_find(as, addr); err == 0 && vma && vma->start < end;
	     vma = vma_next(vma)) {
		vma->prot = prot & PROT_ACCESS;
		vm_protect_range(as, vma, vma->start, vma->end);
	}
	if (err == 0)
		merge_range(as, addr, end);
	rwlock_write_unlock(&as->lock);
	return err;
}

int vm_msync(struct address_space *as, uaddr_t addr, uint64_t length,
	     unsigned int flags)
{
	uint64_t aligned = ALIGN_UP(length, PAGE_SIZE);
	uaddr_t end = addr + aligned, covered = addr;
	struct vma *vma;

	if ((flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC)) ||
	    (addr & ~PAGE_MASK) ||
	    ((flags & MS_ASYNC) && (flags & MS_SYNC)))
		return -EINVAL;
	if (aligned < length || end < addr)
		return -ENOMEM;
	rwlock_read_lock(&as->lock);
	for (vma = vma_find(as, addr); vma && vma->start < end && covered < end;
	     vma = vma_next(vma)) {
		if (vma->start > covered)
			break; /* a hole */
		covered = MIN(vma->end, end);
	}
	rwlock_read_unlock(&as->lock);
	return covered >= end ? 0 : -ENOMEM;
}

#define MINCORE_CHUNK 256

/*
 * Fills out[i] for the `count` pages from addr, or returns -ENOMEM when
 * one is outside every VMA. Takes as->lock for reading and pt_lock.
 */
static int mincore_chunk(struct address_space *as, uaddr_t addr,
			 unsigned int count, uint8_t *out)
{
	struct vma *vma = NULL;
	int err = 0;

	rwlock_read_lock(&as->lock);
	spin_lock(&as->pt_lock);
	for (unsigned int i = 0; i < count && err == 0; i++) {
		uaddr_t va = addr + (uint64_t)i * PAGE_SIZE;

		if (vma == NULL || va >= vma->end)
			vma = vma_find(as, va);
		if (vma == NULL || va < vma->start)
			err = -ENOMEM;
		else
			out[i] = pgtable_lookup(as->root, va, NULL, NULL,
						NULL) == 0;
	}
	spin_unlock(&as->pt_lock);
	rwlock_read_unlock(&as->lock);
	return err;
}

int vm_mincore(struct address_space *as, uaddr_t addr, uint64_t length,
	       uaddr_t vec)
{
	uint64_t pages = ALIGN_UP(length, PAGE_SIZE) >> PAGE_SHIFT;
	uint8_t out[MINCORE_CHUNK];

	if (addr & ~PAGE_MASK)
		return -EINVAL;
	if (ALIGN_UP(length, PAGE_SIZE) < length || addr > as->limit ||
	    pages > ((as->limit - addr) >> PAGE_SHIFT))
		return -ENOMEM;
	for (uint64_t done = 0; done < pages; done += MINCORE_CHUNK) {
		unsigned int count = (unsigned int)MIN(pages - done,
						       (uint64_t)MINCORE_CHUNK);
		int err = mincore_chunk(as, addr + done * PAGE_SIZE, count,
					out);

		if (err == 0)
			err = vm_copy_to_user(as, vec + done, out, count);
		if (err < 0)
			return err;
	}
	return 0;
}
