/*
 * HAL: entropy for seeding the kernel's random number generator.
 */
#pragma once

#include "core/lib/types.h"

/*
 * Fills buf with `length` bytes of seed material from the best source
 * the machine has: the host's getrandom(2) (hosted); RDSEED, else RDRAND,
 * else timing jitter of the time-stamp counter (x86_64). Always fills the
 * whole buffer; the jitter fallback is weak, so callers use the result
 * only to key a CSPRNG, never directly. May take microseconds per byte:
 * call rarely (seeding, reseeding). Any context; takes no locks.
 */
void hal_random_seed(void *buf, size_t length);
