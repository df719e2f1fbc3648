/*
 * ACPI table parsing (layouts from the ACPI specification 6.x, sections
 * 5.2.5-5.2.12). Firmware tables are untrusted input: every table is
 * bounds- and checksum-checked before a field is read, every MADT entry
 * length is checked against the table, and a bad table is reported and
 * skipped. Runs once at boot on the boot CPU; acpi_info is read-only after.
 */
#include "acpi.h"

#include "core/hal/mmu.h"
#include "core/lib/printk.h"
#include "core/lib/string.h"

#define SDT_HEADER_SIZE 36
#define MADT_ENTRIES_OFFSET 44
#define RSDP_V1_SIZE 20
#define RSDP_V2_SIZE 36

enum madt_type {
	MADT_LOCAL_APIC = 0,
	MADT_IOAPIC = 1,
	MADT_OVERRIDE = 2,
	MADT_X2APIC = 9,
};

struct acpi_info acpi_info;

static const struct boot_info *boot_memory;

static uint8_t read8(paddr_t pa)
{
	return *(const uint8_t *)hal_phys_to_virt(pa);
}

static uint16_t read16(paddr_t pa)
{
	uint16_t value;

	memcpy(&value, hal_phys_to_virt(pa), sizeof(value));
	return value;
}

static uint32_t read32(paddr_t pa)
{
	uint32_t value;

	memcpy(&value, hal_phys_to_virt(pa), sizeof(value));
	return value;
}

static uint64_t read64(paddr_t pa)
{
	uint64_t value;

	memcpy(&value, hal_phys_to_virt(pa), sizeof(value));
	return value;
}

/* Whether [pa, pa + length) lies in one boot memory region or the first MiB. */
static bool is_readable(paddr_t pa, uint64_t length)
{
	if (pa + length < pa || length == 0)
		return false;
	if (pa + length <= 0x100000)
		return true;
	for (unsigned int i = 0; i < boot_memory->memory_count; i++) {
		const struct boot_mem_region *m = &boot_memory->memory[i];

		if (pa >= m->base && pa + length <= m->base + m->length)
			return true;
	}
	return false;
}

static uint8_t checksum(paddr_t pa, uint64_t length)
{
	const uint8_t *bytes = hal_phys_to_virt(pa);
	uint8_t sum = 0;

	for (uint64_t i = 0; i < length; i++)
		sum = (uint8_t)(sum + bytes[i]);
	return sum;
}

static bool signature_is(paddr_t pa, const char *signature, size_t length)
{
	return memcmp(hal_phys_to_virt(pa), signature, length) == 0;
}

static void reject(paddr_t pa, const char *what, const char *why)
{
	acpi_info.tables_rejected++;
	pr_warn("ACPI: %s at %#llx is malformed (%s); ignored", what,
		(unsigned long long)pa, why);
}

/* Validates a system description table; returns its length or 0. */
static uint32_t table_check(paddr_t pa, const char *what)
{
	uint32_t length;

	if (!is_readable(pa, SDT_HEADER_SIZE)) {
		reject(pa, what, "outside memory");
		return 0;
	}
	length = read32(pa + 4);
	if (length < SDT_HEADER_SIZE || length > ACPI_MAX_TABLE_SIZE ||
	    !is_readable(pa, length)) {
		reject(pa, what, "bad length");
		return 0;
	}
	if (checksum(pa, length) != 0) {
		reject(pa, what, "bad checksum");
		return 0;
	}
	return length;
}

static bool rsdp_is_valid(paddr_t pa)
{
	if (!is_readable(pa, RSDP_V1_SIZE) || !signature_is(pa, "RSD PTR ", 8) ||
	    checksum(pa, RSDP_V1_SIZE) != 0)
		return false;
	if (read8(pa + 15) < 2)
		return true;
	return is_readable(pa, RSDP_V2_SIZE) && read32(pa + 20) >= RSDP_V2_SIZE &&
	       read32(pa + 20) <= 4096 && is_readable(pa, read32(pa + 20)) &&
	       checksum(pa, read32(pa + 20)) == 0;
}

static paddr_t rsdp_scan(paddr_t start, paddr_t end)
{
	for (paddr_t pa = start; pa + RSDP_V1_SIZE <= end; pa += 16) {
		if (rsdp_is_valid(pa))
			return pa;
	}
	return 0;
}

