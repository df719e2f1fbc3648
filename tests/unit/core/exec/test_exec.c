/*
 * exec_load with ELF images: the mapped segments and bss, the initial
 * stack (argc, argv, envp, every auxv entry), static-PIE placement, the
 * heap, permission checks, and every kind of malformed image, each
 * failing with Linux's errno and leaving nothing allocated.
 */
#include "exec_test.h"

#include "core/hal/cpu.h"
#include "core/lib/panic.h"

static struct exec_args args;
static struct exec_image image;

static void setup(void)
{
	vfs_test_init();
	et_mkdir("/bin");
}

static void teardown(void)
{
	exec_image_release(&image);
	exec_args_free(&args);
	vfs_test_fini();
}

#define EXEC_TEST(name) Test(exec_load, name, .init = setup, .fini = teardown)

static const char *const test_argv[] = { "prog", "one", "two", NULL };
static const char *const test_envp[] = { "HOME=/", "TERM=dumb", NULL };

static void load(const char *path, const struct exec_cred *cred)
{
	int err;

	et_args(&args, test_argv, test_envp);
	err = exec_load(R, NULL, path, 0, &args, cred, &image);
	cr_assert_eq(err, 0, "exec_load(%s) = %d", path, err);
	cr_assert_eq(vm_validate(image.as), 0);
}

static void assert_user_bytes(uaddr_t addr, const uint8_t *expected,
			      size_t length)
{
	static uint8_t got[ET_MAX_FILE];

	cr_assert_eq(vm_copy_from_user(image.as, got, addr, length), 0,
		     "read %#lx", (unsigned long)addr);
	cr_assert_eq(memcmp(got, expected, length), 0, "bytes at %#lx",
		     (unsigned long)addr);
}

static void assert_user_zeros(uaddr_t addr, size_t length)
{
	static const uint8_t zeros[ET_MAX_FILE];

	assert_user_bytes(addr, zeros, length);
}

EXEC_TEST(et_exec_maps_the_segments_and_the_bss)
{
	struct et_image elf = et_standard();
	struct vfs_file *file;
	uint8_t byte = 1;

	et_write_image("/bin/prog", &elf);
	load("/bin/prog", &et_root_cred);
	cr_assert_eq(image.entry, 0x400100);
	assert_user_bytes(0x400000, et_buffer, 0x1800);
	/* The data page: file bytes up to p_filesz, zeros after. */
	assert_user_bytes(0x403000, et_buffer + 0x2000, 0x200);
	assert_user_zeros(0x403200, 0xe00);
	assert_user_zeros(0x404000, 0x3000);
	cr_assert_eq(vm_fault(image.as, 0x407000, VM_ACCESS_READ), -EFAULT);
	cr_assert_eq(vm_copy_to_user(image.as, 0x400000, &byte, 1), -EFAULT,
		     "text is read-only");
	cr_assert_eq(vm_copy_to_user(image.as, 0x403100, &byte, 1), 0);
	cr_assert_eq(vm_copy_to_user(image.as, 0x405000, &byte, 1), 0);
	/* The zeroed tail was a private copy: the file is intact. */
	file = vt_open(R, "/bin/prog", O_RDONLY, 0);
	cr_assert_eq(vfs_pread(file, &byte, 1, 0x2200), 1);
	cr_assert_eq(byte, et_pattern(0x2200));
	cr_assert_eq(vfs_pread(file, &byte, 1, 0x2100), 1);
	cr_assert_eq(byte, et_pattern(0x2100));
	vfs_file_put(file);
	cr_assert_str_eq(image.comm, "prog");
}

/*
 * The caller's RLIMIT_STACK sizes the new space: its stack grows only that
 * far, while mmap placement stays at least VM_MMAP_TOP_GAP below the top.
 */
