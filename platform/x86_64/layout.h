/*
 * The x86_64 kernel's virtual and physical memory layout. Included by C
 * and by assembly (no C declarations here).
 *
 *   0xffff800000000000  direct map of physical memory (PML4 slot 256)
 *   0xffffc00000000000  device memory from hal_mmio_map (slot 384)
 *   0xffffffff80000000  the kernel image, physical 0 + KERNEL_PHYS (slot 511)
 */
#pragma once

#define KERNEL_VMA 0xffffffff80000000
#define KERNEL_PHYS 0x200000		/* where loaders put the image: 2 MiB */
#define DIRECT_MAP_BASE 0xffff800000000000
#define MMIO_BASE 0xffffc00000000000
#define MMIO_SIZE 0x0000004000000000	/* 256 GiB of device windows */

#define BOOT_STACK_SIZE 0x8000		/* the boot CPU's stack: 32 KiB */
#define EARLY_MAP_LIMIT 0x100000000	/* boot.S maps the first 4 GiB */

/* Loader handshakes (boot.S passes one of these to x86_boot_main). */
#define BOOT_PROTOCOL_NONE 0
#define BOOT_PROTOCOL_PVH 1
#define BOOT_PROTOCOL_MULTIBOOT2 2
#define MULTIBOOT2_BOOTLOADER_MAGIC 0x36d76289

/* GDT selectors (Linux's order, so SYSCALL/SYSRET can use it later). */
#define GDT_KERNEL_CODE 0x08
#define GDT_KERNEL_DATA 0x10
#define GDT_USER_CODE32 0x18
#define GDT_USER_DATA 0x20
#define GDT_USER_CODE64 0x28
#define GDT_TSS 0x30
#define GDT_ENTRIES 8

/* The AP start-up trampoline is copied to this page (SIPI vector 0x08). */
#define TRAMPOLINE_PHYS 0x8000
