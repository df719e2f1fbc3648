/*
 * Per-CPU processor state: each CPU has its own GDT (with its own TSS
 * descriptor) and TSS whose IST slots give double faults, NMIs and machine
 * checks known-good stacks; all share one IDT (trap.c). GS base points at
 * the CPU's struct x86_cpu. x86_cpus[i] is written by CPU i while it starts
 * and read by others only through `started` and `apic_id`.
 */
#include "core/hal/cpu.h"

#include "core/lib/string.h"
#include "x86.h"

struct x86_cpu x86_cpus[HAL_MAX_CPUS];

/* Boot CPU IST stacks: it needs them before the page allocator runs. */
static char boot_ist_stacks[IST_COUNT][IST_STACK_SIZE] __aligned(16);

struct descriptor_pointer {
	uint16_t limit;
	uint64_t base;
} __packed;

static void gdt_build(struct x86_cpu *cpu)
{
	uint64_t tss = (uint64_t)&cpu->tss;
	uint64_t limit = sizeof(cpu->tss) - 1;

	cpu->gdt[0] = 0;
	cpu->gdt[GDT_KERNEL_CODE / 8] = 0x00af9a000000ffffULL;
	cpu->gdt[GDT_KERNEL_DATA / 8] = 0x00cf92000000ffffULL;
	cpu->gdt[GDT_USER_CODE32 / 8] = 0x00cffa000000ffffULL;
	cpu->gdt[GDT_USER_DATA / 8] = 0x00cff2000000ffffULL;
	cpu->gdt[GDT_USER_CODE64 / 8] = 0x00affa000000ffffULL;
	/* 64-bit TSS descriptor (type 9, present), two slots. */
	cpu->gdt[GDT_TSS / 8] = (limit & 0xffff) | (tss & 0xffffff) << 16 |
				0x89ULL << 40 | ((limit >> 16) & 0xf) << 48 |
				((tss >> 24) & 0xff) << 56;
	cpu->gdt[GDT_TSS / 8 + 1] = tss >> 32;
}

static void gdt_load(struct x86_cpu *cpu)
{
	struct descriptor_pointer pointer = {
		.limit = sizeof(cpu->gdt) - 1,
		.base = (uint64_t)cpu->gdt,
	};

	__asm__ volatile("lgdt %0\n\t"
			 "pushq %1\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\n\t"
			 "mov %2, %%ds\n\t"
			 "mov %2, %%es\n\t"
			 "mov %2, %%ss\n\t"
			 "ltr %w3"
			 :
			 : "m"(pointer), "i"(GDT_KERNEL_CODE),
			   "r"(GDT_KERNEL_DATA), "r"(GDT_TSS)
			 : "rax", "memory");
}

void x86_cpu_init(struct x86_cpu *cpu, unsigned int index, uint32_t apic_id,
		  uintptr_t stack_low, uintptr_t stack_high)
{
	cpu->self = cpu;
	cpu->index = index;
	cpu->apic_id = apic_id;
	cpu->stack_low = stack_low;
	cpu->stack_high = stack_high;
	if (index == 0) {
		for (int i = 0; i < IST_COUNT; i++)
			cpu->ist_low[i + 1] = (uintptr_t)boot_ist_stacks[i];
	}
	memset(&cpu->tss, 0, sizeof(cpu->tss));
	for (int i = 1; i <= IST_COUNT; i++)
		cpu->tss.ist[i - 1] = cpu->ist_low[i] + IST_STACK_SIZE;
	cpu->tss.iomap_base = sizeof(cpu->tss); /* no I/O bitmap */
	gdt_build(cpu);
	gdt_load(cpu);
	x86_wrmsr(MSR_GS_BASE, (uint64_t)cpu);
	x86_wrmsr(MSR_KERNEL_GS_BASE, 0);
	x86_idt_load();
}

/* Write protection in ring 0 and global pages: set on every CPU. */
void x86_cpu_enable_features(void)
{
	x86_write_cr0(x86_read_cr0() | CR0_WP);
	x86_write_cr4(x86_read_cr4() | CR4_PGE);
}

unsigned int hal_cpu_id(void)
{
	unsigned int index;

	__asm__ volatile("movl %%gs:%c1, %0"
			 : "=r"(index)
			 : "i"(offsetof(struct x86_cpu, index)));
	return index;
}

void *hal_cpu_local(void)
{
	return x86_this_cpu()->local;
}

void hal_cpu_local_set(void *area)
{
	x86_this_cpu()->local = area;
}

static uint64_t read_flags(void)
{
	uint64_t flags;

	__asm__ volatile("pushfq; popq %0" : "=r"(flags)::"memory");
	return flags;
}

irq_flags_t hal_irq_save(void)
{
	uint64_t flags = read_flags();

	__asm__ volatile("cli" ::: "memory");
	return flags & RFLAGS_IF;
}

void hal_irq_restore(irq_flags_t flags)
{
	if (flags & RFLAGS_IF)
		__asm__ volatile("sti" ::: "memory");
	else
		__asm__ volatile("cli" ::: "memory");
}

void hal_irq_enable(void)
{
	__asm__ volatile("sti" ::: "memory");
}

void hal_irq_disable(void)
{
	__asm__ volatile("cli" ::: "memory");
}

bool hal_irq_enabled(void)
{
	return read_flags() & RFLAGS_IF;
}

void hal_cpu_spin_yield(void)
{
	/* Every CPU is real here: nothing to give away beyond a pause. */
	__asm__ volatile("pause" ::: "memory");
}

uint64_t hal_cpu_hwcap(void)
{
	uint32_t regs[4];

	x86_cpuid(1, 0, regs);
	return regs[3];
}
