/*
 * The hosted MMU hooks. Hosted CPUs have no TLB: kernel code reaches
 * memory through the direct map, and user address spaces are only walked
 * in software, so a changed entry is seen at the next walk.
 */
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
