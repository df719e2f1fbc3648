/*
 * HAL: time. One monotonic clock in nanoseconds since boot, the wall clock,
 * and a one-shot timer per CPU that raises HAL_VECTOR_TIMER.
 */
#pragma once

#include "core/lib/types.h"

/*
 * Monotonic nanoseconds since boot: never goes backwards, consistent
 * across CPUs. In the hosted deterministic mode it is virtual time that
 * advances only when every CPU idles. Any context.
 */
uint64_t hal_clock_ns(void);

/* Wall-clock time: nanoseconds since 1970-01-01 UTC. Any context. */
int64_t hal_wallclock_ns(void);

/*
 * Arms the calling CPU's one-shot timer to raise HAL_VECTOR_TIMER once
 * hal_clock_ns() >= deadline_ns (at once if already past); replaces any
 * earlier deadline. 0 cancels. Interrupts disabled.
 */
void hal_timer_arm(uint64_t deadline_ns);
