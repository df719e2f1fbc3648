/*
 * mmap, munmap, mprotect, brk, mremap and madvise: placement, Linux's
 * errno for every bad argument, and what each call does to the memory.
 */
#include <stdlib.h>

#include "vm_helpers.h"

#define BASE 0x30000000ULL

static struct address_space *as;

static void setup(void)
{
	vm_test_boot();
	as = vm_test_create();
}

static void teardown(void)
{
	vm_test_destroy(as);
}

Test(vm_mmap, mmap_rejects_bad_arguments, .init = setup, .fini = teardown)
{
	cr_assert_eq(vm_mmap(as, 0, 0, RW, ANON_PRIVATE, 0), -EINVAL);
	cr_assert_eq(vm_mmap(as, BASE + 1, PAGE_SIZE, RW,
			     ANON_PRIVATE | MAP_FIXED, 0), -EINVAL);
	cr_assert_eq(vm_mmap(as, 0, PAGE_SIZE, RW, ANON_PRIVATE, 1), -EINVAL);
	cr_assert_eq(vm_mmap(as, 0, PAGE_SIZE, RW, MAP_ANONYMOUS, 0), -EINVAL,
		     "no mapping type");
	cr_assert_eq(vm_mmap(as, 0, PAGE_SIZE, RW, MAP_ANONYMOUS | 0xf, 0),
		     -EINVAL);
	cr_assert_eq(vm_mmap(as, 0, PAGE_SIZE, RW,
			     ANON_SHARED | MAP_GROWSDOWN, 0), -EINVAL);
	cr_assert_eq(vm_mmap(as, 0, PAGE_SIZE, RW, MAP_PRIVATE, 0), -EBADF,
		     "no MAP_ANONYMOUS and no file");
	cr_assert_eq(vm_test_vma_count(as), 0);
}

Test(vm_mmap, mmap_rejects_impossible_ranges, .init = setup, .fini = teardown)
{
	cr_assert_eq(vm_mmap(as, 0, ~0ULL, RW, ANON_PRIVATE, 0), -ENOMEM,
		     "length overflows when rounded");
	cr_assert_eq(vm_mmap(as, 0, as->limit + PAGE_SIZE, RW, ANON_PRIVATE,
			     0), -ENOMEM);
	cr_assert_eq(vm_mmap(as, as->limit - PAGE_SIZE, 2 * PAGE_SIZE, RW,
			     ANON_PRIVATE | MAP_FIXED, 0), -ENOMEM);
	cr_assert_eq(vm_mmap(as, PAGE_SIZE, PAGE_SIZE, RW,
			     ANON_PRIVATE | MAP_FIXED, 0), -EPERM,
		     "below mmap_min_addr");
}

Test(vm_mmap, anonymous_mappings_ignore_an_aligned_offset,
     .init = setup, .fini = teardown)
{
	cr_assert_geq(vm_mmap(as, 0, PAGE_SIZE, RW, ANON_PRIVATE,
			      ~0ULL & PAGE_MASK), 0);
}

Test(vm_mmap, hint_is_used_when_free_and_rounded,
     .init = setup, .fini = teardown)
{
	cr_assert_eq(vm_mmap(as, BASE + 5, PAGE_SIZE, RW, ANON_PRIVATE, 0),
		     (long)(BASE + PAGE_SIZE));
	cr_assert_neq(vm_mmap(as, BASE + PAGE_SIZE, PAGE_SIZE, RW,
			      ANON_PRIVATE, 0), (long)(BASE + PAGE_SIZE),
		      "an occupied hint is only a hint");
	cr_assert_geq(vm_mmap(as, 123, PAGE_SIZE, RW, ANON_PRIVATE, 0),
		      (long)VM_MMAP_MIN_ADDR);
}

Test(vm_mmap, placement_is_top_down_below_mmap_base,
     .init = setup, .fini = teardown)
{
	long a = vm_mmap(as, 0, PAGE_SIZE, RW, ANON_PRIVATE, 0);
	long b = vm_mmap(as, 0, 2 * PAGE_SIZE, PROT_READ, ANON_PRIVATE, 0);

	cr_assert_eq(a, (long)(as->mmap_base - PAGE_SIZE));
	cr_assert_eq(b, a - 2 * (long)PAGE_SIZE);
}

