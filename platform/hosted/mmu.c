/*
 * The hosted MMU hooks. Hosted CPUs have no TLB: kernel code reaches
 * memory through the direct map, and user address spaces are only walked
 * in software, so a changed entry is seen at the next walk.
 */
#include "hosted.h"

#include "core/hal/mmu.h"

/*
 * Nothing is cached yet. FIXME: the ptrace runner hooks this to mark the
 * range stale in every host child of `as` (DESIGN.md, "User mode").
 */
void hal_tlb_flush(struct address_space *as, uaddr_t va, size_t length)
{
	(void)as;
	(void)va;
	(void)length;
}

/*
 * User space ends below the ptrace runner's stub, which every host child
 * carries at HOSTED_USER_LIMIT and above.
 */
uaddr_t hal_user_limit(void)
{
	return HOSTED_USER_LIMIT;
}

/* The kernel half is not in user page tables here: nothing to copy. */
void hal_as_init_root(paddr_t root)
{
	(void)root;
}

/* No CPU loads an address space here: nothing holds it. */
void hal_as_release(struct address_space *as)
{
	(void)as;
}

/* Hosted CPUs walk user page tables in software: nothing to load. */
void hal_as_activate(struct address_space *as)
{
	(void)as;
}
