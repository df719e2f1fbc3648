/*
 * The hosted MMU hooks. Kernel code reaches memory through the direct map
 * and walks user page tables in software, so it caches nothing; the only
 * "TLBs" are the memory windows of the ptrace runner's host children
 * (user_maps.c), which a flush marks stale.
 */
#include "hosted.h"

#include "core/hal/mmu.h"
#include "user_internal.h"

void hal_tlb_flush(struct address_space *as, uaddr_t va, size_t length)
{
	if (as != NULL)
		hosted_user_flush(as, va, length);
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
