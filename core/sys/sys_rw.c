/*
 * Reading and writing: read(2), write(2), pread64(2), pwrite64(2),
 * readv(2), writev(2), lseek(2), getdents(2), getdents64(2).
 *
 * Data moves through a kernel bounce buffer of at most RW_CHUNK bytes:
 * the VFS works on kernel buffers and never touches user memory under
 * its locks. Writes go chunk after chunk to any file (a blocking write
 * writes everything, as Linux's). Regular files are read chunk after
 * chunk too; any other file (pipes, devices) gets one chunk per read,
 * since a second one might block where Linux would have returned, except
 * devices whose reads fill any length (/dev/zero, /dev/urandom:
 * vfs_file_fills_reads), read whole as on Linux. A fault part-way
 * returns the bytes before it (as Linux's page-at-a-time copies do).
 * No state of its own.
 */
#include "core/sys/sys_internal.h"

#include "core/include/uapi/errno.h"
#include "core/lib/compiler.h"
#include "core/lib/string.h"
#include "core/mm/kmem.h"
#include "core/mm/uaccess.h"
#include "core/mm/vm.h"
#include "core/proc/signal.h"
#include "fs/fdtable.h"
#include "fs/vfs.h"

/* Linux MAX_RW_COUNT: one call moves at most INT_MAX & PAGE_MASK bytes. */
#define MAX_RW_COUNT ((size_t)0x7fffffff & PAGE_MASK)
#define IOV_MAX 1024
#define RW_CHUNK ((size_t)65536)

/* struct iovec of the x86_64 ABI. */
struct user_iovec {
	uint64_t base;
	uint64_t length;
};

/* The user segments of one call, lengths already capped. */
struct user_vector {
	struct user_iovec *iov;
	int count;
	size_t total;
};

/* Linux access_ok: the range lies below the user limit. */
static bool is_user_range(const struct address_space *as, uaddr_t addr,
			  size_t length)
{
	return addr <= as->limit && length <= as->limit - addr;
}

/* The bytes from addr to the end of its page. */
static size_t page_rest(uaddr_t addr)
{
	return PAGE_SIZE - (addr & (PAGE_SIZE - 1));
}

/* Copies page by page; returns how many bytes went before a fault. */
static size_t copy_out(struct address_space *as, uaddr_t dst,
		       const char *src, size_t length)
{
	size_t done = 0;

	while (done < length) {
		size_t chunk = MIN(length - done, page_rest(dst + done));

		if (vm_copy_to_user(as, dst + done, src + done, chunk) < 0)
			break;
		done += chunk;
	}
	return done;
}

static size_t copy_in(struct address_space *as, char *dst, uaddr_t src,
		      size_t length)
{
	size_t done = 0;

	while (done < length) {
		size_t chunk = MIN(length - done, page_rest(src + done));

		if (vm_copy_from_user(as, dst + done, src + done, chunk) < 0)
			break;
		done += chunk;
	}
	return done;
}

/*
 * Moves `length` bytes between `buf` and the vector's bytes starting at
 * `skip`. Returns the bytes moved before a fault.
 */
static size_t vector_copy(struct address_space *as,
			  const struct user_vector *vec, size_t skip,
			  char *buf, size_t length, bool to_user)
{
	size_t done = 0;

	for (int i = 0; i < vec->count && done < length; i++) {
		size_t seg = vec->iov[i].length, chunk, moved;

		if (skip >= seg) {
			skip -= seg;
			continue;
		}
		chunk = MIN(seg - skip, length - done);
		moved = to_user ?
			copy_out(as, vec->iov[i].base + skip, buf + done,
				 chunk) :
			copy_in(as, buf + done, vec->iov[i].base + skip,
				chunk);
		done += moved;
		if (moved < chunk)
			break;
		skip = 0;
	}
	return done;
}

/* Linux checks the access mode before anything about the buffer. */
static int check_access(struct vfs_file *file, bool write)
{
	int flags = vfs_file_flags(file), mode = flags & O_ACCMODE;

	if (flags & O_PATH)
		return -EBADF;
	if (write ? mode == O_RDONLY : mode == O_WRONLY)
		return -EBADF;
	return 0;
}

