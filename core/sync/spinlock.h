/*
 * Ticket spinlocks: FIFO-fair, for short critical sections. The _irqsave
 * variants also disable interrupts on this CPU, for data an interrupt
 * handler touches. A holder must not sleep. Every lock has a rank in the
 * global order (core/sync/lock_rank.h), checked in debug builds.
 */
#pragma once

#include "core/arch/x86_64/cpu.h"
#include "core/hal/cpu.h"
#include "core/lib/config.h"
#include "core/lib/types.h"
#include "core/sync/lockcheck.h"

/* Pauses between polls of a spin-wait that every 1024 polls yield the CPU. */
#define SPIN_YIELD_INTERVAL 1024

static inline void spin_relax(unsigned int *spins)
{
	arch_cpu_relax();
	if (++*spins % SPIN_YIELD_INTERVAL == 0)
		hal_cpu_spin_yield();
}

struct spinlock {
	uint32_t next;		/* next ticket to hand out */
	uint32_t owner;		/* ticket now allowed in */
	struct lock_class class;
};

#define SPINLOCK_INIT(lock_name, lock_rank)                                  \
	{ .next = 0, .owner = 0,                                             \
	  .class = { .name = lock_name, .rank = lock_rank, .sleeping = false } }

static inline void spin_init(struct spinlock *lock, const char *name,
			     enum lock_rank rank)
{
	*lock = (struct spinlock)SPINLOCK_INIT(name, rank);
}

static inline void spin_lock(struct spinlock *lock)
{
	uint32_t ticket = __atomic_fetch_add(&lock->next, 1, __ATOMIC_RELAXED);
	unsigned int spins = 0;

	while (__atomic_load_n(&lock->owner, __ATOMIC_ACQUIRE) != ticket)
		spin_relax(&spins);
	if (CONFIG_DEBUG)
		lockcheck_acquire(lock, &lock->class, false);
}

/* Takes the lock only if nobody holds or waits for it; returns success. */
static inline bool spin_trylock(struct spinlock *lock)
{
	/* Acquire: pairs with the release in spin_unlock, as spin_lock's wait does. */
	uint32_t owner = __atomic_load_n(&lock->owner, __ATOMIC_ACQUIRE);
	uint32_t expected = owner;

	if (!__atomic_compare_exchange_n(&lock->next, &expected, owner + 1,
					 false, __ATOMIC_ACQUIRE,
					 __ATOMIC_RELAXED))
		return false;
	if (CONFIG_DEBUG)
		lockcheck_acquire(lock, &lock->class, true);
	return true;
}

static inline void spin_unlock(struct spinlock *lock)
{
	uint32_t owner = __atomic_load_n(&lock->owner, __ATOMIC_RELAXED);

	if (CONFIG_DEBUG)
		lockcheck_release(lock, &lock->class);
	__atomic_store_n(&lock->owner, owner + 1, __ATOMIC_RELEASE);
}

static inline bool spin_is_locked(struct spinlock *lock)
{
	return __atomic_load_n(&lock->owner, __ATOMIC_RELAXED) !=
	       __atomic_load_n(&lock->next, __ATOMIC_RELAXED);
}

static inline irq_flags_t spin_lock_irqsave(struct spinlock *lock)
{
	irq_flags_t flags = hal_irq_save();

	spin_lock(lock);
	return flags;
}

static inline void spin_unlock_irqrestore(struct spinlock *lock,
					  irq_flags_t flags)
{
	spin_unlock(lock);
	hal_irq_restore(flags);
}
