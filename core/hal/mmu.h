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

/* Makes `as` the user address space of the calling CPU. Interrupts off. */
void hal_as_activate(struct address_space *as);

/*
 * Invalidates cached translations of [va, va + length) in `as` on every CPU
 * that may hold them; returns when no CPU can use a stale entry. May be
 * called with spinlocks held, not from interrupt context.
 */
void hal_tlb_flush(struct address_space *as, uaddr_t va, size_t length);
