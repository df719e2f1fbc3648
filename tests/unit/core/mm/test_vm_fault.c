/*
 * Page faults: demand-zero, the SIGSEGV codes, copy-on-write after fork
 * (private and shared memory), stack growth and its guard gap, running
 * out of memory, page accounting, and several threads faulting one
 * address space on four CPUs.
 */
#include "vm_helpers.h"

#include "core/lib/panic.h"
#include "core/sched/sched.h"
#include "core/sync/lockcheck.h"
#include "core/sched/thread.h"

#define BASE 0x10000000ULL

Test(vm_fault, demand_zero_maps_a_zeroed_page_on_first_touch,
     .init = vm_test_boot)
{
	struct address_space *as = vm_test_create();
	uaddr_t addr = vm_test_map(as, BASE, 4 * PAGE_SIZE, RW,
				   ANON_PRIVATE | MAP_FIXED);

	cr_assert_eq(vm_test_phys(as, addr + PAGE_SIZE), 0, "mapped eagerly");
	cr_assert_eq(vm_fault(as, addr + PAGE_SIZE + 5, VM_ACCESS_READ), 0);
	cr_assert_neq(vm_test_phys(as, addr + PAGE_SIZE), 0);
	cr_assert_eq(vm_test_phys(as, addr), 0, "only the touched page");
	for (unsigned int i = 0; i < PAGE_SIZE; i += 512)
		cr_assert_eq(vm_test_peek(as, addr + PAGE_SIZE + i), 0);
	vm_test_destroy(as);
}

Test(vm_fault, unmapped_address_is_maperr, .init = vm_test_boot)
{
	struct address_space *as = vm_test_create();

	vm_test_map(as, BASE, PAGE_SIZE, RW, ANON_PRIVATE | MAP_FIXED);
	cr_assert_eq(vm_fault(as, BASE + PAGE_SIZE, VM_ACCESS_READ), -EFAULT);
	cr_assert_eq(vm_fault(as, 0, VM_ACCESS_READ), -EFAULT);
	cr_assert_eq(vm_fault(as, as->limit, VM_ACCESS_READ), -EFAULT);
	cr_assert_eq(vm_fault(as, ~0ULL, VM_ACCESS_WRITE), -EFAULT);
	cr_assert_eq(vm_fault_segv_code(-EFAULT), VM_SEGV_MAPERR);
	vm_test_destroy(as);
}

Test(vm_fault, forbidden_access_is_accerr, .init = vm_test_boot)
{
	struct address_space *as = vm_test_create();

	vm_test_map(as, BASE, PAGE_SIZE, PROT_READ, ANON_PRIVATE | MAP_FIXED);
	vm_test_map(as, BASE + PAGE_SIZE, PAGE_SIZE, PROT_NONE,
		    ANON_PRIVATE | MAP_FIXED);
	cr_assert_eq(vm_fault(as, BASE, VM_ACCESS_WRITE), -EACCES);
	cr_assert_eq(vm_fault(as, BASE, VM_ACCESS_EXEC), -EACCES);
	cr_assert_eq(vm_fault(as, BASE, VM_ACCESS_READ), 0);
	cr_assert_eq(vm_fault(as, BASE + PAGE_SIZE, VM_ACCESS_READ), -EACCES);
	cr_assert_eq(vm_fault_segv_code(-EACCES), VM_SEGV_ACCERR);
	vm_test_destroy(as);
}

Test(vm_fault, write_only_and_exec_mappings_are_readable,
     .init = vm_test_boot)
{
	struct address_space *as = vm_test_create();

	vm_test_map(as, BASE, PAGE_SIZE, PROT_WRITE, ANON_PRIVATE | MAP_FIXED);
	vm_test_map(as, BASE + 4 * PAGE_SIZE, PAGE_SIZE, PROT_EXEC,
		    ANON_PRIVATE | MAP_FIXED);
	cr_assert_eq(vm_fault(as, BASE, VM_ACCESS_READ), 0, "x86: W implies R");
	cr_assert_eq(vm_fault(as, BASE + 4 * PAGE_SIZE, VM_ACCESS_EXEC), 0);
	cr_assert_eq(vm_fault(as, BASE + 4 * PAGE_SIZE, VM_ACCESS_READ), 0);
	vm_test_destroy(as);
}