Test(vm_mmap, placement_falls_back_above_mmap_base,
     .init = setup, .fini = teardown)
{
	as->mmap_base = VM_MMAP_MIN_ADDR + PAGE_SIZE;
	vm_test_map(as, VM_MMAP_MIN_ADDR, PAGE_SIZE, RW,
		    ANON_PRIVATE | MAP_FIXED);
	cr_assert_eq(vm_mmap(as, 0, PAGE_SIZE, RW, ANON_PRIVATE, 0),
		     (long)(as->limit - PAGE_SIZE));
}

Test(vm_mmap, fixed_replaces_and_noreplace_refuses,
     .init = setup, .fini = teardown)
{
	vm_test_map(as, BASE, 4 * PAGE_SIZE, RW, ANON_PRIVATE | MAP_FIXED);
	vm_test_poke(as, BASE + PAGE_SIZE, 5);
	cr_assert_eq(vm_mmap(as, BASE + PAGE_SIZE, PAGE_SIZE, RW,
			     ANON_PRIVATE | MAP_FIXED_NOREPLACE, 0), -EEXIST);
	cr_assert_eq(vm_test_peek(as, BASE + PAGE_SIZE), 5);
	cr_assert_eq(vm_mmap(as, BASE + 8 * PAGE_SIZE, PAGE_SIZE, RW,
			     ANON_PRIVATE | MAP_FIXED_NOREPLACE, 0),
		     (long)(BASE + 8 * PAGE_SIZE));
	cr_assert_eq(vm_mmap(as, BASE + PAGE_SIZE, PAGE_SIZE, PROT_READ,
			     ANON_PRIVATE | MAP_FIXED, 0),
		     (long)(BASE + PAGE_SIZE));
	cr_assert_eq(vm_test_peek(as, BASE + PAGE_SIZE), 0,
		     "MAP_FIXED replaced the old page");
	cr_assert_eq(vm_test_vma_count(as), 4);
}

Test(vm_mmap, shared_validate_is_invalid_for_anonymous,
     .init = setup, .fini = teardown)
{
	cr_assert_eq(vm_mmap(as, 0, PAGE_SIZE, RW,
			     MAP_SHARED_VALIDATE | MAP_ANONYMOUS, 0), -EINVAL);
}

Test(vm_mmap, munmap_rejects_bad_arguments, .init = setup, .fini = teardown)
{
	cr_assert_eq(vm_munmap(as, BASE + 1, PAGE_SIZE), -EINVAL);
	cr_assert_eq(vm_munmap(as, BASE, 0), -EINVAL);
	cr_assert_eq(vm_munmap(as, BASE, ~0ULL), -EINVAL);
	cr_assert_eq(vm_munmap(as, as->limit - PAGE_SIZE, 2 * PAGE_SIZE),
		     -EINVAL);
	cr_assert_eq(vm_munmap(as, BASE, PAGE_SIZE), 0, "a hole is fine");
}

Test(vm_mmap, munmap_rounds_the_length_up, .init = setup, .fini = teardown)
{
	vm_test_map(as, BASE, 2 * PAGE_SIZE, RW, ANON_PRIVATE | MAP_FIXED);
	cr_assert_eq(vm_munmap(as, BASE, 1), 0);
	cr_assert_eq(vm_fault(as, BASE, VM_ACCESS_READ), -EFAULT);
	cr_assert_eq(vm_fault(as, BASE + PAGE_SIZE, VM_ACCESS_READ), 0);
}

