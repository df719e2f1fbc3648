/*
 * HAL: boot information and the kernel's entry points.
 *
 * The platform fills one `struct boot_info` before any core code runs and
 * hands it to kmain() on the boot CPU. The structure is owned by the
 * platform, lives for the whole life of the kernel, and is read-only for
 * the core after kmain() starts.
 */
#pragma once

#include "core/lib/compiler.h"
#include "core/lib/types.h"

enum boot_mem_type {
	BOOT_MEM_USABLE = 1,
	BOOT_MEM_RESERVED = 2,
	BOOT_MEM_ACPI_RECLAIMABLE = 3,
	BOOT_MEM_ACPI_NVS = 4,
	BOOT_MEM_BAD = 5,
};

struct boot_mem_region {
	paddr_t base;
	uint64_t length;
	enum boot_mem_type type;
};

struct boot_framebuffer {
	paddr_t base;		/* 0 when there is no framebuffer */
	uint32_t width;		/* pixels */
	uint32_t height;
	uint32_t pitch;		/* bytes per line */
	uint8_t bits_per_pixel;
};

#define BOOT_MAX_MEM_REGIONS 128
#define BOOT_MAX_RESERVED 16
#define BOOT_CMDLINE_MAX 4096

struct boot_info {
	const char *platform_name;	/* "hosted" or "x86_64" */

	/* The machine's physical memory map, sorted by base, no overlaps. */
	struct boot_mem_region memory[BOOT_MAX_MEM_REGIONS];
	unsigned int memory_count;

	/*
	 * Ranges inside usable memory that are already in use when kmain()
	 * starts (kernel image, initrd, boot page tables, the platform's own
	 * structures). The page allocator never hands them out.
	 */
	struct boot_mem_region reserved[BOOT_MAX_RESERVED];
	unsigned int reserved_count;

	/* The initial ramdisk in physical memory; size 0 when absent. */
	paddr_t initrd_base;
	uint64_t initrd_size;

	/* NUL-terminated kernel command line. */
	char cmdline[BOOT_CMDLINE_MAX];
	bool cmdline_truncated;	/* the loader's line did not fit */

	unsigned int cpu_count;		/* CPUs the platform can start */
	paddr_t acpi_rsdp;		/* 0 when the platform has no ACPI */
	struct boot_framebuffer framebuffer;
};

/*
 * The core's entry on the boot CPU, called once by the platform with
 * interrupts disabled, on a stack of at least 16 KiB. Never returns: the
 * kernel ends through hal_poweroff().
 */
__noreturn void kmain(struct boot_info *boot_info);

/*
 * Second stage of platform set-up, called once by kmain() on the boot CPU
 * once the page and object allocators work: whatever needs memory
 * (x86_64: the kernel page tables, interrupt controllers, timer
 * calibration). Returns 0, or -errno when the machine cannot run (the boot
 * stops). Interrupts stay disabled.
 */
int hal_platform_init(void);

/*
 * The core's entry on each secondary CPU (`cpu` is its dense index, 1..N-1),
 * called by the platform once that CPU runs on its own stack with its
 * per-CPU data set up and interrupts disabled. Never returns.
 */
__noreturn void kmain_ap(unsigned int cpu);