static bool is_chunked(struct vfs_file *file)
{
	return S_ISREG(vfs_file_mode(file));
}

/* Reads into the vector at *pos (NULL: the file position). May sleep. */
static long read_vector(struct syscall_context *ctx, struct vfs_file *file,
			const struct user_vector *vec, const int64_t *pos)
{
	char *bounce = kmalloc(MIN(vec->total, RW_CHUNK));
	size_t done = 0;
	long result = 0;

	if (bounce == NULL)
		return -ENOMEM;
	do {
		size_t want = MIN(vec->total - done, RW_CHUNK), copied;
		ssize_t got = pos ? vfs_pread(file, bounce, want,
					      *pos + (int64_t)done) :
				    vfs_read(file, bounce, want);

		if (got <= 0) {
			result = got;
			break;
		}
		copied = vector_copy(ctx->as, vec, done, bounce, (size_t)got,
				     true);
		done += copied;
		if (copied < (size_t)got) {
			/* Give back what did not reach user space. */
			int64_t lost = (int64_t)((size_t)got - copied);

			if (pos == NULL && is_chunked(file))
				vfs_lseek(file, -lost, SEEK_CUR);
			result = -EFAULT;
			break;
		}
		if ((size_t)got < want)
			break;
		/* /dev/zero and the like: all of it, unless a signal came
		 * (Linux's read_iter_zero checks between pages). */
		if (!is_chunked(file) && (!vfs_file_fills_reads(file) ||
					  signal_pending_current()))
			break;
	} while (done < vec->total);
	kfree(bounce);
	return done > 0 ? (long)done : result;
}

/* Writes the vector at *pos (NULL: the file position). May sleep. */
static long write_vector(struct syscall_context *ctx, struct vfs_file *file,
			 const struct user_vector *vec, const int64_t *pos)
{
	char *bounce = kmalloc(MIN(vec->total, RW_CHUNK));
	size_t done = 0;
	long result = 0;

	if (bounce == NULL)
		return -ENOMEM;
	do {
		size_t want = MIN(vec->total - done, RW_CHUNK);
		size_t copied = vector_copy(ctx->as, vec, done, bounce, want,
					    false);
		ssize_t put;

		if (copied == 0 && want > 0) {
			result = -EFAULT;
			break;
		}
		put = pos ? vfs_pwrite(file, bounce, copied,
				       *pos + (int64_t)done) :
			    vfs_write(file, bounce, copied);
		if (put < 0) {
			result = put;
			break;
		}
		done += (size_t)put;
		if ((size_t)put < copied)
			break;
		if (copied < want) {
			result = -EFAULT;
			break;
		}
	} while (done < vec->total);
	kfree(bounce);
	return done > 0 ? (long)done : result;
}

/* One buffer as a vector of one segment. */
static long single_io(struct syscall_context *ctx, uint64_t fd, uaddr_t buf,
		      uint64_t count, const int64_t *pos, bool write)
{
	struct user_iovec iov = { buf, MIN(count, MAX_RW_COUNT) };
	struct user_vector vec = { &iov, 1, iov.length };
	struct vfs_file *file;
	long result = sys_fd_file(ctx, fd, &file);

	if (result < 0)
		return result;
	result = check_access(file, write);
	if (result == 0 && (ctx->as == NULL ||
			    !is_user_range(ctx->as, buf, iov.length)))
		result = -EFAULT;
	if (result == 0)
		result = write ? write_vector(ctx, file, &vec, pos) :
				 read_vector(ctx, file, &vec, pos);
	vfs_file_put(file);
	return result;
}

long sys_read(struct syscall_context *ctx, const struct syscall_args *args)
{
	return single_io(ctx, args->arg[0], args->arg[1], args->arg[2], NULL,
			 false);
}

long sys_write(struct syscall_context *ctx, const struct syscall_args *args)
{
	return single_io(ctx, args->arg[0], args->arg[1], args->arg[2], NULL,
			 true);
}