Test(vm_mmap, mprotect_rejects_bad_arguments, .init = setup, .fini = teardown)
{
	vm_test_map(as, BASE, 2 * PAGE_SIZE, RW, ANON_PRIVATE | MAP_FIXED);
	cr_assert_eq(vm_mprotect(as, BASE + 1, PAGE_SIZE, PROT_READ, NULL),
		     -EINVAL);
	cr_assert_eq(vm_mprotect(as, BASE, PAGE_SIZE, 0x8, NULL), -EINVAL);
	cr_assert_eq(vm_mprotect(as, BASE, PAGE_SIZE,
				 PROT_GROWSDOWN | PROT_GROWSUP, NULL), -EINVAL);
	cr_assert_eq(vm_mprotect(as, BASE, PAGE_SIZE,
				 PROT_READ | PROT_GROWSDOWN, NULL), -EINVAL,
		     "not a grows-down VMA");
	cr_assert_eq(vm_mprotect(as, BASE, 0, PROT_READ, NULL), 0);
	cr_assert_eq(vm_mprotect(as, BASE, ~0ULL, PROT_READ, NULL), -ENOMEM);
	cr_assert_eq(vm_mprotect(as, BASE, 3 * PAGE_SIZE, PROT_READ, NULL),
		     -ENOMEM, "a hole at the end");
	cr_assert_eq(vm_mprotect(as, BASE - PAGE_SIZE, 2 * PAGE_SIZE,
				 PROT_READ, NULL),
		     -ENOMEM, "a hole at the start");
	vm_test_poke(as, BASE, 1); /* nothing was changed by the failures */
}

Test(vm_mmap, mprotect_growsdown_reaches_the_vma_start,
     .init = setup, .fini = teardown)
{
	uaddr_t stack = BASE + 16 * PAGE_SIZE;

	vm_test_map(as, stack, 4 * PAGE_SIZE, RW,
		    ANON_PRIVATE | MAP_FIXED | MAP_GROWSDOWN);
	cr_assert_eq(vm_mprotect(as, stack + 2 * PAGE_SIZE, PAGE_SIZE,
				 PROT_READ | PROT_GROWSDOWN, NULL), 0);
	cr_assert_eq(vm_fault(as, stack, VM_ACCESS_WRITE), -EACCES);
	cr_assert_eq(vm_fault(as, stack + 3 * PAGE_SIZE, VM_ACCESS_WRITE), 0);
}

Test(vm_mmap, brk_grows_shrinks_and_keeps_its_value,
     .init = setup, .fini = teardown)
{
	uaddr_t heap = BASE;

	cr_assert_eq(vm_brk(as, heap + 100, NULL), 0, "no heap yet");
	vm_brk_init(as, heap);
	cr_assert_eq(vm_brk(as, 0, NULL), heap, "brk(0) asks for the break");
	cr_assert_eq(vm_brk(as, heap + 3 * PAGE_SIZE + 10, NULL),
		     heap + 3 * PAGE_SIZE + 10);
	vm_test_poke(as, heap + 3 * PAGE_SIZE + 9, 7);
	cr_assert_eq(vm_fault(as, heap + 4 * PAGE_SIZE, VM_ACCESS_READ),
		     -EFAULT);
	cr_assert_eq(vm_brk(as, heap + PAGE_SIZE, NULL), heap + PAGE_SIZE);
	cr_assert_eq(vm_fault(as, heap + PAGE_SIZE, VM_ACCESS_READ), -EFAULT);
	cr_assert_eq(vm_brk(as, heap + 3 * PAGE_SIZE, NULL),
		     heap + 3 * PAGE_SIZE);
	cr_assert_eq(vm_test_peek(as, heap + 2 * PAGE_SIZE + 9), 0,
		     "shrunk memory comes back zeroed");
	cr_assert_eq(vm_brk(as, heap - PAGE_SIZE, NULL), heap + 3 * PAGE_SIZE,
		     "below the start: unchanged");
}

Test(vm_mmap, brk_stops_before_the_next_mapping,
     .init = setup, .fini = teardown)
{
	vm_brk_init(as, BASE);
	vm_test_map(as, BASE + 8 * PAGE_SIZE, PAGE_SIZE, RW,
		    ANON_PRIVATE | MAP_FIXED);
	cr_assert_eq(vm_brk(as, BASE + 9 * PAGE_SIZE, NULL), BASE,
		     "overlap: the old break");
	cr_assert_eq(vm_brk(as, BASE + 8 * PAGE_SIZE, NULL), BASE,
		     "Linux keeps a page free above the heap");
	cr_assert_eq(vm_brk(as, BASE + 7 * PAGE_SIZE, NULL),
		     BASE + 7 * PAGE_SIZE);
	cr_assert_eq(vm_brk(as, as->limit + PAGE_SIZE, NULL),
		     BASE + 7 * PAGE_SIZE);
}

