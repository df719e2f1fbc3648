/*
 * The ACPI parser of the x86_64 platform against synthetic tables in
 * (simulated) physical memory: a good set is read completely; a bad
 * checksum, a lying length or an overrunning MADT entry is reported and
 * skipped; a broken XSDT falls back to the RSDT.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "core/hal/mmu.h"
#include "platform/x86_64/acpi.h"
#include "support/kernel.h"

#define RSDP_PA 0xe0000
#define XSDT_PA 0x200000
#define RSDT_PA 0x201000
#define MADT_PA 0x202000
#define FADT_PA 0x203000
#define DSDT_PA 0x204000

static struct boot_info *machine;

static uint8_t *at(paddr_t pa)
{
	return hal_phys_to_virt(pa);
}

static void fix_checksum(paddr_t pa, uint32_t length, unsigned int offset)
{
	uint8_t sum = 0;

	at(pa)[offset] = 0;
	for (uint32_t i = 0; i < length; i++)
		sum = (uint8_t)(sum + at(pa)[i]);
	at(pa)[offset] = (uint8_t)-sum;
}

static void header(paddr_t pa, const char *signature, uint32_t length)
{
	memset(at(pa), 0, length);
	memcpy(at(pa), signature, 4);
	memcpy(at(pa) + 4, &length, 4);
}

static void seal(paddr_t pa)
{
	uint32_t length;

	memcpy(&length, at(pa) + 4, 4);
	fix_checksum(pa, length, 9);
}

static uint8_t *madt_entry(uint8_t **cursor, uint8_t type, uint8_t length)
{
	uint8_t *entry = *cursor;

	entry[0] = type;
	entry[1] = length;
	*cursor += length;
	return entry;
}

static void build_madt(unsigned int cpus)
{
	uint8_t *cursor = at(MADT_PA) + 44;
	uint32_t value;

	header(MADT_PA, "APIC", 44 + 8 * cpus + 12 + 10);
	value = 0xfee00000;
	memcpy(at(MADT_PA) + 36, &value, 4);
	for (unsigned int i = 0; i < cpus; i++) {
		uint8_t *cpu = madt_entry(&cursor, 0, 8);

		cpu[3] = (uint8_t)i; /* APIC id */
		cpu[4] = 1;	     /* enabled */
	}
	value = 0xfec00000;
	memcpy(madt_entry(&cursor, 1, 12) + 4, &value, 4);
	value = 2;
	cursor = madt_entry(&cursor, 2, 10); /* IRQ 0 -> GSI 2 */
	memcpy(cursor + 4, &value, 4);
	seal(MADT_PA);
}

static void build_fadt(void)
{
	static const uint8_t aml[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x06,
				       0x04, 0x0a, 0x05, 0x0a, 0x05 };
	uint32_t value;

	header(DSDT_PA, "DSDT", 36 + sizeof(aml));
	memcpy(at(DSDT_PA) + 36, aml, sizeof(aml));
	seal(DSDT_PA);
	header(FADT_PA, "FACP", 116);
	value = DSDT_PA;
	memcpy(at(FADT_PA) + 40, &value, 4);
	value = 0x604;
	memcpy(at(FADT_PA) + 64, &value, 4);
	seal(FADT_PA);
}

static void build_roots(void)
{
	uint64_t xsdt_entries[2] = { MADT_PA, FADT_PA };
	uint32_t rsdt_entries[2] = { MADT_PA, FADT_PA };
	uint32_t value;

	header(XSDT_PA, "XSDT", 36 + sizeof(xsdt_entries));
	memcpy(at(XSDT_PA) + 36, xsdt_entries, sizeof(xsdt_entries));
	seal(XSDT_PA);
	header(RSDT_PA, "RSDT", 36 + sizeof(rsdt_entries));
	memcpy(at(RSDT_PA) + 36, rsdt_entries, sizeof(rsdt_entries));
	seal(RSDT_PA);
	memset(at(RSDP_PA), 0, 36);
	memcpy(at(RSDP_PA), "RSD PTR ", 8);
	at(RSDP_PA)[15] = 2;
	value = RSDT_PA;
	memcpy(at(RSDP_PA) + 16, &value, 4);
	value = 36;
	memcpy(at(RSDP_PA) + 20, &value, 4);
	value = XSDT_PA;
	memcpy(at(RSDP_PA) + 24, &value, 4);
	fix_checksum(RSDP_PA, 20, 8);
	fix_checksum(RSDP_PA, 36, 32);
}