Test(vm_fault, fork_gives_each_side_its_own_writes, .init = vm_test_boot)
{
	struct address_space *parent = vm_test_create();
	struct address_space *child;

	vm_test_map(parent, BASE, 2 * PAGE_SIZE, RW, ANON_PRIVATE | MAP_FIXED);
	vm_test_poke(parent, BASE, 'A');
	child = vm_fork(parent);
	cr_assert_not(IS_ERR(child));
	cr_assert_eq(vm_test_phys(parent, BASE), vm_test_phys(child, BASE),
		     "fork must share, not copy");
	cr_assert_eq(vm_test_peek(child, BASE), 'A');
	vm_test_poke(child, BASE, 'B');
	cr_assert_eq(vm_test_peek(parent, BASE), 'A');
	vm_test_poke(parent, BASE, 'C');
	cr_assert_eq(vm_test_peek(child, BASE), 'B');
	cr_assert_eq(vm_test_peek(parent, BASE), 'C');
	/* A page untouched before fork is private to whoever touches it. */
	vm_test_poke(child, BASE + PAGE_SIZE, 'D');
	cr_assert_eq(vm_test_peek(parent, BASE + PAGE_SIZE), 0);
	cr_assert_eq(vm_validate(child), 0);
	vm_put(child);
	cr_assert_eq(vm_test_peek(parent, BASE), 'C');
	vm_test_destroy(parent);
}

Test(vm_fault, last_sharer_writes_without_copying, .init = vm_test_boot)
{
	struct address_space *parent = vm_test_create();
	struct address_space *child;
	paddr_t original;
	uint64_t before;

	vm_test_map(parent, BASE, PAGE_SIZE, RW, ANON_PRIVATE | MAP_FIXED);
	vm_test_poke(parent, BASE, 'A');
	original = vm_test_phys(parent, BASE);
	child = vm_fork(parent);
	cr_assert_not(IS_ERR(child));
	vm_test_poke(child, BASE, 'B'); /* the child copies */
	cr_assert_neq(vm_test_phys(child, BASE), original);
	before = vm_test_free_pages();
	vm_test_poke(parent, BASE, 'C'); /* sole user now: no copy */
	cr_assert_eq(vm_test_phys(parent, BASE), original);
	cr_assert_eq(vm_test_free_pages(), before);
	vm_put(child);
	vm_test_destroy(parent);
}

Test(vm_fault, fork_makes_private_entries_read_only, .init = vm_test_boot)
{
	struct address_space *parent = vm_test_create();
	struct address_space *child;
	pte_t entry;

	vm_test_map(parent, BASE, PAGE_SIZE, RW, ANON_PRIVATE | MAP_FIXED);
	vm_test_poke(parent, BASE, 1);
	child = vm_fork(parent);
	cr_assert_not(IS_ERR(child));
	cr_assert_eq(pgtable_lookup(parent->root, BASE, NULL, &entry, NULL), 0);
	cr_assert_not(entry & PTE_WRITE);
	cr_assert_eq(pgtable_lookup(child->root, BASE, NULL, &entry, NULL), 0);
	cr_assert_not(entry & PTE_WRITE);
	vm_put(child);
	vm_test_destroy(parent);
}

Test(vm_fault, shared_anonymous_stays_shared_across_fork,
     .init = vm_test_boot)
{
	struct address_space *parent = vm_test_create();
	struct address_space *child;

	vm_test_map(parent, BASE, 2 * PAGE_SIZE, RW, ANON_SHARED | MAP_FIXED);
	vm_test_poke(parent, BASE, 'A');
	child = vm_fork(parent);
	cr_assert_not(IS_ERR(child));
	vm_test_poke(child, BASE, 'B');
	cr_assert_eq(vm_test_peek(parent, BASE), 'B');
	/* Not touched before fork: both sides still find the same page. */
	vm_test_poke(parent, BASE + PAGE_SIZE, 'P');
	cr_assert_eq(vm_test_peek(child, BASE + PAGE_SIZE), 'P');
	vm_put(parent);
	cr_assert_eq(vm_test_peek(child, BASE), 'B');
	vm_test_destroy(child);
}

