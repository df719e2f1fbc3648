/*
 * Interrupt dispatch: the core's side of kinterrupt() (core/hal/cpu.h).
 * Subsystems register one handler per vector at boot; the platform calls
 * kinterrupt(vector) with interrupts disabled and kinterrupt runs the
 * handler. Handlers run in interrupt context: they must not sleep.
 */
#pragma once

#include "core/lib/types.h"

typedef void irq_handler_fn(unsigned int vector, void *arg);

/*
 * Installs `handler` for `vector`. Returns 0, -EINVAL for a vector outside
 * 0..255, -EBUSY if the vector already has a handler. Boot or process
 * context; the table is read without locks, so handlers are installed
 * before the vector can fire.
 */
int irq_register(unsigned int vector, irq_handler_fn *handler, void *arg);

/* Removes the handler of `vector` (devices going away). */
void irq_unregister(unsigned int vector);

/* Interrupts taken by this CPU with no handler installed (for tests, /proc). */
uint64_t irq_spurious_count(void);

/* Whether the calling CPU is running an interrupt handler now. */
bool irq_in_interrupt(void);
