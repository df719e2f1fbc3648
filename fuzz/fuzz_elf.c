/*
 * libFuzzer harness for the program loader: each input becomes the file
 * /fuzz/prog (mode 0755) and is run with exec_load, as an ELF image or a
 * `#!` script (a script may name /fuzz/prog itself, so nesting is
 * exercised too). Any result must be 0 or an errno; a loaded image must
 * pass the address-space invariants; afterwards every page and every VFS
 * file must be back.
 */
#include <stddef.h>
#include <stdint.h>

#include "core/exec/exec.h"
#include "core/lib/err.h"
#include "core/mm/vm.h"
#include "fs/vfs.h"
#include "fs/vfs_internal.h"
#include "fuzz_support.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void write_program(const struct vfs_caller *root, const uint8_t *data,
			  size_t size)
{
	struct vfs_file *file = vfs_openat(root, NULL, "/fuzz/prog",
					   O_CREAT | O_WRONLY | O_TRUNC, 0755);

	fuzz_check(!IS_ERR(file), "create /fuzz/prog");
	fuzz_check(vfs_write(file, data, size) == (ssize_t)size, "write");
	vfs_file_put(file);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const argv[] = { "prog", "arg", NULL };
	static const char *const envp[] = { "HOME=/", NULL };
	static const struct exec_cred cred = { 0 };
	const struct vfs_caller *root = fuzz_root_caller();
	struct exec_image image = { 0 };
	struct exec_args args;
	struct vfs_stats before, after;
	uint64_t pages;
	int err;

	fuzz_kernel_init();
	err = vfs_mkdirat(root, NULL, "/fuzz", 0755);
	fuzz_check(err == 0 || err == -EEXIST, "mkdir /fuzz");
	if (size > (1u << 20))
		return 0;
	write_program(root, data, size);
	vfs_get_stats(&before);
	pages = fuzz_free_pages();
	fuzz_check(exec_args_from_kernel(&args, argv, envp) == 0, "args");
	err = exec_load(root, NULL, "/fuzz/prog", 0, &args, &cred, &image);
	fuzz_check(err <= 0 && err > -4096, "errno range");
	if (err == 0) {
		fuzz_check(vm_validate(image.as) == 0, "address space");
		fuzz_check(image.stack_pointer % 16 == 0, "rsp alignment");
		exec_image_release(&image);
	}
	exec_args_free(&args);
	vfs_get_stats(&after);
	fuzz_check(after.files == before.files, "files leaked");
	fuzz_check(fuzz_free_pages() == pages, "pages leaked");
	return 0;
}
