/*
 * HAL: the early and panic console. Raw byte output that works from the
 * first instruction of kmain() to the last of a panic: no allocation, no
 * sleeping, usable with interrupts disabled. printk() sits on top of it.
 */
#pragma once

#include "core/lib/types.h"

/*
 * Writes `length` bytes verbatim (no newline translation). Returns when
 * the bytes have left the kernel (host stdout, or the serial FIFO). Any
 * context; callers serialise whole lines themselves.
 */
void hal_console_write(const char *bytes, size_t length);

/*
 * Console input, polled: copies what has arrived (at most `length`
 * bytes) without waiting. Returns the count, 0 when nothing is there
 * yet, or -1 once input has ended for good (hosted: the host closed
 * standard input). Any context that may take a spinlock. The console
 * tty (core/tty/tty_console.c) polls it from a kernel thread. FIXME:
 * input by interrupt (the UART's receive interrupt on x86_64).
 */
ssize_t hal_console_read(char *bytes, size_t length);

/*
 * The console's input is about to be used by the console tty, which does
 * all line editing and echo itself: hosted puts the host terminal (when
 * standard input is one) in raw mode, without signal characters, and
 * restores it on every way out (exit, a fatal signal, abort). Idempotent.
 */
void hal_console_input_start(void);

/*
 * The console's window size, when the console knows it (hosted: the host
 * terminal's). Returns false for a serial line, which has no size.
 */
bool hal_console_size(uint16_t *rows, uint16_t *cols);
