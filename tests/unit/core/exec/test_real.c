/*
 * exec_load on real static binaries, copied into tmpfs: the host's
 * busybox (Debian's busybox-static, a glibc ET_EXEC at 0x400000), a musl
 * static program and a glibc static-PIE (ET_DYN) built with the tests.
 * The entry point's bytes and the program headers at AT_PHDR must be the
 * file's.
 */
#include <stdio.h>
#include <stdlib.h>

#include "exec_test.h"

static struct exec_args args;
static struct exec_image image;
static uint8_t *host;
static size_t host_size;

static void setup(void)
{
	vfs_test_init();
	et_mkdir("/bin");
}

static void teardown(void)
{
	exec_image_release(&image);
	exec_args_free(&args);
	free(host);
	vfs_test_fini();
}

#define REAL_TEST(name) Test(exec_real, name, .init = setup, .fini = teardown)

/* Copies the host file `from` into tmpfs as `to` (mode 0755). */
static void copy_host_file(const char *from, const char *to)
{
	FILE *in = fopen(from, "rb");

	cr_assert_not_null(in, "%s must exist on the host", from);
	cr_assert_eq(fseek(in, 0, SEEK_END), 0);
	host_size = (size_t)ftell(in);
	rewind(in);
	host = malloc(host_size);
	cr_assert_eq(fread(host, 1, host_size, in), host_size);
	fclose(in);
	et_write_file(to, host, host_size, 0755);
}

static const struct elf64_phdr *host_phdr(unsigned int i)
{
	const struct elf64_ehdr *header = (const void *)host;

	return (const void *)(host + header->e_phoff + i * header->e_phentsize);
}

/* The file offset of virtual address `vaddr` (unbiased), via PT_LOAD. */
static uint64_t host_offset_of(uint64_t vaddr)
{
	const struct elf64_ehdr *header = (const void *)host;

	for (unsigned int i = 0; i < header->e_phnum; i++) {
		const struct elf64_phdr *ph = host_phdr(i);

		if (ph->p_type == PT_LOAD && ph->p_vaddr <= vaddr &&
		    vaddr < ph->p_vaddr + ph->p_filesz)
			return vaddr - ph->p_vaddr + ph->p_offset;
	}
	cr_assert_fail("no PT_LOAD holds %#llx", (unsigned long long)vaddr);
	return 0;
}

/* Loads `path` and checks the entry's bytes and the headers. */
static uint64_t check_load(const char *path)
{
	const struct elf64_ehdr *header = (const void *)host;
	const char *const argv[] = { path, "--help", NULL };
	const char *const envp[] = { "PATH=/bin", NULL };
	uint64_t bias, offset;
	uint8_t code[64], phdrs[ET_MAX_FILE];
	struct et_stack st;

	et_args(&args, argv, envp);
	cr_assert_eq(exec_load(R, NULL, path, 0, &args, &et_root_cred,
			       &image), 0);
	cr_assert_eq(vm_validate(image.as), 0);
	bias = image.entry - header->e_entry;
	offset = host_offset_of(header->e_entry);
	cr_assert_eq(vm_copy_from_user(image.as, code, image.entry,
				       sizeof(code)), 0);
	cr_assert_eq(memcmp(code, host + offset, sizeof(code)), 0,
		     "the entry's bytes are the file's");
	et_read_stack(image.as, image.stack_pointer, &st);
	cr_assert_eq(et_aux(&st, AT_PHNUM), header->e_phnum);
	cr_assert_eq(vm_copy_from_user(image.as, phdrs, et_aux(&st, AT_PHDR),
				       header->e_phnum * 56), 0);
	cr_assert_eq(memcmp(phdrs, host + header->e_phoff,
			    header->e_phnum * 56), 0);
	et_assert_argv(image.as, &st, argv);
	return bias;
}

REAL_TEST(busybox_loads_at_its_linked_address)
{
	copy_host_file("/bin/busybox", "/bin/busybox");
	cr_assert_eq(((const struct elf64_ehdr *)host)->e_type, ET_EXEC);
	cr_assert_eq(check_load("/bin/busybox"), 0, "ET_EXEC: no bias");
	cr_assert_str_eq(image.comm, "busybox");
}

REAL_TEST(a_musl_static_program_loads)
{
#ifdef EXEC_TEST_MUSL
	copy_host_file(EXEC_TEST_MUSL, "/bin/hello");
	check_load("/bin/hello");
#else
	cr_assert_fail("musl-gcc was not found when the tests were built");
#endif
}

REAL_TEST(a_glibc_static_pie_loads_at_a_random_base)
{
	uint64_t bias;

	copy_host_file(EXEC_TEST_PIE, "/bin/pie");
	cr_assert_eq(((const struct elf64_ehdr *)host)->e_type, ET_DYN);
	bias = check_load("/bin/pie");
	cr_assert_eq(bias % PAGE_SIZE, 0);
	cr_assert_geq(bias, image.as->limit / 3 * 2 - PAGE_SIZE);
}