EXEC_TEST(rlimit_stack_bounds_the_new_stack)
{
	struct et_image elf = et_standard();
	const struct exec_cred cred = { .stack_rlimit = 256 * 1024 };
	uaddr_t sp;	/* a few KiB below the stack's top */

	et_write_image("/bin/prog", &elf);
	load("/bin/prog", &cred);
	cr_assert_eq(image.as->stack_limit, 256 * 1024);
	cr_assert_leq(image.as->mmap_base, image.as->limit - VM_MMAP_TOP_GAP);
	sp = image.stack_pointer;
	cr_assert_eq(vm_fault(image.as, sp - 200 * 1024, VM_ACCESS_WRITE), 0);
	cr_assert_eq(vm_fault(image.as, sp - 300 * 1024, VM_ACCESS_WRITE),
		     -EFAULT);
	vm_set_stack_limit(image.as, 8 * 1024 * 1024);
	cr_assert_eq(vm_fault(image.as, sp - 300 * 1024, VM_ACCESS_WRITE), 0);
}

EXEC_TEST(the_stack_holds_argv_envp_and_the_auxv)
{
	struct et_image elf = et_standard();
	const struct exec_cred cred = { .uid = 1000, .euid = 1001, .gid = 1002,
					.egid = 1003, .secure = true };
	uint8_t phdrs[3 * sizeof(struct elf64_phdr)];
	struct et_stack st;
	char buf[64];

	et_write_image("/bin/prog", &elf);
	load("/bin/prog", &cred);
	cr_assert_eq(image.stack_pointer % 16, 0, "rsp is 16-byte aligned");
	et_read_stack(image.as, image.stack_pointer, &st);
	et_assert_argv(image.as, &st, test_argv);
	cr_assert_eq(st.envc, 2);
	et_string(image.as, st.envp[1], buf, sizeof(buf));
	cr_assert_str_eq(buf, "TERM=dumb");
	cr_assert_eq(et_aux(&st, AT_PAGESZ), 4096);
	cr_assert_eq(et_aux(&st, AT_CLKTCK), 100);
	cr_assert_eq(et_aux(&st, AT_PHENT), sizeof(struct elf64_phdr));
	cr_assert_eq(et_aux(&st, AT_PHNUM), 3);
	cr_assert_eq(et_aux(&st, AT_PHDR), 0x400040);
	cr_assert_eq(vm_copy_from_user(image.as, phdrs, et_aux(&st, AT_PHDR),
				       sizeof(phdrs)), 0);
	cr_assert_eq(memcmp(phdrs, et_buffer + 64, sizeof(phdrs)), 0);
	cr_assert_eq(et_aux(&st, AT_ENTRY), 0x400100);
	cr_assert_eq(et_aux(&st, AT_BASE), 0);
	cr_assert_eq(et_aux(&st, AT_FLAGS), 0);
	cr_assert_eq(et_aux(&st, AT_UID), 1000);
	cr_assert_eq(et_aux(&st, AT_EUID), 1001);
	cr_assert_eq(et_aux(&st, AT_GID), 1002);
	cr_assert_eq(et_aux(&st, AT_EGID), 1003);
	cr_assert_eq(et_aux(&st, AT_SECURE), 1);
	cr_assert_eq(et_aux(&st, AT_HWCAP), hal_cpu_hwcap());
	cr_assert_neq(et_aux(&st, AT_HWCAP) & (1u << 25), 0, "SSE");
	cr_assert_geq(et_aux(&st, AT_MINSIGSTKSZ), 2048);
	cr_assert_not(et_has_aux(&st, AT_SYSINFO_EHDR), "no vDSO");
	et_string(image.as, et_aux(&st, AT_EXECFN), buf, sizeof(buf));
	cr_assert_str_eq(buf, "/bin/prog");
	et_string(image.as, et_aux(&st, AT_PLATFORM), buf, sizeof(buf));
	cr_assert_str_eq(buf, "x86_64");
	cr_assert_eq(vm_copy_from_user(image.as, buf, et_aux(&st, AT_RANDOM),
				       16), 0);
	cr_assert_gt(et_aux(&st, AT_RANDOM), image.stack_pointer);
	cr_assert_eq(st.aux[st.auxc - 1][0], AT_NULL);
}

/* The VMA holding addr, copied out. */
struct find_vma {
	uaddr_t addr;
	struct vma found;
	bool ok;
};

static int find_one(const struct vma *vma, void *arg)
{
	struct find_vma *find = arg;

	if (vma->start <= find->addr && find->addr < vma->end) {
		find->found = *vma;
		find->ok = true;
	}
	return 0;
}

static struct vma vma_at(uaddr_t addr)
{
	struct find_vma find = { .addr = addr };

