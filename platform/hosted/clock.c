/*
 * Hosted time: the host's CLOCK_MONOTONIC, offset so that boot is zero,
 * and CLOCK_REALTIME for the wall clock.
 * FIXME: --clock virtual (deterministic time) and the per-CPU one-shot
 * timer arrive with the scheduler issue.
 */
#include <time.h>

#include "core/hal/time.h"
#include "hosted.h"

static uint64_t boot_ns;

static uint64_t host_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

void hosted_clock_init(void)
{
	boot_ns = host_ns(CLOCK_MONOTONIC);
}

uint64_t hal_clock_ns(void)
{
	return host_ns(CLOCK_MONOTONIC) - boot_ns;
}

int64_t hal_wallclock_ns(void)
{
	return (int64_t)host_ns(CLOCK_REALTIME);
}
