/*
 * mmap_test: the mmap family. Anonymous mappings are zero and writable,
 * munmap, mprotect (a child writing a read-only page dies of SIGSEGV),
 * MAP_FIXED replaces, MAP_FIXED_NOREPLACE refuses with EEXIST, munmap in
 * the middle splits a mapping, mremap grows and moves, MADV_DONTNEED reads
 * back zeros, file mappings MAP_PRIVATE (writes stay private) and
 * MAP_SHARED (writes reach read()) of a file in /tmp, argument errors,
 * RLIMIT_AS and RLIMIT_DATA refusing growth (what is mapped before
 * differs from the host, so the limits are probed, not computed), and
 * RLIMIT_STACK and RLIMIT_AS bounding the stack's growth.
 */
#include "check.h"

#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

#define PAGE 4096
#define RW (PROT_READ | PROT_WRITE)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)

static char *map_anon(size_t length)
{
	char *p = mmap(NULL, length, RW, ANON, -1, 0);

	CHECK(p != MAP_FAILED);
	return p;
}

static int all_bytes(const char *p, size_t length, char value)
{
	for (size_t i = 0; i < length; i++)
		if (p[i] != value)
			return 0;
	return 1;
}

/* Forks a child that writes *p; returns the child's wait status. */
static int child_writes(volatile char *p)
{
	int status;
	pid_t pid = fork();

	CHECK(pid >= 0);
	if (pid == 0) {
		*p = 1;
		_exit(0);
	}
	CHECK(waitpid(pid, &status, 0) == pid);
	return status;
}

static void anonymous(void)
{
	char *p = map_anon(16 * PAGE);

	CHECK(((uintptr_t)p & (PAGE - 1)) == 0);
	CHECK(all_bytes(p, 16 * PAGE, 0));
	memset(p, 0x5a, 16 * PAGE);
	CHECK(all_bytes(p, 16 * PAGE, 0x5a));
	CHECK_OK(munmap(p, 16 * PAGE));
	printf("anonymous: zero-filled, writable, unmapped\n");
}

static void protection(void)
{
	char *p = map_anon(2 * PAGE);
	int status;

	p[0] = 7;
	CHECK_OK(mprotect(p, PAGE, PROT_READ));
	CHECK(p[0] == 7);
	status = child_writes(p);
	printf("child writing a PROT_READ page: WIFSIGNALED=%d WTERMSIG=%d\n",
	       WIFSIGNALED(status), WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV);
	/* The second page kept its protection. */
	status = child_writes(p + PAGE);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK_OK(mprotect(p, PAGE, RW));
	p[0] = 8;
	CHECK(p[0] == 8);
	CHECK_OK(mprotect(p, 2 * PAGE, PROT_NONE));
	status = child_writes(p + PAGE);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV);
	CHECK_OK(munmap(p, 2 * PAGE));
	/* A page that is not mapped at all. */
	status = child_writes(p);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV);
	printf("mprotect: RW again writable, PROT_NONE and unmapped fault\n");
}

static void fixed(void)
{
	char *p = map_anon(4 * PAGE);

	memset(p, 1, 4 * PAGE);
	char *q = mmap(p + PAGE, PAGE, RW, ANON | MAP_FIXED, -1, 0);
	CHECK(q == p + PAGE);
	CHECK(all_bytes(q, PAGE, 0));
	CHECK(all_bytes(p, PAGE, 1) && all_bytes(p + 2 * PAGE, 2 * PAGE, 1));
	printf("MAP_FIXED: replaced one page with zeros, neighbours kept\n");

	errno = 0;
	q = mmap(p + 2 * PAGE, PAGE, RW, ANON | MAP_FIXED_NOREPLACE, -1, 0);
	CHECK(q == MAP_FAILED && errno == EEXIST);
	CHECK(all_bytes(p + 2 * PAGE, PAGE, 1));
	printf("MAP_FIXED_NOREPLACE over a mapping: EEXIST\n");

	/* Split: unmap the middle, the ends stay, the hole is free. */
	CHECK_OK(munmap(p + PAGE, 2 * PAGE));
	CHECK(all_bytes(p, PAGE, 1) && all_bytes(p + 3 * PAGE, PAGE, 1));
	CHECK(child_writes(p + 2 * PAGE) != 0);
	q = mmap(p + PAGE, 2 * PAGE, RW, ANON | MAP_FIXED_NOREPLACE, -1, 0);
	CHECK(q == p + PAGE);
	CHECK(all_bytes(q, 2 * PAGE, 0));
	CHECK_OK(munmap(p, 4 * PAGE));
	printf("munmap in the middle: split, ends kept, hole reusable\n");
}

