/*
 * Interrupt dispatch and the exception report. One IDT, shared by all CPUs
 * and written once at boot: every vector enters isr.S, which calls
 * x86_trap. The platform consumes its own vectors (timer bookkeeping, TLB
 * shootdown, stop); every other interrupt goes to the core's kinterrupt(),
 * and the LAPIC gets its end-of-interrupt when kinterrupt returns.
 * Anything that arrives while user code runs (ring 3) is handled the same
 * way and then goes back to hal_user_run as a trap (user.c), except NMIs
 * and machine checks, which run on IST stacks. A CPU exception in the
 * kernel is fatal (the fault of a return to user mode aside: user.c):
 * the report (vector, error code, all registers, control registers,
 * symbolized backtrace) goes to the console and the machine stops
 * through panic().
 */
#include "core/hal/cpu.h"

#include "core/lib/backtrace.h"
#include "core/lib/panic.h"
#include "core/lib/printk.h"
#include "x86.h"

struct idt_gate {
	uint16_t offset_low;
	uint16_t selector;
	uint8_t ist;
	uint8_t type;		/* 0x8e: present, ring 0, interrupt gate */
	uint16_t offset_middle;
	uint32_t offset_high;
	uint32_t reserved;
} __packed;
_Static_assert(sizeof(struct idt_gate) == 16, "IDT gate (SDM 3A 6.14.1)");

static struct idt_gate idt[256] __aligned(16);

static const char *const exception_names[32] = {
	[0] = "divide error (#DE)",	[1] = "debug (#DB)",
	[2] = "NMI",			[3] = "breakpoint (#BP)",
	[4] = "overflow (#OF)",		[5] = "bound range (#BR)",
	[6] = "invalid opcode (#UD)",	[7] = "device not available (#NM)",
	[8] = "double fault (#DF)",	[10] = "invalid TSS (#TS)",
	[11] = "segment not present (#NP)", [12] = "stack fault (#SS)",
	[13] = "general protection (#GP)", [14] = "page fault (#PF)",
	[16] = "x87 error (#MF)",	[17] = "alignment check (#AC)",
	[18] = "machine check (#MC)",	[19] = "SIMD error (#XM)",
	[20] = "virtualization (#VE)",	[21] = "control protection (#CP)",
};

static void set_gate(unsigned int vector, uintptr_t handler, unsigned int ist)
{
	idt[vector] = (struct idt_gate){
		.offset_low = (uint16_t)handler,
		.selector = GDT_KERNEL_CODE,
		.ist = (uint8_t)ist,
		.type = 0x8e,
		.offset_middle = (uint16_t)(handler >> 16),
		.offset_high = (uint32_t)(handler >> 32),
	};
}

void x86_idt_init(void)
{
	for (unsigned int vector = 0; vector < 256; vector++)
		set_gate(vector, (uintptr_t)isr_stubs + 16 * vector, 0);
	/* int3 and into are allowed from ring 3 (gate DPL 3), as on Linux. */
	idt[3].type = 0xee;
	idt[4].type = 0xee;
	idt[8].ist = IST_DOUBLE_FAULT;
	idt[2].ist = IST_NMI;
	idt[18].ist = IST_MACHINE_CHECK;
}

void x86_idt_load(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __packed pointer = { sizeof(idt) - 1, (uint64_t)idt };

	__asm__ volatile("lidt %0" ::"m"(pointer));
}

static void print_symbol_line(const char *label, uint64_t address)
{
	char name[96];
	uintptr_t offset;

	if (x86_symbolize(address, name, sizeof(name), &offset) == 0)
		printk_raw("%s: %016llx %s+0x%lx\n", label,
			   (unsigned long long)address, name,
			   (unsigned long)offset);
	else
		printk_raw("%s: %016llx ?\n", label, (unsigned long long)address);
}

