/*
 * pipes: pipe and pipe2(O_CLOEXEC), a writer and a reader across fork,
 * EOF once every writer has closed, a 1 MiB transfer in odd-sized chunks
 * checked by a checksum, EPIPE when no reader is left (SIGPIPE ignored
 * through rt_sigaction first, since it kills by default), EAGAIN on an
 * empty and on a full O_NONBLOCK pipe, a pipe as a child's stdout, and
 * a FIFO open waiting for its other end ended by a signal (EINTR with a
 * handler, death by SIGKILL).
 */
#include "check.h"

#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#define TRANSFER (1 << 20)

static void wait_ok(pid_t pid)
{
	int status;

	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void basic(void)
{
	int fds[2];
	char buffer[16];

	CHECK_OK(pipe(fds));
	CHECK(fcntl(fds[0], F_GETFD) == 0 && fcntl(fds[1], F_GETFD) == 0);
	CHECK(write(fds[1], "hello", 5) == 5);
	CHECK(read(fds[0], buffer, sizeof(buffer)) == 5);
	CHECK(memcmp(buffer, "hello", 5) == 0);
	CHECK_ERR(write(fds[0], "x", 1), EBADF);
	CHECK_ERR(read(fds[1], buffer, 1), EBADF);
	CHECK_ERR(lseek(fds[0], 0, SEEK_SET), ESPIPE);
	close(fds[0]);
	close(fds[1]);
	CHECK_OK(pipe2(fds, O_CLOEXEC));
	CHECK(fcntl(fds[0], F_GETFD) == FD_CLOEXEC);
	CHECK(fcntl(fds[1], F_GETFD) == FD_CLOEXEC);
	close(fds[0]);
	close(fds[1]);
	CHECK_ERR(pipe2(fds, 0x4000000), EINVAL);
	printf("pipe: data through, wrong ends EBADF, pipe2 O_CLOEXEC set\n");
}

static uint32_t checksum_step(uint32_t sum, unsigned char byte)
{
	return (sum << 5) + sum + byte;
}

static void big_transfer(void)
{
	int fds[2];
	static unsigned char buffer[65536];

	CHECK_OK(pipe(fds));
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		size_t sent = 0, chunk = 1;
		while (sent < TRANSFER) {
			size_t n = chunk < TRANSFER - sent ? chunk : TRANSFER - sent;
			for (size_t i = 0; i < n; i++)
				buffer[i] = (unsigned char)((sent + i) * 131 >> 3);
			for (size_t done = 0; done < n;) {
				ssize_t w = write(fds[1], buffer + done, n - done);
				if (w <= 0)
					_exit(2);
				done += (size_t)w;
			}
			sent += n;
			chunk = chunk * 3 + 7;
			if (chunk > sizeof(buffer))
				chunk = 4093;
		}
		_exit(0);
	}
	close(fds[1]);
	uint32_t got_sum = 5381, want_sum = 5381;
	size_t total = 0;
	ssize_t n;
	while ((n = read(fds[0], buffer, 3001)) > 0) {
		for (ssize_t i = 0; i < n; i++)
			got_sum = checksum_step(got_sum, buffer[i]);
		total += (size_t)n;
	}
	CHECK(n == 0);
	for (size_t i = 0; i < TRANSFER; i++)
		want_sum = checksum_step(want_sum, (unsigned char)(i * 131 >> 3));
	wait_ok(pid);
	close(fds[0]);
	CHECK(total == TRANSFER);
	CHECK(got_sum == want_sum);
	printf("1 MiB across fork: %zu bytes, checksum %08x, then EOF\n", total,
	       got_sum);
}

static void eof_after_all_writers(void)
{
	int fds[2];
	char byte;

	CHECK_OK(pipe(fds));
	int extra = dup(fds[1]);
	CHECK(extra >= 0);
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		close(extra);
		_exit(write(fds[1], "c", 1) == 1 ? 0 : 1);
	}
	close(fds[1]);
	wait_ok(pid);
	CHECK(read(fds[0], &byte, 1) == 1 && byte == 'c');
	/* The dup is still a writer: no EOF yet, so check without blocking. */
	CHECK_OK(fcntl(fds[0], F_SETFL, O_NONBLOCK));
	CHECK_ERR(read(fds[0], &byte, 1), EAGAIN);
	close(extra);
	CHECK(read(fds[0], &byte, 1) == 0);
	close(fds[0]);
	printf("EOF only after the last writer closed\n");
}

