/*
 * Hosted time. Host mode: the host's CLOCK_MONOTONIC offset so that boot is
 * zero. Virtual mode (--clock virtual, one CPU): time stands still while
 * the CPU works and jumps to the next timer deadline when it idles, so a
 * run depends only on its input. The wall clock is the host's in both.
 */
#include <time.h>

#include "core/hal/time.h"
#include "hosted.h"

static uint64_t boot_ns;
static bool is_virtual;
static uint64_t virtual_ns;	/* atomic */

static uint64_t host_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

void hosted_clock_init(bool virtual_clock)
{
	boot_ns = host_ns(CLOCK_MONOTONIC);
	is_virtual = virtual_clock;
	virtual_ns = 0;
}

bool hosted_clock_is_virtual(void)
{
	return is_virtual;
}

void hosted_clock_advance_to(uint64_t ns)
{
	uint64_t now = __atomic_load_n(&virtual_ns, __ATOMIC_RELAXED);

	while (ns > now && !__atomic_compare_exchange_n(&virtual_ns, &now, ns,
							 false, __ATOMIC_RELAXED,
							 __ATOMIC_RELAXED))
		;
}

uint64_t hosted_clock_to_host_ns(uint64_t ns)
{
	return boot_ns + ns;
}

uint64_t hal_clock_ns(void)
{
	if (is_virtual)
		return __atomic_load_n(&virtual_ns, __ATOMIC_RELAXED);
	return host_ns(CLOCK_MONOTONIC) - boot_ns;
}

int64_t hal_wallclock_ns(void)
{
	return (int64_t)host_ns(CLOCK_REALTIME);
}