Test(vm_fault, fork_of_a_fork_shares_until_written, .init = vm_test_boot)
{
	struct address_space *a = vm_test_create();
	struct address_space *b, *c;

	vm_test_map(a, BASE, PAGE_SIZE, RW, ANON_PRIVATE | MAP_FIXED);
	vm_test_poke(a, BASE, 1);
	b = vm_fork(a);
	c = vm_fork(b);
	cr_assert_not(IS_ERR(b));
	cr_assert_not(IS_ERR(c));
	vm_test_poke(b, BASE, 2);
	cr_assert_eq(vm_test_peek(a, BASE), 1);
	cr_assert_eq(vm_test_peek(c, BASE), 1);
	vm_test_poke(c, BASE, 3);
	vm_test_poke(a, BASE, 4);
	cr_assert_eq(vm_test_peek(b, BASE), 2);
	cr_assert_eq(vm_test_peek(c, BASE), 3);
	vm_put(b);
	vm_put(c);
	vm_test_destroy(a);
}

#define STACK_TOP 0x7e0000000000ULL

Test(vm_fault, stack_grows_down_on_a_fault_below_it, .init = vm_test_boot)
{
	struct address_space *as = vm_test_create();
	uaddr_t stack = STACK_TOP - PAGE_SIZE;

	vm_test_map(as, stack, PAGE_SIZE, RW,
		    ANON_PRIVATE | MAP_FIXED | MAP_GROWSDOWN);
	cr_assert_eq(vm_fault(as, stack - 10 * PAGE_SIZE + 8, VM_ACCESS_WRITE),
		     0);
	vm_test_poke(as, stack - 10 * PAGE_SIZE, 7);
	cr_assert_eq(vm_test_vma_count(as), 1);
	cr_assert_eq(vm_test_peek(as, stack - 5 * PAGE_SIZE), 0,
		     "the grown range is mapped");
	vm_test_destroy(as);
}

Test(vm_fault, stack_stops_at_its_limit, .init = vm_test_boot)
{
	struct address_space *as = vm_test_create();
	uaddr_t stack = STACK_TOP - PAGE_SIZE;

	vm_test_map(as, stack, PAGE_SIZE, RW,
		    ANON_PRIVATE | MAP_FIXED | MAP_GROWSDOWN);
	cr_assert_eq(vm_fault(as, STACK_TOP - as->stack_limit, VM_ACCESS_READ),
		     0);
	cr_assert_eq(vm_fault(as, STACK_TOP - as->stack_limit - 1,
			      VM_ACCESS_READ), -EFAULT);
	/* setrlimit(RLIMIT_STACK) raises it for the next growth. */
	vm_set_stack_limit(as, 2 * as->stack_limit);
	cr_assert_eq(vm_fault(as, STACK_TOP - as->stack_limit / 2 - 1,
			      VM_ACCESS_READ), 0);
	vm_test_destroy(as);
}

/* A user thread's fault grows the stack only within its RLIMIT_AS too. */
Test(vm_fault, stack_growth_counts_against_the_address_space_limit,
     .init = vm_test_boot)
{
	struct address_space *as = vm_test_create();
	struct vm_limits limits = { .as = 4 * PAGE_SIZE,
				    .data = VM_UNLIMITED,
				    .data_max = VM_UNLIMITED };
	uaddr_t stack = STACK_TOP - PAGE_SIZE;

	vm_test_map(as, stack, PAGE_SIZE, RW,
		    ANON_PRIVATE | MAP_FIXED | MAP_GROWSDOWN);
	cr_assert_eq(vm_fault_limited(as, stack - 3 * PAGE_SIZE,
				      VM_ACCESS_WRITE, &limits), 0);
	cr_assert_eq(vm_fault_limited(as, stack - 4 * PAGE_SIZE,
				      VM_ACCESS_WRITE, &limits), -EFAULT);
	cr_assert_eq(vm_fault(as, stack - 4 * PAGE_SIZE, VM_ACCESS_WRITE), 0,
		     "no limits: only the stack limit");
	vm_test_destroy(as);
}

