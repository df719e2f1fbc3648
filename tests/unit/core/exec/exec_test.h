/*
 * Shared set-up for the program loader's tests: a kernel with a tmpfs
 * root (fs/vfs_test.h, which checks every page and VFS object comes
 * back), hand-made ELF64 images written into files, and readers of the
 * initial stack a successful exec_load built.
 */
#pragma once

#include "fs/vfs_test.h"

#include "core/exec/exec.h"
#include "core/include/uapi/auxv.h"
#include "core/include/uapi/elf.h"
#include "core/include/uapi/mman.h"
#include "core/mm/uaccess.h"
#include "core/mm/vm.h"

#define ET_MAX_SEGMENTS 8
#define ET_MAX_FILE (64 * 1024)
#define ET_MAX_WORDS 64

struct et_segment {
	uint32_t type, flags;
	uint64_t offset, vaddr, filesz, memsz, align;
};

/* An image: the headers at 0 and 64, the rest a byte pattern. */
struct et_image {
	uint16_t type;
	uint64_t entry;
	unsigned int count;
	struct et_segment segments[ET_MAX_SEGMENTS];
	size_t size;		/* file bytes */
};

static const struct exec_cred et_root_cred = { 0 };
static uint8_t et_buffer[ET_MAX_FILE];

static inline uint8_t et_pattern(uint64_t offset)
{
	return (uint8_t)(offset * 13 + 5);
}

/* The usual test program: text, then data with a bss over 3 pages. */
static inline struct et_image et_standard(void)
{
	return (struct et_image){
		.type = ET_EXEC, .entry = 0x400100, .count = 3, .size = 0x3000,
		.segments = {
			{ PT_LOAD, PF_R | PF_X, 0, 0x400000, 0x1800, 0x1800,
			  0x1000 },
			{ PT_LOAD, PF_R | PF_W, 0x2100, 0x403100, 0x100,
			  0x3000, 0x1000 },
			{ PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0, 16 },
		},
	};
}

/* The bytes of `image` in et_buffer. */
static inline void et_build(const struct et_image *image)
{
	struct elf64_ehdr header = {
		.e_type = image->type, .e_machine = EM_X86_64,
		.e_version = EV_CURRENT, .e_entry = image->entry,
		.e_phoff = sizeof(struct elf64_ehdr),
		.e_ehsize = sizeof(struct elf64_ehdr),
		.e_phentsize = sizeof(struct elf64_phdr),
		.e_phnum = (uint16_t)image->count,
	};

	cr_assert_leq(image->size, sizeof(et_buffer));
	for (size_t i = 0; i < image->size; i++)
		et_buffer[i] = et_pattern(i);
	memcpy(header.e_ident, ELFMAG, ELFMAG_SIZE);
	header.e_ident[EI_CLASS] = ELFCLASS64;
	header.e_ident[EI_DATA] = ELFDATA2LSB;
	header.e_ident[EI_VERSION] = EV_CURRENT;
	memcpy(et_buffer, &header, sizeof(header));
	for (unsigned int i = 0; i < image->count; i++) {
		const struct et_segment *s = &image->segments[i];
		struct elf64_phdr ph = {
			.p_type = s->type, .p_flags = s->flags,
			.p_offset = s->offset, .p_vaddr = s->vaddr,
			.p_paddr = s->vaddr, .p_filesz = s->filesz,
			.p_memsz = s->memsz, .p_align = s->align,
		};

		memcpy(et_buffer + 64 + i * sizeof(ph), &ph, sizeof(ph));
	}
}

/* Writes `length` bytes as a new file `path` with `mode`. */
static inline void et_write_file(const char *path, const void *data,
				 size_t length, uint32_t mode)
{
	struct vfs_file *file = vt_open(R, path, O_CREAT | O_WRONLY | O_TRUNC,
					mode);

	cr_assert_eq(vfs_write(file, data, length), (ssize_t)length);
	vfs_file_put(file);
	cr_assert_eq(vfs_fchmodat(R, NULL, path, mode, 0), 0);
}

static inline void et_write_image(const char *path,
				  const struct et_image *image)
{
	et_build(image);
	et_write_file(path, et_buffer, image->size, 0755);
}

