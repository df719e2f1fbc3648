/*
 * getrandom(2) over the kernel generator (core/lib/krandom.h), which is
 * seeded before the first user process can run, so no flag ever blocks
 * and GRND_RANDOM reads the same stream (as Linux since 5.6). No state of
 * its own, no locks.
 */
#include "core/sys/sys_internal.h"

#include "core/include/uapi/errno.h"
#include "core/include/uapi/random.h"
#include "core/lib/compiler.h"
#include "core/lib/krandom.h"
#include "core/mm/uaccess.h"

#define GETRANDOM_FLAGS (GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE)
/* Linux's MAX_RW_COUNT: one call never returns more than this. */
#define GETRANDOM_MAX_COUNT 0x7ffff000UL
#define GETRANDOM_CHUNK 256

/*
 * Fills `count` user bytes a chunk at a time. Returns the bytes written,
 * or the copy's error when not even the first chunk could be written (a
 * short count then, as Linux, rather than an error).
 * FIXME: no preemption point or signal check between chunks yet; a huge
 * request runs to its end.
 */
static long getrandom_fill(struct address_space *as, uaddr_t buf,
			   size_t count)
{
	uint8_t chunk[GETRANDOM_CHUNK];
	size_t done = 0;
	int err = 0;

	while (done < count) {
		size_t n = MIN(count - done, sizeof(chunk));

		krandom_bytes(chunk, n);
		err = vm_copy_to_user(as, buf + done, chunk, n);
		if (err < 0)
			break;
		done += n;
	}
	return done > 0 ? (long)done : err;
}

long sys_getrandom(struct syscall_context *ctx, const struct syscall_args *args)
{
	size_t count = MIN(args->arg[1], GETRANDOM_MAX_COUNT);
	unsigned int flags = (unsigned int)args->arg[2];

	if (flags & ~GETRANDOM_FLAGS)
		return -EINVAL;
	if ((flags & (GRND_INSECURE | GRND_RANDOM)) ==
	    (GRND_INSECURE | GRND_RANDOM))
		return -EINVAL;
	if (count == 0)
		return 0;
	if (ctx->as == NULL)
		return -EFAULT;
	return getrandom_fill(ctx->as, args->arg[0], count);
}