static void dump_registers(const struct x86_trap_frame *f)
{
	print_symbol_line("RIP", f->rip);
	printk_raw("CS:  %04llx RSP: %016llx SS: %04llx RFLAGS: %016llx\n",
		   (unsigned long long)f->cs, (unsigned long long)f->rsp,
		   (unsigned long long)f->ss, (unsigned long long)f->rflags);
	printk_raw("RAX: %016llx RBX: %016llx RCX: %016llx\n",
		   (unsigned long long)f->rax, (unsigned long long)f->rbx,
		   (unsigned long long)f->rcx);
	printk_raw("RDX: %016llx RSI: %016llx RDI: %016llx\n",
		   (unsigned long long)f->rdx, (unsigned long long)f->rsi,
		   (unsigned long long)f->rdi);
	printk_raw("RBP: %016llx R8:  %016llx R9:  %016llx\n",
		   (unsigned long long)f->rbp, (unsigned long long)f->r8,
		   (unsigned long long)f->r9);
	printk_raw("R10: %016llx R11: %016llx R12: %016llx\n",
		   (unsigned long long)f->r10, (unsigned long long)f->r11,
		   (unsigned long long)f->r12);
	printk_raw("R13: %016llx R14: %016llx R15: %016llx\n",
		   (unsigned long long)f->r13, (unsigned long long)f->r14,
		   (unsigned long long)f->r15);
	printk_raw("CR0: %016llx CR2: %016llx CR3: %016llx CR4: %016llx\n",
		   (unsigned long long)x86_read_cr0(),
		   (unsigned long long)x86_read_cr2(),
		   (unsigned long long)x86_read_cr3(),
		   (unsigned long long)x86_read_cr4());
}

static const char *exception_name(uint64_t vector)
{
	const char *name = vector < 32 ? exception_names[vector] : NULL;

	return name ? name : "reserved exception";
}

/* A fault while reporting a fault: say the least and stop. */
static __noreturn void nested_exception(const struct x86_trap_frame *f)
{
	printk_raw("\nnested exception %llu at %016llx while reporting one\n",
		   (unsigned long long)f->vector, (unsigned long long)f->rip);
	hal_halt_all();
}

static __noreturn void exception(const struct x86_trap_frame *f)
{
	struct x86_cpu *cpu = x86_this_cpu();

	if (cpu->trap_depth++ > 0)
		nested_exception(f);
	printk_enter_panic();
	printk_raw("\n%s, vector %llu, error code %#llx, CPU %u\n",
		   exception_name(f->vector), (unsigned long long)f->vector,
		   (unsigned long long)f->error_code, hal_cpu_id());
	if (f->vector == 14)
		printk_raw("%s %s access to %016llx (%s)\n",
			   f->error_code & 4 ? "user" : "kernel",
			   f->error_code & 16 ? "exec" :
			   f->error_code & 2 ? "write" : "read",
			   (unsigned long long)x86_read_cr2(),
			   f->error_code & 1 ? "protection violation" :
					       "page not present");
	dump_registers(f);
	panic("fatal exception: %s", exception_name(f->vector));
}

void x86_interrupt(unsigned int vector)
{
	switch (vector) {
	case HAL_VECTOR_SPURIOUS:
		return; /* no EOI for spurious interrupts */
	case HAL_VECTOR_IPI_STOP:
		x86_halt_forever();
	case HAL_VECTOR_IPI_TLB:
		x86_tlb_interrupt();
		x86_lapic_eoi();
		return;
	case HAL_VECTOR_TIMER:
		x86_timer_interrupt(); /* passes it on when it is due */
		return;
	default:
		kinterrupt(vector);
		x86_lapic_eoi();
		return;
	}
}

/* Vectors delivered on IST stacks: never taken back to hal_user_run. */
static bool is_ist_vector(unsigned int vector)
{
	return vector == 2 || vector == 8 || vector == 18;
}

void x86_trap(struct x86_trap_frame *frame)
{
	unsigned int vector = (unsigned int)frame->vector;

	if (vector == 2 && x86_is_stopping())
		x86_halt_forever(); /* another CPU panicked: stop here */
	if ((frame->cs & 3) && !is_ist_vector(vector))
		x86_user_trap(frame);
	if (vector < 32 && !is_ist_vector(vector) &&
	    x86_is_user_return_fault(frame))
		x86_user_trap(frame);
	if (vector < 32) {
		exception(frame);
		return;
	}
	x86_interrupt(vector);
}
