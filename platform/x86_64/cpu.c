/*
 * Per-CPU processor state: each CPU has its own GDT (with its own TSS
 * descriptor) and TSS whose IST slots give double faults, NMIs and machine
 * checks known-good stacks, and whose rsp0 hal_user_run points at the
 * running thread's kernel stack; all share one IDT (trap.c). GS base
 * points at the CPU's struct x86_cpu while in the kernel (KERNEL_GS_BASE
 * holds the user's GS base meanwhile; the entry code swaps them). The
 * SYSCALL MSRs send `syscall` to user.S. x86_cpus[i] is written by CPU i
 * while it starts and read by others only through `started`, `apic_id`
 * and `as`.
 */
#include "core/hal/cpu.h"

#include "core/lib/printk.h"
#include "core/lib/string.h"
#include "x86.h"

struct x86_cpu x86_cpus[HAL_MAX_CPUS];
bool x86_smap_enabled;
uint32_t x86_mxcsr_mask = 0xffbf;	/* the default when FXSAVE gives 0 */

/*
 * RFLAGS bits SYSCALL clears (Linux's set): the kernel starts with
 * interrupts off, DF clear (the ABI), AC clear (SMAP in force), no
 * single-step, nested-task or resume flag, and IOPL 0.
 */
#define SYSCALL_RFLAGS_MASK                                                  \
	(RFLAGS_CF | RFLAGS_PF | RFLAGS_AF | RFLAGS_ZF | RFLAGS_SF |         \
	 RFLAGS_TF | RFLAGS_IF | RFLAGS_DF | RFLAGS_OF | RFLAGS_IOPL |       \
	 RFLAGS_NT | RFLAGS_RF | RFLAGS_AC | RFLAGS_ID)

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

	memset(cpu->gdt, 0, sizeof(cpu->gdt));
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
			 "mov %2, %%ss\n\t"
			 "mov %3, %%ds\n\t"
			 "mov %3, %%es\n\t"
			 "ltr %w4"
			 :
			 : "m"(pointer), "i"(GDT_KERNEL_CODE),
			   "r"(GDT_KERNEL_DATA), "r"(0), "r"(GDT_TSS)
			 : "rax", "memory");
}

/*
 * SYSCALL from 64-bit user code enters x86_syscall_entry on CS
 * GDT_KERNEL_CODE with SYSCALL_RFLAGS_MASK cleared; SYSRETQ returns to
 * USER_CS/USER_SS. SYSCALL from 32-bit code goes to an entry that reports
 * #UD (what Intel CPUs raise there: no 32-bit ABI). SYSENTER stays off
 * (SYSENTER_CS 0: #GP).
 */
static void syscall_init(void)
{
	x86_wrmsr(MSR_STAR, (uint64_t)GDT_KERNEL_CODE << 32 |
				    (uint64_t)USER_CS32 << 48);
	x86_wrmsr(MSR_LSTAR, (uint64_t)(uintptr_t)x86_syscall_entry);
	x86_wrmsr(MSR_CSTAR, (uint64_t)(uintptr_t)x86_syscall_entry_compat);
	x86_wrmsr(MSR_SFMASK, SYSCALL_RFLAGS_MASK);
	x86_wrmsr(MSR_SYSENTER_CS, 0);
	x86_wrmsr(MSR_EFER, x86_rdmsr(MSR_EFER) | EFER_SCE);
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
	syscall_init();
}

/*
 * Ring 3 on every CPU: all the registers FXSAVE covers are restored for
 * each thread, so SSE is on for user code (the kernel, built
 * -mgeneral-regs-only, never touches it); x87 errors are reported as #MF
 * (CR0.NE), never through the legacy IRQ 13. CR4.OSXSAVE stays off, so
 * CPUID tells user code that AVX state is not saved and it keeps to SSE;
 * CR4.FSGSBASE stays off, so user code cannot change its FS/GS base behind
 * the kernel (isr.S relies on a user GS base never being the kernel's).
 */
static void user_features_enable(void)
{
	uint64_t cr0 = x86_read_cr0();

	cr0 &= ~(CR0_EM | CR0_TS);
	x86_write_cr0(cr0 | CR0_MP | CR0_NE);
	x86_write_cr4(x86_read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);
}

/* CPUID.(7,0):EBX bits 7 (SMEP) and 20 (SMAP), where leaf 7 exists. */
static uint32_t structured_features(void)
{
	uint32_t cpuid[4];

	x86_cpuid(0, 0, cpuid);
	if (cpuid[0] < 7)
		return 0;
	x86_cpuid(7, 0, cpuid);
	return cpuid[1];
}

/* The MXCSR bits this CPU accepts (FXSAVE's MXCSR_MASK; 0 means 0xffbf). */
static void mxcsr_mask_probe(void)
{
	static uint8_t image[512] __aligned(16);
	uint32_t mask;

	memset(image, 0, sizeof(image));
	__asm__ volatile("fxsaveq %0" : "=m"(image));
	memcpy(&mask, image + 28, sizeof(mask));
	if (mask != 0)
		x86_mxcsr_mask = mask;
}

/*
 * Write protection in ring 0, global pages, SSE for user code, and SMEP and
 * SMAP where the CPU has them (the kernel then neither runs nor touches
 * user pages: it reaches user memory through the direct map, see
 * core/mm/uaccess.c): set on every CPU, after the kernel page tables are
 * loaded (boot CPU) or before anything runs (APs).
 */
void x86_cpu_enable_features(void)
{
	uint32_t features = structured_features();
	uint64_t cr4;

	x86_write_cr0(x86_read_cr0() | CR0_WP);
	cr4 = x86_read_cr4() | CR4_PGE;
	if (features & (1u << 7))
		cr4 |= CR4_SMEP;
	if (features & (1u << 20))
		cr4 |= CR4_SMAP;
	x86_write_cr4(cr4);
	user_features_enable();
	if (hal_cpu_id() == 0) {
		x86_smap_enabled = cr4 & CR4_SMAP;
		mxcsr_mask_probe();
		pr_info("cpu: SMEP %s, SMAP %s, NX on", cr4 & CR4_SMEP ? "on" : "off",
			cr4 & CR4_SMAP ? "on" : "off");
	}
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
