/*
 * Fatal errors and assertions. panic() is for broken kernel invariants and
 * boot failure only (STYLE.md rule 15): anything user space, a device or a
 * disk image can cause must return an error instead.
 */
#pragma once

#include "core/lib/compiler.h"
#include "core/lib/config.h"
#include "core/lib/types.h"

/*
 * Prints the message, the calling CPU, and a symbolized backtrace on the
 * console, then stops every CPU (hal_halt_all). Any context.
 */
__noreturn void panic(const char *fmt, ...) __printf(1, 2);

/*
 * Reports a survivable kernel bug with a backtrace and continues.
 * Use through WARN_ON / WARN_ONCE.
 */
void warn_report(const char *file, int line, const char *fmt, ...)
	__printf(3, 4);

/* Number of warnings reported since boot (tests assert on it). */
unsigned long warn_count(void);

/* Checked only in debug builds (CONFIG_DEBUG); the condition always compiles. */
#define ASSERT(cond)                                                        \
	do {                                                                \
		if (CONFIG_DEBUG && unlikely(!(cond)))                      \
			panic("assertion failed: %s (%s:%d)", #cond,        \
			      __FILE__, __LINE__);                          \
	} while (0)

/* Checked in every build: for invariants whose violation corrupts memory. */
#define BUG_ON(cond)                                                        \
	do {                                                                \
		if (unlikely(cond))                                         \
			panic("BUG: %s (%s:%d)", #cond, __FILE__, __LINE__);\
	} while (0)

#define WARN_ON(cond)                                                       \
	({                                                                  \
		bool warn_on_cond_ = !!(cond);                              \
		if (unlikely(warn_on_cond_))                                \
			warn_report(__FILE__, __LINE__, "%s", #cond);       \
		warn_on_cond_;                                              \
	})

#define WARN_ONCE(cond, ...)                                                \
	({                                                                  \
		static bool warn_once_done_;                                \
		bool warn_once_cond_ = !!(cond);                            \
		if (unlikely(warn_once_cond_) && !warn_once_done_) {        \
			warn_once_done_ = true;                             \
			warn_report(__FILE__, __LINE__, __VA_ARGS__);       \
		}                                                           \
		warn_once_cond_;                                            \
	})
