/*
 * ACPI tables the platform needs: the MADT (CPUs, IOAPICs, interrupt
 * source overrides) and the FADT (power-off). Everything is copied into
 * acpi_info at boot; the tables are not touched afterwards. Depends only
 * on hal_phys_to_virt and printk, so the parser is unit-tested in the
 * hosted build against synthetic tables.
 */
#pragma once

#include "core/hal/boot.h"
#include "core/hal/cpu.h"
#include "core/lib/types.h"

#define ACPI_MAX_IOAPICS 8
#define ACPI_MAX_OVERRIDES 16
#define ACPI_MAX_TABLE_SIZE (4 * 1024 * 1024)	/* anything bigger is corrupt */

struct acpi_ioapic {
	uint32_t id;
	paddr_t address;
	uint32_t gsi_base;
};

/* An ISA IRQ wired to a different global system interrupt (MADT type 2). */
struct acpi_override {
	uint8_t source;		/* ISA IRQ */
	uint32_t gsi;
	uint16_t flags;		/* MPS INTI flags: polarity bits 0-1, trigger 2-3 */
};

struct acpi_info {
	paddr_t rsdp;			/* 0: no ACPI found */
	bool have_madt;
	unsigned int cpu_count;		/* usable CPUs, boot CPU first */
	uint32_t apic_ids[HAL_MAX_CPUS];
	unsigned int cpus_ignored;	/* beyond HAL_MAX_CPUS or duplicates */
	paddr_t lapic_address;
	bool has_8259;			/* MADT PCAT_COMPAT */
	unsigned int ioapic_count;
	struct acpi_ioapic ioapics[ACPI_MAX_IOAPICS];
	unsigned int override_count;
	struct acpi_override overrides[ACPI_MAX_OVERRIDES];
	/* FADT */
	uint32_t pm1a_control, pm1b_control;	/* I/O ports, 0: none */
	bool have_s5;			/* \_S5 found in the DSDT */
	uint16_t s5_type_a, s5_type_b;	/* SLP_TYP values for S5 */
	uint8_t century_register;	/* CMOS index, 0: none */
	unsigned int tables_rejected;	/* malformed tables skipped */
};

extern struct acpi_info acpi_info;

/*
 * Finds and parses the tables: from `rsdp` when the loader gave one, else
 * by the legacy search (EBDA, then 0xe0000-0xfffff). A table is used only
 * if it lies in a memory region of `boot_info` (or the first MiB), its
 * length is sane and its checksum is right; anything else is reported and
 * skipped. Without a usable MADT the boot CPU (`boot_apic_id`) is the only
 * CPU. Boot only, before anything reads acpi_info.
 */
void acpi_init(const struct boot_info *boot_info, paddr_t rsdp,
	       uint32_t boot_apic_id);
