/*
 * From boot.S to kmain: the boot CPU's descriptor tables and GS base, the
 * serial console, the boot information, the direct map of all RAM and the
 * ACPI tables, all before the core runs. hal_platform_init finishes what
 * needs the page allocator. boot_info is filled here and read-only after
 * kmain starts.
 */
#include "core/hal/boot.h"

#include "core/kmain.h"
#include "core/lib/printk.h"
#include "x86.h"

static struct boot_info boot_info;

static uint32_t boot_apic_id(void)
{
	uint32_t cpuid[4];

	x86_cpuid(1, 0, cpuid);
	return cpuid[1] >> 24;
}

__noreturn void x86_boot_main(uint32_t protocol, uint32_t info)
{
	x86_idt_init();
	x86_cpu_init(&x86_cpus[0], 0, boot_apic_id(),
		     (uintptr_t)boot_stack_bottom, (uintptr_t)boot_stack_top);
	x86_console_init();
	x86_boot_info_parse(&boot_info, protocol, info);
	x86_mm_early_map(&boot_info);
	kmain_parse_command_line(&boot_info);	/* quiet keeps ACPI lines off */
	acpi_init(&boot_info, boot_info.acpi_rsdp, x86_cpus[0].apic_id);
	boot_info.acpi_rsdp = acpi_info.rsdp;
	boot_info.cpu_count = acpi_info.cpu_count;
	kmain(&boot_info);
}

int hal_platform_init(void)
{
	int err = x86_mm_init(&boot_info);

	if (err == 0)
		err = x86_interrupt_controllers_init();
	if (err == 0)
		err = x86_time_init();
	if (err == 0)
		x86_smp_boot_cpu_started();
	return err;
}