Test(vm_fault, stack_keeps_the_guard_gap, .init = vm_test_boot)
{
	struct address_space *as = vm_test_create();
	uaddr_t stack = STACK_TOP - PAGE_SIZE;
	uaddr_t below = stack - VM_STACK_GUARD_GAP - 4 * PAGE_SIZE;

	vm_test_map(as, stack, PAGE_SIZE, RW,
		    ANON_PRIVATE | MAP_FIXED | MAP_GROWSDOWN);
	vm_test_map(as, below, PAGE_SIZE, RW, ANON_PRIVATE | MAP_FIXED);
	/* Growing to 3 pages above `below`'s end leaves less than the gap. */
	cr_assert_eq(vm_fault(as, stack - 2 * PAGE_SIZE, VM_ACCESS_READ), 0);
	cr_assert_eq(vm_fault(as, below + 3 * PAGE_SIZE, VM_ACCESS_READ),
		     -EFAULT);
	cr_assert_eq(vm_fault(as, below + PAGE_SIZE + VM_STACK_GUARD_GAP,
			      VM_ACCESS_READ), 0, "exactly the gap is fine");
	vm_test_destroy(as);
}

Test(vm_fault, placement_respects_the_guard_gap, .init = vm_test_boot)
{
	struct address_space *as = vm_test_create();
	uaddr_t stack = STACK_TOP - PAGE_SIZE;
	uaddr_t addr;

	vm_test_map(as, stack, PAGE_SIZE, RW,
		    ANON_PRIVATE | MAP_FIXED | MAP_GROWSDOWN);
	addr = vm_test_map(as, stack - 2 * PAGE_SIZE, PAGE_SIZE, RW,
			   ANON_PRIVATE);
	cr_assert(addr + PAGE_SIZE <= stack - VM_STACK_GUARD_GAP ||
			  addr > stack,
		  "hint inside the guard gap was taken: %#lx",
		  (unsigned long)addr);
	vm_test_destroy(as);
}

Test(vm_fault, plain_vma_does_not_grow, .init = vm_test_boot)
{
	struct address_space *as = vm_test_create();

	vm_test_map(as, BASE, PAGE_SIZE, RW, ANON_PRIVATE | MAP_FIXED);
	cr_assert_eq(vm_fault(as, BASE - 1, VM_ACCESS_READ), -EFAULT);
	vm_test_destroy(as);
}

Test(vm_fault, populate_fills_each_vma_and_stops_at_a_hole_or_a_forbidding_vma,
     .init = vm_test_boot)
{
	struct address_space *as = vm_test_create();
	uint64_t pages = 3 * 256 + 5; /* more than one batch of faults */

	vm_test_map(as, BASE, pages * PAGE_SIZE, RW, ANON_PRIVATE | MAP_FIXED);
	vm_test_map(as, BASE + pages * PAGE_SIZE, PAGE_SIZE, PROT_READ,
		    ANON_PRIVATE | MAP_FIXED);
	/* Two VMAs, the first wholly, then the read-only one forbids writes. */
	cr_assert_eq(vm_populate(as, BASE + 5, (pages + 1) * PAGE_SIZE,
				 VM_ACCESS_WRITE), -EACCES);
	for (uint64_t i = 0; i < pages; i++) {
		pte_t entry;

		cr_assert_eq(pgtable_lookup(as->root, BASE + i * PAGE_SIZE,
					    NULL, &entry, NULL), 0,
			     "page %lu", (unsigned long)i);
		cr_assert(entry & PTE_WRITE, "page %lu", (unsigned long)i);
	}
	cr_assert_eq(vm_test_phys(as, BASE + pages * PAGE_SIZE), 0);
	cr_assert_eq(vm_populate(as, BASE + pages * PAGE_SIZE, PAGE_SIZE,
				 VM_ACCESS_READ), 0);
	cr_assert_neq(vm_test_phys(as, BASE + pages * PAGE_SIZE), 0);
	/* A hole after the mappings; nothing mapped at all; past the end. */
	cr_assert_eq(vm_populate(as, BASE, (pages + 2) * PAGE_SIZE,
				 VM_ACCESS_READ), -EFAULT);
	cr_assert_eq(vm_populate(as, BASE - PAGE_SIZE, PAGE_SIZE,
				 VM_ACCESS_READ), -EFAULT);
	cr_assert_eq(vm_populate(as, as->limit - PAGE_SIZE, 2 * PAGE_SIZE,
				 VM_ACCESS_READ), -EFAULT);
	cr_assert_eq(vm_populate(as, BASE, ~0ULL, VM_ACCESS_READ), -EFAULT);
	cr_assert_eq(vm_populate(as, BASE, 0, VM_ACCESS_READ), 0);
	vm_test_destroy(as);
}