static void remap(void)
{
	char *p = map_anon(2 * PAGE);

	for (int i = 0; i < 2 * PAGE; i++)
		p[i] = (char)(i * 7);
	char *q = mremap(p, 2 * PAGE, 64 * PAGE, MREMAP_MAYMOVE);
	CHECK(q != MAP_FAILED);
	for (int i = 0; i < 2 * PAGE; i++)
		CHECK(q[i] == (char)(i * 7));
	CHECK(all_bytes(q + 2 * PAGE, 62 * PAGE, 0));
	q[64 * PAGE - 1] = 9;
	printf("mremap grow: contents kept, new pages zero\n");

	char *target = map_anon(64 * PAGE);
	char *r = mremap(q, 64 * PAGE, 64 * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED,
			 target);
	CHECK(r == target);
	CHECK(r[1] == 7 && r[64 * PAGE - 1] == 9);
	if (q != target)
		CHECK(child_writes(q) != 0);
	r = mremap(r, 64 * PAGE, PAGE, 0);
	CHECK(r == target && r[1] == 7);
	CHECK_OK(munmap(r, PAGE));
	printf("mremap move to a fixed address and shrink: contents kept\n");
}

static void dontneed(void)
{
	char *p = map_anon(8 * PAGE);

	memset(p, 0x33, 8 * PAGE);
	CHECK_OK(madvise(p + 2 * PAGE, 4 * PAGE, MADV_DONTNEED));
	CHECK(all_bytes(p, 2 * PAGE, 0x33));
	CHECK(all_bytes(p + 2 * PAGE, 4 * PAGE, 0));
	CHECK(all_bytes(p + 6 * PAGE, 2 * PAGE, 0x33));
	CHECK_OK(munmap(p, 8 * PAGE));
	printf("MADV_DONTNEED: those pages read back zeros\n");
}

static int temp_file(size_t length)
{
	char path[] = "/tmp/amphi-mmap-XXXXXX";
	char buffer[PAGE];
	int fd = mkstemp(path);

	CHECK(fd >= 0);
	CHECK_OK(unlink(path));
	for (size_t off = 0; off < length; off += PAGE) {
		memset(buffer, 'a' + (int)(off / PAGE), PAGE);
		CHECK(write(fd, buffer, PAGE) == PAGE);
	}
	return fd;
}

static void file_private(void)
{
	int fd = temp_file(2 * PAGE);
	char byte;
	char *p = mmap(NULL, 2 * PAGE, RW, MAP_PRIVATE, fd, 0);

	CHECK(p != MAP_FAILED);
	CHECK(all_bytes(p, PAGE, 'a') && all_bytes(p + PAGE, PAGE, 'b'));
	p[10] = 'X';
	CHECK(pread(fd, &byte, 1, 10) == 1 && byte == 'a');
	/* An offset mapping sees the second page. */
	char *q = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, PAGE);
	CHECK(q != MAP_FAILED && all_bytes(q, PAGE, 'b'));
	CHECK_OK(munmap(q, PAGE));
	CHECK_OK(munmap(p, 2 * PAGE));
	close(fd);
	printf("file MAP_PRIVATE: file contents, writes stay private\n");
}

static void file_shared(void)
{
	int fd = temp_file(2 * PAGE);
	char buffer[8];
	char *p = mmap(NULL, 2 * PAGE, RW, MAP_SHARED, fd, 0);

	CHECK(p != MAP_FAILED);
	memcpy(p + PAGE + 100, "shared!", 7);
	CHECK(pread(fd, buffer, 7, PAGE + 100) == 7);
	CHECK(memcmp(buffer, "shared!", 7) == 0);
	CHECK(pwrite(fd, "written", 7, 5) == 7);
	CHECK(memcmp(p + 5, "written", 7) == 0);
	CHECK_OK(msync(p, 2 * PAGE, MS_SYNC));

	/* A child's writes through its inherited shared mapping. */
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		memcpy(p + 200, "child", 5);
		_exit(0);
	}
	int status;
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status));
	CHECK(memcmp(p + 200, "child", 5) == 0);
	CHECK(pread(fd, buffer, 5, 200) == 5 && memcmp(buffer, "child", 5) == 0);
	CHECK_OK(munmap(p, 2 * PAGE));
	/* Contents outlive the mapping. */
	CHECK(pread(fd, buffer, 7, PAGE + 100) == 7);
	CHECK(memcmp(buffer, "shared!", 7) == 0);
	close(fd);
	printf("file MAP_SHARED: writes visible through read() and to a child\n");
}

