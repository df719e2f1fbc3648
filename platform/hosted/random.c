/*
 * hal_random_seed for the hosted platform: the host kernel's CSPRNG
 * through getrandom(2), retried on interruption and short reads.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/random.h>

#include "core/hal/random.h"

void hal_random_seed(void *buf, size_t length)
{
	unsigned char *out = buf;

	while (length > 0) {
		ssize_t got = getrandom(out, length, 0);

		if (got < 0) {
			if (errno == EINTR)
				continue;
			abort();	/* a Linux host without entropy */
		}
		out += got;
		length -= (size_t)got;
	}
}