	vm_for_each_vma(image.as, find_one, &find);
	cr_assert(find.ok, "no VMA at %#lx", (unsigned long)addr);
	return find.found;
}

EXEC_TEST(stack_heap_and_mmap_base_sit_like_linux)
{
	struct et_image elf = et_standard();
	struct address_space *as;
	struct vma stack;
	uaddr_t brk;

	et_write_image("/bin/prog", &elf);
	load("/bin/prog", &et_root_cred);
	as = image.as;
	stack = vma_at(image.stack_pointer);
	cr_assert(stack.flags & VMA_GROWSDOWN);
	cr_assert_eq(stack.prot, PROT_READ | PROT_WRITE, "no PF_X: no exec");
	cr_assert_leq(stack.end, as->limit);
	cr_assert_geq(stack.end, as->limit - (16ULL << 30));
	cr_assert_geq(image.stack_pointer - stack.start, 128 * 1024,
		      "room below the arguments");
	cr_assert_lt(as->mmap_base, stack.start);
	cr_assert_eq(as->brk_start, as->brk);
	cr_assert_eq(as->brk_start % PAGE_SIZE, 0);
	cr_assert_geq(as->brk_start, 0x407000);
	cr_assert_lt(as->brk_start, 0x407000 + (32 << 20));
	brk = vm_brk(as, as->brk_start + 3 * PAGE_SIZE, NULL);
	cr_assert_eq(brk, as->brk_start + 3 * PAGE_SIZE);
	cr_assert_eq(vm_clear_user(as, as->brk_start, PAGE_SIZE), 0);
	/* The stack grows down on a fault below it. */
	cr_assert_eq(vm_clear_user(as, stack.start - PAGE_SIZE, 8), 0);
}

EXEC_TEST(gnu_stack_with_pf_x_gives_an_executable_stack)
{
	struct et_image elf = et_standard();

	elf.segments[2].flags = PF_R | PF_W | PF_X;
	et_write_image("/bin/prog", &elf);
	load("/bin/prog", &et_root_cred);
	cr_assert(vma_at(image.stack_pointer).prot & PROT_EXEC);
}

/* A static-PIE image: linked at 0, loaded at a random base. */
static struct et_image et_pie(void)
{
	return (struct et_image){
		.type = ET_DYN, .entry = 0x1100, .count = 2, .size = 0x3000,
		.segments = {
			{ PT_LOAD, PF_R | PF_X, 0, 0, 0x1800, 0x1800, 0x1000 },
			{ PT_LOAD, PF_R | PF_W, 0x2000, 0x2000, 0x800, 0x5000,
			  0x1000 },
		},
	};
}

EXEC_TEST(et_dyn_loads_at_a_random_base_near_two_thirds)
{
	struct et_image elf = et_pie();
	struct et_stack st;
	uaddr_t base, first;

	et_write_image("/bin/pie", &elf);
	load("/bin/pie", &et_root_cred);
	base = image.entry - 0x1100;
	cr_assert_eq(base % PAGE_SIZE, 0);
	cr_assert_geq(base, image.as->limit / 3 * 2 - PAGE_SIZE);
	cr_assert_lt(base, image.as->limit / 3 * 2 + (1ULL << 40));
	assert_user_bytes(base, et_buffer, 0x1800);
	assert_user_bytes(base + 0x2000, et_buffer + 0x2000, 0x800);
	assert_user_zeros(base + 0x2800, 0x4800);
	et_read_stack(image.as, image.stack_pointer, &st);
	cr_assert_eq(et_aux(&st, AT_PHDR), base + 64);
	cr_assert_eq(et_aux(&st, AT_ENTRY), image.entry);
	cr_assert_geq(image.as->brk_start, base + 0x7000);
	first = base;
	exec_image_release(&image);
	exec_args_free(&args);
	/* Another load: another base (2^28 choices). */
	load("/bin/pie", &et_root_cred);
	cr_assert_neq(image.entry - 0x1100, first);
}

EXEC_TEST(at_empty_path_runs_the_directory_file_itself)
{
	struct et_image elf = et_standard();
	struct vfs_file *file;

	et_write_image("/bin/prog", &elf);
	file = vt_open(R, "/bin/prog", O_PATH, 0);
	et_args(&args, test_argv, test_envp);
	cr_assert_eq(exec_load(R, file, "", AT_EMPTY_PATH, &args,
			       &et_root_cred, &image), 0);
	cr_assert_eq(image.entry, 0x400100);
	vfs_file_put(file);
}