static void good_tables(void)
{
	machine = test_machine_create(32ULL << 20, 0);
	build_madt(4);
	build_fadt();
	build_roots();
}

Test(platform_x86_64_acpi, good_tables_are_read_completely, .init = good_tables)
{
	acpi_init(machine, 0, 0);
	cr_assert_eq(acpi_info.rsdp, RSDP_PA, "found by the legacy search");
	cr_assert_eq(acpi_info.cpu_count, 4);
	cr_assert_eq(acpi_info.apic_ids[3], 3);
	cr_assert_eq(acpi_info.lapic_address, 0xfee00000);
	cr_assert_eq(acpi_info.ioapic_count, 1);
	cr_assert_eq(acpi_info.ioapics[0].address, 0xfec00000);
	cr_assert_eq(acpi_info.override_count, 1);
	cr_assert_eq(acpi_info.overrides[0].gsi, 2);
	cr_assert_eq(acpi_info.pm1a_control, 0x604);
	cr_assert(acpi_info.have_s5);
	cr_assert_eq(acpi_info.s5_type_a, 5);
	cr_assert_eq(acpi_info.tables_rejected, 0);
}

Test(platform_x86_64_acpi, boot_cpu_comes_first, .init = good_tables)
{
	acpi_init(machine, RSDP_PA, 2);
	cr_assert_eq(acpi_info.cpu_count, 4);
	cr_assert_eq(acpi_info.apic_ids[0], 2);
	cr_assert_eq(acpi_info.apic_ids[1], 0);
}

Test(platform_x86_64_acpi, bad_madt_checksum_means_one_cpu, .init = good_tables)
{
	at(MADT_PA)[50] ^= 0xff;
	acpi_init(machine, RSDP_PA, 0);
	cr_assert_eq(acpi_info.cpu_count, 1);
	cr_assert_not(acpi_info.have_madt);
	cr_assert_gt(acpi_info.tables_rejected, 0);
	cr_assert_eq(acpi_info.pm1a_control, 0x604, "the FADT still counts");
}

Test(platform_x86_64_acpi, length_beyond_memory_is_rejected, .init = good_tables)
{
	uint32_t huge = 0x7fffffff;

	memcpy(at(MADT_PA) + 4, &huge, 4);
	acpi_init(machine, RSDP_PA, 0);
	cr_assert_eq(acpi_info.cpu_count, 1);
	cr_assert_gt(acpi_info.tables_rejected, 0);
}

Test(platform_x86_64_acpi, overrunning_entry_keeps_earlier_ones, .init = good_tables)
{
	at(MADT_PA)[44 + 2 * 8 + 1] = 200; /* third CPU entry claims 200 bytes */
	seal(MADT_PA);
	acpi_init(machine, RSDP_PA, 0);
	cr_assert_eq(acpi_info.cpu_count, 2);
	cr_assert_eq(acpi_info.ioapic_count, 0);
	cr_assert_gt(acpi_info.tables_rejected, 0);
}

Test(platform_x86_64_acpi, zero_length_entry_does_not_loop, .init = good_tables)
{
	at(MADT_PA)[44 + 1] = 0;
	seal(MADT_PA);
	acpi_init(machine, RSDP_PA, 0);
	cr_assert_eq(acpi_info.cpu_count, 1);
}

Test(platform_x86_64_acpi, broken_xsdt_falls_back_to_rsdt, .init = good_tables)
{
	at(XSDT_PA)[40] ^= 0x55;
	acpi_init(machine, RSDP_PA, 0);
	cr_assert_eq(acpi_info.cpu_count, 4);
	cr_assert_eq(acpi_info.tables_rejected, 1);
}

Test(platform_x86_64_acpi, bad_rsdp_from_loader_is_searched_for, .init = good_tables)
{
	acpi_init(machine, 0x300000, 0); /* zeros: not an RSDP */
	cr_assert_eq(acpi_info.rsdp, RSDP_PA);
	cr_assert_eq(acpi_info.cpu_count, 4);
}

Test(platform_x86_64_acpi, no_acpi_means_boot_cpu_only)
{
	machine = test_machine_create(32ULL << 20, 0);
	acpi_init(machine, 0, 7);
	cr_assert_eq(acpi_info.rsdp, 0);
	cr_assert_eq(acpi_info.cpu_count, 1);
	cr_assert_eq(acpi_info.apic_ids[0], 7);
}
