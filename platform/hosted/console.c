/*
 * The hosted console: the process's standard output, and its standard
 * input read without blocking (poll first, so the host descriptor's own
 * flags, shared with the shell that started us, are never changed).
 * write(2) is atomic enough per call for our line-at-a-time callers;
 * partial writes are retried.
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "core/hal/console.h"

void hal_console_write(const char *bytes, size_t length)
{
	while (length > 0) {
		ssize_t n = write(STDOUT_FILENO, bytes, length);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return; /* stdout closed: nowhere left to report to */
		bytes += n;
		length -= (size_t)n;
	}
}

static bool input_ended;	/* written by whichever CPU saw the end */

ssize_t hal_console_read(char *bytes, size_t length)
{
	struct pollfd ready = { .fd = STDIN_FILENO, .events = POLLIN };
	ssize_t n;

	if (__atomic_load_n(&input_ended, __ATOMIC_RELAXED))
		return -1;
	if (length == 0 || poll(&ready, 1, 0) <= 0)
		return 0;
	if (ready.revents & POLLNVAL) {
		__atomic_store_n(&input_ended, true, __ATOMIC_RELAXED);
		return -1;
	}
	n = read(STDIN_FILENO, bytes, length);
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -1;
	if (n == 0)
		__atomic_store_n(&input_ended, true, __ATOMIC_RELAXED);
	return n == 0 ? -1 : n;
}

/*
 * The host terminal while Amphi's console tty owns it: raw input (our
 * line discipline echoes, edits and turns ^C into SIGINT for Amphi's
 * foreground group), output post-processing left on so kernel messages
 * keep their line starts. Restored at exit and on fatal host signals,
 * whose previous handlers (the sanitizers') then run as before.
 */
static struct termios host_saved;
static bool host_raw;
static const int fatal_signals[] = {
	SIGHUP, SIGINT, SIGQUIT, SIGILL, SIGABRT, SIGBUS, SIGFPE, SIGSEGV,
	SIGTERM,
};
static struct sigaction previous[sizeof(fatal_signals) /
				 sizeof(fatal_signals[0])];

static void host_restore(void)
{
	if (host_raw)
		tcsetattr(STDIN_FILENO, TCSANOW, &host_saved);
}

static void host_fatal(int signo, siginfo_t *info, void *context)
{
	host_restore();
	for (size_t i = 0; i < sizeof(fatal_signals) / sizeof(int); i++) {
		if (fatal_signals[i] != signo)
			continue;
		sigaction(signo, &previous[i], NULL);
		if (previous[i].sa_flags & SA_SIGINFO &&
		    previous[i].sa_sigaction != NULL)
			previous[i].sa_sigaction(signo, info, context);
		else if (previous[i].sa_handler != SIG_DFL &&
			 previous[i].sa_handler != SIG_IGN)
			previous[i].sa_handler(signo);
		else
			raise(signo);	/* the default action, now */
		return;
	}
}

void hal_console_input_start(void)
{
	struct termios raw;
	struct sigaction action = { .sa_sigaction = host_fatal,
				    .sa_flags = SA_SIGINFO | SA_ONSTACK };

	if (__atomic_exchange_n(&host_raw, true, __ATOMIC_ACQ_REL))
		return;
	if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &host_saved) < 0) {
		__atomic_store_n(&host_raw, false, __ATOMIC_RELEASE);
		return;
	}
	raw = host_saved;
	raw.c_iflag &= ~(unsigned)(IGNBRK | BRKINT | ISTRIP | INLCR | IGNCR |
				   ICRNL | IXON);
	raw.c_lflag &= ~(unsigned)(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
	raw.c_cc[VMIN] = 1;
	raw.c_cc[VTIME] = 0;
	atexit(host_restore);
	sigemptyset(&action.sa_mask);
	for (size_t i = 0; i < sizeof(fatal_signals) / sizeof(int); i++)
		sigaction(fatal_signals[i], &action, &previous[i]);
	tcsetattr(STDIN_FILENO, TCSANOW, &raw);
}

bool hal_console_size(uint16_t *rows, uint16_t *cols)
{
	struct winsize size;

	if (!host_raw || ioctl(STDIN_FILENO, TIOCGWINSZ, &size) < 0 ||
	    size.ws_row == 0)
		return false;
	*rows = size.ws_row;
	*cols = size.ws_col;
	return true;
}
