/*
 * `#!` scripts, with the rules of Linux's load_script: the first
 * EXEC_SCRIPT_LINE_MAX - 1 bytes are the line (to the first newline),
 * trailing spaces and tabs are dropped, the interpreter path runs to the
 * first space, tab or NUL, and the rest (leading blanks skipped) is one
 * optional argument. Pure parsing on a caller's buffer: no state.
 */
#include "core/exec/exec_internal.h"

#include "core/include/uapi/errno.h"
#include "core/lib/string.h"

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool is_terminator(char c)
{
	return c == ' ' || c == '\t' || c == '\0';
}

/* The first non-blank in [p, end), or NULL. */
static const char *skip_blanks(const char *p, const char *end)
{
	for (; p < end; p++) {
		if (!is_blank(*p))
			return p;
	}
	return NULL;
}

/* The first space, tab or NUL in [p, end), or NULL. */
static const char *find_terminator(const char *p, const char *end)
{
	for (; p < end; p++) {
		if (is_terminator(*p))
			return p;
	}
	return NULL;
}

bool exec_is_script(const uint8_t *head, size_t head_length)
{
	return head_length >= 2 && head[0] == '#' && head[1] == '!';
}

/* The end of the line, or NULL when it cannot be the whole name. */
static const char *line_end(const char *line)
{
	const char *buf_end = line + EXEC_SCRIPT_LINE_MAX - 1;
	const char *end = kmemchr(line, '\n', EXEC_SCRIPT_LINE_MAX);
	const char *name;

	if (end != NULL)
		return end;
	name = skip_blanks(line + 2, buf_end);
	/* Without a later blank or NUL the name may be cut short. */
	if (name == NULL || find_terminator(name, buf_end) == NULL)
		return NULL;
	return buf_end;
}

static void copy_span(char *out, const char *start, const char *end)
{
	size_t length = (size_t)(end - start);

	memcpy(out, start, length);
	out[length] = '\0';
	out[kstrlen(out)] = '\0'; /* an embedded NUL ends it, as Linux */
}

int exec_script_parse(const uint8_t *head, char *interp, char *arg)
{
	const char *line = (const char *)head;
	const char *end = line_end(line);
	const char *name, *separator, *argument = NULL;

	if (end == NULL)
		return -ENOEXEC;
	while (end > line + 2 && is_blank(end[-1]))
		end--;
	name = skip_blanks(line + 2, end);
	if (name == NULL || name == end)
		return -ENOEXEC;
	separator = find_terminator(name, end);
	if (separator != NULL && *separator != '\0')
		argument = skip_blanks(separator, end);
	copy_span(interp, name, separator ? separator : end);
	if (argument != NULL)
		copy_span(arg, argument, end);
	else
		arg[0] = '\0';
	return 0;
}
