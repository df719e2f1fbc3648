/*
 * User memory access by software page-table walk. For each page of the
 * range: under as->pt_lock, translate and check the entry (present, user,
 * writable for writes) and do the access through the direct map while
 * the lock keeps the page from being unmapped and freed; otherwise drop
 * the lock, let vm_fault make the page accessible, and try again.
 */
#include "core/mm/uaccess.h"

#include "core/hal/mmu.h"
#include "core/include/uapi/errno.h"
#include "core/lib/panic.h"
#include "core/lib/string.h"
#include "core/mm/pgtable.h"
#include "core/mm/vm.h"

/* A page made accessible can be taken away again before we get back. */
#define UACCESS_TRIES 8

/*
 * One access: `fn` works on `length` bytes at kernel address `kernel`
 * (within one page, pt_lock held, must not sleep) and returns the bytes
 * it used; fewer than `length`, or setting `found`, ends the walk.
 */
struct user_op {
	bool write;
	size_t (*fn)(void *kernel, size_t length, struct user_op *op);
	char *buffer;		/* the kernel side, advanced as bytes go */
	bool found;		/* strncpy: the NUL was seen */
};

/* The kernel address of user byte va if its entry allows the access. */
static void *user_byte_locked(struct address_space *as, uaddr_t va,
			      bool write)
{
	paddr_t pa;
	pte_t entry;

	if (pgtable_lookup(as->root, va, &pa, &entry, NULL) < 0)
		return NULL;
	if (!(entry & PTE_USER) || (write && !(entry & PTE_WRITE)))
		return NULL;
	return hal_phys_to_virt(pa);
}

/* Runs op on [va, va + length) (one page), faulting it in as needed. */
static long user_chunk(struct address_space *as, uaddr_t va, size_t length,
		       struct user_op *op)
{
	unsigned int access = op->write ? VM_ACCESS_WRITE : VM_ACCESS_READ;

	for (int tries = 0; tries < UACCESS_TRIES; tries++) {
		void *kernel;
		size_t used = 0;
		int err;

		spin_lock(&as->pt_lock);
		kernel = user_byte_locked(as, va, op->write);
		if (kernel != NULL)
			used = op->fn(kernel, length, op);
		spin_unlock(&as->pt_lock);
		if (kernel != NULL)
			return (long)used;
		err = vm_fault(as, va, access);
		if (err < 0)
			return err == -ENOMEM ? -ENOMEM : -EFAULT;
	}
	WARN_ONCE(true, "uaccess: page at %#llx keeps vanishing",
		  (unsigned long long)va);
	return -EFAULT;
}

/* Runs op over the user range page by page; returns bytes used or -errno. */
static long user_walk(struct address_space *as, uaddr_t addr, size_t length,
		      struct user_op *op)
{
	size_t done = 0;

	ASSERT(lockcheck_spinlocks_held() == 0); /* faults may sleep */
	while (done < length) {
		uaddr_t va = addr + done;
		size_t chunk = MIN(length - done,
				   PAGE_SIZE - (va & (PAGE_SIZE - 1)));
		long used;

		if (va < addr || va >= as->limit)
			return -EFAULT;
		used = user_chunk(as, va, chunk, op);
		if (used < 0)
			return used;
		done += (size_t)used;
		if ((size_t)used < chunk || op->found)
			break;
	}
	return (long)done;
}

/*
 * User pages are shared with the user threads that own them (and with
 * other mappings of the same file page): a copy racing with their stores
 * is what user space asked for, not a kernel data race. ThreadSanitizer
 * builds copy them with an uninstrumented loop for that reason.
 */
#if defined(__SANITIZE_THREAD__)
#define AMPHI_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define AMPHI_TSAN 1
#endif
#endif

#ifdef AMPHI_TSAN
__attribute__((no_sanitize_thread)) static void user_memcpy(void *dst,
							     const void *src,
							     size_t length)
{
	volatile char *to = dst;	/* volatile: never turned into memcpy */
	const char *from = src;

	while (length--)
		*to++ = *from++;
}
#else
#define user_memcpy memcpy
#endif

static size_t copy_in(void *kernel, size_t length, struct user_op *op)
{
	user_memcpy(op->buffer, kernel, length);
	op->buffer += length;
	return length;
}

static size_t copy_out(void *kernel, size_t length, struct user_op *op)
{
	user_memcpy(kernel, op->buffer, length);
	op->buffer += length;
	return length;
}

static size_t zero_out(void *kernel, size_t length, struct user_op *op)
{
	(void)op;
	memset(kernel, 0, length);
	return length;
}

static size_t string_in(void *kernel, size_t length, struct user_op *op)
{
	const char *nul = kmemchr(kernel, 0, length);
	size_t used = nul ? (size_t)(nul - (const char *)kernel) + 1 : length;

	memcpy(op->buffer, kernel, used);
	op->buffer += used;
	op->found = nul != NULL;
	return used;
}

int vm_copy_from_user(struct address_space *as, void *dst, uaddr_t src,
		      size_t length)
{
	struct user_op op = { .fn = copy_in, .buffer = dst };
	long done = user_walk(as, src, length, &op);

	return done < 0 ? (int)done : 0;
}

int vm_copy_to_user(struct address_space *as, uaddr_t dst, const void *src,
		    size_t length)
{
	struct user_op op = { .write = true, .fn = copy_out,
			      .buffer = (char *)src };
	long done = user_walk(as, dst, length, &op);

	return done < 0 ? (int)done : 0;
}

long vm_strncpy_from_user(struct address_space *as, char *dst, uaddr_t src,
			  size_t max)
{
	struct user_op op = { .fn = string_in, .buffer = dst };
	long done = user_walk(as, src, max, &op);

	if (done < 0)
		return done;
	return op.found ? done - 1 : done;
}

int vm_clear_user(struct address_space *as, uaddr_t dst, size_t length)
{
	struct user_op op = { .write = true, .fn = zero_out };
	long done = user_walk(as, dst, length, &op);

	return done < 0 ? (int)done : 0;
}
