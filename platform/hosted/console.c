/*
 * The hosted console: the process's standard output, and its standard
 * input read without blocking (poll first, so the host descriptor's own
 * flags, shared with the shell that started us, are never changed).
 * write(2) is atomic enough per call for our line-at-a-time callers;
 * partial writes are retried.
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <unistd.h>

#include "core/hal/console.h"

void hal_console_write(const char *bytes, size_t length)
{
	while (length > 0) {
		ssize_t n = write(STDOUT_FILENO, bytes, length);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return; /* stdout closed: nowhere left to report to */
		bytes += n;
		length -= (size_t)n;
	}
}

static bool input_ended;	/* written by whichever CPU saw the end */

ssize_t hal_console_read(char *bytes, size_t length)
{
	struct pollfd ready = { .fd = STDIN_FILENO, .events = POLLIN };
	ssize_t n;

	if (__atomic_load_n(&input_ended, __ATOMIC_RELAXED))
		return -1;
	if (length == 0 || poll(&ready, 1, 0) <= 0)
		return 0;
	if (ready.revents & POLLNVAL) {
		__atomic_store_n(&input_ended, true, __ATOMIC_RELAXED);
		return -1;
	}
	n = read(STDIN_FILENO, bytes, length);
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -1;
	if (n == 0)
		__atomic_store_n(&input_ended, true, __ATOMIC_RELAXED);
	return n == 0 ? -1 : n;
}
