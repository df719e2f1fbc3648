/*
 * User address spaces: a page table in the core's x86_64 format, a tree of
 * VMAs (virtual memory areas) that say what each range may hold, and the
 * operations behind mmap, munmap, mprotect, brk, mremap, madvise, fork and
 * page faults. Copying to and from user memory is in core/mm/uaccess.h.
 *
 * Locks: `lock` (a sleeping rwlock) protects the VMA tree and the brk and
 * mmap fields; operations that change VMAs take it for writing, faults
 * take it for reading. `pt_lock` (a spinlock, taken under `lock`)
 * protects every entry of the user half of the page table, so faults of
 * several threads in one address space can run at once. Every function
 * here takes the locks it needs: callers hold none of them.
 */
#pragma once

#include "core/include/uapi/errno.h"
#include "core/lib/rbtree.h"
#include "core/lib/types.h"
#include "core/sync/rwlock.h"
#include "core/sync/spinlock.h"

/* The end of user space (Linux x86_64's TASK_SIZE: one page below 2^47). */
#define VM_USER_TOP 0x00007ffffffff000ULL
/* Fixed mappings below this fail with -EPERM (Linux's mmap_min_addr). */
#define VM_MMAP_MIN_ADDR 0x10000ULL
/* Kept free below a grows-down VMA (Linux's stack_guard_gap). */
#define VM_STACK_GUARD_GAP (256ULL * PAGE_SIZE)
/* How far a grows-down VMA may grow (RLIMIT_STACK's usual 8 MiB). */
#define VM_STACK_LIMIT_DEFAULT (8ULL * MiB)
/* Room left between the top of user space and mmap_base for the stack. */
#define VM_MMAP_TOP_GAP (128ULL * MiB)

/* Access kinds for vm_fault (a bit set). */
#define VM_ACCESS_READ 0x1u
#define VM_ACCESS_WRITE 0x2u
#define VM_ACCESS_EXEC 0x4u

/* si_code of the SIGSEGV a failed fault raises (Linux's values). */
#define VM_SEGV_MAPERR 1	/* no mapping at the address */
#define VM_SEGV_ACCERR 2	/* a mapping that forbids the access */
/*
 * vm_fault's error for an access a file mapping cannot back (past the
 * page holding the end of the file): the thread gets SIGBUS with this
 * si_code (Linux's BUS_ADRERR), not SIGSEGV.
 */
#define VM_FAULT_SIGBUS (-EIO)
#define VM_BUS_ADRERR 2

/* vma->flags */
#define VMA_SHARED (1u << 0)	/* writes go to the object, seen by all */
#define VMA_GROWSDOWN (1u << 1)	/* a stack: extends down on faults */
/*
 * A shared mapping of a file not open for writing: PROT_WRITE is refused
 * with -EACCES, by mprotect too (Linux's VM_SHARED without VM_MAYWRITE).
 */
#define VMA_READONLY_FILE (1u << 2)

struct page;
struct vfs_file;
struct vm_object;

/*
 * What backs the pages of a VMA that has an object (shared anonymous
 * memory, a file's page cache). `fault` returns in *page the page at page
 * offset `pgoff` of the object with one reference for the caller, or
 * -ENOMEM, or VM_FAULT_SIGBUS (past the end of a file); it may sleep and is called with the address space's lock
 * held for reading. `release` frees the object when its last reference
 * goes.
 */
struct vm_object_ops {
	int (*fault)(struct vm_object *object, uint64_t pgoff,
		     struct page **page);
	void (*release)(struct vm_object *object);
};

/* Reference-counted; each VMA that maps it holds one reference. */
struct vm_object {
	const struct vm_object_ops *ops;
	int refcount;		/* atomic */
};

/* One mapped range. Protected by the address space's lock. */
struct vma {
	struct rb_node node;	/* in address_space.vmas, keyed by start */
	uaddr_t start;		/* page-aligned */
	uaddr_t end;		/* exclusive, page-aligned */
	unsigned int prot;	/* PROT_* */
	unsigned int flags;	/* VMA_* */
	struct vm_object *object;	/* NULL: private anonymous memory */
	uint64_t pgoff;		/* object page at `start` */
};

/*
 * The caller's limits on its address space, in bytes (RLIMIT_AS and
 * RLIMIT_DATA; VM_UNLIMITED for none), checked as Linux's may_expand_vm
 * by the calls that add to it: mmap, brk, mremap. The calls take them
 * from the process making the call (a vfork child shares its parent's
 * space, not its limits). NULL: no limits.
 */
#define VM_UNLIMITED UINT64_MAX

struct vm_limits {
	uint64_t as;		/* every mapped byte */
	uint64_t data;		/* private writable, not stacks (soft) */
	uint64_t data_max;	/* RLIMIT_DATA's hard value */
};