static void shared_anonymous(void)
{
	int status;
	volatile int *p = mmap(NULL, PAGE, RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	CHECK(p != MAP_FAILED);
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		*p = 1234;
		_exit(0);
	}
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status));
	CHECK(*p == 1234);
	CHECK_OK(munmap((void *)p, PAGE));
	printf("MAP_SHARED|MAP_ANONYMOUS: the child's write is seen\n");
}

static void errors(void)
{
	char *p = map_anon(PAGE);

	errno = 0;
	CHECK(mmap(NULL, 0, RW, ANON, -1, 0) == MAP_FAILED && errno == EINVAL);
	errno = 0;
	CHECK(mmap(p + 1, PAGE, RW, ANON | MAP_FIXED, -1, 0) == MAP_FAILED &&
	      errno == EINVAL);
	errno = 0;
	CHECK(mmap(NULL, PAGE, RW, MAP_PRIVATE, -1, 0) == MAP_FAILED &&
	      errno == EBADF);
	errno = 0;
	CHECK(mmap(NULL, PAGE, RW, ANON | MAP_SHARED, -1, 0) == MAP_FAILED &&
	      errno == EINVAL);
	CHECK_ERR(munmap(p + 1, PAGE), EINVAL);
	/* Raw: musl's mprotect() rounds the start down itself. */
	CHECK_ERR(syscall(SYS_mprotect, p + 1, PAGE, PROT_READ), EINVAL);
	CHECK_ERR(madvise(p + 1, PAGE, MADV_DONTNEED), EINVAL);
	CHECK_OK(munmap(p, PAGE));
	printf("errors: EINVAL for zero length and unaligned, EBADF for no file\n");
}

#define MB (1UL << 20)
#define CHUNKS 1024

static void *chunks[CHUNKS];

/* Maps 1 MiB pieces until the limit refuses one; returns how many. */
static int fill(int prot)
{
	int count = 0;

	for (;;) {
		void *p = mmap(NULL, MB, prot, ANON, -1, 0);

		if (p == MAP_FAILED) {
			CHECK(errno == ENOMEM);
			return count;
		}
		CHECK(count < CHUNKS);
		chunks[count++] = p;
	}
}

static void unfill(int count)
{
	for (int i = 0; i < count; i++)
		CHECK(munmap(chunks[i], MB) == 0);
}

static const char *result(void *p)
{
	return p == MAP_FAILED ? strerror(errno) : "mapped";
}

/* Sets the soft limit of `resource`; returns the limits it had. */
static struct rlimit set_soft_limit(int resource, rlim_t value)
{
	struct rlimit saved, limit;

	CHECK(getrlimit(resource, &saved) == 0);
	limit = saved;
	limit.rlim_cur = value;
	CHECK(setrlimit(resource, &limit) == 0);
	return saved;
}

/* At the limit, a freed piece can be mapped again, and no more. */
static void refill(int count)
{
	void *p;

	CHECK(munmap(chunks[count - 1], MB) == 0);
	p = mmap(NULL, MB, RW, ANON, -1, 0);
	printf("after munmap, 1M again: %s\n", result(p));
	chunks[count - 1] = p;
	printf("then one more: %s\n", result(mmap(NULL, MB, RW, ANON, -1, 0)));
}

static void limit_as(void)
{
	struct rlimit saved = set_soft_limit(RLIMIT_AS, 512 * MB);
	int count;
	void *p;

	p = mmap(NULL, 1024 * MB, PROT_NONE, ANON, -1, 0);
	printf("RLIMIT_AS 512M, mmap 1G: %s\n", result(p));
	count = fill(PROT_NONE);
	CHECK(count > 400);
	printf("filled to RLIMIT_AS: ENOMEM\n");
	refill(count);
	p = mmap(chunks[0], MB, RW, ANON | MAP_FIXED, -1, 0);
	printf("MAP_FIXED over a mapped 1M: %s\n", result(p));
	p = mremap(chunks[1], MB, 2 * MB, MREMAP_MAYMOVE);
	printf("mremap 1M to 2M: %s\n", result(p));
	p = mremap(chunks[1], MB, MB / 2, 0);
	printf("mremap 1M to 512K: %s\n", result(p));
	p = mremap(chunks[1], MB / 2, MB, 0);
	printf("mremap 512K back to 1M: %s\n",
	       p == chunks[1] ? "in place" : result(p));
	unfill(count);
	CHECK(setrlimit(RLIMIT_AS, &saved) == 0);
	p = mmap(NULL, 1024 * MB, PROT_NONE, ANON, -1, 0);
	printf("limit back, mmap 1G: %s\n", result(p));
	CHECK(p != MAP_FAILED && munmap(p, 1024 * MB) == 0);
}

