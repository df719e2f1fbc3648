/*
 * Command-line parsing. `storage` holds the NUL-separated tokens, `keys` and
 * `values` point into it. Written once by cmdline_parse at boot.
 */
#include "core/lib/cmdline.h"

#include "core/hal/boot.h"
#include "core/include/uapi/errno.h"
#include "core/lib/compiler.h"
#include "core/lib/string.h"

static char original[BOOT_CMDLINE_MAX];
static char storage[BOOT_CMDLINE_MAX];
static const char *keys[CMDLINE_MAX_TOKENS];
static const char *values[CMDLINE_MAX_TOKENS];
static unsigned int token_count;
/* Tokens from this index on came after `--`: init's arguments. */
static unsigned int init_args_start;
static const char *init_args[CMDLINE_MAX_TOKENS + 1];

/* Copies one token from *src into *dst, splitting key and value; NUL-ends. */
static void take_token(const char **src, char **dst, unsigned int index,
		       bool whole)
{
	bool quoted = false;
	bool have_value = whole;	/* a word for init: no key=value split */

	keys[index] = *dst;
	values[index] = "";
	for (; **src && (quoted || !kisspace(**src)); (*src)++) {
		char c = **src;

		if (c == '"') {
			quoted = !quoted;
		} else if (c == '=' && !have_value && !quoted) {
			*(*dst)++ = '\0';
			values[index] = *dst;
			have_value = true;
		} else {
			*(*dst)++ = c;
		}
	}
	*(*dst)++ = '\0';
}

int cmdline_parse(const char *line)
{
	const char *src = line;
	char *dst = storage;

	bool after_dashes = false;

	kstrlcpy(original, line, sizeof(original));
	token_count = 0;
	init_args_start = CMDLINE_MAX_TOKENS;
	for (;;) {
		while (kisspace(*src))
			src++;
		if (*src == '\0')
			return 0;
		if (!after_dashes && src[0] == '-' && src[1] == '-' &&
		    (src[2] == '\0' || kisspace(src[2]))) {
			after_dashes = true;
			init_args_start = token_count;
			src += 2;
			continue;
		}
		if (token_count == CMDLINE_MAX_TOKENS)
			return -E2BIG;
		/* A token takes its own length plus one NUL at most. */
		if ((size_t)(dst - storage) + kstrlen(src) + 1 > sizeof(storage))
			return -E2BIG;
		take_token(&src, &dst, token_count++, after_dashes);
	}
}

const char *const *cmdline_init_args(unsigned int *count)
{
	unsigned int n = 0;

	for (unsigned int i = init_args_start; i < token_count; i++)
		init_args[n++] = keys[i];
	init_args[n] = NULL;
	*count = n;
	return init_args;
}

const char *cmdline_get(const char *key)
{
	unsigned int end = MIN(token_count, init_args_start);

	for (unsigned int i = end; i > 0; i--) {
		if (kstrcmp(keys[i - 1], key) == 0)
			return values[i - 1];
	}
	return NULL;
}

bool cmdline_has_flag(const char *key)
{
	const char *value = cmdline_get(key);

	if (value == NULL)
		return false;
	return kstrcmp(value, "0") != 0 && kstrcmp(value, "off") != 0 &&
	       kstrcmp(value, "no") != 0;
}

int cmdline_get_u64(const char *key, uint64_t *value)
{
	const char *text = cmdline_get(key);
	unsigned long long parsed;
	int err;

	if (text == NULL)
		return -ENOENT;
	err = kstrtoull(text, 0, &parsed);
	if (err < 0)
		return err;
	*value = parsed;
	return 0;
}

const char *cmdline_text(void)
{
	return original;
}
