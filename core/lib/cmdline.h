/*
 * The kernel command line: space-separated `key=value` or bare `key`
 * tokens, values optionally in double quotes. Parsed once at boot into a
 * private copy; read-only afterwards, so lookups need no lock.
 */
#pragma once

#include "core/lib/types.h"

#define CMDLINE_MAX_TOKENS 128

/*
 * Parses `line` (copied). Returns 0, or -E2BIG if it had more tokens than
 * CMDLINE_MAX_TOKENS (the extra ones are ignored). Boot only.
 */
int cmdline_parse(const char *line);

/*
 * Value of the last `key=value` token; "" for a bare `key`; NULL when the
 * key is absent.
 */
const char *cmdline_get(const char *key);

/* Whether `key` is present (bare, or with any value other than 0/off/no). */
bool cmdline_has_flag(const char *key);

/*
 * Parses the value of `key` as an unsigned integer (base auto-detected).
 * Returns 0 and stores it; -ENOENT when absent; -EINVAL/-ERANGE when
 * malformed.
 */
int cmdline_get_u64(const char *key, uint64_t *value);

/*
 * The words after a lone `--`, which are init's arguments (argv[1]...),
 * as a NULL-terminated array; *count gets how many. Those words are not
 * kernel parameters. Valid until the next cmdline_parse.
 */
const char *const *cmdline_init_args(unsigned int *count);

/* The command line as parsed (for /proc/cmdline and the boot banner). */
const char *cmdline_text(void);
