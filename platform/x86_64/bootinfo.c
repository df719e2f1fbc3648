/*
 * struct boot_info from what the loader left: PVH's hvm_start_info (Xen's
 * public arch-x86/hvm/start_info.h layout) or the multiboot2 information
 * (Multiboot2 specification, section 3.6). Loader data is untrusted: every
 * tag and entry is bounds-checked, strings are copied with a limit, and
 * whatever is bad is reported and skipped. Everything needed later is
 * copied into boot_info (and the RSDP into the kernel image), so nothing
 * the loader left needs to be kept. Runs once, before kmain().
 */
#include "core/hal/io.h"
#include "core/hal/mmu.h"
#include "core/lib/printk.h"
#include "core/lib/string.h"
#include "x86.h"

#define PVH_MAGIC 0x336ec578
#define MULTIBOOT2_MAX_SIZE (1024 * 1024)

enum multiboot2_tag {
	MB2_END = 0,
	MB2_CMDLINE = 1,
	MB2_MODULE = 3,
	MB2_MMAP = 6,
	MB2_FRAMEBUFFER = 8,
	MB2_ACPI_OLD = 14,
	MB2_ACPI_NEW = 15,
};

static uint8_t rsdp_copy[64] __aligned(16);

static const void *phys(paddr_t pa)
{
	return hal_phys_to_virt(pa);
}

static uint32_t read32(paddr_t pa)
{
	uint32_t value;

	memcpy(&value, phys(pa), sizeof(value));
	return value;
}

static uint64_t read64(paddr_t pa)
{
	uint64_t value;

	memcpy(&value, phys(pa), sizeof(value));
	return value;
}

static bool below_early_limit(paddr_t pa, uint64_t length)
{
	return pa + length >= pa && pa + length <= EARLY_MAP_LIMIT;
}

/* Copies a loader string of at most `limit` bytes (no NUL needed). */
static void copy_cmdline(struct boot_info *bi, paddr_t pa, uint64_t limit)
{
	const char *text = phys(pa);
	size_t length;

	if (pa == 0 || !below_early_limit(pa, 1))
		return;
	limit = MIN(limit, EARLY_MAP_LIMIT - pa);
	length = kstrnlen(text, (size_t)MIN(limit, (uint64_t)BOOT_CMDLINE_MAX));
	if (length == BOOT_CMDLINE_MAX) {
		length = BOOT_CMDLINE_MAX - 1;
		bi->cmdline_truncated = true;
	}
	memcpy(bi->cmdline, text, length);
	bi->cmdline[length] = '\0';
}

static void add_memory(struct boot_info *bi, uint64_t base, uint64_t length,
		       uint32_t e820_type)
{
	enum boot_mem_type type = e820_type >= 1 && e820_type <= 5 ?
					  (enum boot_mem_type)e820_type :
					  BOOT_MEM_RESERVED;

	if (length == 0 || base + length < base)
		return;
	if (bi->memory_count == BOOT_MAX_MEM_REGIONS) {
		pr_warn("boot: more than %d memory regions; the rest ignored",
			BOOT_MAX_MEM_REGIONS);
		return;
	}
	bi->memory[bi->memory_count++] =
		(struct boot_mem_region){ base, length, type };
}

static void set_initrd(struct boot_info *bi, paddr_t base, uint64_t size)
{
	if (bi->initrd_size) {
		pr_warn("boot: more than one module; only the first is the initrd");
		return;
	}
	bi->initrd_base = base;
	bi->initrd_size = size;
}