EXEC_TEST(permission_rules_are_linuxs)
{
	struct et_image elf = et_standard();
	const char *const argv[] = { "x", NULL };

	et_write_image("/bin/prog", &elf);
	cr_assert_eq(vfs_fchmodat(R, NULL, "/bin/prog", 0644, 0), 0);
	cr_assert_eq(et_load_err("/bin/prog"), -EACCES, "root needs an x bit");
	cr_assert_eq(vfs_fchmodat(R, NULL, "/bin/prog", 0001, 0), 0);
	cr_assert_eq(et_load_err("/bin/prog"), 0, "any x bit will do");
	cr_assert_eq(vfs_fchmodat(R, NULL, "/bin/prog", 0711, 0), 0);
	et_args(&args, argv, NULL);
	cr_assert_eq(exec_load(U, NULL, "/bin/prog", 0, &args, &et_root_cred,
			       &image), 0, "execute without read permission");
	exec_image_release(&image);
	cr_assert_eq(vfs_fchmodat(R, NULL, "/bin/prog", 0744, 0), 0);
	cr_assert_eq(exec_load(U, NULL, "/bin/prog", 0, &args, &et_root_cred,
			       &image), -EACCES);
	cr_assert_eq(et_load_err("/bin"), -EACCES, "a directory");
	cr_assert_eq(et_load_err("/bin/none"), -ENOENT);
	cr_assert_eq(et_load_err("/bin/prog/x"), -ENOTDIR);
	cr_assert_eq(vfs_symlinkat(R, "/bin/prog", NULL, "/link"), 0);
	cr_assert_eq(et_load_err("/link"), 0, "a symbolic link is followed");
	cr_assert_eq(exec_load(R, NULL, "/link", AT_SYMLINK_NOFOLLOW, &args,
			       &et_root_cred, &image), -ELOOP);
}

EXEC_TEST(files_that_are_not_programs_are_enoexec)
{
	et_write_file("/bin/text", "hello world\n", 12, 0755);
	cr_assert_eq(et_load_err("/bin/text"), -ENOEXEC);
	et_write_file("/bin/empty", "", 0, 0755);
	cr_assert_eq(et_load_err("/bin/empty"), -ENOEXEC);
	et_write_file("/bin/short", "\177ELF\2\1\1", 7, 0755);
	cr_assert_eq(et_load_err("/bin/short"), -ENOEXEC);
}

/* One malformed image: a change to the standard one and its errno. */
struct bad_image {
	const char *what;
	void (*change)(struct et_image *elf);
	int header_offset;	/* >= 0: poke header byte, else none */
	uint8_t header_value;
	int error;
};

static void wrong_type(struct et_image *elf) { elf->type = ET_REL; }
static void no_phdrs(struct et_image *elf) { elf->count = 0; }
static void filesz_over_memsz(struct et_image *elf)
{
	elf->segments[1].filesz = 0x4000;
}
static void overlap(struct et_image *elf)
{
	elf->segments[1].vaddr = 0x401100;
}
static void unsorted(struct et_image *elf)
{
	struct et_segment text = elf->segments[0];

	elf->segments[0] = elf->segments[1];
	elf->segments[1] = text;
}
static void wraps(struct et_image *elf)
{
	elf->segments[1].vaddr = 0xfffffffffffff100ULL;
}
static void above_limit(struct et_image *elf)
{
	elf->segments[1].vaddr = 0x7f0000000100ULL;
}
static void straddles_limit(struct et_image *elf)
{
	elf->segments[1].vaddr = 0x7efffffff100ULL;
}
static void below_min_addr(struct et_image *elf)
{
	elf->segments[0].vaddr = 0x1000;
	elf->segments[1].vaddr = 0x3100;
}
static void not_congruent(struct et_image *elf)
{
	elf->segments[1].offset = 0x2180;
}
static void interp(struct et_image *elf)
{
	elf->segments[2] = (struct et_segment){ PT_INTERP, PF_R, 0x1000,
						0x401000, 0x10, 0x10, 1 };
}
static void no_load(struct et_image *elf)
{
	elf->segments[0].type = PT_NOTE;
	elf->segments[1].type = PT_NOTE;
}
static void past_the_file(struct et_image *elf)
{
	elf->segments[1].filesz = 0x1000; /* to 0x3100 > 0x3000 */
}
static void truncated_phdrs(struct et_image *elf)
{
	elf->size = 100; /* the headers end at 64 + 3 * 56 */
}
static void huge_offset(struct et_image *elf)
{
	elf->segments[1].offset = 0xfffffffffffff100ULL;
	elf->segments[1].filesz = 0x1000;
}