struct address_space {
	struct rwlock lock;
	/* Protected by lock: */
	struct rb_root vmas;
	uint64_t vma_count;
	uaddr_t brk_start;	/* the heap's first byte (set by exec) */
	uaddr_t brk;		/* the current break, as user space set */
	uaddr_t mmap_base;	/* top-down mmap placement starts below it */
	uaddr_t limit;		/* end of user space for this space */
	/*
	 * Bytes a grows-down VMA may span: RLIMIT_STACK of the process(es)
	 * using the space (vm_set_stack_limit; read when a stack grows).
	 */
	uint64_t stack_limit;

	struct spinlock pt_lock;
	/* Protected by pt_lock: every user-half entry below root. */
	paddr_t root;		/* the PML4, fixed for the space's life */

	int refcount;		/* atomic */
	/*
	 * Atomic; the platform's: the CPUs that may hold this space's
	 * translations (x86_64: those with it in CR3), for hal_tlb_flush.
	 */
	uint64_t cpu_mask;
};

/*
 * Creates an empty address space (one reference): limit VM_USER_TOP,
 * mmap_base below it, no break. Returns it or ERR_PTR(-ENOMEM). May sleep.
 */
struct address_space *vm_create(void);

void vm_get(struct address_space *as);
/* Drops a reference; the last frees every page, table and VMA. May sleep. */
void vm_put(struct address_space *as);

/*
 * Copies `parent` for fork: private memory becomes copy-on-write on both
 * sides (their entries made read-only), shared memory stays shared.
 * Returns the child (one reference) or ERR_PTR(-ENOMEM); on failure the
 * parent's contents are unchanged. May sleep.
 */
struct address_space *vm_fork(struct address_space *parent);

/*
 * Resolves a fault at `addr` for `access` (VM_ACCESS_*): demand-zero,
 * copy-on-write, or growing a stack. Returns 0 when the access can be
 * retried; -EFAULT when nothing is mapped there (SEGV_MAPERR), -EACCES
 * when the mapping forbids the access (SEGV_ACCERR), VM_FAULT_SIGBUS
 * (-EIO) for a file page past the page holding the end of the file
 * (SIGBUS, BUS_ADRERR), -ENOMEM when out of memory. Never uses hardware
 * Accessed/Dirty bits. May sleep.
 */
int vm_fault(struct address_space *as, uaddr_t addr, unsigned int access);

/*
 * vm_fault for a user thread's own access: a stack grows only within
 * `limits` too (RLIMIT_AS, as Linux's acct_stack_growth: -EFAULT past it).
 */
int vm_fault_limited(struct address_space *as, uaddr_t addr,
		     unsigned int access, const struct vm_limits *limits);

/*
 * Faults in every page of [start, start + length) for `access`, as
 * vm_fault would one by one but looking up each VMA once (MAP_POPULATE).
 * Stops at the first error and returns it (a hole: -EFAULT,
 * a forbidding VMA: -EACCES, -ENOMEM, VM_FAULT_SIGBUS); 0 when all are in.
 * Does not grow stacks. May sleep.
 */
int vm_populate(struct address_space *as, uaddr_t start, uint64_t length,
		unsigned int access);

/* The VM_SEGV_* code for a vm_fault error (not VM_FAULT_SIGBUS). */
int vm_fault_segv_code(int error);

/* Whether a vm_fault error is a SIGBUS (VM_FAULT_SIGBUS) not a SIGSEGV. */
static inline bool vm_fault_is_sigbus(int error)
{
	return error == VM_FAULT_SIGBUS;
}

/*
 * mmap(2) for anonymous memory, with Linux's validation. Returns the
 * address or -errno: -EINVAL (bad length, flags or alignment), -ENOMEM (no
 * room, overflow, out of memory), -EEXIST (MAP_FIXED_NOREPLACE over a
 * mapping), -EPERM (fixed below VM_MMAP_MIN_ADDR), -EOVERFLOW (offset
 * plus length wraps), -EBADF (no MAP_ANONYMOUS: a file is needed, see
 * vm_mmap_file). MAP_POPULATE faults the pages in (failures ignored, as
 * Linux). May sleep.
 */
long vm_mmap(struct address_space *as, uaddr_t addr, uint64_t length,
	     unsigned int prot, unsigned int flags, uint64_t offset);

/*
 * mmap(2) of `file` at byte `offset` (page-aligned), or anonymous memory
 * when `flags` has MAP_ANONYMOUS (file ignored, may be NULL; -EBADF when
 * NULL without it). MAP_PRIVATE maps the file's page-cache pages
 * read-only and copies one on the first write (the file never changes);
 * MAP_SHARED maps the pages themselves, so writes are the file's
 * (MAP_SHARED_VALIDATE: -EOPNOTSUPP for unknown flags). Touching a page
 * past the one holding the end of the file faults with VM_FAULT_SIGBUS;
 * the rest of that last page reads zeros. /dev/zero gives anonymous
 * memory (shared or private). The mapping holds a file reference until
 * its last page range is unmapped. Errors beyond vm_mmap's: -EACCES (the
 * file is not open for reading, or MAP_SHARED with PROT_WRITE and not
 * open for writing), -ENODEV (no page cache: pipes, devices, directories),
 * -EINVAL (MAP_HUGETLB on a file, an unknown mapping type), -ENOMEM
 * (beyond `limits`: the new pages less those of mappings MAP_FIXED
 * replaces). May sleep.
 */
