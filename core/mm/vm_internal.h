/*
 * Declarations shared by the address-space code in core/mm (vm.c, vma.c,
 * fault.c, mmap.c, vm_object.c, uaccess.c). Lock contracts are stated per
 * function; "write-locked" means as->lock held for writing.
 */
#pragma once

#include "core/arch/x86_64/pte.h"
#include "core/mm/vm.h"

struct page;

/* VMA tree (vma.c). */

/* The VMA containing addr, else the first one above it, else NULL. Locked. */
struct vma *vma_find(struct address_space *as, uaddr_t addr);
struct vma *vma_first(struct address_space *as);
struct vma *vma_next(struct vma *vma);
struct vma *vma_prev(struct vma *vma);

/* A new unlinked VMA (takes a reference on object). NULL: out of memory. */
struct vma *vma_alloc(uaddr_t start, uaddr_t end, unsigned int prot,
		      unsigned int flags, struct vm_object *object,
		      uint64_t pgoff);
/* Frees an unlinked VMA and drops its object reference. */
void vma_free(struct vma *vma);

/* Inserts / removes a VMA; the caller keeps the tree non-overlapping. */
void vma_link(struct address_space *as, struct vma *vma);
void vma_unlink(struct address_space *as, struct vma *vma);

/*
 * Cuts vma at addr (vma->start < addr < vma->end): vma keeps the lower
 * part, a new VMA the upper one. Returns 0 or -ENOMEM. Write-locked.
 */
int vma_split(struct address_space *as, struct vma *vma, uaddr_t addr);

/*
 * Splits so that [start, end) is covered by whole VMAs (holes allowed).
 * Returns 0 or -ENOMEM (the VMAs are then as they were). Write-locked.
 */
int vma_split_range(struct address_space *as, uaddr_t start, uaddr_t end);

/*
 * Merges vma with compatible adjacent neighbours; returns the VMA that
 * now holds vma's range. Write-locked.
 */
struct vma *vma_merge(struct address_space *as, struct vma *vma);

/* Whether a and b (a below b, adjacent) could be one VMA. */
bool vma_can_merge(const struct vma *a, const struct vma *b);

/* Whether no VMA intersects [start, end). Locked. */
bool vm_range_is_free(struct address_space *as, uaddr_t start, uaddr_t end);

/*
 * Whether `bytes` more of a mapping with `prot` and VMA_* `flags` fit the
 * limits (Linux's may_expand_vm: all mappings against `as`, private
 * writable ones that are not stacks against `data`). Walks the VMAs only
 * when a limit that applies is finite. Locked.
 */
bool vm_may_expand_locked(struct address_space *as,
			  const struct vm_limits *limits, unsigned int prot,
			  unsigned int flags, uint64_t bytes);

/* Bytes of [start, end) that VMAs cover. Locked. */
uint64_t vm_mapped_bytes_locked(struct address_space *as, uaddr_t start,
				uaddr_t end);

/* The lowest address a grows-down vma must keep free above its neighbour. */
uaddr_t vma_start_gap(const struct vma *vma);

/* Page tables (vm.c). */

/* Leaf flags for a VMA's pages; PTE_WRITE only if writable and shared. */
pte_t vm_pte_flags(const struct vma *vma);

/*
 * Drops every page mapped in [start, end) (TLB flushed before the pages
 * are released). Caller holds as->lock (read or write); takes pt_lock.
 */
void vm_zap_range(struct address_space *as, uaddr_t start, uaddr_t end);

/*
 * Rewrites the leaf flags of the pages of [start, end) for `vma`'s prot,
 * never adding PTE_WRITE to private memory (a write fault decides that).
 * Write-locked; takes pt_lock.
 */
void vm_protect_range(struct address_space *as, const struct vma *vma,
		      uaddr_t start, uaddr_t end);

/*
 * Moves the pages of [from, from + length) to [to, to + length) (the
 * destination has no pages). Returns 0 or -ENOMEM (a table could not be
 * allocated; pages moved so far stay moved). Write-locked.
 */
int vm_move_range(struct address_space *as, uaddr_t from, uaddr_t to,
		  uint64_t length);

/*
 * Removes [start, end) from the tree and the page table (splitting VMAs at
 * the edges). Returns 0 or -ENOMEM (from a split; nothing is unmapped
 * then). Write-locked.
 */
int vm_unmap_locked(struct address_space *as, uaddr_t start, uaddr_t end);

/* Drops a reference to a mapped page; the last one frees it. */
void vm_page_put(struct page *page);

/* Memory objects (vm_object.c). */

void vm_object_get(struct vm_object *object);
void vm_object_put(struct vm_object *object);

/*
 * A shared anonymous object (zero-filled, grows as it is touched), with
 * one reference; NULL when out of memory.
 */
struct vm_object *vm_anon_object_create(void);

/*
 * A file object mapping `file`'s page cache (takes a file reference),
 * with one reference; NULL when out of memory (vm_file.c).
 */
struct vm_object *vm_file_object_create(struct vfs_file *file);

/* Placement and mapping (mmap.c). */

/* Linux's default vm.max_map_count. */
#define VM_MAX_MAP_COUNT 65530

/*
 * A free page-aligned range of `length` bytes: at `hint` if it fits (0:
 * no hint), else the highest gap below mmap_base, else the highest below
 * the limit. Gaps keep VM_STACK_GUARD_GAP below grows-down VMAs. Returns
 * the address or -ENOMEM. Locked.
 */
long vm_find_free_range(struct address_space *as, uaddr_t hint,
			uint64_t length);

/*
 * Links `vma` (over a free range) and merges it with its neighbours.
 * Returns the VMA now holding the range. Write-locked.
 */
struct vma *vm_insert_vma(struct address_space *as, struct vma *vma);
