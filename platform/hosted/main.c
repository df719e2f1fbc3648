/*
 * build/hosted/amphi: the Linux process that is the hosted machine. Parses
 * the options, creates RAM, fills the boot information and enters kmain()
 * on the main thread (CPU 0). The kernel's power-off ends the process.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/lib/config.h"
#include "hosted.h"

static struct boot_info boot_info;

static __noreturn void fail(const char *message)
{
	fprintf(stderr, "amphi: %s\n", message);
	exit(2);
}

int main(int argc, char **argv)
{
	struct hosted_options options;
	char error[512];
	int err;

	setvbuf(stdout, NULL, _IONBF, 0);
	if (hosted_parse_options(argc, argv, &options, error, sizeof(error)) < 0)
		fail(error);
	if (options.show_help) {
		fputs(hosted_usage, stdout);
		return 0;
	}
	if (options.show_version) {
		printf("amphi %s (hosted)\n", CONFIG_VERSION);
		return 0;
	}
	err = hosted_ram_create(options.mem_bytes);
	if (err < 0) {
		snprintf(error, sizeof(error), "cannot create %llu bytes of RAM: %s",
			 (unsigned long long)options.mem_bytes, strerror(-err));
		fail(error);
	}
	if (hosted_boot_info_init(&boot_info, &options, error, sizeof(error)) < 0)
		fail(error);
	hosted_clock_init(options.virtual_clock);
	hosted_symbols_init();
	hosted_cpus_init(options.cpus);
	hosted_cpu_thread_init(0);
	kmain(&boot_info);
}
