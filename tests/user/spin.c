/*
 * spin: a runaway loop in user space, with no syscalls once it runs: only
 * preemption (the timer on x86_64, the runner's interrupt on hosted) lets
 * the kernel deliver the ^C that ends it (tests/integration/
 * interactive_shell.py).
 */
#include <unistd.h>

int main(void)
{
	static const char started[] = "spinning\n";
	volatile unsigned long counter = 0;

	if (write(STDOUT_FILENO, started, sizeof(started) - 1) < 0)
		return 1;
	for (;;)
		counter++;
}
