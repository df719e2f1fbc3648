/*
 * The load average, as Linux's calc_global_load: every 5 s the number of
 * runnable threads (running or queued, over all CPUs) is folded into
 * three exponentially decaying averages with 1, 5 and 15 minute time
 * constants, in 11-bit fixed point. The first scheduler tick past the
 * sample time takes the sample (one CPU wins the compare-and-swap); a
 * reader that finds samples missing (CPUs idle with no tick) folds the
 * missing periods in with the current count, as NO_HZ Linux does.
 * State: `next_sample` and `loads`, under `load_lock`; ticks peek at
 * `next_sample` without it (READ_ONCE/WRITE_ONCE).
 */
#include "core/sched/sched.h"

#include "core/hal/time.h"
#include "core/sync/spinlock.h"

#define LOAD_PERIOD_NS 5000000000ULL
/* 2048 / exp(5 s / (1, 5, 15 min)) */
static const unsigned long load_exp[3] = { 1884, 2014, 2037 };

static struct spinlock load_lock = SPINLOCK_INIT("loadavg", LOCK_RANK_NONE);
/* Protected by load_lock: */
static uint64_t next_sample = LOAD_PERIOD_NS;
static unsigned long loads[3];

static unsigned long decay(unsigned long load, unsigned long exp,
			   unsigned long active)
{
	unsigned long next = load * exp + active * (SCHED_LOAD_FIXED - exp);

	if (active >= load)
		next += SCHED_LOAD_FIXED - 1;	/* round up while rising */
	return next / SCHED_LOAD_FIXED;
}

/* Folds in every period that ended by `now`. Caller holds load_lock. */
static void catch_up_locked(uint64_t now, unsigned int running)
{
	unsigned long active = running * SCHED_LOAD_FIXED;
	unsigned int periods = 0;

	/* Past 15 minutes of missed samples the averages reach `active`. */
	while (now >= next_sample && periods++ < 200) {
		for (int i = 0; i < 3; i++)
			loads[i] = decay(loads[i], load_exp[i], active);
		WRITE_ONCE(next_sample, next_sample + LOAD_PERIOD_NS);
	}
	if (now >= next_sample)
		WRITE_ONCE(next_sample,
			   now - now % LOAD_PERIOD_NS + LOAD_PERIOD_NS);
}

void sched_loadavg_tick(uint64_t now)
{
	irq_flags_t flags;

	if (now < READ_ONCE(next_sample))
		return;
	flags = spin_lock_irqsave(&load_lock);
	catch_up_locked(now, sched_nr_running());
	spin_unlock_irqrestore(&load_lock, flags);
}

void sched_get_loadavg(unsigned long out[3])
{
	unsigned int running = sched_nr_running();
	irq_flags_t flags = spin_lock_irqsave(&load_lock);

	/* The reader did not run while no tick sampled: leave it out. */
	catch_up_locked(hal_clock_ns(), running > 0 ? running - 1 : 0);
	for (int i = 0; i < 3; i++)
		out[i] = loads[i];
	spin_unlock_irqrestore(&load_lock, flags);
}