Test(vm_mmap, mremap_rejects_bad_arguments, .init = setup, .fini = teardown)
{
	vm_test_map(as, BASE, 2 * PAGE_SIZE, RW, ANON_PRIVATE | MAP_FIXED);
	cr_assert_eq(vm_mremap(as, BASE, PAGE_SIZE, PAGE_SIZE, 0x10, 0, NULL),
		     -EINVAL);
	cr_assert_eq(vm_mremap(as, BASE, PAGE_SIZE, PAGE_SIZE, MREMAP_FIXED,
			       BASE + 8 * PAGE_SIZE, NULL), -EINVAL);
	cr_assert_eq(vm_mremap(as, BASE + 1, PAGE_SIZE, PAGE_SIZE, 0, 0, NULL),
		     -EINVAL);
	cr_assert_eq(vm_mremap(as, BASE, PAGE_SIZE, 0, 0, 0, NULL), -EINVAL);
	cr_assert_eq(vm_mremap(as, BASE, PAGE_SIZE, 2 * PAGE_SIZE,
			       MREMAP_MAYMOVE | MREMAP_FIXED, BASE + 1, NULL),
		     -EINVAL);
	cr_assert_eq(vm_mremap(as, BASE, 2 * PAGE_SIZE, 2 * PAGE_SIZE,
			       MREMAP_MAYMOVE | MREMAP_FIXED,
			       BASE + PAGE_SIZE, NULL), -EINVAL, "overlap");
	cr_assert_eq(vm_mremap(as, BASE, 0, PAGE_SIZE, MREMAP_MAYMOVE, 0, NULL),
		     -EINVAL, "old_length 0 (Linux: private mappings)");
	cr_assert_eq(vm_mremap(as, BASE, PAGE_SIZE, PAGE_SIZE,
			       MREMAP_DONTUNMAP, 0, NULL), -EINVAL);
	cr_assert_eq(vm_mremap(as, BASE, PAGE_SIZE, 2 * PAGE_SIZE,
			       MREMAP_MAYMOVE | MREMAP_DONTUNMAP, 0, NULL),
		     -EINVAL);
	cr_assert_eq(vm_mremap(as, BASE, PAGE_SIZE, PAGE_SIZE,
			       MREMAP_MAYMOVE | MREMAP_DONTUNMAP, 0, NULL),
		     -EOPNOTSUPP, "not implemented yet");
	cr_assert_eq(vm_mremap(as, BASE, PAGE_SIZE, ~0ULL, MREMAP_MAYMOVE, 0,
			       NULL),
		     -EINVAL, "new length overflows");
	cr_assert_eq(vm_mremap(as, BASE + 4 * PAGE_SIZE, PAGE_SIZE, PAGE_SIZE,
			       0, 0, NULL), -EFAULT, "nothing mapped");
	cr_assert_eq(vm_mremap(as, BASE, 3 * PAGE_SIZE, PAGE_SIZE, 0, 0, NULL),
		     -EFAULT, "old range beyond the VMA");
}

Test(vm_mmap, mremap_grows_in_place_and_shrinks,
     .init = setup, .fini = teardown)
{
	vm_test_map(as, BASE, 2 * PAGE_SIZE, RW, ANON_PRIVATE | MAP_FIXED);
	vm_test_poke(as, BASE + PAGE_SIZE, 3);
	cr_assert_eq(vm_mremap(as, BASE, 2 * PAGE_SIZE, 4 * PAGE_SIZE, 0, 0,
			       NULL),
		     (long)BASE);
	vm_test_poke(as, BASE + 3 * PAGE_SIZE, 4);
	cr_assert_eq(vm_mremap(as, BASE, 4 * PAGE_SIZE, PAGE_SIZE, 0, 0, NULL),
		     (long)BASE);
	cr_assert_eq(vm_fault(as, BASE + PAGE_SIZE, VM_ACCESS_READ), -EFAULT);
	cr_assert_eq(vm_test_vma_count(as), 1);
}

