/*
 * The syscall tracer. Formats one call per line into a stack buffer and
 * prints it raw (no timestamp), as strace writes its lines: arguments by
 * the table's kinds, strings quoted and escaped as strace does (-s 32
 * for buffers), flags by name, errors as `-1 ENOENT (No such file or
 * directory)`. Owns only the on/off state (an atomic int, no lock).
 */
#include "core/sys/trace.h"

#include <stdarg.h>

#include "core/include/uapi/errno.h"
#include "core/include/uapi/fcntl.h"
#include "core/lib/cmdline.h"
#include "core/lib/compiler.h"
#include "core/lib/errno_name.h"
#include "core/lib/format.h"
#include "core/lib/printk.h"
#include "core/lib/string.h"
#include "core/mm/uaccess.h"
#include "core/sys/dispatch.h"
#include "core/sys/trace_internal.h"

/* strace's default -s: bytes of a buffer shown before `...`. */
#define TRACE_STRING_MAX 32
/* Paths longer than this print truncated with `...` (strace: PATH_MAX). */
#define TRACE_PATH_MAX 256

enum trace_state {
	TRACE_UNKNOWN = 0,	/* the command line is not read yet */
	TRACE_OFF,
	TRACE_ON,
};

static int trace_state;

static bool trace_requested(void)
{
	const char *value = cmdline_get("trace");

	while (value != NULL && *value != '\0') {
		const char *end = kstrchr(value, ',');
		size_t length = end ? (size_t)(end - value) : kstrlen(value);

		if (length == 8 && kstrncmp(value, "syscalls", 8) == 0)
			return true;
		value = end ? end + 1 : NULL;
	}
	return false;
}

bool syscall_trace_enabled(void)
{
	int state = READ_ONCE(trace_state);

	if (state == TRACE_UNKNOWN) {
		/* Racing first callers compute the same answer. */
		state = trace_requested() ? TRACE_ON : TRACE_OFF;
		WRITE_ONCE(trace_state, state);
	}
	return state == TRACE_ON;
}

void syscall_trace_set_enabled(bool enabled)
{
	WRITE_ONCE(trace_state, enabled ? TRACE_ON : TRACE_OFF);
}

void trace_emit(struct trace_line *line, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	line->length += kvscnprintf(line->text + line->length,
				    sizeof(line->text) - line->length, fmt,
				    args);
	va_end(args);
}

/*
 * strace's escaping: C escapes, octal for the rest, `"` and `\` quoted;
 * with `hex`, every byte as \xNN (strace's QUOTE_FORCE_HEX).
 */
static void emit_escaped(struct trace_line *line, const uint8_t *bytes,
			 size_t length, bool hex)
{
	static const char escapes[256] = {
		['\t'] = 't', ['\n'] = 'n', ['\v'] = 'v', ['\f'] = 'f',
		['\r'] = 'r', ['"'] = '"', ['\\'] = '\\',
	};

	for (size_t i = 0; i < length; i++) {
		uint8_t c = bytes[i];
		bool octal_next = i + 1 < length && bytes[i + 1] >= '0' &&
				  bytes[i + 1] <= '7';

		if (hex)
			trace_emit(line, "\\x%02x", c);
		else if (escapes[c])
			trace_emit(line, "\\%c", escapes[c]);
		else if (c >= ' ' && c <= '~')
			trace_emit(line, "%c", c);
		else if (octal_next)
			trace_emit(line, "\\%03o", c);
		else
			trace_emit(line, "\\%o", c);
	}
}

static void emit_pointer(struct trace_line *line, uaddr_t addr)
{
	if (addr == 0)
		trace_emit(line, "NULL");
	else
		trace_emit(line, "%#llx", (unsigned long long)addr);
}

/* A NUL-terminated user string, or its address when unreadable. */
static void emit_path(struct trace_line *line, struct syscall_context *ctx,
		      uaddr_t addr)
{
	char path[TRACE_PATH_MAX];
	long length = -EFAULT;

	if (ctx->as != NULL && addr != 0)
		length = vm_strncpy_from_user(ctx->as, path, addr,
					      sizeof(path));
	if (length < 0) {
		emit_pointer(line, addr);
		return;
	}
	trace_emit(line, "\"");
	emit_escaped(line, (const uint8_t *)path, (size_t)length, false);
	trace_emit(line, (size_t)length == sizeof(path) ? "\"..." : "\"");
}