Test(vm_fault, destroy_returns_every_page_after_fork, .init = vm_test_boot)
{
	struct address_space *parent = vm_test_create();
	struct address_space *child;
	uaddr_t spread = 0x100000000ULL;

	/* Pages far apart need their own tables at every level. */
	for (unsigned int i = 0; i < 8; i++) {
		uaddr_t addr = BASE + i * spread;

		vm_test_map(parent, addr, 3 * PAGE_SIZE, RW,
			    (i % 2 ? ANON_SHARED : ANON_PRIVATE) | MAP_FIXED);
		vm_test_poke(parent, addr, (uint8_t)i);
		vm_test_poke(parent, addr + 2 * PAGE_SIZE, (uint8_t)i);
	}
	child = vm_fork(parent);
	cr_assert_not(IS_ERR(child));
	for (unsigned int i = 0; i < 8; i++)
		vm_test_poke(child, BASE + i * spread + PAGE_SIZE, 9);
	vm_put(parent);
	vm_test_destroy(child);
}

Test(vm_fault, out_of_memory_returns_enomem_and_recovers)
{
	struct address_space *as;
	uaddr_t addr;
	uint64_t pages = 0;
	int err = 0;

	test_kernel_memory_init(4ULL << 20);
	vm_test_take_baseline();
	as = vm_test_create();
	addr = vm_test_map(as, BASE, 64ULL << 20, RW, ANON_PRIVATE | MAP_FIXED);
	while (err == 0 && pages < (64ULL << 20) / PAGE_SIZE) {
		err = vm_fault(as, addr + pages * PAGE_SIZE, VM_ACCESS_WRITE);
		pages++;
	}
	cr_assert_eq(err, -ENOMEM);
	cr_assert_gt(pages, 100, "RAM ran out too early: %lu",
		     (unsigned long)pages);
	cr_assert_eq(vm_copy_to_user(as, addr + pages * PAGE_SIZE, "x", 1),
		     -ENOMEM);
	cr_assert_eq(vm_fork(as), ERR_PTR(-ENOMEM));
	cr_assert_eq(vm_validate(as), 0);
	/* Giving memory back lets faults succeed again. */
	cr_assert_eq(vm_madvise(as, addr, 64 * PAGE_SIZE, MADV_DONTNEED), 0);
	cr_assert_eq(vm_fault(as, addr + pages * PAGE_SIZE, VM_ACCESS_WRITE),
		     0);
	vm_test_destroy(as);
}

Test(vm_fault, cow_out_of_memory_keeps_both_sides_intact)
{
	struct address_space *parent, *child;
	struct page *hoard[2048];
	unsigned int held = 0;
	struct page *page;

	test_kernel_memory_init(4ULL << 20);
	vm_test_take_baseline();
	parent = vm_test_create();
	vm_test_map(parent, BASE, PAGE_SIZE, RW, ANON_PRIVATE | MAP_FIXED);
	vm_test_poke(parent, BASE, 'A');
	child = vm_fork(parent);
	cr_assert_not(IS_ERR(child));
	while (held < 2048 && (page = pmm_alloc(0, 0)) != NULL)
		hoard[held++] = page;
	cr_assert_null(pmm_alloc(0, 0));
	cr_assert_eq(vm_fault(child, BASE, VM_ACCESS_WRITE), -ENOMEM);
	cr_assert_eq(vm_test_peek(child, BASE), 'A');
	cr_assert_eq(vm_test_peek(parent, BASE), 'A');
	while (held > 0)
		pmm_free(hoard[--held], 0);
	vm_test_poke(child, BASE, 'B');
	cr_assert_eq(vm_test_peek(parent, BASE), 'A');
	vm_put(child);
	vm_test_destroy(parent);
}