Test(vm_mmap, mremap_moves_only_when_allowed, .init = setup, .fini = teardown)
{
	long moved;

	vm_test_map(as, BASE, 2 * PAGE_SIZE, RW, ANON_PRIVATE | MAP_FIXED);
	vm_test_map(as, BASE + 2 * PAGE_SIZE, PAGE_SIZE, PROT_READ,
		    ANON_PRIVATE | MAP_FIXED);
	vm_test_poke(as, BASE + PAGE_SIZE, 8);
	cr_assert_eq(vm_mremap(as, BASE, 2 * PAGE_SIZE, 4 * PAGE_SIZE, 0, 0,
			       NULL),
		     -ENOMEM);
	moved = vm_mremap(as, BASE, 2 * PAGE_SIZE, 4 * PAGE_SIZE,
			  MREMAP_MAYMOVE, 0, NULL);
	cr_assert_gt(moved, 0);
	cr_assert_neq(moved, (long)BASE);
	cr_assert_eq(vm_test_peek(as, (uaddr_t)moved + PAGE_SIZE), 8,
		     "the page moved with its contents");
	cr_assert_eq(vm_fault(as, BASE, VM_ACCESS_READ), -EFAULT);
	vm_test_poke(as, (uaddr_t)moved + 3 * PAGE_SIZE, 1);
}

Test(vm_mmap, mremap_fixed_replaces_the_target, .init = setup, .fini = teardown)
{
	uaddr_t target = BASE + 32 * PAGE_SIZE;

	vm_test_map(as, BASE, 2 * PAGE_SIZE, RW, ANON_PRIVATE | MAP_FIXED);
	vm_test_map(as, target, PAGE_SIZE, PROT_READ, ANON_PRIVATE | MAP_FIXED);
	vm_test_poke(as, BASE, 6);
	cr_assert_eq(vm_mremap(as, BASE, 2 * PAGE_SIZE, PAGE_SIZE,
			       MREMAP_MAYMOVE | MREMAP_FIXED, target, NULL),
		     (long)target);
	cr_assert_eq(vm_test_peek(as, target), 6);
	vm_test_poke(as, target, 7); /* writable: the moved VMA's prot */
	cr_assert_eq(vm_fault(as, BASE + PAGE_SIZE, VM_ACCESS_READ), -EFAULT);
}

Test(vm_mmap, mremap_keeps_shared_memory_shared,
     .init = setup, .fini = teardown)
{
	struct address_space *child;
	long moved;

	vm_test_map(as, BASE, PAGE_SIZE, RW, ANON_SHARED | MAP_FIXED);
	vm_test_poke(as, BASE, 1);
	child = vm_fork(as);
	cr_assert_not(IS_ERR(child));
	moved = vm_mremap(as, BASE, PAGE_SIZE, 2 * PAGE_SIZE, MREMAP_MAYMOVE,
			  0, NULL);
	cr_assert_gt(moved, 0);
	vm_test_poke(child, BASE, 2);
	cr_assert_eq(vm_test_peek(as, (uaddr_t)moved), 2);
	vm_test_poke(as, (uaddr_t)moved + PAGE_SIZE, 3);
	cr_assert_eq(vm_validate(child), 0);
	vm_put(child);
}

Test(vm_mmap, madvise_dontneed_reads_back_zeros,
     .init = setup, .fini = teardown)
{
	vm_test_map(as, BASE, 4 * PAGE_SIZE, RW, ANON_PRIVATE | MAP_FIXED);
	for (unsigned int i = 0; i < 4; i++)
		vm_test_poke(as, BASE + i * PAGE_SIZE, 0x5a);
	cr_assert_eq(vm_madvise(as, BASE + PAGE_SIZE, 2 * PAGE_SIZE,
				MADV_DONTNEED), 0);
	cr_assert_eq(vm_test_peek(as, BASE), 0x5a);
	cr_assert_eq(vm_test_peek(as, BASE + PAGE_SIZE), 0);
	cr_assert_eq(vm_test_peek(as, BASE + 2 * PAGE_SIZE), 0);
	cr_assert_eq(vm_test_peek(as, BASE + 3 * PAGE_SIZE), 0x5a);
}

Test(vm_mmap, madvise_dontneed_keeps_shared_contents,
     .init = setup, .fini = teardown)
{
	vm_test_map(as, BASE, PAGE_SIZE, RW, ANON_SHARED | MAP_FIXED);
	vm_test_poke(as, BASE, 0x11);
	cr_assert_eq(vm_madvise(as, BASE, PAGE_SIZE, MADV_DONTNEED), 0);
	cr_assert_eq(vm_test_peek(as, BASE), 0x11);
}

