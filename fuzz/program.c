/*
 * Decoding syscall programs from fuzzer input and printing them
 * (program.h). The decoder never fails: whatever the bytes, the result is
 * a program of zero or more calls whose arguments are in range, so every
 * input means something and small mutations make small changes.
 */
#include "program.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* Syscall numbers the decoder treats specially (the Linux x86_64 ABI). */
enum {
	NR_CLONE = 56, NR_FORK = 57, NR_VFORK = 58, NR_EXECVE = 59,
	NR_FLOCK = 73, NR_GETPRIORITY = 140,
	NR_SETPRIORITY = 141, NR_PIVOT_ROOT = 155, NR_ADJTIMEX = 159,
	NR_CHROOT = 161, NR_SETTIMEOFDAY = 164, NR_MOUNT = 165,
	NR_UMOUNT2 = 166, NR_REBOOT = 169, NR_SETHOSTNAME = 170,
	NR_SETDOMAINNAME = 171, NR_CLOCK_SETTIME = 227,
	NR_CLOCK_ADJTIME = 305, NR_EXECVEAT = 322, NR_CLONE3 = 435,
	NR_RAW_LIMIT = 512,
};

/* Choice byte: the form in the top 3 bits. */
enum {
	CHOICE_SMALL,		/* a signed byte follows */
	CHOICE_INT32,		/* 4 bytes, sign-extended */
	CHOICE_INT64,		/* 8 bytes */
	CHOICE_RESULT,		/* an earlier call's result: its index follows */
	CHOICE_DATA,		/* 2 bytes offset, 1 byte length, the bytes */
	CHOICE_PATH,		/* low 5 bits: a known path, 31: inline */
	CHOICE_ADDRESS,		/* low 5 bits: a telling address */
	CHOICE_TYPICAL,		/* low 5 bits: a usual value of the kind */
};

static const char *const known_paths[] = {
	"/tmp/f", "/tmp/d", "/tmp/l", "/tmp/p", "/tmp/new", "/tmp/d/x",
	"/tmp", "/", ".", "..", "", "/dev/null", "/dev/zero", "/dev/full",
	"/dev/urandom", "/dev/ptmx", "/dev/pts/0", "/proc/self/maps",
	"/proc/self/stat", "/proc/self/fd/0", "/proc/self/status",
	"/proc/meminfo", "/proc/mounts", "/proc/self", "/proc/1/cmdline",
	"/proc/sys/kernel/hostname", "tmp/f", "/tmp/l/x", "/tmp/f/x",
	"/nonexistent", "/tmp/../tmp/./d//",
};

/* Addresses that make handlers meet the edges of user memory. */
static const uint64_t telling_addresses[] = {
	0, FUZZ_RO, FUZZ_NONE, FUZZ_RO - 1, FUZZ_RO - 8, FUZZ_DATA,
	FUZZ_STACK_TOP - 256, 0x1000, 0x00007ffffffff000ULL,
	0x00007fffffffffffULL, 0x0000800000000000ULL, 0xffff800000000000ULL,
	0xffffffff80000000ULL, ~0ULL, FUZZ_DATA + FUZZ_DATA_SIZE / 2,
	FUZZ_NONE + 0x1000,
};

static const uint64_t typical_sizes[] = {
	0, 1, 2, 4, 8, 16, 24, 64, 128, 256, 4095, 4096, 4097, 8192,
	FUZZ_DATA_SIZE, 65536, 1 << 20, 0x7fffffff, 0x80000000ULL, ~0ULL,
};

static const uint64_t typical_fds[] = {
	0, 1, 2, 3, 4, 5, 6, (uint64_t)-1, (uint64_t)-100, 1023, 1024,
	0x7fffffff,
};

static const uint64_t typical_open_flags[] = {
	0, 1, 2, 0x42, 0x241, 0x441, 0x800, 0x10000, 0x80000, 0x200000,
	0x410000, 0xc2, 0x20000, 0x400, 0x1000, 0x101000,
};

static const uint64_t typical_prot[] = { 0, 1, 2, 3, 4, 5, 7, 0x1000000 };

