/*
 * The machine's RAM: one memfd, mapped once into the kernel process.
 * Physical address pa is byte pa of the memfd, so hal_phys_to_virt is an
 * addition. The mapping is aligned to RAM_ALIGNMENT so that virtual
 * addresses have the same alignment as physical ones (buddy blocks and
 * slab objects are naturally aligned in both, as on bare metal). Later the
 * user runner maps windows of the same memfd into user processes. Created
 * before kmain(), never resized.
 */
#include "hosted.h"

#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/hal/mmu.h"

#define RAM_ALIGNMENT (1ULL << 30)

static int ram_fd = -1;
static char *ram_base;
static uint64_t ram_bytes;

/* Maps fd at a RAM_ALIGNMENT boundary: reserve more, then map inside. */
static void *map_aligned(int fd, uint64_t bytes)
{
	uint64_t span = bytes + RAM_ALIGNMENT;
	char *reserve = mmap(NULL, span, PROT_NONE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	char *aligned;
	void *base;

	if (reserve == MAP_FAILED)
		return MAP_FAILED;
	aligned = (char *)(((uintptr_t)reserve + RAM_ALIGNMENT - 1) &
			   ~(uintptr_t)(RAM_ALIGNMENT - 1));
	base = mmap(aligned, bytes, PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_FIXED | MAP_NORESERVE, fd, 0);
	if (base == MAP_FAILED) {
		munmap(reserve, span);
		return MAP_FAILED;
	}
	if (aligned > reserve)
		munmap(reserve, (size_t)(aligned - reserve));
	munmap(aligned + bytes, (size_t)(reserve + span - (aligned + bytes)));
	return base;
}

int hosted_ram_create(uint64_t bytes)
{
	int fd = memfd_create("amphi-ram", MFD_CLOEXEC);
	void *base;

	if (fd < 0)
		return -errno;
	if (ftruncate(fd, (off_t)bytes) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	base = map_aligned(fd, bytes);
	if (base == MAP_FAILED) {
		int err = -errno;

		close(fd);
		return err;
	}
	ram_fd = fd;
	ram_base = base;
	ram_bytes = bytes;
	return 0;
}

void hosted_ram_destroy(void)
{
	if (ram_base)
		munmap(ram_base, ram_bytes);
	if (ram_fd >= 0)
		close(ram_fd);
	ram_base = NULL;
	ram_fd = -1;
	ram_bytes = 0;
}

uint64_t hosted_ram_size(void)
{
	return ram_bytes;
}

int hosted_ram_fd(void)
{
	return ram_fd;
}

void *hal_phys_to_virt(paddr_t pa)
{
	return ram_base + pa;
}

paddr_t hal_virt_to_phys(const void *va)
{
	return (paddr_t)((const char *)va - ram_base);
}