Test(vm_mmap, madvise_rejects_bad_arguments, .init = setup, .fini = teardown)
{
	vm_test_map(as, BASE, PAGE_SIZE, RW, ANON_PRIVATE | MAP_FIXED);
	cr_assert_eq(vm_madvise(as, BASE + 1, PAGE_SIZE, MADV_DONTNEED),
		     -EINVAL);
	cr_assert_eq(vm_madvise(as, BASE, PAGE_SIZE, 12345), -EINVAL);
	cr_assert_eq(vm_madvise(as, BASE, ~0ULL, MADV_DONTNEED), -EINVAL);
	cr_assert_eq(vm_madvise(as, BASE, 0, MADV_DONTNEED), 0);
	cr_assert_eq(vm_madvise(as, BASE, 2 * PAGE_SIZE, MADV_DONTNEED),
		     -ENOMEM, "a hole");
	cr_assert_eq(vm_madvise(as, BASE, PAGE_SIZE, MADV_WILLNEED), 0);
}

Test(vm_mmap, populate_maps_every_page_now, .init = setup, .fini = teardown)
{
	uaddr_t addr = vm_test_map(as, BASE, 3 * PAGE_SIZE, RW,
				   ANON_PRIVATE | MAP_FIXED | MAP_POPULATE);
	pte_t entry;

	for (unsigned int i = 0; i < 3; i++) {
		cr_assert_eq(pgtable_lookup(as->root, addr + i * PAGE_SIZE,
					    NULL, &entry, NULL), 0);
		cr_assert(entry & PTE_WRITE);
	}
	vm_test_map(as, BASE + 8 * PAGE_SIZE, PAGE_SIZE, PROT_NONE,
		    ANON_PRIVATE | MAP_FIXED | MAP_POPULATE);
	cr_assert_eq(vm_test_phys(as, BASE + 8 * PAGE_SIZE), 0);
}

Test(vm_mmap, map_32bit_lands_below_2g, .init = setup, .fini = teardown)
{
	long addr = vm_mmap(as, 0, PAGE_SIZE, RW, ANON_PRIVATE | MAP_32BIT, 0);

	cr_assert_geq(addr, 0x40000000L);
	cr_assert_lt(addr + (long)PAGE_SIZE, 0x80000001L);
	cr_assert_eq(vm_mmap(as, 0, 2 * GiB, RW, ANON_PRIVATE | MAP_32BIT, 0),
		     -ENOMEM);
}

/* Addresses around a small window, sometimes misaligned or absurd. */
static uaddr_t random_addr(unsigned int *seed)
{
	switch (rand_r(seed) % 8) {
	case 0:
		return (uaddr_t)rand_r(seed);
	case 1:
		return as->limit - PAGE_SIZE * (uaddr_t)(rand_r(seed) % 4);
	default:
		return BASE + PAGE_SIZE * (uaddr_t)(rand_r(seed) % 48);
	}
}

static uint64_t random_length(unsigned int *seed)
{
	switch (rand_r(seed) % 8) {
	case 0:
		return (uint64_t)rand_r(seed) % 3;
	case 1:
		return ~0ULL - (uint64_t)(rand_r(seed) % 2) * PAGE_SIZE;
	default:
		return PAGE_SIZE * (uint64_t)(1 + rand_r(seed) % 12) -
		       (uint64_t)(rand_r(seed) % 2);
	}
}

/* One call with random arguments; any result but a broken space is ok. */
static void random_call(struct address_space *space, unsigned int *seed)
{
	uaddr_t addr = random_addr(seed);
	uint64_t length = random_length(seed);
	unsigned int prot = (unsigned int)rand_r(seed) % 8;
	unsigned int flags = (unsigned int)rand_r(seed);
	char buffer[64];

	switch (rand_r(seed) % 8) {
	case 0:
		vm_mmap(space, addr, length, prot,
			(flags & (MAP_FIXED | MAP_GROWSDOWN | MAP_SHARED |
				  MAP_FIXED_NOREPLACE | MAP_POPULATE)) |
				MAP_ANONYMOUS | MAP_PRIVATE * (flags % 2), 0);
		break;
	case 1:
		vm_munmap(space, addr, length);
		break;
	case 2:
		vm_mprotect(space, addr, length, prot, NULL);
		break;
	case 3:
		vm_brk(space, addr, NULL);
		break;
	case 4:
		vm_mremap(space, addr, length, random_length(seed), flags % 8,
			  random_addr(seed), NULL);
		break;
	case 5:
		vm_madvise(space, addr, length, (int)(flags % 18));
		break;
	case 6:
		vm_copy_to_user(space, addr, buffer, flags % sizeof(buffer));
		break;
	default:
		vm_fault(space, addr + flags % PAGE_SIZE, 1u << (flags % 3));
		break;
	}
}