/* The legacy search: first KiB of the EBDA, then the BIOS ROM area. */
static paddr_t rsdp_find(void)
{
	paddr_t ebda = (paddr_t)read16(0x40e) << 4;
	paddr_t found = 0;

	if (ebda >= 0x80000 && ebda < 0xa0000)
		found = rsdp_scan(ebda, ebda + 1024);
	return found ? found : rsdp_scan(0xe0000, 0x100000);
}

static void add_cpu(uint32_t apic_id, uint32_t flags)
{
	if (!(flags & 1))
		return; /* disabled; bit 1 (hot-plug capable) is not supported */
	for (unsigned int i = 0; i < acpi_info.cpu_count; i++) {
		if (acpi_info.apic_ids[i] == apic_id)
			return; /* the boot CPU, or a duplicate entry */
	}
	if (acpi_info.cpu_count == HAL_MAX_CPUS) {
		acpi_info.cpus_ignored++;
		return;
	}
	acpi_info.apic_ids[acpi_info.cpu_count++] = apic_id;
}

static void add_ioapic(paddr_t entry)
{
	struct acpi_ioapic *ioapic;

	if (acpi_info.ioapic_count == ACPI_MAX_IOAPICS) {
		pr_warn("ACPI: more than %d IOAPICs; extra ignored",
			ACPI_MAX_IOAPICS);
		return;
	}
	ioapic = &acpi_info.ioapics[acpi_info.ioapic_count++];
	ioapic->id = read8(entry + 2);
	ioapic->address = read32(entry + 4);
	ioapic->gsi_base = read32(entry + 8);
}

static void add_override(paddr_t entry)
{
	struct acpi_override *override;

	if (read8(entry + 2) != 0 ||
	    acpi_info.override_count == ACPI_MAX_OVERRIDES)
		return; /* only the ISA bus (0) is defined */
	override = &acpi_info.overrides[acpi_info.override_count++];
	override->source = read8(entry + 3);
	override->gsi = read32(entry + 4);
	override->flags = read16(entry + 8);
}

/* Minimum length of each MADT entry type we read. */
static uint8_t madt_entry_minimum(uint8_t type)
{
	switch (type) {
	case MADT_LOCAL_APIC: return 8;
	case MADT_IOAPIC: return 12;
	case MADT_OVERRIDE: return 10;
	case MADT_X2APIC: return 16;
	default: return 2;
	}
}

static void madt_entry(paddr_t entry, uint8_t type)
{
	switch (type) {
	case MADT_LOCAL_APIC:
		add_cpu(read8(entry + 3), read32(entry + 4));
		break;
	case MADT_X2APIC:
		add_cpu(read32(entry + 4), read32(entry + 8));
		break;
	case MADT_IOAPIC:
		add_ioapic(entry);
		break;
	case MADT_OVERRIDE:
		add_override(entry);
		break;
	default:
		break;
	}
}

static void madt_parse(paddr_t madt, uint32_t length)
{
	paddr_t entry = madt + MADT_ENTRIES_OFFSET;
	paddr_t end = madt + length;

	if (length < MADT_ENTRIES_OFFSET) {
		reject(madt, "MADT", "too short");
		return;
	}
	acpi_info.have_madt = true;
	acpi_info.lapic_address = read32(madt + 36);
	acpi_info.has_8259 = read32(madt + 40) & 1;
	while (entry + 2 <= end) {
		uint8_t type = read8(entry), size = read8(entry + 1);

		if (size < madt_entry_minimum(type) || entry + size > end) {
			reject(madt, "MADT", "entry overruns the table");
			return; /* keep what was parsed before */
		}
		madt_entry(entry, type);
		entry += size;
	}
}

/* Reads one S5 package element: ZeroOp, OneOp, BytePrefix n, or a raw byte. */
static paddr_t aml_small_integer(paddr_t at, paddr_t end, uint16_t *value)
{
	uint8_t op = at < end ? read8(at) : 0xff;

	if (op == 0x0a && at + 1 < end) {
		*value = read8(at + 1);
		return at + 2;
	}
	*value = op == 0x01 ? 1 : op == 0x00 ? 0 : op;
	return at + 1;
}

/*
 * Finds `Name(_S5, Package(){a, b, ...})` in the DSDT's AML by pattern,
 * the usual shortcut short of an AML interpreter.
 */