/* `length` user bytes, the first TRACE_STRING_MAX of them shown. */
static void emit_buffer(struct trace_line *line, struct syscall_context *ctx,
			uaddr_t addr, uint64_t length, bool hex)
{
	uint8_t bytes[TRACE_STRING_MAX];
	size_t shown = MIN(length, (uint64_t)sizeof(bytes));

	if (ctx->as == NULL ||
	    vm_copy_from_user(ctx->as, bytes, addr, shown) < 0) {
		emit_pointer(line, addr);
		return;
	}
	trace_emit(line, "\"");
	emit_escaped(line, bytes, shown, hex);
	trace_emit(line, length > shown ? "\"..." : "\"");
}

static const char *const signal_names[] = {
	[1] = "SIGHUP", [2] = "SIGINT", [3] = "SIGQUIT", [4] = "SIGILL",
	[5] = "SIGTRAP", [6] = "SIGABRT", [7] = "SIGBUS", [8] = "SIGFPE",
	[9] = "SIGKILL", [10] = "SIGUSR1", [11] = "SIGSEGV",
	[12] = "SIGUSR2", [13] = "SIGPIPE", [14] = "SIGALRM",
	[15] = "SIGTERM", [16] = "SIGSTKFLT", [17] = "SIGCHLD",
	[18] = "SIGCONT", [19] = "SIGSTOP", [20] = "SIGTSTP",
	[21] = "SIGTTIN", [22] = "SIGTTOU", [23] = "SIGURG",
	[24] = "SIGXCPU", [25] = "SIGXFSZ", [26] = "SIGVTALRM",
	[27] = "SIGPROF", [28] = "SIGWINCH", [29] = "SIGIO", [30] = "SIGPWR",
	[31] = "SIGSYS",
};

/* Real-time signals print as strace does: SIGRTMIN is 32 on Linux. */
static void emit_signal(struct trace_line *line, int signal)
{
	if (signal > 0 && (size_t)signal < ARRAY_SIZE(signal_names))
		trace_emit(line, "%s", signal_names[signal]);
	else if (signal == 32)
		trace_emit(line, "SIGRTMIN");
	else if (signal > 32 && signal <= 64)
		trace_emit(line, "SIGRT_%d", signal - 32);
	else
		trace_emit(line, "%d", signal);
}

/* Whether the call's open flags (O_CREAT, O_TMPFILE) use its mode. */
static bool open_mode_used(const struct syscall_desc *desc,
			   const struct syscall_args *args)
{
	for (unsigned int i = 0; i < SYSCALL_MAX_ARGS; i++)
		if (desc->args[i].kind == SYSCALL_ARG_OPEN_FLAGS)
			return (args->arg[i] & O_CREAT) ||
			       (args->arg[i] & O_TMPFILE) == O_TMPFILE;
	return true;
}

