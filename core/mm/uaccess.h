/*
 * Kernel access to user memory, the one implementation both platforms
 * use (DESIGN.md, "Memory"): walk the address space's page table, touch
 * the page through the direct map (hal_phys_to_virt), and on a missing or
 * read-only page call vm_fault (demand paging, copy-on-write, stack
 * growth) and retry; an address the fault handler refuses gives -EFAULT.
 * No host signals or exception tables are involved.
 *
 * These take the address space explicitly. FIXME: the process issue adds
 * copy_from_user()/copy_to_user()/strncpy_from_user() on the current
 * task's address space as thin wrappers over these.
 *
 * Every function may sleep (faults take the address space's lock) and so
 * must not be called with a spinlock held. The caller holds none of the
 * address space's locks. Bytes before a failing page have been copied.
 */
#pragma once

#include "core/lib/types.h"

struct address_space;

/*
 * Copies `length` bytes from user `src` to kernel `dst`. Returns 0,
 * -EFAULT (part of the range is unmapped or unreadable) or -ENOMEM (a
 * fault ran out of memory).
 */
int vm_copy_from_user(struct address_space *as, void *dst, uaddr_t src,
		      size_t length);

/* Copies to user memory; as vm_copy_from_user, for writable pages. */
int vm_copy_to_user(struct address_space *as, uaddr_t dst, const void *src,
		    size_t length);

/*
 * Copies the NUL-terminated user string at `src` into `dst`, at most `max`
 * bytes. Returns its length (the NUL copied too), or `max` when no NUL
 * came within `max` bytes (dst is then not terminated: callers turn that
 * into -ENAMETOOLONG or -E2BIG), or -EFAULT/-ENOMEM. Pages after the NUL
 * are never touched. As Linux's strncpy_from_user.
 */
long vm_strncpy_from_user(struct address_space *as, char *dst, uaddr_t src,
			  size_t max);

/* Zeroes `length` bytes of user memory. Returns 0, -EFAULT or -ENOMEM. */
int vm_clear_user(struct address_space *as, uaddr_t dst, size_t length);
