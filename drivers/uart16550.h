/*
 * The 16550 UART (PC serial port), polled. Written only against
 * core/hal/io.h port I/O, so the same driver runs on x86_64 and against
 * the hosted platform's device model. The caller serialises access to one
 * UART (the console path holds the printk lock; panics bypass it).
 */
#pragma once

#include "core/lib/types.h"

#define UART16550_COM1 0x3f8
#define UART16550_CLOCK 115200	/* divisor-1 baud rate */

struct uart16550 {
	uint16_t port;		/* base I/O port */
	bool present;		/* the chip answered the scratch test */
};

/*
 * Probes and programs the UART at `port` for `baud` 8N1 with FIFOs on and
 * interrupts off. Returns 0, -ENODEV when no UART answers (writes are then
 * dropped), -EINVAL for a baud rate the clock cannot divide to.
 */
int uart16550_init(struct uart16550 *uart, uint16_t port, uint32_t baud);

/* Writes bytes verbatim, waiting for room in the transmitter. Any context. */
void uart16550_write(struct uart16550 *uart, const char *bytes, size_t length);

/* Returns the next received byte, or -EAGAIN when none is waiting. */
int uart16550_read(struct uart16550 *uart);
