/*
 * The system's names as uname(2) reports them, for /proc/sys/kernel and
 * /proc/version (core/sys/sys_info.c).
 */
#pragma once

#include "core/lib/types.h"

/*
 * A Linux release string: C libraries compare it against their minimum
 * kernel version, so it must look like one.
 */
#define UTS_RELEASE "6.1.0-amphi"
#define UTS_VERSION "#1 SMP Amphi"
#define UTS_NAME_MAX 64			/* __NEW_UTS_LEN */

/* Copies the host name (NUL-terminated) into buf; returns its length. */
size_t uts_hostname(char *buf, size_t size);

/*
 * Sets the host name to `length` bytes of `name` (sethostname(2) without
 * the permission check). Returns 0 or -EINVAL (longer than 64 bytes).
 */
int uts_set_hostname(const char *name, size_t length);