static void pvh_parse(struct boot_info *bi, paddr_t info)
{
	uint32_t modules, entries;
	paddr_t list;

	if (!below_early_limit(info, 56) || read32(info) != PVH_MAGIC) {
		pr_err("boot: PVH start info at %#llx has a bad magic",
		       (unsigned long long)info);
		return;
	}
	copy_cmdline(bi, read64(info + 24), BOOT_CMDLINE_MAX);
	bi->acpi_rsdp = read64(info + 32);
	modules = read32(info + 12);
	list = read64(info + 16);
	if (modules > 0 && below_early_limit(list, 32ULL * modules))
		set_initrd(bi, read64(list), read64(list + 8));
	if (read32(info + 4) < 1)
		return; /* version 0 has no memory map */
	list = read64(info + 40);
	entries = read32(info + 48);
	if (!below_early_limit(list, 24ULL * entries)) {
		pr_err("boot: PVH memory map is out of range");
		return;
	}
	for (uint32_t i = 0; i < entries; i++)
		add_memory(bi, read64(list + 24 * i), read64(list + 24 * i + 8),
			   read32(list + 24 * i + 16));
}

static void mb2_mmap(struct boot_info *bi, paddr_t tag, uint32_t size)
{
	uint32_t entry_size = read32(tag + 8);

	if (entry_size < 24 || size < 16) {
		pr_err("boot: multiboot2 memory map has entry size %u", entry_size);
		return;
	}
	for (paddr_t e = tag + 16; e + entry_size <= tag + size; e += entry_size)
		add_memory(bi, read64(e), read64(e + 8), read32(e + 16));
}

static void mb2_framebuffer(struct boot_info *bi, paddr_t tag, uint32_t size)
{
	if (size < 31 || *(const uint8_t *)phys(tag + 29) != 1)
		return; /* only direct RGB colour */
	bi->framebuffer = (struct boot_framebuffer){
		.base = read64(tag + 8),
		.pitch = read32(tag + 16),
		.width = read32(tag + 20),
		.height = read32(tag + 24),
		.bits_per_pixel = *(const uint8_t *)phys(tag + 28),
	};
}

static void mb2_acpi(struct boot_info *bi, paddr_t tag, uint32_t size,
		     bool is_new)
{
	if (size <= 8 || (bi->acpi_rsdp && !is_new))
		return; /* prefer the ACPI 2.0 copy */
	memcpy(rsdp_copy, phys(tag + 8), MIN(size - 8, sizeof(rsdp_copy)));
	bi->acpi_rsdp = hal_virt_to_phys(rsdp_copy);
}

static void mb2_tag(struct boot_info *bi, paddr_t tag, uint32_t type,
		    uint32_t size)
{
	switch (type) {
	case MB2_CMDLINE:
		copy_cmdline(bi, tag + 8, size - 8);
		break;
	case MB2_MODULE:
		if (size >= 16 && read32(tag + 12) >= read32(tag + 8))
			set_initrd(bi, read32(tag + 8),
				   read32(tag + 12) - read32(tag + 8));
		break;
	case MB2_MMAP:
		mb2_mmap(bi, tag, size);
		break;
	case MB2_FRAMEBUFFER:
		mb2_framebuffer(bi, tag, size);
		break;
	case MB2_ACPI_OLD:
	case MB2_ACPI_NEW:
		mb2_acpi(bi, tag, size, type == MB2_ACPI_NEW);
		break;
	default:
		break;
	}
}

static void multiboot2_parse(struct boot_info *bi, paddr_t info)
{
	uint32_t total;
	paddr_t tag;

	if (!below_early_limit(info, 8) ||
	    (total = read32(info)) < 16 || total > MULTIBOOT2_MAX_SIZE ||
	    !below_early_limit(info, total)) {
		pr_err("boot: multiboot2 information at %#llx is malformed",
		       (unsigned long long)info);
		return;
	}
	for (tag = info + 8; tag + 8 <= info + total;) {
		uint32_t type = read32(tag), size = read32(tag + 4);

		if (type == MB2_END)
			return;
		if (size < 8 || tag + size > info + total) {
			pr_err("boot: multiboot2 tag %u overruns the information",
			       type);
			return;
		}
		mb2_tag(bi, tag, type, size);
		tag += ALIGN_UP(size, 8);
	}
}

static uint8_t cmos_read(uint8_t index)
{
	pio_out8(0x70, index);
	return pio_in8(0x71);
}

