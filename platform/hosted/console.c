/*
 * The hosted console: the process's standard output. write(2) is atomic
 * enough per call for our line-at-a-time callers; partial writes retried.
 */
#include <errno.h>
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
