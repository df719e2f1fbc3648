/*
 * HAL: memory management unit. Page tables are real x86_64 4-level tables
 * on both platforms (format in core/arch/x86_64/pte.h), stored in physical
 * memory and edited by the core; the platform loads them (bare metal) or
 * walks them in software (hosted).
 */
#pragma once

#include "core/lib/types.h"

struct address_space;

/*
 * Kernel virtual address of physical address `pa` (the direct map of all
 * RAM). Valid for any pa inside a boot_info memory region. Any context.
 */
void *hal_phys_to_virt(paddr_t pa);

/* Inverse of hal_phys_to_virt, for direct-map addresses only. */
paddr_t hal_virt_to_phys(const void *va);

/*
 * The first address above user space on this platform (exclusive,
 * page-aligned, at most 2^47 - 4096): vm_create sets each space's limit
 * to it. x86_64 gives Linux's TASK_SIZE; the hosted ptrace runner keeps
 * its stub above the limit. Constant after boot; any context.
 */
uaddr_t hal_user_limit(void);

/*
 * Prepares the zeroed top-level table `root` of a new user address space
 * before first use: on x86_64 it copies the kernel half (PML4 slots
 * 256..511), which every space shares; hosted has nothing to do. Any
 * context; does not sleep.
 */
void hal_as_init_root(paddr_t root);

/*
 * Makes `as` (NULL: none, only the kernel's mappings) the user address
 * space of the calling CPU; cheap when it already is. hal_user_run
 * activates its ctx->as itself, so the core needs this only to leave a
 * space on purpose. Interrupts off.
 */
void hal_as_activate(struct address_space *as);

/*
 * Called once when the last reference to `as` goes, before its tables are
 * freed: afterwards no CPU has `as` active or cached (x86_64 switches
 * every CPU that still has it loaded to the kernel's tables). Not from
 * interrupt context; no spinlocks held.
 */
void hal_as_release(struct address_space *as);

/*
 * Invalidates cached translations of [va, va + length) in `as` on every CPU
 * that may hold them; returns when no CPU can use a stale entry. May be
 * called with spinlocks held, not from interrupt context.
 */
void hal_tlb_flush(struct address_space *as, uaddr_t va, size_t length);
