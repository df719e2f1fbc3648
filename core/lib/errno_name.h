/*
 * Symbolic names ("ENOENT") and messages ("No such file or directory") of
 * the Linux errno values, as strace prints them. Any context.
 */
#pragma once

/* The name of positive errno `error`, or NULL when it has none. */
const char *errno_name(int error);

/* The GNU C library's strerror text for `error`, or NULL when unknown. */
const char *errno_message(int error);
