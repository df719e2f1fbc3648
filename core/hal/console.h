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
 * standard input). Any context that may take a spinlock. FIXME (tty
 * issue): input by interrupt, into the line discipline.
 */
ssize_t hal_console_read(char *bytes, size_t length);
