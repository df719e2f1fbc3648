/*
 * Ending the machine. hal_poweroff stops the other CPUs, then writes the
 * status to QEMU's isa-debug-exit port (QEMU exits with status * 2 + 1),
 * then tries ACPI S5 through the FADT's PM1 control ports. hal_halt_all
 * (after a panic) stops every CPU with an NMI and, when the command line
 * says `panic=N` (as Linux: N seconds, negative: at once), resets the
 * machine, which QEMU's -no-reboot turns into an exit.
 */
#include "core/hal/cpu.h"

#include "core/hal/io.h"
#include "core/hal/time.h"
#include "core/lib/cmdline.h"
#include "core/lib/printk.h"
#include "core/lib/string.h"
#include "x86.h"

#define DEBUG_EXIT_PORT 0xf4
#define ICR_NMI 0x4400
#define SLP_EN (1u << 13)

static bool stopping;

bool x86_is_stopping(void)
{
	return READ_ONCE(stopping);
}

/* Sends every other started CPU an NMI; they halt in x86_trap. */
static void stop_other_cpus(void)
{
	uint64_t others = x86_started_mask() & ~(1ULL << hal_cpu_id());

	WRITE_ONCE(stopping, true);
	for (unsigned int cpu = 0; cpu < HAL_MAX_CPUS; cpu++) {
		if (others & (1ULL << cpu))
			x86_lapic_send_ipi(x86_cpus[cpu].apic_id, ICR_NMI);
	}
}

__noreturn void x86_reset(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __packed empty = { 0, 0 };

	pio_out8(0x64, 0xfe); /* keyboard controller reset line */
	pio_out8(0xcf9, 0x06); /* PCI reset control: hard reset */
	/* Last resort: a triple fault through an empty IDT. */
	__asm__ volatile("lidt %0; int3" ::"m"(empty));
	x86_halt_forever();
}

__noreturn void hal_poweroff(int status)
{
	hal_irq_disable();
	stop_other_cpus();
	pio_out8(DEBUG_EXIT_PORT, (uint8_t)status);
	if (acpi_info.pm1a_control && acpi_info.have_s5) {
		pio_out16((uint16_t)acpi_info.pm1a_control,
			  (uint16_t)(acpi_info.s5_type_a << 10 | SLP_EN));
		if (acpi_info.pm1b_control)
			pio_out16((uint16_t)acpi_info.pm1b_control,
				  (uint16_t)(acpi_info.s5_type_b << 10 | SLP_EN));
	}
	printk_raw("power-off failed: halted (status %d)\n", status);
	x86_halt_forever();
}

static long long panic_seconds(void)
{
	const char *value = cmdline_get("panic");
	long long seconds;

	if (value == NULL || kstrtoll(value, 0, &seconds) < 0)
		return 0;
	return seconds;
}

__noreturn void hal_halt_all(void)
{
	long long seconds;

	hal_irq_disable();
	stop_other_cpus();
	seconds = panic_seconds();
	if (seconds == 0)
		x86_halt_forever(); /* for the debugger */
	if (seconds > 0) {
		printk_raw("Rebooting in %lld seconds..\n", seconds);
		x86_delay_us((uint64_t)seconds * 1000000);
	}
	x86_reset();
}
