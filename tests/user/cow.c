/*
 * cow: copy-on-write after fork. Parent and child write the same page and
 * each sees only its own writes; a 4 MiB region is checked page by page in
 * both, while both write it; a grandchild's writes reach neither; pages
 * the child only reads stay shared and intact.
 */
#include "check.h"

#include <stdint.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE 4096
#define REGION (4 << 20)

static volatile int shared_value = 1;
static char data_page[PAGE] __attribute__((aligned(PAGE))) = "initial";

static void wait_ok(pid_t pid)
{
	int status;

	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status));
	CHECK(WEXITSTATUS(status) == 0);
}

/* Both write the same page in turn (ordered through two pipes). */
static void same_page(void)
{
	int to_child[2], to_parent[2];
	char token;

	CHECK_OK(pipe(to_child));
	CHECK_OK(pipe(to_parent));
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		shared_value = 2;
		strcpy(data_page, "child");
		CHECK(write(to_parent[1], "x", 1) == 1);
		CHECK(read(to_child[0], &token, 1) == 1);
		/* The parent has written its own values by now. */
		CHECK(shared_value == 2);
		CHECK(strcmp(data_page, "child") == 0);
		_exit(0);
	}
	CHECK(read(to_parent[0], &token, 1) == 1);
	CHECK(shared_value == 1);
	CHECK(strcmp(data_page, "initial") == 0);
	shared_value = 3;
	strcpy(data_page, "parent");
	CHECK(write(to_child[1], "y", 1) == 1);
	wait_ok(pid);
	CHECK(shared_value == 3);
	CHECK(strcmp(data_page, "parent") == 0);
	close(to_child[0]);
	close(to_child[1]);
	close(to_parent[0]);
	close(to_parent[1]);
	printf("same page: parent and child each see their own writes\n");
}

static uint32_t pattern(size_t page, uint32_t salt)
{
	return (uint32_t)(page * 2654435761u) ^ salt;
}

static void fill(uint32_t *region, size_t first, size_t last, uint32_t salt)
{
	for (size_t p = first; p < last; p++)
		for (size_t i = 0; i < PAGE / 4; i += 256)
			region[p * (PAGE / 4) + i] = pattern(p, salt) + (uint32_t)i;
}

static int matches(uint32_t *region, size_t first, size_t last, uint32_t salt)
{
	for (size_t p = first; p < last; p++)
		for (size_t i = 0; i < PAGE / 4; i += 256)
			if (region[p * (PAGE / 4) + i] != pattern(p, salt) + (uint32_t)i)
				return 0;
	return 1;
}

static void large_region(void)
{
	size_t pages = REGION / PAGE;
	uint32_t *region = mmap(NULL, REGION, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	CHECK(region != MAP_FAILED);
	fill(region, 0, pages, 0x1111);
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		CHECK(matches(region, 0, pages, 0x1111));
		fill(region, 0, pages, 0x2222);
		CHECK(matches(region, 0, pages, 0x2222));
		_exit(0);
	}
	/* The parent rewrites the first half while the child runs. */
	fill(region, 0, pages / 2, 0x3333);
	wait_ok(pid);
	CHECK(matches(region, 0, pages / 2, 0x3333));
	CHECK(matches(region, pages / 2, pages, 0x1111));
	printf("4 MiB region: %zu pages written in both, each kept its own\n",
	       pages);

	/* A child that only reads, then a grandchild that writes. */
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		CHECK(matches(region, pages / 2, pages, 0x1111));
		pid_t grandchild = fork();
		CHECK(grandchild >= 0);
		if (grandchild == 0) {
			fill(region, 0, pages, 0x4444);
			CHECK(matches(region, 0, pages, 0x4444));
			_exit(0);
		}
		wait_ok(grandchild);
		CHECK(matches(region, 0, pages / 2, 0x3333));
		CHECK(matches(region, pages / 2, pages, 0x1111));
		_exit(0);
	}
	wait_ok(pid);
	CHECK(matches(region, 0, pages / 2, 0x3333));
	CHECK(matches(region, pages / 2, pages, 0x1111));
	printf("grandchild writes reach neither child nor parent\n");
	CHECK_OK(munmap(region, REGION));
}

/* Fork many times in a row from the same pages: each child sees the
 * parent's current values, not an older copy. */
static void repeated(void)
{
	for (int round = 0; round < 20; round++) {
		shared_value = 100 + round;
		pid_t pid = fork();
		CHECK(pid >= 0);
		if (pid == 0) {
			int ok = shared_value == 100 + round;
			shared_value = -1;
			_exit(ok ? 0 : 1);
		}
		wait_ok(pid);
		CHECK(shared_value == 100 + round);
	}
	printf("20 forks: each child saw the current value\n");
}

int main(void)
{
	check_init("cow");
	same_page();
	large_region();
	repeated();
	printf("cow: all checks passed\n");
	return 0;
}
