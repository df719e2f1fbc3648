/*
 * HAL: the processor. Identity, interrupt masking, idling, inter-processor
 * interrupts, kernel-thread context switching and power-off.
 *
 * "Interrupts" are the platform's: real ones on x86_64, the per-CPU pending
 * set of the simulated interrupt controller in the hosted build. Either
 * way the core sees the same contract.
 */
#pragma once

#include "core/lib/compiler.h"
#include "core/lib/types.h"

#define HAL_MAX_CPUS 64

/* Interrupt vectors the core relies on (x86 IDT numbering on both platforms). */
enum hal_vector {
	HAL_VECTOR_DEVICE_FIRST = 0x30,	/* device IRQs: 0x30..0xdf */
	HAL_VECTOR_DEVICE_LAST = 0xdf,
	HAL_VECTOR_TIMER = 0xf0,	/* the per-CPU one-shot timer */
	HAL_VECTOR_IPI_RESCHEDULE = 0xf1,
	HAL_VECTOR_IPI_CALL = 0xf2,	/* run queued cross-CPU calls */
	HAL_VECTOR_IPI_TLB = 0xf3,	/* TLB shootdown */
	HAL_VECTOR_IPI_STOP = 0xf4,	/* halt for panic or power-off */
	HAL_VECTOR_SPURIOUS = 0xff,
};

/* Saved interrupt state, opaque to the core. */
typedef unsigned long irq_flags_t;

/* Dense index of the calling CPU, 0..count-1. Any context. */
unsigned int hal_cpu_id(void);

/* Per-CPU pointer slot for the core's per-CPU area. Any context. */
void *hal_cpu_local(void);
void hal_cpu_local_set(void *area);

/* Disables interrupts on this CPU; returns the previous state. Any context. */
irq_flags_t hal_irq_save(void);

/*
 * Restores a state returned by hal_irq_save. Interrupts that became pending
 * while disabled are delivered here when the state enables them.
 */
void hal_irq_restore(irq_flags_t flags);

void hal_irq_enable(void);
void hal_irq_disable(void);
bool hal_irq_enabled(void);

/*
 * Sleeps the calling CPU until an interrupt arrives or the monotonic clock
 * reaches deadline_ns (0: no deadline). Called with interrupts disabled;
 * returns with them disabled, after pending interrupts were delivered.
 */
void hal_idle_until(uint64_t deadline_ns);

/*
 * Called by a CPU that has spun for a while waiting on another CPU (a lock
 * holder, a cross-CPU call). Where simulated CPUs share fewer real ones
 * (hosted: host threads), it gives the real CPU away so the CPU being
 * waited for can run, as paravirtual spinlocks do; on bare metal it is a
 * pause. Any context.
 */
void hal_cpu_spin_yield(void);

/*
 * The hardware capabilities user space sees in AT_HWCAP: CPUID leaf 1's
 * EDX of the CPU user programs run on, as Linux x86_64 reports them
 * (both platforms run on x86_64 hardware). The same on every CPU. Any
 * context.
 */
uint64_t hal_cpu_hwcap(void);

/* Raises `vector` on `cpu` (which may be the caller). Any context. */
void hal_ipi(unsigned int cpu, unsigned int vector);

/*
 * Handler the core provides: the platform calls it for every interrupt
 * vector with interrupts disabled, on the interrupted CPU.
 */
void kinterrupt(unsigned int vector);

/*
 * Starts secondary CPU `cpu` (1..boot_info->cpu_count-1): the platform runs
 * kmain_ap(cpu) on it. Returns 0 once the CPU is started, -EINVAL for a CPU
 * the machine does not have, -EBUSY if it already runs, -EIO if it did not
 * respond. Boot CPU only. May sleep.
 */
int hal_cpu_start(unsigned int cpu);

/*
 * Kernel-thread context. The switch itself is the same assembly routine on
 * both platforms (core/arch/x86_64/context_switch.S); the platform wraps it
 * to tell its debugging tools about the stack change (sanitizer fibers,
 * Valgrind stacks), which is what the extra fields are for.
 */
struct hal_context {
	uintptr_t stack_pointer;	/* saved while switched out */
	void *stack_base;		/* lowest address of the stack */
	size_t stack_size;
	void *platform[4];		/* the platform's per-context state */
};

/*
 * Prepares `context` so that the first hal_context_switch to it calls
 * entry(arg) on the stack [stack_base, stack_base + stack_size). `entry`
 * must not return.
 */
void hal_context_init(struct hal_context *context, void *stack_base,
		      size_t stack_size, void (*entry)(void *), void *arg);

/*
 * Describes a context that is already running (a CPU's boot stack) so it
 * can be switched away from and back to. `stack_base`/`stack_size` may be
 * NULL/0 when unknown.
 */
void hal_context_init_current(struct hal_context *context, void *stack_base,
			      size_t stack_size);

/* Releases what hal_context_init set up; the context must not be running. */
void hal_context_destroy(struct hal_context *context);

/*
 * Saves the callee-saved state of the current thread into `from` and
 * resumes `to`. Interrupts disabled; returns when something switches back,
 * possibly on another CPU.
 */
void hal_context_switch(struct hal_context *from, struct hal_context *to);

/*
 * Makes the page at `page` (page-aligned, in the direct map) inaccessible
 * (guarded) or accessible again, so a kernel stack overflow faults instead
 * of corrupting memory. Returns 0 or -errno. May sleep.
 */
int hal_guard_page(void *page, bool guarded);

/*
 * Ends the machine with `status`: the hosted process exits with it; on
 * x86_64, QEMU's isa-debug-exit receives it, else ACPI S5. Any context.
 */
__noreturn void hal_poweroff(int status);

/*
 * Stops every CPU for good after a panic, leaving the state for a debugger
 * (hosted: abort(), so gdb and core dumps see it). Any context.
 */
__noreturn void hal_halt_all(void);
