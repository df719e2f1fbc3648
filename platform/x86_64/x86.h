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

struct address_space;
struct trap;
struct user_regs;

/*
 * One per CPU, found through GS base (self pointer at offset 0). Written by
 * its own CPU after start-up, except `started`, which the boot CPU polls,
 * and `as`, which hal_as_release's shootdown reads. The fields up to the
 * TSS sit at the offsets layout.h gives the entry code (CPU_*).
 */
struct x86_cpu {
	struct x86_cpu *self;		/* %gs:0 */
	unsigned int index;		/* dense CPU number, %gs:8 */
	uint32_t apic_id;
	void *local;			/* hal_cpu_local */
	/* While user code runs on this CPU (user.c, user.S): */
	uintptr_t user_kernel_rsp;	/* hal_user_run's callee-saved frame */
	uintptr_t user_scratch;		/* the user rsp during syscall entry */
	struct user_regs *user_regs;	/* where a trap saves the registers */
	struct trap *user_trap;		/* what a trap fills */
	struct address_space *as;	/* loaded in CR3; NULL: the kernel's */
	struct x86_tss tss __aligned(16);
	uintptr_t stack_low, stack_high;	/* boot stack of this CPU */
	uintptr_t context_low, context_high;	/* current kernel thread's stack */
	uintptr_t ist_low[IST_COUNT + 1];
	uint64_t timer_deadline;	/* hal_timer_arm's deadline, 0: none */
	uint64_t idle_deadline;	/* hal_idle_until's wake-up, 0: none */
	unsigned int trap_depth;	/* nested exceptions being reported */
	volatile bool started;
	uint64_t gdt[GDT_ENTRIES] __aligned(16);
	/*
	 * The user context whose state the FPU registers hold (user.c), and
	 * whether they are newer than its ctx->fpu (saved at the next switch
	 * to another thread). Interrupts off while touched.
	 */
	struct user_ctx *fpu_owner;
	bool fpu_dirty;
	/*
	 * The FS base and (in KERNEL_GS_BASE) GS base the last user run on
	 * this CPU loaded, if known: a user-loaded selector unknows them.
	 */
	uint64_t user_fs_base, user_gs_base;
	bool user_bases_known;
};
_Static_assert(offsetof(struct x86_cpu, user_kernel_rsp) == CPU_USER_KERNEL_RSP,
	       "layout.h CPU_USER_KERNEL_RSP");
_Static_assert(offsetof(struct x86_cpu, user_scratch) == CPU_USER_SCRATCH,
	       "layout.h CPU_USER_SCRATCH");
_Static_assert(offsetof(struct x86_cpu, user_regs) == CPU_USER_REGS,
	       "layout.h CPU_USER_REGS");
_Static_assert(offsetof(struct x86_cpu, tss) + 4 == CPU_TSS_RSP0,
	       "layout.h CPU_TSS_RSP0");

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
#define MSR_SYSENTER_CS 0x174
#define MSR_EFER 0xc0000080
#define MSR_STAR 0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_CSTAR 0xc0000083
#define MSR_SFMASK 0xc0000084
#define MSR_FS_BASE 0xc0000100
#define MSR_GS_BASE 0xc0000101
#define MSR_KERNEL_GS_BASE 0xc0000102

#define EFER_SCE (1UL << 0)

#define CR0_MP (1UL << 1)
#define CR0_EM (1UL << 2)
#define CR0_TS (1UL << 3)
#define CR0_NE (1UL << 5)
#define CR0_WP (1UL << 16)
#define CR4_PGE (1UL << 7)
#define CR4_OSFXSR (1UL << 9)
#define CR4_OSXMMEXCPT (1UL << 10)
#define CR4_SMEP (1UL << 20)
#define CR4_SMAP (1UL << 21)

#define RFLAGS_CF (1UL << 0)
#define RFLAGS_FIXED (1UL << 1)	/* always 1 */
#define RFLAGS_PF (1UL << 2)
#define RFLAGS_AF (1UL << 4)
#define RFLAGS_ZF (1UL << 6)
#define RFLAGS_SF (1UL << 7)
#define RFLAGS_TF (1UL << 8)
#define RFLAGS_IF (1UL << 9)
#define RFLAGS_DF (1UL << 10)
#define RFLAGS_OF (1UL << 11)
#define RFLAGS_IOPL (3UL << 12)
#define RFLAGS_NT (1UL << 14)
#define RFLAGS_RF (1UL << 16)
#define RFLAGS_AC (1UL << 18)
#define RFLAGS_ID (1UL << 21)

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

/*
 * cpu.c: GDT, TSS with IST stacks, IDT, GS base and the SYSCALL MSRs for
 * CPU `index`; then, once the kernel page tables are loaded, the control
 * register features (write protection, global pages, SSE, SMEP, SMAP).
 */
void x86_cpu_init(struct x86_cpu *cpu, unsigned int index, uint32_t apic_id,
		  uintptr_t stack_low, uintptr_t stack_high);
void x86_cpu_enable_features(void);
/* Set by the boot CPU before any user code runs; read by isr.S. */
extern bool x86_smap_enabled;
extern uint32_t x86_mxcsr_mask;	/* MXCSR bits FXRSTOR accepts */

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
/* The platform's and the core's handling of interrupt `vector` (>= 32). */
void x86_interrupt(unsigned int vector);
void x86_idt_load(void);
void x86_idt_init(void);

/*
 * user.c / user.S: ring 3. x86_user_trap takes a trap frame from user
 * mode (or a fault at the return instruction) back to hal_user_run;
 * x86_user_enter/x86_user_return are the two halves of the switch.
 */
__noreturn void x86_user_trap(struct x86_trap_frame *frame);
bool x86_is_user_return_fault(const struct x86_trap_frame *frame);
/* Saves a user context's FPU registers before the CPU switches threads. */
void x86_fpu_switch_out(struct x86_cpu *cpu);
int x86_user_enter(struct user_regs *regs, bool sysret);
__noreturn void x86_user_return(int kind);
void x86_syscall_entry(void);
void x86_syscall_entry_compat(void);
extern char x86_user_sysret[], x86_user_iret[];	/* the return instructions */

/* power.c */
__noreturn void x86_reset(void);
bool x86_is_stopping(void);

/* symbols.c */
int x86_symbolize(uintptr_t address, char *name, size_t size,
		  uintptr_t *offset);