static void emit_arg(struct trace_line *line, struct syscall_context *ctx,
		     const struct syscall_arg *arg, uint64_t value,
		     const struct syscall_args *args, long result)
{
	switch (arg->kind) {
	case SYSCALL_ARG_NONE: break;
	case SYSCALL_ARG_INT: /* fall through */
	case SYSCALL_ARG_FD: /* fall through */
	case SYSCALL_ARG_PID: trace_emit(line, "%d", (int)value); break;
	case SYSCALL_ARG_LONG:
		trace_emit(line, "%lld", (long long)value);
		break;
	case SYSCALL_ARG_UINT:
		trace_emit(line, "%u", (unsigned int)value);
		break;
	case SYSCALL_ARG_SIZE:
		trace_emit(line, "%llu", (unsigned long long)value);
		break;
	case SYSCALL_ARG_HEX:
		trace_emit(line, "%#llx", (unsigned long long)value);
		break;
	case SYSCALL_ARG_DIRFD:
		if ((int)value == AT_FDCWD)
			trace_emit(line, "AT_FDCWD");
		else
			trace_emit(line, "%d", (int)value);
		break;
	case SYSCALL_ARG_PATH: emit_path(line, ctx, value); break;
	case SYSCALL_ARG_BUF_IN:
		emit_buffer(line, ctx, value, args->arg[arg->length_arg],
			    false);
		break;
	case SYSCALL_ARG_BUF_OUT: /* fall through */
	case SYSCALL_ARG_BIN_OUT:
		/* strace shows what the call wrote: `result` bytes. */
		if (result < 0)
			emit_pointer(line, value);
		else
			emit_buffer(line, ctx, value,
				    MIN((uint64_t)result,
					args->arg[arg->length_arg]),
				    arg->kind == SYSCALL_ARG_BIN_OUT);
		break;
	case SYSCALL_ARG_OPEN_MODE: /* fall through */
	case SYSCALL_ARG_MODE:
		trace_emit(line, "%#03o", (unsigned int)value);
		break;
	case SYSCALL_ARG_OPEN_FLAGS: trace_emit_open_flags(line, value); break;
	case SYSCALL_ARG_AT_FLAGS: trace_emit_at_flags(line, value); break;
	case SYSCALL_ARG_PROT: trace_emit_prot(line, value); break;
	case SYSCALL_ARG_MMAP_FLAGS: trace_emit_mmap_flags(line, value); break;
	case SYSCALL_ARG_GRND_FLAGS: trace_emit_grnd_flags(line, value); break;
	case SYSCALL_ARG_SIGNAL: emit_signal(line, (int)value); break;
	case SYSCALL_ARG_PTR: emit_pointer(line, value); break;
	}
}

static void emit_args(struct trace_line *line, struct syscall_context *ctx,
		      const struct syscall_desc *desc,
		      const struct syscall_args *args, long result)
{
	unsigned int count = syscall_arg_count(desc);
	const char *separator = "";

	for (unsigned int i = 0; i < count; i++) {
		const struct syscall_arg *arg = &desc->args[i];

		/* strace omits open's mode unless O_CREAT/O_TMPFILE use it. */
		if (arg->kind == SYSCALL_ARG_OPEN_MODE &&
		    !open_mode_used(desc, args))
			continue;
		trace_emit(line, "%s", separator);
		emit_arg(line, ctx, arg, args->arg[i], args, result);
		separator = ", ";
	}
}

/* A number with no row prints as strace does: name by number, hex args. */
static void emit_unknown(struct trace_line *line, uint64_t nr,
			 const struct syscall_args *args)
{
	trace_emit(line, "syscall_%#llx(", (unsigned long long)nr);
	for (unsigned int i = 0; i < SYSCALL_MAX_ARGS; i++)
		trace_emit(line, "%s%#llx", i ? ", " : "",
			   (unsigned long long)args->arg[i]);
	trace_emit(line, ")");
}

/* strace's column for " = ": shorter calls are padded up to it. */
#define TRACE_RESULT_COLUMN 39

static void emit_result(struct trace_line *line,
			const struct syscall_desc *desc, long result)
{
	if (line->length < TRACE_RESULT_COLUMN)
		trace_emit(line, "%*s",
			   (int)(TRACE_RESULT_COLUMN - line->length), "");
	if (result < 0 && result >= -MAX_ERRNO) {
		int error = (int)-result;
		const char *name = errno_name(error);

		if (name != NULL)
			trace_emit(line, " = -1 %s (%s)", name,
				   errno_message(error));
		else
			trace_emit(line, " = -1 %d (Unknown error %d)", error,
				   error);
	} else if (desc != NULL && desc->ret == SYSCALL_RET_ADDR) {
		trace_emit(line, " = %#lx", (unsigned long)result);
	} else {
		trace_emit(line, " = %ld", result);
	}
}

void syscall_trace(struct syscall_context *ctx, uint64_t nr,
		   const struct syscall_args *args, long result)
{
	const struct syscall_desc *desc = syscall_lookup(nr);
	struct trace_line line = { .length = 0 };

	if (desc != NULL) {
		trace_emit(&line, "%s(", desc->name);
		emit_args(&line, ctx, desc, args, result);
		trace_emit(&line, ")");
	} else {
		emit_unknown(&line, nr, args);
	}
	emit_result(&line, desc, result);
	printk_raw("%s\n", line.text);
}

void syscall_trace_poweroff(void)
{
	if (syscall_trace_enabled())
		syscall_unimplemented_report();
}