static const uint64_t typical_mmap_flags[] = {
	0x22, 0x21, 0x02, 0x01, 0x32, 0x100022, 0x20022, 0x40022, 0x12,
	0x8022,
};

static const uint64_t typical_values[] = {
	0, 1, 2, 3, 4, 8, 9, 17, 19, 32, 64, 0x100, 0x1000, 0x8000,
	0x5401, 0x5402, 0x5413, 0x541b, 0x80045430, 0x40045431, 0x5410,
	(uint64_t)-1, 0x7fffffff, 0x80000000ULL, 0xffffffffULL,
	0x8000000000000000ULL,
};

struct reader {
	const uint8_t *data;
	size_t size, at;
};

static uint64_t read_bytes(struct reader *reader, unsigned int count)
{
	uint64_t value = 0;

	for (unsigned int i = 0; i < count && reader->at < reader->size; i++)
		value |= (uint64_t)reader->data[reader->at++] << (8 * i);
	return value;
}

#define PICK(table, index) ((table)[(index) % (sizeof(table) / sizeof((table)[0]))])

static uint64_t typical_value(enum syscall_arg_kind kind, unsigned int index)
{
	switch (kind) {
	case SYSCALL_ARG_SIZE:
		return PICK(typical_sizes, index);
	case SYSCALL_ARG_FD:
	case SYSCALL_ARG_DIRFD:
		return PICK(typical_fds, index);
	case SYSCALL_ARG_OPEN_FLAGS:
		return PICK(typical_open_flags, index);
	case SYSCALL_ARG_PROT:
		return PICK(typical_prot, index);
	case SYSCALL_ARG_MMAP_FLAGS:
		return PICK(typical_mmap_flags, index);
	case SYSCALL_ARG_MODE:
	case SYSCALL_ARG_OPEN_MODE:
		return index & 1 ? 0644 : 07777 & (index * 0111);
	case SYSCALL_ARG_SIGNAL:
		return index * 2 + (index > 16);
	case SYSCALL_ARG_PID:
		return (uint64_t)(int64_t)((int)index - 4);	/* -4..27 */
	default:
		return PICK(typical_values, index);
	}
}

/* Copies `length` input bytes into the blob; returns false when full. */
static bool take_blob(struct reader *reader, struct fuzz_program *program,
		      struct fuzz_arg *arg, size_t length, bool terminate)
{
	size_t room = FUZZ_BLOB_MAX - program->blob_used;
	size_t left = reader->size - reader->at;

	if (length > left)
		length = left;
	if (length + terminate > room)
		return false;
	arg->blob_offset = (uint16_t)program->blob_used;
	memcpy(program->blob + program->blob_used, reader->data + reader->at,
	       length);
	reader->at += length;
	if (terminate)
		program->blob[program->blob_used + length++] = 0;
	arg->blob_length = (uint16_t)length;
	program->blob_used += length;
	return true;
}

static void known_path(struct fuzz_program *program, struct fuzz_arg *arg,
		       unsigned int index)
{
	const char *path = PICK(known_paths, index);
	size_t length = strlen(path) + 1;

	if (length > FUZZ_BLOB_MAX - program->blob_used) {
		arg->form = FUZZ_ARG_VALUE;
		return;
	}
	arg->blob_offset = (uint16_t)program->blob_used;
	arg->blob_length = (uint16_t)length;
	memcpy(program->blob + program->blob_used, path, length);
	program->blob_used += length;
}

static void decode_arg(struct reader *reader, struct fuzz_program *program,
		       unsigned int call, enum syscall_arg_kind kind,
		       struct fuzz_arg *arg)
{
	uint8_t choice = (uint8_t)read_bytes(reader, 1);
	unsigned int low = choice & 31;

