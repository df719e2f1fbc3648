/*
 * Kernel log. Every message is time-stamped, kept in an in-memory ring (for
 * dmesg and /dev/kmsg later) and written to the console when its level is
 * at or above the console threshold (`loglevel=` and `quiet` on the
 * command line, as Linux).
 */
#pragma once

#include <stdarg.h>

#include "core/lib/compiler.h"
#include "core/lib/types.h"

enum log_level {
	LOG_EMERG = 0,
	LOG_ALERT = 1,
	LOG_CRIT = 2,
	LOG_ERR = 3,
	LOG_WARNING = 4,
	LOG_NOTICE = 5,
	LOG_INFO = 6,
	LOG_DEBUG = 7,
};

/*
 * Logs one message. A message is normally one line; the trailing newline
 * is optional. Returns the number of characters logged. Any context; never
 * sleeps, never allocates.
 */
int printk(enum log_level level, const char *fmt, ...) __printf(2, 3);
int vprintk(enum log_level level, const char *fmt, va_list args);

#define pr_emerg(...) printk(LOG_EMERG, __VA_ARGS__)
#define pr_crit(...) printk(LOG_CRIT, __VA_ARGS__)
#define pr_err(...) printk(LOG_ERR, __VA_ARGS__)
#define pr_warn(...) printk(LOG_WARNING, __VA_ARGS__)
#define pr_notice(...) printk(LOG_NOTICE, __VA_ARGS__)
#define pr_info(...) printk(LOG_INFO, __VA_ARGS__)
#define pr_debug(...) printk(LOG_DEBUG, __VA_ARGS__)

/* Messages with level < threshold reach the console (Linux semantics). */
void printk_set_console_level(int threshold);
int printk_console_level(void);

/*
 * Writes raw text to the console without a timestamp or level, under the
 * console lock (for multi-line dumps such as a backtrace). Any context.
 */
void printk_raw(const char *fmt, ...) __printf(1, 2);

/*
 * Copies up to `size` bytes of the newest log text into buf (oldest first,
 * NUL-terminated). Returns the number of bytes stored excluding the NUL.
 */
size_t printk_log_read(char *buf, size_t size);

/*
 * Reconfigures printk for a panic: the console lock is broken (the panicking
 * CPU may interrupt a holder) and every level reaches the console.
 */
void printk_enter_panic(void);