static void limit_data(void)
{
	struct rlimit saved = set_soft_limit(RLIMIT_DATA, 256 * MB);
	int count;
	void *p;

	p = mmap(NULL, 512 * MB, PROT_READ, ANON, -1, 0);
	printf("RLIMIT_DATA 256M, read-only 512M: %s\n", result(p));
	CHECK(p != MAP_FAILED && munmap(p, 512 * MB) == 0);
	p = mmap(NULL, 512 * MB, RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	printf("shared 512M: %s\n", result(p));
	CHECK(p != MAP_FAILED && munmap(p, 512 * MB) == 0);
	p = mmap(NULL, 512 * MB, RW, ANON, -1, 0);
	printf("private writable 512M: %s\n", result(p));
	count = fill(RW);
	CHECK(count > 200);
	printf("filled to RLIMIT_DATA: ENOMEM\n");
	errno = 0;
	printf("sbrk 1M: %s\n",
	       sbrk(MB) == (void *)-1 ? strerror(errno) : "grew");
	p = mmap(NULL, MB, PROT_READ, ANON, -1, 0);
	CHECK(p != MAP_FAILED);
	printf("mprotect of a read-only 1M to writable: %s\n",
	       mprotect(p, MB, RW) == 0 ? "done" : strerror(errno));
	CHECK(munmap(p, MB) == 0);
	refill(count);
	unfill(count);
	CHECK(setrlimit(RLIMIT_DATA, &saved) == 0);
}

/* Recurses `depth` frames of about 4 KiB, each touched: the stack grows. */
static __attribute__((noinline)) int deep(int depth)
{
	volatile char frame[4000];

	frame[0] = (char)depth;
	frame[sizeof(frame) - 1] = frame[0];
	return depth == 0 ? frame[0] : deep(depth - 1) + frame[0];
}

/* VmSize of /proc/self/status in bytes, or 0. */
static unsigned long mapped_bytes(void)
{
	char text[4096], *at;
	unsigned long kib = 0;
	int fd = open("/proc/self/status", O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, text, sizeof(text) - 1);

	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return 0;
	text[n] = '\0';
	at = strstr(text, "VmSize:");
	if (at == NULL || sscanf(at, "VmSize: %lu", &kib) != 1)
		return 0;
	return kib * 1024;
}

/*
 * RLIMIT_STACK bounds the stack's growth, read when it grows: 256 KiB
 * deep under a 512 KiB limit returns, 1 MiB deep is SIGSEGV, and 1 MiB
 * after raising it again returns; under RLIMIT_AS 256 KiB above what is
 * mapped, 1 MiB deep is SIGSEGV too.
 */
static void limit_stack(void)
{
	static const char *const what[4] = {
		"256K deep", "1M deep", "1M deep after raising it to 8M",
		"RLIMIT_AS 256K above the mapped, 1M deep",
	};

	for (int pass = 0; pass < 4; pass++) {
		pid_t pid = fork();
		int status;

		CHECK(pid >= 0);
		if (pid == 0) {
			struct rlimit limit;

			getrlimit(RLIMIT_STACK, &limit);
			limit.rlim_cur = 512 * 1024;
			if (setrlimit(RLIMIT_STACK, &limit) != 0)
				_exit(2);
			if (pass >= 2) {
				limit.rlim_cur = 8 * MB;
				if (setrlimit(RLIMIT_STACK, &limit) != 0)
					_exit(2);
			}
			if (pass == 3) {
				getrlimit(RLIMIT_AS, &limit);
				limit.rlim_cur = mapped_bytes() + MB / 4;
				if (limit.rlim_cur == MB / 4 ||
				    setrlimit(RLIMIT_AS, &limit) != 0)
					_exit(2);
			}
			_exit(deep(pass == 0 ? 64 : 256) == -1);
		}
		CHECK(waitpid(pid, &status, 0) == pid);
		printf("%s%s: %s\n", pass < 3 ? "RLIMIT_STACK 512K, " : "",
		       what[pass],
		       WIFEXITED(status) ? "returned" :
		       WIFSIGNALED(status) ? strsignal(WTERMSIG(status)) : "?");
	}
}

int main(void)
{
	check_init("mmap_test");
	anonymous();
	protection();
	fixed();
	remap();
	dontneed();
	file_private();
	file_shared();
	shared_anonymous();
	errors();
	limit_as();
	limit_data();
	limit_stack();
	printf("mmap_test: all checks passed\n");
	return 0;
}
