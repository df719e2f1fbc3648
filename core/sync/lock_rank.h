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
	LOCK_RANK_EPOLL_NEST = 8,	/* the topology of nested epoll instances */
	LOCK_RANK_EPOLL = 9,		/* an epoll instance's items */
	LOCK_RANK_MUTEX_OUTER = 10,	/* subsystem-wide, taken first */
	LOCK_RANK_VFS_FILE = 12,	/* an open file's position */
	LOCK_RANK_VFS_TREE = 14,	/* a super block's name space (rwlock) */
	LOCK_RANK_VFS_INODE = 16,	/* an inode's data and attributes */
	LOCK_RANK_TTY_INPUT = 18,	/* one terminal input at a time */
	LOCK_RANK_MUTEX = 20,		/* ordinary object mutexes */
	LOCK_RANK_FUTEX = 22,		/* a futex bucket: the user word is read
					 * under it (faults take VM_SPACE) */
	LOCK_RANK_VM_SPACE = 24,	/* an address space's VMAs (rwlock) */
	LOCK_RANK_VM_OBJECT = 26,	/* a memory object's pages */
	LOCK_RANK_MUTEX_INNER = 30,

	/* Spinlocks. */
	LOCK_RANK_FD_TABLE = 38,	/* a descriptor table's slots */
	LOCK_RANK_VFS_FS_CONTEXT = 40,	/* a process's root and cwd */
	LOCK_RANK_VFS_MOUNT = 42,	/* the mount table, mount refcounts */
	LOCK_RANK_VFS_DCACHE = 44,	/* dentry cache, dentry/inode refcounts */
	LOCK_RANK_VFS_LEAF = 46,	/* small VFS leaf locks (fs types, ids) */
	LOCK_RANK_TTY = 47,		/* a terminal's buffers and termios */
	LOCK_RANK_KMEM_CACHES = 50,	/* the list of slab caches */
	LOCK_RANK_KMEM_CACHE = 52,	/* one slab cache */
	LOCK_RANK_THREADS = 55,		/* the global thread list */
	LOCK_RANK_VM_PT = 57,		/* an address space's page table */
	LOCK_RANK_POLL_HEAD = 58,	/* a readiness head's waiter entries */
	LOCK_RANK_EPOLL_READY = 59,	/* an epoll instance's ready list */
	LOCK_RANK_POLL_DEFER = 59,	/* work deferred by wake callbacks */
	LOCK_RANK_TIMERFD = 59,		/* a timerfd's expiry and count (irq) */
	LOCK_RANK_WAITQUEUE = 60,	/* wait queues, sleeping-lock internals */
	LOCK_RANK_RUNQUEUE = 70,	/* a CPU's run queue */
	LOCK_RANK_TIMER = 75,		/* a CPU's timer tree */
	LOCK_RANK_KERNEL_PT = 78,	/* kernel page tables (x86_64); takes PMM */
	LOCK_RANK_PMM = 80,		/* the page allocator */
	LOCK_RANK_TLB_SHOOTDOWN = 85,	/* one TLB shootdown at a time (x86_64) */
	LOCK_RANK_CPU_CALL = 87,	/* a CPU's queue of cross-CPU calls */
	LOCK_RANK_RANDOM = 88,		/* the kernel CSPRNG state; a leaf */
	LOCK_RANK_PRINTK = 90,		/* the log; taken from anywhere */
	LOCK_RANK_DEVICE = 95,		/* device registers (PCI config, IOAPIC) */
};
