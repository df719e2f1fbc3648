/*
 * Internal interface of the x86_64 platform: per-CPU state, the trap frame,
 * privileged-instruction helpers, and the functions its files share.
 * Nothing outside platform/x86_64 includes this.
 */
#pragma once

#include "core/hal/boot.h"
#include "core/hal/cpu.h"
#include "core/lib/compiler.h"
#include "core/lib/types.h"
#include "acpi.h"
#include "layout.h"

/* Interrupt stack table slots (TSS.IST1..3). */
enum x86_ist {
	IST_DOUBLE_FAULT = 1,
	IST_NMI = 2,
	IST_MACHINE_CHECK = 3,
	IST_COUNT = 3,
};

#define IST_STACK_SIZE 0x2000
#define AP_STACK_SIZE 0x8000

struct x86_tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __packed;
_Static_assert(sizeof(struct x86_tss) == 104, "TSS layout (SDM 3A 8.7)");

/*
 * One per CPU, found through GS base (self pointer at offset 0). Written by
 * its own CPU after start-up, except `started`, which the boot CPU polls.
 */
struct x86_cpu {
	struct x86_cpu *self;		/* %gs:0 */
	unsigned int index;		/* dense CPU number, %gs:8 */
	uint32_t apic_id;
	void *local;			/* hal_cpu_local */
	uintptr_t stack_low, stack_high;	/* boot stack of this CPU */
	uintptr_t context_low, context_high;	/* current kernel thread's stack */
	uintptr_t ist_low[IST_COUNT + 1];
	uint64_t timer_deadline;	/* hal_timer_arm's deadline, 0: none */
	uint64_t idle_deadline;	/* hal_idle_until's wake-up, 0: none */
	unsigned int trap_depth;	/* nested exceptions being reported */
	volatile bool started;
	uint64_t gdt[GDT_ENTRIES] __aligned(16);
	struct x86_tss tss __aligned(16);
};

extern struct x86_cpu x86_cpus[HAL_MAX_CPUS];

/* The frame isr.S builds: pushed registers, vector, error code, CPU frame. */
struct x86_trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error_code;
	uint64_t rip, cs, rflags, rsp, ss;
};

/* --- privileged instructions ------------------------------------------ */

#define MSR_APIC_BASE 0x1b
#define MSR_EFER 0xc0000080
#define MSR_GS_BASE 0xc0000101
#define MSR_KERNEL_GS_BASE 0xc0000102

#define CR0_WP (1UL << 16)
#define CR4_PGE (1UL << 7)
#define RFLAGS_IF (1UL << 9)

static inline uint64_t x86_rdmsr(uint32_t msr)
{
	uint32_t low, high;

	__asm__ volatile("rdmsr" : "=a"(low), "=d"(high) : "c"(msr));
	return ((uint64_t)high << 32) | low;
}

static inline void x86_wrmsr(uint32_t msr, uint64_t value)
{
	__asm__ volatile("wrmsr" ::"c"(msr), "a"((uint32_t)value),
			 "d"((uint32_t)(value >> 32)));
}

static inline uint64_t x86_rdtsc(void)
{
	uint32_t low, high;

	__asm__ volatile("rdtsc" : "=a"(low), "=d"(high));
	return ((uint64_t)high << 32) | low;
}

static inline void x86_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t out[4])
{
	__asm__ volatile("cpuid"
			 : "=a"(out[0]), "=b"(out[1]), "=c"(out[2]), "=d"(out[3])
			 : "a"(leaf), "c"(subleaf));
}

#define X86_READ_CR(n)                                                      \
	static inline uint64_t x86_read_cr##n(void)                        \
	{                                                                   \
		uint64_t value;                                             \
		__asm__ volatile("mov %%cr" #n ", %0" : "=r"(value));       \
		return value;                                               \
	}
X86_READ_CR(0)
X86_READ_CR(2)
X86_READ_CR(3)
X86_READ_CR(4)

static inline void x86_write_cr0(uint64_t value)
{
	__asm__ volatile("mov %0, %%cr0" ::"r"(value) : "memory");
}

static inline void x86_write_cr3(uint64_t value)
{
	__asm__ volatile("mov %0, %%cr3" ::"r"(value) : "memory");
}

static inline void x86_write_cr4(uint64_t value)
{
	__asm__ volatile("mov %0, %%cr4" ::"r"(value) : "memory");
}

static inline void x86_invlpg(uintptr_t va)
{
	__asm__ volatile("invlpg (%0)" ::"r"(va) : "memory");
}

static inline __noreturn void x86_halt_forever(void)
{
	for (;;)
		__asm__ volatile("cli; hlt");
}

static inline struct x86_cpu *x86_this_cpu(void)
{
	struct x86_cpu *cpu;

	__asm__ volatile("mov %%gs:0, %0" : "=r"(cpu));
	return cpu;
}

/* --- shared between the platform's files ------------------------------ */

/* entry.c: called by boot.S on the boot stack. */
__noreturn void x86_boot_main(uint32_t protocol, uint32_t info);

/* boot.S / trampoline.S / isr.S */
extern char boot_pml4[], boot_pdpt_low[], boot_pd[];
extern char boot_stack_bottom[], boot_stack_top[];
extern char trampoline_start[], trampoline_end[];
extern char trampoline_stack[], trampoline_entry[], trampoline_cr3[],
	trampoline_cpu[];
extern char isr_stubs[];

/* linker.ld */
extern char __kernel_start[], __text_end[], __rodata_end[], __data_end[],
	__kernel_end[];

/* console.c: the COM1 16550; early, before anything else. */
void x86_console_init(void);

/* cpu.c: GDT, TSS with IST stacks, IDT and GS base for CPU `index`. */
void x86_cpu_init(struct x86_cpu *cpu, unsigned int index, uint32_t apic_id,
		  uintptr_t stack_low, uintptr_t stack_high);
void x86_cpu_enable_features(void);

/* bootinfo.c: fills boot_info from the loader's data. */
void x86_boot_info_parse(struct boot_info *boot_info, uint32_t protocol,
			 paddr_t info);

/* mm.c */
void x86_mm_early_map(struct boot_info *boot_info);
int x86_mm_init(const struct boot_info *boot_info);
paddr_t x86_kernel_root(void);
void x86_tlb_interrupt(void);
void x86_tlb_flush_local(uintptr_t va, size_t length);

/* acpi.c: see acpi.h */

/* apic.c */
void x86_lapic_init(void);
void x86_lapic_eoi(void);
uint32_t x86_lapic_id(void);
void x86_lapic_send_ipi(uint32_t apic_id, uint32_t command);
void x86_lapic_timer_oneshot(uint32_t count);
uint32_t x86_lapic_timer_current(void);
void x86_lapic_timer_stop(void);
int x86_interrupt_controllers_init(void);

/* time.c */
int x86_time_init(void);
void x86_time_init_ap(void);
void x86_timer_interrupt(void);
void x86_delay_us(uint64_t microseconds);
uint64_t x86_tsc_to_ns(uint64_t ticks);

/* smp.c */
__noreturn void x86_ap_main(unsigned int index);
uint64_t x86_started_mask(void);
void x86_smp_boot_cpu_started(void);

/* trap.c */
void x86_trap(struct x86_trap_frame *frame);
void x86_idt_load(void);
void x86_idt_init(void);

/* power.c */
__noreturn void x86_reset(void);
bool x86_is_stopping(void);

/* symbols.c */
int x86_symbolize(uintptr_t address, char *name, size_t size,
		  uintptr_t *offset);