static inline void et_mkdir(const char *path)
{
	cr_assert_eq(vfs_mkdirat(R, NULL, path, 0755), 0);
}

static inline void et_args(struct exec_args *args, const char *const *argv,
			   const char *const *envp)
{
	cr_assert_eq(exec_args_from_kernel(args, argv, envp), 0);
}

/* exec_load as root with {path} {"E=1"}; the error, args freed. */
static inline int et_load_err(const char *path)
{
	const char *const argv[] = { path, NULL };
	const char *const envp[] = { "E=1", NULL };
	struct exec_args args;
	struct exec_image image = { 0 };
	int err;

	et_args(&args, argv, envp);
	err = exec_load(R, NULL, path, 0, &args, &et_root_cred, &image);
	if (err == 0)
		exec_image_release(&image);
	exec_args_free(&args);
	return err;
}

/* What the initial stack says, read back word by word. */
struct et_stack {
	uint64_t argc;
	uint64_t argv[ET_MAX_WORDS];
	uint64_t envc;
	uint64_t envp[ET_MAX_WORDS];
	unsigned int auxc;		/* pairs, AT_NULL included */
	uint64_t aux[ET_MAX_WORDS][2];
};

static inline uint64_t et_word(struct address_space *as, uaddr_t addr)
{
	uint64_t word;

	cr_assert_eq(vm_copy_from_user(as, &word, addr, 8), 0, "read %#lx",
		     (unsigned long)addr);
	return word;
}

static inline void et_read_stack(struct address_space *as, uaddr_t sp,
				 struct et_stack *st)
{
	uaddr_t p = sp;

	*st = (struct et_stack){ .argc = et_word(as, p) };
	p += 8;
	cr_assert_lt(st->argc, ET_MAX_WORDS);
	for (uint64_t i = 0; i < st->argc; i++, p += 8)
		st->argv[i] = et_word(as, p);
	cr_assert_eq(et_word(as, p), 0, "argv ends with NULL");
	for (p += 8; et_word(as, p) != 0; p += 8) {
		cr_assert_lt(st->envc, ET_MAX_WORDS);
		st->envp[st->envc++] = et_word(as, p);
	}
	for (p += 8;; p += 16) {
		cr_assert_lt(st->auxc, ET_MAX_WORDS);
		st->aux[st->auxc][0] = et_word(as, p);
		st->aux[st->auxc][1] = et_word(as, p + 8);
		if (st->aux[st->auxc++][0] == AT_NULL)
			break;
	}
}

/* The value of auxv entry `type`; fails the test when absent. */
static inline uint64_t et_aux(const struct et_stack *st, uint64_t type)
{
	for (unsigned int i = 0; i < st->auxc; i++) {
		if (st->aux[i][0] == type)
			return st->aux[i][1];
	}
	cr_assert_fail("no auxv entry %llu", (unsigned long long)type);
	return 0;
}

static inline bool et_has_aux(const struct et_stack *st, uint64_t type)
{
	for (unsigned int i = 0; i < st->auxc; i++) {
		if (st->aux[i][0] == type)
			return true;
	}
	return false;
}

/* The user string at addr (asserting it fits in size). */
static inline void et_string(struct address_space *as, uaddr_t addr,
			     char *buf, size_t size)
{
	long length = vm_strncpy_from_user(as, buf, addr, size);

	cr_assert_geq(length, 0);
	cr_assert_lt((size_t)length, size);
}

/* Asserts argv of the stack is `expected` (NULL-terminated). */
static inline void et_assert_argv(struct address_space *as,
				  const struct et_stack *st,
				  const char *const *expected)
{
	char buf[512];
	uint64_t count = 0;

	for (; expected[count] != NULL; count++) {
		cr_assert_lt(count, st->argc, "argc %llu",
			     (unsigned long long)st->argc);
		et_string(as, st->argv[count], buf, sizeof(buf));
		cr_assert_str_eq(buf, expected[count], "argv[%llu]",
				 (unsigned long long)count);
	}
	cr_assert_eq(st->argc, count);
}
