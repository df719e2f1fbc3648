/*
 * Futexes (core/proc/futex.h): a hash of buckets, each a mutex-protected
 * list of waiters and a wait queue they sleep on. The waiter checks the
 * user word under the bucket lock, so a waker that changes the word and
 * then calls FUTEX_WAKE cannot slip between the check and the sleep.
 */
#include "core/proc/futex.h"

#include "core/hal/time.h"
#include "core/include/uapi/errno.h"
#include "core/include/uapi/time.h"
#include "core/lib/list.h"
#include "core/mm/uaccess.h"
#include "core/proc/proc.h"
#include "core/proc/signal.h"
#include "core/sched/wait.h"
#include "core/sync/mutex.h"

#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_REQUEUE 3
#define FUTEX_CMP_REQUEUE 4
#define FUTEX_WAKE_OP 5
#define FUTEX_WAIT_BITSET 9
#define FUTEX_WAKE_BITSET 10
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX_CLOCK_REALTIME 256
#define FUTEX_CMD_MASK (~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME))
#define FUTEX_BITSET_MATCH_ANY 0xffffffffu

#define FUTEX_BUCKETS 64u

struct futex_waiter {
	struct list_head link;		/* in the bucket, under its lock */
	struct address_space *as;
	uaddr_t addr;
	uint32_t bitset;
	bool woken;			/* set under the list bucket's lock */
	struct futex_bucket *sleep_bucket;	/* whose queue it sleeps on */
	struct futex_bucket *list_bucket;	/* whose list: moves on requeue */
};

struct futex_bucket {
	struct mutex lock;
	struct list_head waiters;
	struct wait_queue queue;
};

static struct futex_bucket buckets[FUTEX_BUCKETS];
static bool buckets_ready;
static struct mutex init_lock = MUTEX_INIT(init_lock, "futex_init",
					   LOCK_RANK_MUTEX_OUTER);

static struct futex_bucket *bucket_of(struct address_space *as, uaddr_t addr)
{
	uint64_t key = (uint64_t)(uintptr_t)as ^ (addr >> 2) ^
		       (addr >> 12) * 0x9e3779b97f4a7c15ULL;

	if (!__atomic_load_n(&buckets_ready, __ATOMIC_ACQUIRE)) {
		mutex_lock(&init_lock);
		if (!buckets_ready) {
			for (unsigned int i = 0; i < FUTEX_BUCKETS; i++) {
				mutex_init(&buckets[i].lock, "futex_bucket",
					   LOCK_RANK_FUTEX);
				list_init(&buckets[i].waiters);
				wait_queue_init(&buckets[i].queue);
			}
			__atomic_store_n(&buckets_ready, true,
					 __ATOMIC_RELEASE);
		}
		mutex_unlock(&init_lock);
	}
	return &buckets[(key ^ (key >> 29)) % FUTEX_BUCKETS];
}

/* Wakes matching waiters (bucket lock held); returns how many. */
static int wake_locked(struct futex_bucket *bucket, struct address_space *as,
		       uaddr_t addr, int count, uint32_t bitset)
{
	struct futex_waiter *waiter, *next;
	int woken = 0;

	list_for_each_entry_safe(waiter, next, &bucket->waiters, link) {
		if (woken >= count)
			break;
		if (waiter->as != as || waiter->addr != addr ||
		    !(waiter->bitset & bitset))
			continue;
		/* Once woken is set the waiter may return: read it first. */
		struct futex_bucket *sleep = waiter->sleep_bucket;

		list_remove(&waiter->link);
		__atomic_store_n(&waiter->woken, true, __ATOMIC_RELEASE);
		wake_up_all(&sleep->queue);
		woken++;
	}
	return woken;
}

static int wake(struct address_space *as, uaddr_t addr, int count,
		uint32_t bitset)
{
	struct futex_bucket *bucket = bucket_of(as, addr);
	int woken;

	if (count <= 0)
		return 0;
	mutex_lock(&bucket->lock);
	woken = wake_locked(bucket, as, addr, count, bitset);
	mutex_unlock(&bucket->lock);
	return woken;
}

int futex_wake(struct address_space *as, uaddr_t addr, int count)
{
	return wake(as, addr, count, FUTEX_BITSET_MATCH_ANY);
}

/* Reads a struct timespec from user space into ns; -EINVAL when invalid. */
static int read_timespec(struct address_space *as, uaddr_t addr,
			 uint64_t *ns)
{
	struct timespec ts;
	int err = vm_copy_from_user(as, &ts, addr, sizeof(ts));

	if (err < 0)
		return err;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000L)
		return -EINVAL;
	if ((uint64_t)ts.tv_sec > UINT64_MAX / 1000000000ULL / 2)
		*ns = UINT64_MAX / 2;
	else
		*ns = (uint64_t)ts.tv_sec * 1000000000ULL +
		      (uint64_t)ts.tv_nsec;
	return 0;
}

/*
 * FUTEX_WAIT(_BITSET): sleeps while *addr == val, until woken, the
 * timeout (relative for WAIT, absolute for WAIT_BITSET) or a fatal signal.
 */