static const struct bad_image bad_images[] = {
	{ "magic", NULL, 1, 'X', -ENOEXEC },
	{ "32-bit", NULL, EI_CLASS, ELFCLASS32, -ENOEXEC },
	{ "big endian", NULL, EI_DATA, ELFDATA2MSB, -ENOEXEC },
	{ "ident version", NULL, EI_VERSION, 0, -ENOEXEC },
	{ "e_version", NULL, 20, 0, -ENOEXEC },
	{ "machine", NULL, 18, EM_386, -ENOEXEC },
	{ "phentsize", NULL, 54, 32, -ENOEXEC },
	{ "phnum huge", NULL, 57, 0xff, -ENOEXEC },
	{ "ET_REL", wrong_type, -1, 0, -ENOEXEC },
	{ "phnum 0", no_phdrs, -1, 0, -ENOEXEC },
	{ "filesz > memsz", filesz_over_memsz, -1, 0, -ENOEXEC },
	{ "overlap", overlap, -1, 0, -ENOEXEC },
	{ "unsorted", unsorted, -1, 0, -ENOEXEC },
	{ "wraps", wraps, -1, 0, -ENOEXEC },
	{ "above the limit", above_limit, -1, 0, -ENOEXEC },
	{ "straddles the limit", straddles_limit, -1, 0, -ENOEXEC },
	{ "below mmap_min_addr", below_min_addr, -1, 0, -ENOEXEC },
	{ "offset not congruent", not_congruent, -1, 0, -ENOEXEC },
	{ "PT_INTERP", interp, -1, 0, -ENOEXEC },
	{ "no PT_LOAD", no_load, -1, 0, -ENOEXEC },
	{ "segment past the file", past_the_file, -1, 0, -EIO },
	{ "truncated headers", truncated_phdrs, -1, 0, -EIO },
	{ "offset wraps", huge_offset, -1, 0, -ENOEXEC },
};

EXEC_TEST(malformed_images_fail_cleanly)
{
	for (size_t i = 0; i < sizeof(bad_images) / sizeof(bad_images[0]);
	     i++) {
		const struct bad_image *bad = &bad_images[i];
		struct et_image elf = et_standard();

		if (bad->change != NULL)
			bad->change(&elf);
		et_build(&elf);
		if (bad->header_offset >= 0)
			et_buffer[bad->header_offset] = bad->header_value;
		et_write_file("/bin/bad", et_buffer, elf.size, 0755);
		cr_assert_eq(et_load_err("/bin/bad"), bad->error, "%s: %d",
			     bad->what, et_load_err("/bin/bad"));
		cr_assert_eq(warn_count(), 0, "%s", bad->what);
	}
}

EXEC_TEST(the_argument_budget_is_a_quarter_of_the_stack)
{
	struct et_image elf = et_standard();
	static char long_env[EXEC_ARG_STRLEN_MAX - 1];
	const char *envp[32] = { 0 };
	const char *const argv[] = { "p", NULL };

	et_write_image("/bin/prog", &elf);
	memset(long_env, 'e', sizeof(long_env) - 1);
	for (int i = 0; i < 15; i++)
		envp[i] = long_env;
	/* 15 * 128 KiB fits in 2 MiB only without 2 more: E2BIG at 17. */
	cr_assert_eq(exec_args_from_kernel(&args, argv, envp), 0);
	cr_assert_eq(exec_load(R, NULL, "/bin/prog", 0, &args, &et_root_cred,
			       &image), 0);
	exec_image_release(&image);
	exec_args_free(&args);
	envp[15] = long_env;
	envp[16] = long_env;
	cr_assert_eq(exec_args_from_kernel(&args, argv, envp), -E2BIG);
}