#define THREADS 8
#define SHARED_PAGES 32

static struct address_space *shared_as;

/* Each thread writes its own byte of every page, racing on the faults. */
static int fault_worker(void *arg)
{
	uint8_t id = (uint8_t)(uintptr_t)arg;

	for (unsigned int round = 0; round < 4; round++) {
		for (unsigned int i = 0; i < SHARED_PAGES; i++) {
			uaddr_t addr = BASE + i * PAGE_SIZE + id;
			uint8_t value = (uint8_t)(id + round);
			uint8_t back;

			if (vm_copy_to_user(shared_as, addr, &value, 1) < 0 ||
			    vm_copy_from_user(shared_as, &back, addr, 1) < 0 ||
			    back != value)
				return 1;
		}
		sched_preempt_point();
	}
	return 0;
}

/* A fork while others fault: the child sees a consistent copy. */
static int fork_and_check(void)
{
	struct address_space *child = vm_fork(shared_as);
	uint8_t byte;
	int err;

	if (IS_ERR(child))
		return (int)PTR_ERR(child);
	err = vm_copy_from_user(child, &byte, BASE, 1);
	if (err == 0)
		err = vm_copy_to_user(child, BASE + 1, "f", 1);
	if (err == 0)
		err = vm_validate(child);
	vm_put(child);
	return err;
}

/* Meanwhile the VMA tree changes next door (write-locked operations). */
static int churn_worker(void *arg)
{
	(void)arg;
	for (unsigned int i = 0; i < 200; i++) {
		uaddr_t addr = BASE + 0x1000000ULL + (i % 8) * PAGE_SIZE;

		if (vm_mmap(shared_as, addr, PAGE_SIZE, RW,
			    ANON_PRIVATE | MAP_FIXED, 0) != (long)addr)
			return 1;
		if (vm_copy_to_user(shared_as, addr, "z", 1) < 0)
			return 1;
		if (vm_mprotect(shared_as, addr, PAGE_SIZE, PROT_READ,
				NULL) < 0 ||
		    vm_munmap(shared_as, addr, PAGE_SIZE) < 0)
			return 1;
		if (i % 20 == 0 && fork_and_check() < 0)
			return 1;
	}
	return 0;
}

Test(vm_fault, threads_fault_one_space_on_four_cpus)
{
	struct thread *threads[THREADS + 1];
	int code;

	test_kernel_sched_init(4, false);
	shared_as = vm_test_create();
	vm_test_map(shared_as, BASE, SHARED_PAGES * PAGE_SIZE, RW,
		    ANON_PRIVATE | MAP_FIXED);
	for (uintptr_t i = 0; i < THREADS; i++) {
		threads[i] = thread_create("faulter", fault_worker, (void *)i);
		thread_start(threads[i]);
	}
	threads[THREADS] = thread_create("churn", churn_worker, NULL);
	thread_start(threads[THREADS]);
	for (unsigned int i = 0; i <= THREADS; i++) {
		cr_assert_eq(thread_join(threads[i], &code), 0);
		cr_assert_eq(code, 0, "thread %u failed", i);
	}
	for (unsigned int i = 0; i < SHARED_PAGES; i++) {
		for (uint8_t id = 0; id < THREADS; id++)
			cr_assert_eq(vm_test_peek(shared_as,
						  BASE + i * PAGE_SIZE + id),
				     id + 3);
	}
	cr_assert_eq(vm_validate(shared_as), 0);
	vm_put(shared_as);
	cr_assert_eq(lockcheck_violations(), 0);
	cr_assert_eq(warn_count(), 0);
}
