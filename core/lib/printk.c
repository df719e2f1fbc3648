/*
 * printk: formats each message on the caller's stack, then, under
 * log_lock, appends it to the log ring and writes it to the console.
 *
 * log_lock (irqsave) protects log_ring, log_head, log_length and the
 * console output order. During a panic the lock is bypassed.
 */
#include "core/lib/printk.h"

#include "core/hal/console.h"
#include "core/hal/time.h"
#include "core/lib/format.h"
#include "core/lib/string.h"
#include "core/sync/spinlock.h"

#define LOG_RING_SIZE (64 * 1024)
#define LINE_MAX 512

static struct spinlock log_lock = SPINLOCK_INIT("printk", LOCK_RANK_PRINTK);
/* Protected by log_lock: */
static char log_ring[LOG_RING_SIZE];
static size_t log_head;		/* next write position */
static size_t log_length;	/* valid bytes, <= LOG_RING_SIZE */

static int console_level = LOG_DEBUG; /* Linux's default console loglevel 7 */
static bool in_panic;

void printk_set_console_level(int threshold)
{
	if (threshold < 1)
		threshold = 1;
	if (threshold > LOG_DEBUG + 1)
		threshold = LOG_DEBUG + 1;
	WRITE_ONCE(console_level, threshold);
}

int printk_console_level(void)
{
	return READ_ONCE(console_level);
}

void printk_enter_panic(void)
{
	WRITE_ONCE(in_panic, true);
	WRITE_ONCE(console_level, LOG_DEBUG + 1);
}

static void ring_append(const char *text, size_t length)
{
	for (size_t i = 0; i < length; i++) {
		log_ring[log_head] = text[i];
		log_head = (log_head + 1) % LOG_RING_SIZE;
	}
	log_length = MIN(log_length + length, (size_t)LOG_RING_SIZE);
}

/* Appends to the ring and, if `to_console`, writes out, as one unit. */
static void emit(const char *text, size_t length, bool to_console)
{
	bool panicking = READ_ONCE(in_panic);
	irq_flags_t flags = 0;

	if (!panicking)
		flags = spin_lock_irqsave(&log_lock);
	ring_append(text, length);
	if (to_console)
		hal_console_write(text, length);
	if (!panicking)
		spin_unlock_irqrestore(&log_lock, flags);
}

static size_t format_prefix(char *line, size_t size)
{
	uint64_t now = hal_clock_ns();

	return (size_t)kscnprintf(line, size, "[%5llu.%06llu] ",
				  (unsigned long long)(now / 1000000000ULL),
				  (unsigned long long)(now / 1000ULL % 1000000ULL));
}

int vprintk(enum log_level level, const char *fmt, va_list args)
{
	char line[LINE_MAX];
	size_t length = format_prefix(line, sizeof(line));

	length += (size_t)kvscnprintf(line + length, sizeof(line) - length,
				      fmt, args);
	if (length == 0 || line[length - 1] != '\n') {
		if (length == sizeof(line) - 1)
			length--;
		line[length++] = '\n';
		line[length] = '\0';
	}
	emit(line, length, (int)level < printk_console_level());
	return (int)length;
}

int printk(enum log_level level, const char *fmt, ...)
{
	va_list args;
	int n;

	va_start(args, fmt);
	n = vprintk(level, fmt, args);
	va_end(args);
	return n;
}

void printk_raw(const char *fmt, ...)
{
	char line[LINE_MAX];
	va_list args;
	int n;

	va_start(args, fmt);
	n = kvscnprintf(line, sizeof(line), fmt, args);
	va_end(args);
	emit(line, (size_t)n, true);
}

size_t printk_log_read(char *buf, size_t size)
{
	irq_flags_t flags;
	size_t n, start;

	if (size == 0)
		return 0;
	flags = spin_lock_irqsave(&log_lock);
	n = MIN(log_length, size - 1);
	start = (log_head + LOG_RING_SIZE - n) % LOG_RING_SIZE;
	for (size_t i = 0; i < n; i++)
		buf[i] = log_ring[(start + i) % LOG_RING_SIZE];
	spin_unlock_irqrestore(&log_lock, flags);
	buf[n] = '\0';
	return n;
}
