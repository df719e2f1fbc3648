/*
 * Pipes: a 64 KiB byte ring with blocking readers and writers, reached
 * through two anonymous VFS files (a read end and a write end), so that
 * dup, fork and close treat them as any file. Linux semantics: writes of
 * at most PIPE_BUF bytes are atomic, a read returns what is there (at
 * least one byte, blocking while the pipe is empty and has writers), EOF
 * once every writer is gone, -EPIPE once every reader is gone, -EAGAIN
 * instead of blocking with O_NONBLOCK.
 */
#pragma once

#include "core/lib/types.h"

struct vfs_cred;
struct vfs_file;

#define PIPE_BUF 4096
#define PIPE_CAPACITY 65536

/* Sets up the internal pipe super block (st_dev). Boot, from vfs_init. */
void vfs_pipe_init(void);

/*
 * Creates a pipe owned by `cred`: ends[0] reads, ends[1] writes, each
 * with one reference. `flags` may hold O_NONBLOCK and O_DIRECT (packet
 * mode, accepted; FIXME: writes are not kept as packets); O_CLOEXEC is
 * the descriptor table's. Returns 0, -EINVAL (other flags), -ENOMEM.
 * May sleep.
 */
int vfs_pipe_create(const struct vfs_cred *cred, int flags,
		    struct vfs_file *ends[2]);

/* Whether `file` is an end of a pipe. */
bool vfs_is_pipe(const struct vfs_file *file);

/*
 * The hook a write that finds no reader calls, before returning -EPIPE
 * (Linux sends SIGPIPE to the writer). FIXME: the signals issue makes
 * this raise SIGPIPE on the calling thread; until then it does nothing.
 */
void vfs_pipe_broken(void);