Test(vm_mmap, random_calls_keep_the_invariants, .init = setup,
     .fini = teardown)
{
	unsigned int seed = 12345;

	vm_brk_init(as, BASE + 24 * PAGE_SIZE);
	for (unsigned int step = 0; step < 3000; step++) {
		random_call(as, &seed);
		cr_assert_eq(vm_validate(as), 0, "after step %u", step);
		if (step % 500 == 499) {
			struct address_space *child = vm_fork(as);

			cr_assert_not(IS_ERR(child));
			for (unsigned int i = 0; i < 100; i++)
				random_call(child, &seed);
			cr_assert_eq(vm_validate(child), 0);
			vm_put(child);
		}
	}
}

/* Found by random_calls_keep_the_invariants: an empty tail split a VMA. */
Test(vm_mmap, mremap_to_the_same_length_changes_nothing, .init = setup,
     .fini = teardown)
{
	vm_test_map(as, BASE, 8 * PAGE_SIZE, RW, ANON_PRIVATE | MAP_FIXED);
	cr_assert_eq(vm_mremap(as, BASE + 2 * PAGE_SIZE, 3 * PAGE_SIZE - 1,
			       3 * PAGE_SIZE - 1, MREMAP_MAYMOVE, 0, NULL),
		     (long)(BASE + 2 * PAGE_SIZE));
	cr_assert_eq(vm_test_vma_count(as), 1);
	cr_assert_eq(vm_validate(as), 0);
}

/* RLIMIT_AS and RLIMIT_DATA as Linux's may_expand_vm applies them. */
static long map_limited(uaddr_t addr, uint64_t pages, unsigned int prot,
			unsigned int flags, const struct vm_limits *limits)
{
	return vm_mmap_file(as, addr, pages * PAGE_SIZE, prot,
			    flags | MAP_FIXED, 0, NULL, limits);
}

Test(vm_mmap, address_space_limit_counts_every_mapping,
     .init = setup, .fini = teardown)
{
	struct vm_limits limits = { .as = 8 * PAGE_SIZE + 100,
				    .data = VM_UNLIMITED,
				    .data_max = VM_UNLIMITED };

	cr_assert_eq(map_limited(BASE, 4, PROT_READ, ANON_PRIVATE, &limits),
		     (long)BASE);
	cr_assert_eq(map_limited(BASE + 16 * PAGE_SIZE, 4, RW, ANON_SHARED,
				 &limits), (long)(BASE + 16 * PAGE_SIZE));
	cr_assert_eq(map_limited(BASE + 32 * PAGE_SIZE, 1, RW, ANON_PRIVATE,
				 &limits), -ENOMEM, "the 9th page");
	cr_assert_eq(vm_mmap_file(as, 0, PAGE_SIZE, RW, ANON_PRIVATE, 0, NULL,
				  &limits), -ENOMEM, "placed or fixed");
	/* Replacing mapped pages adds only what is new. */
	cr_assert_eq(map_limited(BASE + 2 * PAGE_SIZE, 2, RW, ANON_PRIVATE,
				 &limits), (long)(BASE + 2 * PAGE_SIZE));
	cr_assert_eq(map_limited(BASE + 3 * PAGE_SIZE, 2, RW, ANON_PRIVATE,
				 &limits), -ENOMEM, "one page beyond");
	cr_assert_eq(vm_test_vma_count(as), 3, "nothing changed by a refusal");
	/* mremap growth counts, in place or moved; shrinking is free. */
	cr_assert_eq(vm_mremap(as, BASE + 16 * PAGE_SIZE, 4 * PAGE_SIZE,
			       5 * PAGE_SIZE, MREMAP_MAYMOVE, 0, &limits),
		     -ENOMEM);
	cr_assert_eq(vm_mremap(as, BASE + 16 * PAGE_SIZE, 4 * PAGE_SIZE,
			       2 * PAGE_SIZE, 0, 0, &limits),
		     (long)(BASE + 16 * PAGE_SIZE));
	cr_assert_eq(vm_mremap(as, BASE + 16 * PAGE_SIZE, 2 * PAGE_SIZE,
			       4 * PAGE_SIZE, 0, 0, &limits),
		     (long)(BASE + 16 * PAGE_SIZE));
	/* No limits at all: the same call goes. */
	cr_assert_eq(map_limited(BASE + 32 * PAGE_SIZE, 1, RW, ANON_PRIVATE,
				 NULL), (long)(BASE + 32 * PAGE_SIZE));
}