	*arg = (struct fuzz_arg){ .form = FUZZ_ARG_VALUE };
	switch (choice >> 5) {
	case CHOICE_SMALL:
		arg->value = (uint64_t)(int64_t)(int8_t)read_bytes(reader, 1);
		break;
	case CHOICE_INT32:
		arg->value = (uint64_t)(int64_t)(int32_t)read_bytes(reader, 4);
		break;
	case CHOICE_INT64:
		arg->value = read_bytes(reader, 8);
		break;
	case CHOICE_RESULT:
		if (call == 0)
			break;	/* nothing earlier: the value 0 */
		arg->form = FUZZ_ARG_RESULT;
		arg->ref = (unsigned int)read_bytes(reader, 1) % call;
		break;
	case CHOICE_DATA:
		arg->value = read_bytes(reader, 2) % FUZZ_DATA_SIZE;
		arg->form = take_blob(reader, program, arg,
				      (size_t)read_bytes(reader, 1), false) ?
			FUZZ_ARG_DATA : FUZZ_ARG_VALUE;
		break;
	case CHOICE_PATH:
		arg->value = (low * 0x100) % FUZZ_DATA_SIZE;
		arg->form = FUZZ_ARG_PATH;
		if (low == 31) {
			if (!take_blob(reader, program, arg,
				       (size_t)read_bytes(reader, 1) % 255, true))
				arg->form = FUZZ_ARG_VALUE;
		} else {
			known_path(program, arg, low);
		}
		break;
	case CHOICE_ADDRESS:
		arg->value = PICK(telling_addresses, low);
		break;
	default:
		arg->value = typical_value(kind, low);
		break;
	}
}

bool fuzz_syscall_creates_task(uint64_t nr)
{
	return nr == NR_CLONE || nr == NR_FORK || nr == NR_VFORK ||
	       nr == NR_CLONE3;
}

bool fuzz_syscall_allowed(uint64_t nr)
{
	const struct syscall_desc *desc = syscall_lookup(nr);

	switch (nr) {
	case NR_EXECVE: case NR_EXECVEAT: case NR_REBOOT: case NR_MOUNT:
	case NR_UMOUNT2: case NR_PIVOT_ROOT: case NR_CHROOT:
	case NR_SETTIMEOFDAY: case NR_CLOCK_SETTIME: case NR_ADJTIMEX:
	case NR_CLOCK_ADJTIME: case NR_SETHOSTNAME: case NR_SETDOMAINNAME:
	case NR_SETPRIORITY:
		return false;
	default:
		return desc != NULL && desc->handler != NULL;
	}
}

/*
 * Syscalls implemented after the corpus was made: fuzzed, but named by
 * raw number only (the dictionary has them), so that the index list
 * below, and with it what every corpus input means, stays as it was.
 */
static bool added_after_the_corpus(uint64_t nr)
{
	return nr == NR_FLOCK || nr == NR_GETPRIORITY;
}

/* The fuzzed syscalls named by index, in number order, built once. */
static unsigned int allowed_count;
static uint16_t allowed[SYSCALL_TABLE_SIZE];

static void list_allowed(void)
{
	if (allowed_count != 0)
		return;
	for (uint64_t nr = 0; nr < SYSCALL_TABLE_SIZE; nr++) {
		if (fuzz_syscall_allowed(nr) && !added_after_the_corpus(nr))
			allowed[allowed_count++] = (uint16_t)nr;
	}
}

static unsigned int arg_count(uint64_t nr)
{
	const struct syscall_desc *desc = syscall_lookup(nr);
	unsigned int count = 0;

	if (desc == NULL)
		return SYSCALL_MAX_ARGS;
	while (count < SYSCALL_MAX_ARGS &&
	       desc->args[count].kind != SYSCALL_ARG_NONE)
		count++;
	return count;
}

void fuzz_program_decode(const uint8_t *data, size_t size,
			 struct fuzz_program *program)
{
	struct reader reader = { data, size, 0 };
	unsigned int next_task = 1;