/* Linux rejects a negative offset before looking at the descriptor. */
long sys_pread64(struct syscall_context *ctx, const struct syscall_args *args)
{
	int64_t pos = (int64_t)args->arg[3];

	if (pos < 0)
		return -EINVAL;
	return single_io(ctx, args->arg[0], args->arg[1], args->arg[2], &pos,
			 false);
}

long sys_pwrite64(struct syscall_context *ctx,
		  const struct syscall_args *args)
{
	int64_t pos = (int64_t)args->arg[3];

	if (pos < 0)
		return -EINVAL;
	return single_io(ctx, args->arg[0], args->arg[1], args->arg[2], &pos,
			 true);
}

/*
 * Linux import_iovec: count in [0, IOV_MAX], each length a non-negative
 * ssize_t inside user space, the total capped at MAX_RW_COUNT (later
 * segments shortened). Fills vec->iov (kmalloc'd; the caller frees).
 */
static int import_vector(struct syscall_context *ctx, uaddr_t uiov,
			 uint64_t count_arg, struct user_vector *vec)
{
	int count = (int)count_arg;
	size_t total = 0;
	int err;

	if (count < 0 || count > IOV_MAX)
		return -EINVAL;
	vec->iov = kcalloc((size_t)count, sizeof(*vec->iov));
	vec->count = count;
	if (vec->iov == NULL)
		return -ENOMEM;
	err = count == 0 ? 0 : vm_copy_from_user(ctx->as, vec->iov, uiov,
						 count * sizeof(*vec->iov));
	for (int i = 0; i < count && err == 0; i++) {
		struct user_iovec *seg = &vec->iov[i];

		if ((int64_t)seg->length < 0)
			return -EINVAL;
		if (!is_user_range(ctx->as, seg->base, seg->length))
			return -EFAULT;
		seg->length = MIN(seg->length, MAX_RW_COUNT - total);
		total += seg->length;
	}
	vec->total = total;
	return err;
}

static long vector_io(struct syscall_context *ctx,
		      const struct syscall_args *args, bool write)
{
	struct user_vector vec = { 0 };
	struct vfs_file *file;
	long result = sys_fd_file(ctx, args->arg[0], &file);

	if (result < 0)
		return result;
	result = check_access(file, write);
	if (result == 0 && ctx->as == NULL)
		result = -EFAULT;
	if (result == 0)
		result = import_vector(ctx, args->arg[1], args->arg[2], &vec);
	if (result == 0 && vec.total > 0)
		result = write ? write_vector(ctx, file, &vec, NULL) :
				 read_vector(ctx, file, &vec, NULL);
	kfree(vec.iov);
	vfs_file_put(file);
	return result;
}

long sys_readv(struct syscall_context *ctx, const struct syscall_args *args)
{
	return vector_io(ctx, args, false);
}

long sys_writev(struct syscall_context *ctx, const struct syscall_args *args)
{
	return vector_io(ctx, args, true);
}

long sys_lseek(struct syscall_context *ctx, const struct syscall_args *args)
{
	uint32_t whence = (uint32_t)args->arg[2];
	struct vfs_file *file;
	long result = sys_fd_file(ctx, args->arg[0], &file);

	if (result < 0)
		return result;
	/* Linux: an unknown whence is -EINVAL even on a pipe. */
	result = whence > SEEK_HOLE ? -EINVAL :
		 vfs_lseek(file, (int64_t)args->arg[1], (int)whence);
	vfs_file_put(file);
	return result;
}

/*
 * The old getdents record: d_ino, d_off, d_reclen, the name, then d_type
 * in the record's last byte. It has the same size as the dirent64 one
 * (offsetof(d_name) 18 plus name, NUL and type, rounded to 8), so it is
 * converted in place.
 */
static void convert_to_old_dirents(char *buf, size_t length)
{
	for (size_t at = 0; at < length;) {
		struct linux_dirent64 *d = (struct linux_dirent64 *)(buf + at);
		uint16_t reclen = d->d_reclen;
		uint8_t type = d->d_type;
		char *name = buf + at + 18;

		memmove(name, d->d_name, kstrlen(d->d_name) + 1);
		buf[at + reclen - 1] = (char)type;
		at += reclen;
	}
}