static void dsdt_find_s5(paddr_t dsdt, uint32_t length)
{
	paddr_t end = dsdt + length;

	for (paddr_t at = dsdt + SDT_HEADER_SIZE; at + 8 < end; at++) {
		paddr_t p;

		if (!signature_is(at, "_S5_", 4) || read8(at + 4) != 0x12)
			continue;
		if (read8(at - 1) != 0x08 &&
		    !(read8(at - 1) == '\\' && read8(at - 2) == 0x08))
			continue;
		p = at + 5 + ((read8(at + 5) >> 6) & 3) + 1; /* PkgLength */
		p++;					     /* NumElements */
		p = aml_small_integer(p, end, &acpi_info.s5_type_a);
		aml_small_integer(p, end, &acpi_info.s5_type_b);
		acpi_info.have_s5 = true;
		return;
	}
}

static void fadt_parse(paddr_t fadt, uint32_t length)
{
	paddr_t dsdt;
	uint32_t dsdt_length;

	if (length < 116) {
		reject(fadt, "FADT", "too short");
		return;
	}
	acpi_info.pm1a_control = read32(fadt + 64);
	acpi_info.pm1b_control = read32(fadt + 68);
	acpi_info.century_register = read8(fadt + 108);
	dsdt = read32(fadt + 40);
	if (length >= 148 && read64(fadt + 140) != 0)
		dsdt = read64(fadt + 140);
	dsdt_length = dsdt ? table_check(dsdt, "DSDT") : 0;
	if (dsdt_length)
		dsdt_find_s5(dsdt, dsdt_length);
}

static void table_parse(paddr_t table)
{
	bool is_madt, is_fadt;
	uint32_t length;

	if (!is_readable(table, 4)) {
		reject(table, "table", "outside memory");
		return;
	}
	is_madt = signature_is(table, "APIC", 4);
	is_fadt = signature_is(table, "FACP", 4);
	if (!is_madt && !is_fadt)
		return;
	length = table_check(table, is_madt ? "MADT" : "FADT");
	if (length && is_madt && !acpi_info.have_madt)
		madt_parse(table, length);
	if (length && is_fadt)
		fadt_parse(table, length);
}

/* Walks the RSDT (4-byte entries) or XSDT (8-byte entries). */
static bool root_parse(paddr_t root, bool extended)
{
	unsigned int entry_size = extended ? 8 : 4;
	const char *name = extended ? "XSDT" : "RSDT";
	uint32_t length = table_check(root, name);

	if (length == 0)
		return false;
	if (!signature_is(root, name, 4)) {
		reject(root, name, "bad signature");
		return false;
	}
	for (uint32_t at = SDT_HEADER_SIZE; at + entry_size <= length;
	     at += entry_size)
		table_parse(extended ? read64(root + at) : read32(root + at));
	return true;
}

static void report(void)
{
	pr_info("ACPI: RSDP %#llx, %u CPU%s, %u IOAPIC%s, %u override%s%s",
		(unsigned long long)acpi_info.rsdp, acpi_info.cpu_count,
		acpi_info.cpu_count == 1 ? "" : "s", acpi_info.ioapic_count,
		acpi_info.ioapic_count == 1 ? "" : "s",
		acpi_info.override_count,
		acpi_info.override_count == 1 ? "" : "s",
		acpi_info.have_s5 ? ", S5" : "");
	if (acpi_info.cpus_ignored)
		pr_warn("ACPI: %u CPUs beyond the limit of %d are not used",
			acpi_info.cpus_ignored, HAL_MAX_CPUS);
	if (!acpi_info.have_madt)
		pr_warn("ACPI: no usable MADT: running on the boot CPU only");
}

void acpi_init(const struct boot_info *boot_info, paddr_t rsdp,
	       uint32_t boot_apic_id)
{
	acpi_info = (struct acpi_info){ .cpu_count = 1 };
	acpi_info.apic_ids[0] = boot_apic_id;
	boot_memory = boot_info;
	if (rsdp && !rsdp_is_valid(rsdp)) {
		reject(rsdp, "RSDP", "bad signature or checksum");
		rsdp = 0;
	}
	if (rsdp == 0)
		rsdp = rsdp_find();
	if (rsdp == 0) {
		pr_warn("ACPI: no RSDP found: no ACPI tables");
		report();
		return;
	}
	acpi_info.rsdp = rsdp;
	/* Prefer the XSDT; fall back to the RSDT if it is unusable. */
	if (read8(rsdp + 15) < 2 || read64(rsdp + 24) == 0 ||
	    !root_parse(read64(rsdp + 24), true))
		root_parse(read32(rsdp + 16), false);
	report();
}
