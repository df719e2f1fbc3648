/*
 * Ticket spinlocks: FIFO-fair, for short critical sections. The _irqsave
 * variants also disable interrupts on this CPU, for data an interrupt
 * handler touches. A holder must not sleep.
 */
#pragma once

#include "core/arch/x86_64/cpu.h"
#include "core/hal/cpu.h"
#include "core/lib/types.h"

struct spinlock {
	uint32_t next;		/* next ticket to hand out */
	uint32_t owner;		/* ticket now allowed in */
	const char *name;	/* for diagnostics */
};

#define SPINLOCK_INIT(lock_name) { .next = 0, .owner = 0, .name = lock_name }

static inline void spin_init(struct spinlock *lock, const char *name)
{
	lock->next = 0;
	lock->owner = 0;
	lock->name = name;
}

static inline void spin_lock(struct spinlock *lock)
{
	uint32_t ticket = __atomic_fetch_add(&lock->next, 1, __ATOMIC_RELAXED);

	while (__atomic_load_n(&lock->owner, __ATOMIC_ACQUIRE) != ticket)
		arch_cpu_relax();
}

/* Takes the lock only if nobody holds or waits for it; returns success. */
static inline bool spin_trylock(struct spinlock *lock)
{
	uint32_t owner = __atomic_load_n(&lock->owner, __ATOMIC_RELAXED);
	uint32_t expected = owner;

	return __atomic_compare_exchange_n(&lock->next, &expected, owner + 1,
					   false, __ATOMIC_ACQUIRE,
					   __ATOMIC_RELAXED);
}

static inline void spin_unlock(struct spinlock *lock)
{
	uint32_t owner = __atomic_load_n(&lock->owner, __ATOMIC_RELAXED);

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