/*
 * No memory map from the loader (QEMU's PVH ROM drops it when the command
 * line is very long): fall back on the sizes the BIOS left in CMOS, as PC
 * firmware has since the AT (registers 0x34/0x35: 64 KiB blocks above
 * 16 MiB; 0x5b-0x5d: 64 KiB blocks above 4 GiB, QEMU's extension).
 */
static void cmos_memory(struct boot_info *bi)
{
	uint64_t above_16m = ((uint64_t)cmos_read(0x35) << 8 | cmos_read(0x34))
			     << 16;
	uint64_t above_4g = ((uint64_t)cmos_read(0x5d) << 16 |
			     (uint64_t)cmos_read(0x5c) << 8 | cmos_read(0x5b))
			    << 16;

	pr_warn("boot: the loader gave no memory map; using the CMOS sizes");
	add_memory(bi, 0, 0x9f000, BOOT_MEM_USABLE);
	add_memory(bi, 0x100000, 0xf00000, BOOT_MEM_USABLE);
	add_memory(bi, 0x1000000, above_16m, BOOT_MEM_USABLE);
	add_memory(bi, EARLY_MAP_LIMIT, above_4g, BOOT_MEM_USABLE);
}

/* Sorts the map by base and trims overlaps (the later region loses). */
static void normalise_memory(struct boot_info *bi)
{
	struct boot_mem_region *m = bi->memory;
	unsigned int kept = 0;

	for (unsigned int i = 1; i < bi->memory_count; i++) {
		struct boot_mem_region r = m[i];
		unsigned int j = i;

		for (; j > 0 && m[j - 1].base > r.base; j--)
			m[j] = m[j - 1];
		m[j] = r;
	}
	for (unsigned int i = 0; i < bi->memory_count; i++) {
		struct boot_mem_region r = m[i];
		uint64_t end = r.base + r.length;

		if (kept > 0 && r.base < m[kept - 1].base + m[kept - 1].length)
			r.base = m[kept - 1].base + m[kept - 1].length;
		if (end > r.base) {
			r.length = end - r.base;
			m[kept++] = r;
		}
	}
	bi->memory_count = kept;
}

static bool is_usable_ram(const struct boot_info *bi, paddr_t base,
			  uint64_t size)
{
	for (unsigned int i = 0; i < bi->memory_count; i++) {
		const struct boot_mem_region *m = &bi->memory[i];

		if (m->type == BOOT_MEM_USABLE && base >= m->base &&
		    base + size <= m->base + m->length)
			return true;
	}
	return false;
}

static void reserve(struct boot_info *bi, paddr_t base, uint64_t length)
{
	bi->reserved[bi->reserved_count++] =
		(struct boot_mem_region){ base, length, BOOT_MEM_RESERVED };
}

void x86_boot_info_parse(struct boot_info *bi, uint32_t protocol, paddr_t info)
{
	bi->platform_name = "x86_64";
	if (protocol == BOOT_PROTOCOL_PVH)
		pvh_parse(bi, info);
	else if (protocol == BOOT_PROTOCOL_MULTIBOOT2)
		multiboot2_parse(bi, info);
	else
		pr_err("boot: unknown boot loader: no memory map, command line "
		       "or initrd");
	if (bi->memory_count == 0)
		cmos_memory(bi);
	normalise_memory(bi);
	if (bi->initrd_size &&
	    !is_usable_ram(bi, bi->initrd_base, bi->initrd_size)) {
		pr_warn("boot: initrd at %#llx (%llu bytes) is not in RAM; ignored",
			(unsigned long long)bi->initrd_base,
			(unsigned long long)bi->initrd_size);
		bi->initrd_base = bi->initrd_size = 0;
	}
	/* BIOS data, the AP trampoline page, the kernel image, the initrd. */
	reserve(bi, 0, 0x100000);
	reserve(bi, KERNEL_PHYS, (paddr_t)(__kernel_end - __kernel_start));
	if (bi->initrd_size)
		reserve(bi, bi->initrd_base, bi->initrd_size);
}