static long getdents_common(struct syscall_context *ctx,
			    const struct syscall_args *args, bool old)
{
	uaddr_t ubuf = args->arg[1];
	size_t count = (uint32_t)args->arg[2], size = MIN(count, RW_CHUNK);
	struct vfs_file *file;
	char *bounce;
	long result = sys_fd_file(ctx, args->arg[0], &file);

	if (result < 0)
		return result;
	bounce = kmalloc(size);
	if (ctx->as == NULL || !is_user_range(ctx->as, ubuf, count))
		result = -EFAULT;
	else if (bounce == NULL)
		result = -ENOMEM;
	else
		result = vfs_getdents64(file, bounce, size);
	if (result > 0 && old)
		convert_to_old_dirents(bounce, (size_t)result);
	/* FIXME: a fault here loses the entries (the position moved). */
	if (result > 0 &&
	    vm_copy_to_user(ctx->as, ubuf, bounce, (size_t)result) < 0)
		result = -EFAULT;
	kfree(bounce);
	vfs_file_put(file);
	return result;
}

long sys_getdents64(struct syscall_context *ctx,
		    const struct syscall_args *args)
{
	return getdents_common(ctx, args, false);
}

long sys_getdents(struct syscall_context *ctx, const struct syscall_args *args)
{
	return getdents_common(ctx, args, true);
}

/*
 * sendfile(out, in, offset, count): copies through a kernel buffer. With
 * an offset pointer the input is read at *offset (its file position
 * untouched) and *offset advances; without, from the input's position.
 * Any readable input works (Linux 5.12+ takes pipes too); an O_APPEND
 * output is -EINVAL, as Linux.
 */
long sys_sendfile(struct syscall_context *ctx, const struct syscall_args *args)
{
	struct vfs_file *out, *in;
	size_t count = MIN(args->arg[3], MAX_RW_COUNT), done = 0;
	int64_t offset = 0;
	long result = 0;
	char *bounce;

	if (ctx->files == NULL || ctx->as == NULL)
		return -ENOSYS;
	in = fd_get(ctx->files, (int)args->arg[1]);
	out = fd_get(ctx->files, (int)args->arg[0]);
	if (in == NULL || out == NULL) {
		result = -EBADF;
		goto out;
	}
	result = check_access(in, false);
	if (result == 0)
		result = check_access(out, true);
	if (result == 0 && (vfs_file_flags(out) & O_APPEND))
		result = -EINVAL;
	if (result == 0 && args->arg[2]) {
		result = vm_copy_from_user(ctx->as, &offset, args->arg[2],
					   sizeof(offset));
		if (result == 0 && offset < 0)
			result = -EINVAL;
	}
	if (result < 0 || count == 0)
		goto out;
	bounce = kmalloc(MIN(count, RW_CHUNK));
	if (bounce == NULL) {
		result = -ENOMEM;
		goto out;
	}
	while (done < count) {
		size_t want = MIN(count - done, RW_CHUNK);
		ssize_t got = args->arg[2] ? vfs_pread(in, bounce, want, offset) :
					     vfs_read(in, bounce, want);
		ssize_t put;

		if (got <= 0) {
			result = got;
			break;
		}
		put = vfs_write(out, bounce, (size_t)got);
		if (put < 0) {
			result = put;
			if (!args->arg[2] && is_chunked(in))
				vfs_lseek(in, -got, SEEK_CUR);
			break;
		}
		done += (size_t)put;
		offset += put;
		if (put < got) {
			if (!args->arg[2] && is_chunked(in))
				vfs_lseek(in, -(got - put), SEEK_CUR);
			break;
		}
		if ((size_t)got < want)
			break;
	}
	kfree(bounce);
	if (args->arg[2] && (done > 0 || result == 0)) {
		int err = vm_copy_to_user(ctx->as, args->arg[2], &offset,
					  sizeof(offset));

		if (err < 0 && done == 0)
			result = err;
	}
out:
	if (in)
		vfs_file_put(in);
	if (out)
		vfs_file_put(out);
	return done > 0 ? (long)done : result;
}