long vm_mmap_file(struct address_space *as, uaddr_t addr, uint64_t length,
		  unsigned int prot, unsigned int flags, uint64_t offset,
		  struct vfs_file *file, const struct vm_limits *limits);

/*
 * msync(2): validates (flags MS_ASYNC/MS_SYNC/MS_INVALIDATE, not both
 * ASYNC and SYNC, aligned address: -EINVAL; a hole in the range: -ENOMEM)
 * and returns 0: tmpfs pages are the file, nothing is written back.
 * FIXME: write back dirty pages once a block file system maps files.
 */
int vm_msync(struct address_space *as, uaddr_t addr, uint64_t length,
	     unsigned int flags);

/*
 * mincore(2): for each page of [addr, addr + length) one byte at user
 * `vec`, 1 when the page is mapped in this space's page table, else 0.
 * Returns 0, -EINVAL (misaligned addr), -ENOMEM (a hole, or beyond the
 * limit), -EFAULT (vec). FIXME: Linux also reports file pages that are
 * in the page cache but not mapped here. May sleep.
 */
int vm_mincore(struct address_space *as, uaddr_t addr, uint64_t length,
	       uaddr_t vec);

/* The file a VMA's object maps (no reference taken), or NULL. Locked. */
struct vfs_file *vm_object_file(const struct vm_object *object);

/* munmap(2): 0, or -EINVAL (misaligned, zero or out-of-range length). */
int vm_munmap(struct address_space *as, uaddr_t addr, uint64_t length);

/*
 * mprotect(2): 0; -EINVAL (misaligned, bad prot, PROT_GROWSDOWN on a VMA
 * that does not grow); -ENOMEM (a hole in the range, overflow, out of
 * memory, or private memory made writable past `limits`' RLIMIT_DATA;
 * nothing is changed then, where Linux changes the VMAs before the hole).
 */
int vm_mprotect(struct address_space *as, uaddr_t addr, uint64_t length,
		unsigned int prot, const struct vm_limits *limits);

/*
 * brk(2): moves the break to `brk` and returns the new break; returns the
 * current break unchanged when `brk` is below the heap start, would
 * overlap a mapping or its guard gap, or memory runs out, or the heap
 * would pass `limits` (RLIMIT_DATA counts the heap from its start; Linux
 * adds the data segment, which is not tracked here).
 */
uaddr_t vm_brk(struct address_space *as, uaddr_t brk,
	       const struct vm_limits *limits);

/* Places the heap at `start` (page-aligned), as exec does. */
void vm_brk_init(struct address_space *as, uaddr_t start);

/*
 * Sets where top-down mmap placement starts (page-aligned, below the
 * limit), as exec does once it has placed the stack.
 */
void vm_set_mmap_base(struct address_space *as, uaddr_t base);

/*
 * Sets how far a stack may grow (RLIMIT_STACK; RLIM_INFINITY: up to the
 * guard gap): exec before it lays the space out, setrlimit afterwards
 * (Linux reads the rlimit at each growth). Any context.
 */
void vm_set_stack_limit(struct address_space *as, uint64_t limit);

/*
 * mremap(2): shrink, grow in place, or move (MREMAP_MAYMOVE, and
 * MREMAP_FIXED to `new_addr`). Returns the new address or -EINVAL (flags,
 * alignment, zero length), -EFAULT (old range not one VMA), -ENOMEM (no
 * room, or growth beyond `limits`), -EOPNOTSUPP (MREMAP_DONTUNMAP, not
 * yet).
 */
long vm_mremap(struct address_space *as, uaddr_t old_addr, uint64_t old_length,
	       uint64_t new_length, unsigned int flags, uaddr_t new_addr,
	       const struct vm_limits *limits);

/*
 * madvise(2): MADV_DONTNEED and MADV_FREE drop the range's pages (private
 * anonymous memory reads back zeros); pure hints are accepted. Returns 0,
 * -EINVAL (misaligned, unknown or unsupported advice), -ENOMEM (a hole).
 */
int vm_madvise(struct address_space *as, uaddr_t addr, uint64_t length,
	       int advice);

/*
 * Calls fn(vma, arg) for each VMA in address order under the read lock
 * (for /proc/PID/maps and tests); a negative return stops the walk and is
 * returned. fn must not call back into this address space.
 */
int vm_for_each_vma(struct address_space *as,
		    int (*fn)(const struct vma *vma, void *arg), void *arg);

/*
 * Checks the invariants: a valid tree, sorted page-aligned non-overlapping
 * VMAs inside the limit, no two adjacent VMAs left unmerged, and no page
 * mapped outside a VMA. Returns 0 or -EINVAL (and logs why). For tests
 * and fuzzing. May sleep.
 */
int vm_validate(struct address_space *as);