static void broken_pipe(void)
{
	int fds[2];

	CHECK(signal(SIGPIPE, SIG_IGN) != SIG_ERR);
	CHECK_OK(pipe(fds));
	close(fds[0]);
	CHECK_ERR(write(fds[1], "x", 1), EPIPE);
	close(fds[1]);
	CHECK(signal(SIGPIPE, SIG_DFL) == SIG_IGN);
	printf("write with no reader: EPIPE (SIGPIPE ignored)\n");
}

static void nonblocking(void)
{
	int fds[2];
	char buffer[4096];
	long filled = 0;
	ssize_t n;

	CHECK_OK(pipe2(fds, O_NONBLOCK));
	CHECK((fcntl(fds[0], F_GETFL) & O_NONBLOCK) != 0);
	CHECK_ERR(read(fds[0], buffer, sizeof(buffer)), EAGAIN);
	printf("O_NONBLOCK read of an empty pipe: EAGAIN\n");
	memset(buffer, 'f', sizeof(buffer));
	while ((n = write(fds[1], buffer, sizeof(buffer))) > 0)
		filled += n;
	CHECK(n == -1 && errno == EAGAIN);
	CHECK(filled >= 4096 && filled <= 1048576);
	CHECK(read(fds[0], buffer, sizeof(buffer)) == sizeof(buffer));
	CHECK(write(fds[1], "z", 1) == 1);
	close(fds[0]);
	close(fds[1]);
	printf("O_NONBLOCK write of a full pipe: EAGAIN, space after a read\n");
}

static void child_stdout(void)
{
	int fds[2];
	char buffer[64];

	CHECK_OK(pipe(fds));
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		CHECK_OK(dup2(fds[1], 1));
		close(fds[0]);
		close(fds[1]);
		printf("through stdout\n");
		_exit(0);
	}
	close(fds[1]);
	ssize_t total = 0, n;
	while ((n = read(fds[0], buffer + total, sizeof(buffer) - 1 - total)) > 0)
		total += n;
	buffer[total] = 0;
	wait_ok(pid);
	close(fds[0]);
	CHECK(strcmp(buffer, "through stdout\n") == 0);
	printf("a child's stdout through a pipe: \"through stdout\"\n");
}

static void on_alarm(int signal)
{
	(void)signal;
}

/* A FIFO open that waits for a writer ends on a signal, as on Linux. */
static void fifo_open_interrupted(void)
{
	char path[64];
	struct sigaction action = { .sa_handler = on_alarm };
	struct itimerval timer = { .it_value = { .tv_usec = 50000 } };
	pid_t child;
	int status;

	snprintf(path, sizeof(path), "/tmp/pipes-fifo-%d", getpid());
	CHECK_OK(mkfifo(path, 0600));
	CHECK_OK(sigaction(SIGALRM, &action, NULL));	/* no SA_RESTART */
	CHECK_OK(setitimer(ITIMER_REAL, &timer, NULL));
	CHECK_ERR(open(path, O_RDONLY), EINTR);
	child = fork();
	CHECK(child >= 0);
	if (child == 0) {
		open(path, O_WRONLY);	/* waits for a reader: killed there */
		_exit(3);
	}
	usleep(50000);
	CHECK_OK(kill(child, SIGKILL));
	CHECK(waitpid(child, &status, 0) == child);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	/*
	 * Access mode 3 (musl's O_ACCMODE adds O_PATH) opens neither end:
	 * EINVAL (Amphi freed the pipe and used it).
	 */
	CHECK_ERR(open(path, 3), EINVAL);
	CHECK_ERR(open(path, 3 | O_NONBLOCK), EINVAL);
	CHECK_OK(unlink(path));
	printf("fifo: a waiting open gives EINTR to a handler, dies of SIGKILL; "
	       "access mode 3 is EINVAL\n");
}

int main(void)
{
	check_init("pipes");
	basic();
	big_transfer();
	eof_after_all_writers();
	broken_pipe();
	nonblocking();
	child_stdout();
	fifo_open_interrupted();
	printf("pipes: all checks passed\n");
	return 0;
}