Test(vm_mmap, data_limit_counts_private_writable_memory_and_the_heap,
     .init = setup, .fini = teardown)
{
	struct vm_limits limits = { .as = VM_UNLIMITED,
				    .data = 4 * PAGE_SIZE,
				    .data_max = VM_UNLIMITED };

	/* Read-only, shared and stack mappings are not data. */
	cr_assert_eq(map_limited(BASE, 8, PROT_READ, ANON_PRIVATE, &limits),
		     (long)BASE);
	cr_assert_eq(map_limited(BASE + 16 * PAGE_SIZE, 8, RW, ANON_SHARED,
				 &limits), (long)(BASE + 16 * PAGE_SIZE));
	cr_assert_eq(map_limited(BASE + 512 * PAGE_SIZE, 8, RW,
				 ANON_PRIVATE | MAP_GROWSDOWN, &limits),
		     (long)(BASE + 512 * PAGE_SIZE));
	cr_assert_eq(map_limited(BASE + 32 * PAGE_SIZE, 3, RW, ANON_PRIVATE,
				 &limits), (long)(BASE + 32 * PAGE_SIZE));
	cr_assert_eq(map_limited(BASE + 48 * PAGE_SIZE, 2, RW, ANON_PRIVATE,
				 &limits), -ENOMEM);
	/* The heap: its size against the limit, then its pages as data. */
	vm_brk_init(as, BASE + 64 * PAGE_SIZE);
	cr_assert_eq(vm_brk(as, BASE + 66 * PAGE_SIZE, &limits),
		     BASE + 64 * PAGE_SIZE, "2 pages: 5 of data");
	cr_assert_eq(vm_brk(as, BASE + 65 * PAGE_SIZE, &limits),
		     BASE + 65 * PAGE_SIZE);
	limits.data = 2 * PAGE_SIZE;
	cr_assert_eq(vm_brk(as, BASE + 64 * PAGE_SIZE + 10, &limits),
		     BASE + 64 * PAGE_SIZE + 10, "shrinking within the limit");
	cr_assert_eq(vm_brk(as, BASE + 67 * PAGE_SIZE, &limits),
		     BASE + 64 * PAGE_SIZE + 10, "past it: unchanged");
	/* mprotect making private memory writable counts it as data. */
	limits.data = 4 * PAGE_SIZE;
	cr_assert_eq(vm_mprotect(as, BASE, 2 * PAGE_SIZE, RW, &limits),
		     -ENOMEM, "4 pages of data, 2 more");
	cr_assert_eq(vm_mprotect(as, BASE + 32 * PAGE_SIZE, 3 * PAGE_SIZE,
				 RW | PROT_EXEC, &limits), 0, "already data");
	cr_assert_eq(vm_mprotect(as, BASE, 2 * PAGE_SIZE, RW, NULL), 0);
	/* Linux: a soft limit of 0 means the hard one. */
	limits.data = 0;
	limits.data_max = 16 * PAGE_SIZE;
	cr_assert_eq(map_limited(BASE + 48 * PAGE_SIZE, 2, RW, ANON_PRIVATE,
				 &limits), (long)(BASE + 48 * PAGE_SIZE));
	cr_assert_eq(map_limited(BASE + 80 * PAGE_SIZE, 16, RW, ANON_PRIVATE,
				 &limits), -ENOMEM);
}
