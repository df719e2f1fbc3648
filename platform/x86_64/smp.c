/*
 * Starting the other CPUs (application processors) with INIT-SIPI-SIPI
 * through the real-mode trampoline (trampoline.S), one at a time: the boot
 * CPU owns the trampoline page while an AP starts. Each AP gets a stack and
 * IST stacks from the page allocator, its own GDT/TSS, the kernel page
 * tables and its LAPIC, then enters kmain_ap(). started_mask (atomic) is
 * the set of CPUs that take interrupts and IPIs.
 */
#include "core/hal/cpu.h"

#include "core/arch/x86_64/cpu.h"
#include "core/hal/mmu.h"
#include "core/hal/time.h"
#include "core/include/uapi/errno.h"
#include "core/lib/string.h"
#include "core/mm/pmm.h"
#include "x86.h"

#define ICR_INIT 0x4500		/* INIT, level assert */
#define ICR_STARTUP 0x4600	/* start-up IPI, level assert */
#define AP_START_TIMEOUT_US 2000000ULL

static uint64_t started_mask;

uint64_t x86_started_mask(void)
{
	return __atomic_load_n(&started_mask, __ATOMIC_ACQUIRE);
}

static void mark_started(struct x86_cpu *cpu)
{
	__atomic_fetch_or(&started_mask, 1ULL << cpu->index, __ATOMIC_RELEASE);
	__atomic_store_n(&cpu->started, true, __ATOMIC_RELEASE);
}

/* Boot CPU: it is started as soon as its interrupt controller is. */
void x86_smp_boot_cpu_started(void)
{
	mark_started(&x86_cpus[0]);
}

__noreturn void x86_ap_main(unsigned int index)
{
	struct x86_cpu *cpu = &x86_cpus[index];

	x86_write_cr3(x86_kernel_root());
	x86_cpu_init(cpu, index, acpi_info.apic_ids[index], cpu->stack_low,
		     cpu->stack_high);
	x86_cpu_enable_features();
	x86_lapic_init();
	mark_started(cpu);
	kmain_ap(index);
}

/* Stacks for CPU `index`: boot stack and the IST stacks, from the pmm. */
static int allocate_stacks(struct x86_cpu *cpu)
{
	void *stack = pmm_alloc_virt(pmm_order_for_size(AP_STACK_SIZE), 0);
	char *ist = pmm_alloc_virt(pmm_order_for_size(IST_COUNT * IST_STACK_SIZE),
				   0);

	if (stack == NULL || ist == NULL) {
		if (stack)
			pmm_free_virt(stack, pmm_order_for_size(AP_STACK_SIZE));
		if (ist)
			pmm_free_virt(ist, pmm_order_for_size(IST_COUNT *
							      IST_STACK_SIZE));
		return -ENOMEM;
	}
	cpu->stack_low = (uintptr_t)stack;
	cpu->stack_high = (uintptr_t)stack + AP_STACK_SIZE;
	for (int i = 1; i <= IST_COUNT; i++)
		cpu->ist_low[i] = (uintptr_t)ist + (i - 1) * IST_STACK_SIZE;
	return 0;
}

static void trampoline_prepare(struct x86_cpu *cpu, unsigned int index)
{
	char *page = hal_phys_to_virt(TRAMPOLINE_PHYS);
	uint64_t entry = (uint64_t)x86_ap_main;
	uint32_t cr3 = (uint32_t)hal_virt_to_phys(boot_pml4);
	uint32_t cpu_index = index;

	memcpy(page, trampoline_start, (size_t)(trampoline_end - trampoline_start));
	memcpy(page + (trampoline_stack - trampoline_start), &cpu->stack_high, 8);
	memcpy(page + (trampoline_entry - trampoline_start), &entry, 8);
	memcpy(page + (trampoline_cr3 - trampoline_start), &cr3, 4);
	memcpy(page + (trampoline_cpu - trampoline_start), &cpu_index, 4);
}

static bool wait_started(struct x86_cpu *cpu, uint64_t microseconds)
{
	uint64_t end = hal_clock_ns() + microseconds * 1000;

	while (!__atomic_load_n(&cpu->started, __ATOMIC_ACQUIRE)) {
		if (hal_clock_ns() >= end)
			return false;
		arch_cpu_relax();
	}
	return true;
}

int hal_cpu_start(unsigned int index)
{
	struct x86_cpu *cpu;
	uint32_t sipi = ICR_STARTUP | (TRAMPOLINE_PHYS >> 12);
	int err;

	if (index == 0 || index >= acpi_info.cpu_count)
		return -EINVAL;
	cpu = &x86_cpus[index];
	if (cpu->started)
		return -EBUSY;
	err = allocate_stacks(cpu);
	if (err < 0)
		return err;
	trampoline_prepare(cpu, index);
	x86_lapic_send_ipi(acpi_info.apic_ids[index], ICR_INIT);
	x86_delay_us(10000);
	x86_lapic_send_ipi(acpi_info.apic_ids[index], sipi);
	if (!wait_started(cpu, 200)) {
		x86_lapic_send_ipi(acpi_info.apic_ids[index], sipi);
		if (!wait_started(cpu, AP_START_TIMEOUT_US))
			return -EIO; /* its stacks stay: it may still wake */
	}
	return 0;
}
