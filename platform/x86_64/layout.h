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

/*
 * GDT selectors: Linux's layout and values, so user code sees the same
 * CS (0x33) and SS (0x2b) as on Linux and in the hosted build, and so
 * SYSCALL/SYSRET work: SYSCALL loads CS = STAR[47:32] and SS = that + 8;
 * SYSRETQ loads CS = STAR[63:48] + 16 and SS = STAR[63:48] + 8, both
 * with RPL 3, so the user 32-bit code, user data and user 64-bit code
 * descriptors must be consecutive. Slot 1 (Linux's 32-bit kernel code)
 * and slot 7 are unused.
 */
#define GDT_KERNEL_CODE 0x10
#define GDT_KERNEL_DATA 0x18
#define GDT_USER_CODE32 0x20
#define GDT_USER_DATA 0x28
#define GDT_USER_CODE64 0x30
#define GDT_TSS 0x40			/* two slots */
#define GDT_ENTRIES 10
#define USER_CS (GDT_USER_CODE64 | 3)	/* 0x33 */
#define USER_CS32 (GDT_USER_CODE32 | 3)	/* 0x23 */
#define USER_SS (GDT_USER_DATA | 3)	/* 0x2b */

/*
 * Offsets in struct x86_cpu (the per-CPU area at GS base) that the entry
 * code in user.S uses; x86.h checks them against the struct.
 */
#define CPU_USER_KERNEL_RSP 24		/* hal_user_run's saved stack */
#define CPU_USER_SCRATCH 32		/* the user rsp, briefly, at syscall */
#define CPU_USER_REGS 40		/* the running struct user_regs */
#define CPU_TSS_RSP0 68			/* tss.rsp[0] */

/* Offsets in struct user_regs (core/hal/user.h), checked in user.c. */
#define UREGS_R15 0
#define UREGS_R14 8
#define UREGS_R13 16
#define UREGS_R12 24
#define UREGS_RBP 32
#define UREGS_RBX 40
#define UREGS_R11 48
#define UREGS_R10 56
#define UREGS_R9 64
#define UREGS_R8 72
#define UREGS_RAX 80
#define UREGS_RCX 88
#define UREGS_RDX 96
#define UREGS_RSI 104
#define UREGS_RDI 112
#define UREGS_ORIG_RAX 120
#define UREGS_RIP 128
#define UREGS_CS 136
#define UREGS_RFLAGS 144
#define UREGS_RSP 152
#define UREGS_SS 160

/* enum trap_kind values the entry code returns (checked in user.c). */
#define TRAP_KIND_SYSCALL 1
#define TRAP_KIND_EXCEPTION 3

/* The AP start-up trampoline is copied to this page (SIPI vector 0x08). */
#define TRAMPOLINE_PHYS 0x8000