	list_allowed();
	program->count = 0;
	program->blob_used = 0;
	while (reader.at < reader.size && program->count < FUZZ_MAX_CALLS) {
		struct fuzz_call *call = &program->calls[program->count];
		uint8_t head = (uint8_t)read_bytes(&reader, 1);
		const struct syscall_desc *desc;

		call->task = head % FUZZ_MAX_TASKS;
		if (head & 0x80)
			call->nr = read_bytes(&reader, 2) % NR_RAW_LIMIT;
		else
			call->nr = allowed[read_bytes(&reader, 1) % allowed_count];
		if (!fuzz_syscall_allowed(call->nr) &&
		    syscall_lookup(call->nr) != NULL &&
		    syscall_lookup(call->nr)->handler != NULL)
			call->nr = 39;	/* a denied one: getpid instead */
		call->child_task = -1;
		if (fuzz_syscall_creates_task(call->nr) &&
		    next_task < FUZZ_MAX_TASKS)
			call->child_task = (int)next_task++;
		desc = syscall_lookup(call->nr);
		call->arg_count = arg_count(call->nr);
		for (unsigned int i = 0; i < call->arg_count; i++)
			decode_arg(&reader, program, program->count,
				   desc ? desc->args[i].kind : SYSCALL_ARG_HEX,
				   &call->args[i]);
		for (unsigned int i = call->arg_count; i < SYSCALL_MAX_ARGS; i++)
			call->args[i] = (struct fuzz_arg){ .form = FUZZ_ARG_VALUE };
		program->count++;
	}
}

uint64_t fuzz_arg_value(const struct fuzz_arg *arg, const int64_t *results)
{
	switch (arg->form) {
	case FUZZ_ARG_RESULT:
		return (uint64_t)results[arg->ref];
	case FUZZ_ARG_DATA:
	case FUZZ_ARG_PATH:
		return FUZZ_DATA + arg->value;
	default:
		return arg->value;
	}
}

struct text {
	char *out;
	size_t size, length;
};

__attribute__((format(printf, 2, 3)))
static void emit(struct text *text, const char *format, ...)
{
	size_t room = text->length < text->size ? text->size - text->length : 0;
	va_list ap;
	int n;

	va_start(ap, format);
	n = vsnprintf(text->out ? text->out + text->length : NULL, room,
		      format, ap);
	va_end(ap);
	if (n > 0)
		text->length += (size_t)n;
}

static void emit_blob(struct text *text, const struct fuzz_program *program,
		      const struct fuzz_arg *arg, bool path)
{
	const uint8_t *bytes = program->blob + arg->blob_offset;
	size_t length = arg->blob_length - (path ? 1 : 0);

	emit(text, path ? "\"" : "&data[%#llx]=\"",
	     (unsigned long long)arg->value);
	for (size_t i = 0; i < length; i++) {
		if (bytes[i] >= 0x20 && bytes[i] < 0x7f && bytes[i] != '"' &&
		    bytes[i] != '\\')
			emit(text, "%c", bytes[i]);
		else
			emit(text, "\\x%02x", bytes[i]);
	}
	emit(text, "\"");
}

static void emit_arg(struct text *text, const struct fuzz_program *program,
		     const struct fuzz_arg *arg)
{
	switch (arg->form) {
	case FUZZ_ARG_RESULT:
		emit(text, "r%u", arg->ref);
		break;
	case FUZZ_ARG_DATA:
		emit_blob(text, program, arg, false);
		break;
	case FUZZ_ARG_PATH:
		emit_blob(text, program, arg, true);
		break;
	default:
		if ((int64_t)arg->value < 0 && (int64_t)arg->value > -4096)
			emit(text, "%lld", (long long)arg->value);
		else
			emit(text, "%#llx", (unsigned long long)arg->value);
		break;
	}
}

size_t fuzz_program_format(const struct fuzz_program *program, char *out,
			   size_t size)
{
	struct text text = { out, size, 0 };

	if (out != NULL && size > 0)
		out[0] = '\0';
	for (unsigned int i = 0; i < program->count; i++) {
		const struct fuzz_call *call = &program->calls[i];
		const struct syscall_desc *desc = syscall_lookup(call->nr);

		emit(&text, "r%u = t%u ", i, call->task);
		if (desc != NULL && desc->name != NULL)
			emit(&text, "%s(", desc->name);
		else
			emit(&text, "syscall_%llu(",
			     (unsigned long long)call->nr);
		for (unsigned int a = 0; a < call->arg_count; a++) {
			emit(&text, a ? ", " : "");
			emit_arg(&text, program, &call->args[a]);
		}
		emit(&text, ")");
		if (call->child_task >= 0)
			emit(&text, "  # child: t%d", call->child_task);
		emit(&text, "\n");
	}
	return text.length;
}
