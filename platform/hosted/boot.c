/*
 * Builds the boot information of the hosted machine: one usable RAM region
 * (the memfd), the null page reserved, the initrd copied to the top of RAM.
 */
#include "hosted.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/hal/mmu.h"

static void add_reserved(struct boot_info *boot_info, paddr_t base,
			 uint64_t length)
{
	boot_info->reserved[boot_info->reserved_count++] =
		(struct boot_mem_region){ base, length, BOOT_MEM_RESERVED };
}

/* Reads all of fd into dest; returns 0 or -1 with errno set. */
static int read_all(int fd, char *dest, uint64_t size)
{
	while (size > 0) {
		ssize_t n = read(fd, dest, size);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			return -1;
		}
		dest += n;
		size -= (uint64_t)n;
	}
	return 0;
}

static int load_initrd(struct boot_info *boot_info, const char *path,
		       char *error, size_t error_size)
{
	uint64_t ram = hosted_ram_size();
	struct stat st;
	paddr_t base;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st) < 0) {
		snprintf(error, error_size, "cannot read initrd '%s': %s", path,
			 strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(error, error_size,
			 "cannot read initrd '%s': not a regular file", path);
		close(fd);
		return -1;
	}
	if ((uint64_t)st.st_size > ram / 2) {
		snprintf(error, error_size,
			 "initrd '%s' (%lld bytes) needs more than half of --mem",
			 path, (long long)st.st_size);
		close(fd);
		return -1;
	}
	base = (ram - (uint64_t)st.st_size) & ~(uint64_t)0xfff;
	if (read_all(fd, hal_phys_to_virt(base), (uint64_t)st.st_size) < 0) {
		snprintf(error, error_size, "cannot read initrd '%s': %s", path,
			 strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	boot_info->initrd_base = base;
	boot_info->initrd_size = (uint64_t)st.st_size;
	if (st.st_size > 0)
		add_reserved(boot_info, base, (uint64_t)st.st_size);
	return 0;
}

int hosted_boot_info_init(struct boot_info *boot_info,
			  const struct hosted_options *options, char *error,
			  size_t error_size)
{
	memset(boot_info, 0, sizeof(*boot_info));
	boot_info->platform_name = "hosted";
	boot_info->memory[0] = (struct boot_mem_region){
		0, hosted_ram_size(), BOOT_MEM_USABLE };
	boot_info->memory_count = 1;
	/* Physical page 0 stays unused so a null physical address is a bug. */
	add_reserved(boot_info, 0, 4096);
	memcpy(boot_info->cmdline, options->cmdline, sizeof(boot_info->cmdline));
	boot_info->cmdline_truncated = options->cmdline_truncated;
	boot_info->cpu_count = options->cpus;
	if (options->initrd_path)
		return load_initrd(boot_info, options->initrd_path, error,
				   error_size);
	return 0;
}

/*
 * Nothing of the hosted machine needs the kernel's allocators: RAM, the
 * clock and the console exist before kmain().
 */
int hal_platform_init(void)
{
	return 0;
}
