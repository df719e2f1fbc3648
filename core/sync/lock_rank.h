/*
 * The global lock order. Every lock has a rank; a thread may only take a
 * lock whose rank is higher than that of every lock it already holds.
 * docs/locking.md explains each rank. Sleeping locks rank below all
 * spinlocks, since a thread may take spinlocks under a mutex but must never
 * sleep under a spinlock.
 */
#pragma once

enum lock_rank {
	LOCK_RANK_NONE = 0,		/* not checked (checker internals) */

	/* Sleeping locks (mutexes, rwlocks, semaphores). */
	LOCK_RANK_MUTEX_OUTER = 10,	/* subsystem-wide, taken first */
	LOCK_RANK_MUTEX = 20,		/* ordinary object mutexes */
	LOCK_RANK_MUTEX_INNER = 30,

	/* Spinlocks. */
	LOCK_RANK_KMEM_CACHES = 50,	/* the list of slab caches */
	LOCK_RANK_KMEM_CACHE = 52,	/* one slab cache */
	LOCK_RANK_THREADS = 55,		/* the global thread list */
	LOCK_RANK_WAITQUEUE = 60,	/* wait queues, sleeping-lock internals */
	LOCK_RANK_RUNQUEUE = 70,	/* a CPU's run queue */
	LOCK_RANK_TIMER = 75,		/* a CPU's timer tree */
	LOCK_RANK_KERNEL_PT = 78,	/* kernel page tables (x86_64); takes PMM */
	LOCK_RANK_PMM = 80,		/* the page allocator */
	LOCK_RANK_TLB_SHOOTDOWN = 85,	/* one TLB shootdown at a time (x86_64) */
	LOCK_RANK_CPU_CALL = 87,	/* a CPU's queue of cross-CPU calls */
	LOCK_RANK_PRINTK = 90,		/* the log; taken from anywhere */
	LOCK_RANK_DEVICE = 95,		/* device registers (PCI config, IOAPIC) */
};