static long wait(struct address_space *as, uaddr_t addr, uint32_t val,
		 uaddr_t timeout, bool absolute, bool realtime,
		 uint32_t bitset)
{
	struct futex_waiter waiter = { .as = as, .addr = addr,
				       .bitset = bitset };
	struct futex_bucket *bucket;
	struct task *task = task_current();
	uint64_t timeout_ns = UINT64_MAX, now;
	uint32_t current;
	int err;

	if (addr & 3)
		return -EINVAL;
	if (bitset == 0)
		return -EINVAL;
	if (task == NULL)
		return -ENOSYS;	/* a kernel caller (the fuzzer) never sleeps here */
	if (timeout) {
		err = read_timespec(as, timeout, &timeout_ns);
		if (err < 0)
			return err;
		if (absolute) {
			now = realtime ? (uint64_t)hal_wallclock_ns() :
					 hal_clock_ns();
			timeout_ns = timeout_ns > now ? timeout_ns - now : 0;
		}
	}
	bucket = bucket_of(as, addr);
	waiter.sleep_bucket = bucket;
	waiter.list_bucket = bucket;
	mutex_lock(&bucket->lock);
	err = vm_copy_from_user(as, &current, addr, sizeof(current));
	if (err == 0 && current != val)
		err = -EAGAIN;
	if (err < 0) {
		mutex_unlock(&bucket->lock);
		return err;
	}
	list_add_tail(&waiter.link, &bucket->waiters);
	mutex_unlock(&bucket->lock);

	wait_event_timeout(bucket->queue,
			   READ_ONCE(waiter.woken) ||
				   (task && signal_pending(task)),
			   timeout_ns);

	/* Lock the bucket whose list holds the waiter (requeue moves it). */
	for (;;) {
		bucket = __atomic_load_n(&waiter.list_bucket, __ATOMIC_ACQUIRE);
		mutex_lock(&bucket->lock);
		if (waiter.list_bucket == bucket)
			break;
		mutex_unlock(&bucket->lock);
	}
	if (waiter.woken) {
		mutex_unlock(&bucket->lock);
		return 0;
	}
	list_remove(&waiter.link);
	mutex_unlock(&bucket->lock);
	return task && signal_pending(task) ? -ERESTARTSYS : -ETIMEDOUT;
}

/*
 * FUTEX_(CMP_)REQUEUE: wakes `count` waiters of addr and moves up to
 * `requeue` others to addr2. Both addresses hash to buckets locked in
 * address order.
 */
static long requeue(struct address_space *as, uaddr_t addr, int count,
		    int requeue_count, uaddr_t addr2, bool compare,
		    uint32_t val3)
{
	struct futex_bucket *from = bucket_of(as, addr);
	struct futex_bucket *to = bucket_of(as, addr2);
	struct futex_waiter *waiter, *next;
	int woken, moved = 0;

	if ((addr & 3) || (addr2 & 3) || count < 0 || requeue_count < 0)
		return -EINVAL;
	if (from == to || from < to) {
		mutex_lock(&from->lock);
		if (to != from)
			mutex_lock(&to->lock);
	} else {
		mutex_lock(&to->lock);
		mutex_lock(&from->lock);
	}
	if (compare) {
		uint32_t current;
		int err = vm_copy_from_user(as, &current, addr,
					    sizeof(current));

		if (err == 0 && current != val3)
			err = -EAGAIN;
		if (err < 0) {
			woken = err;
			goto out;
		}
	}
	woken = wake_locked(from, as, addr, count, FUTEX_BITSET_MATCH_ANY);
	list_for_each_entry_safe(waiter, next, &from->waiters, link) {
		if (moved >= requeue_count)
			break;
		if (waiter->as != as || waiter->addr != addr)
			continue;
		/* It keeps sleeping on its first bucket's queue. */
		waiter->addr = addr2;
		if (from != to) {
			list_remove(&waiter->link);
			list_add_tail(&waiter->link, &to->waiters);
			__atomic_store_n(&waiter->list_bucket, to,
					 __ATOMIC_RELEASE);
		}
		moved++;
	}
out:
	if (to != from)
		mutex_unlock(&to->lock);
	mutex_unlock(&from->lock);
	return woken < 0 ? woken : woken + moved;
}

long futex_op(struct address_space *as, uaddr_t addr, int op, uint32_t val,
	      uaddr_t timeout, uaddr_t addr2, uint32_t val3)
{
	int cmd = op & FUTEX_CMD_MASK;
	bool realtime = op & FUTEX_CLOCK_REALTIME;

	if (as == NULL)
		return -EFAULT;
	if (realtime && cmd != FUTEX_WAIT_BITSET && cmd != FUTEX_WAIT)
		return -ENOSYS;
	switch (cmd) {
	case FUTEX_WAIT:
		return wait(as, addr, val, timeout, false, false,
			    FUTEX_BITSET_MATCH_ANY);
	case FUTEX_WAIT_BITSET:
		return wait(as, addr, val, timeout, true, realtime, val3);
	case FUTEX_WAKE:
		if (addr & 3)
			return -EINVAL;
		return wake(as, addr, (int)val, FUTEX_BITSET_MATCH_ANY);
	case FUTEX_WAKE_BITSET:
		if (addr & 3 || val3 == 0)
			return -EINVAL;
		return wake(as, addr, (int)val, val3);
	case FUTEX_REQUEUE:
		return requeue(as, addr, (int)val, (int)timeout, addr2, false,
			       0);
	case FUTEX_CMP_REQUEUE:
		return requeue(as, addr, (int)val, (int)timeout, addr2, true,
			       val3);
	default:
		return -ENOSYS;
	}
}
