/*
 * Flag decoding for the syscall tracer: each set is a table in the order
 * strace prints it; bits no entry names print as one hex remainder.
 * Constant data: no locks.
 */
#include "core/sys/trace_internal.h"

#include "core/include/uapi/fcntl.h"
#include "core/include/uapi/mman.h"
#include "core/include/uapi/random.h"

/* Not in our UAPI headers: only the tracer names them. */
#define TRACE_O_ASYNC 020000
#define TRACE_PROT_SEM 0x8
#define TRACE_AT_RECURSIVE 0x8000

struct flag_name {
	uint64_t value;
	const char *name;
};

/* Composite flags (O_SYNC, O_TMPFILE) come before their parts. */
static const struct flag_name open_flag_names[] = {
	{ O_CREAT, "O_CREAT" }, { O_EXCL, "O_EXCL" },
	{ O_NOCTTY, "O_NOCTTY" }, { O_TRUNC, "O_TRUNC" },
	{ O_APPEND, "O_APPEND" }, { O_NONBLOCK, "O_NONBLOCK" },
	{ O_SYNC, "O_SYNC" }, { O_DSYNC, "O_DSYNC" },
	{ TRACE_O_ASYNC, "O_ASYNC" }, { O_DIRECT, "O_DIRECT" },
	{ O_LARGEFILE, "O_LARGEFILE" }, { O_TMPFILE, "O_TMPFILE" },
	{ O_DIRECTORY, "O_DIRECTORY" }, { O_NOFOLLOW, "O_NOFOLLOW" },
	{ O_NOATIME, "O_NOATIME" }, { O_CLOEXEC, "O_CLOEXEC" },
	{ O_PATH, "O_PATH" },
};

static const struct flag_name at_flag_names[] = {
	{ AT_SYMLINK_NOFOLLOW, "AT_SYMLINK_NOFOLLOW" },
	{ AT_REMOVEDIR, "AT_REMOVEDIR" },
	{ AT_SYMLINK_FOLLOW, "AT_SYMLINK_FOLLOW" },
	{ AT_NO_AUTOMOUNT, "AT_NO_AUTOMOUNT" },
	{ AT_EMPTY_PATH, "AT_EMPTY_PATH" },
	{ TRACE_AT_RECURSIVE, "AT_RECURSIVE" },
};

static const struct flag_name prot_names[] = {
	{ PROT_READ, "PROT_READ" }, { PROT_WRITE, "PROT_WRITE" },
	{ PROT_EXEC, "PROT_EXEC" }, { TRACE_PROT_SEM, "PROT_SEM" },
	{ PROT_GROWSDOWN, "PROT_GROWSDOWN" }, { PROT_GROWSUP, "PROT_GROWSUP" },
};

static const struct flag_name map_type_names[] = {
	{ MAP_SHARED, "MAP_SHARED" }, { MAP_PRIVATE, "MAP_PRIVATE" },
	{ MAP_SHARED_VALIDATE, "MAP_SHARED_VALIDATE" },
};

static const struct flag_name map_flag_names[] = {
	{ MAP_FIXED, "MAP_FIXED" }, { MAP_ANONYMOUS, "MAP_ANONYMOUS" },
	{ MAP_32BIT, "MAP_32BIT" }, { MAP_GROWSDOWN, "MAP_GROWSDOWN" },
	{ MAP_DENYWRITE, "MAP_DENYWRITE" },
	{ MAP_EXECUTABLE, "MAP_EXECUTABLE" }, { MAP_LOCKED, "MAP_LOCKED" },
	{ MAP_NORESERVE, "MAP_NORESERVE" }, { MAP_POPULATE, "MAP_POPULATE" },
	{ MAP_NONBLOCK, "MAP_NONBLOCK" }, { MAP_STACK, "MAP_STACK" },
	{ MAP_HUGETLB, "MAP_HUGETLB" }, { MAP_SYNC, "MAP_SYNC" },
	{ MAP_FIXED_NOREPLACE, "MAP_FIXED_NOREPLACE" },
	{ MAP_UNINITIALIZED, "MAP_UNINITIALIZED" },
};

static const struct flag_name grnd_names[] = {
	{ GRND_NONBLOCK, "GRND_NONBLOCK" }, { GRND_RANDOM, "GRND_RANDOM" },
	{ GRND_INSECURE, "GRND_INSECURE" },
};

/*
 * Appends the names of the bits of `flags` that `names` knows, joined by
 * '|', after `separator`; then any remainder in hex. Returns whether it
 * printed anything.
 */
static bool emit_flag_set(struct trace_line *line,
			  const struct flag_name *names, size_t count,
			  uint64_t flags, const char *separator)
{
	const char *start = separator;

	for (size_t i = 0; i < count; i++) {
		if ((flags & names[i].value) != names[i].value)
			continue;
		trace_emit(line, "%s%s", separator, names[i].name);
		flags &= ~names[i].value;
		separator = "|";
	}
	if (flags != 0) {
		trace_emit(line, "%s%#llx", separator,
			   (unsigned long long)flags);
		separator = "|";
	}
	return separator != start;
}

static void emit_flags_or(struct trace_line *line,
			  const struct flag_name *names, size_t count,
			  uint64_t flags, const char *zero)
{
	if (!emit_flag_set(line, names, count, flags, ""))
		trace_emit(line, "%s", zero);
}

void trace_emit_open_flags(struct trace_line *line, uint64_t flags)
{
	static const char *const access_modes[] = {
		"O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE",
	};

	flags = (uint32_t)flags;
	trace_emit(line, "%s", access_modes[flags & O_ACCMODE]);
	emit_flag_set(line, open_flag_names, ARRAY_SIZE(open_flag_names),
		      flags & ~(uint64_t)O_ACCMODE, "|");
}

void trace_emit_at_flags(struct trace_line *line, uint64_t flags)
{
	emit_flags_or(line, at_flag_names, ARRAY_SIZE(at_flag_names),
		      (uint32_t)flags, "0");
}

void trace_emit_prot(struct trace_line *line, uint64_t prot)
{
	emit_flags_or(line, prot_names, ARRAY_SIZE(prot_names),
		      (uint32_t)prot, "PROT_NONE");
}

void trace_emit_mmap_flags(struct trace_line *line, uint64_t flags)
{
	uint64_t type = flags & MAP_TYPE;
	const char *separator = "|";

	flags = (uint32_t)flags & ~(uint64_t)MAP_TYPE;
	if (type >= MAP_SHARED && type <= MAP_SHARED_VALIDATE)
		trace_emit(line, "%s", map_type_names[type - 1].name);
	else if (type != 0)
		trace_emit(line, "%#llx", (unsigned long long)type);
	else
		separator = "";
	if (!emit_flag_set(line, map_flag_names, ARRAY_SIZE(map_flag_names),
			   flags, separator) && type == 0)
		trace_emit(line, "0");
}

void trace_emit_grnd_flags(struct trace_line *line, uint64_t flags)
{
	emit_flags_or(line, grnd_names, ARRAY_SIZE(grnd_names),
		      (uint32_t)flags, "0");
}
