/*
 * Command-line parsing for build/hosted/amphi. Pure: fills a struct and
 * reports errors as text, so the unit tests can drive it.
 */
#include "hosted.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char hosted_usage[] =
	"usage: amphi [options] [--] [kernel command line...]\n"
	"\n"
	"Boots the Amphi kernel as a Linux process.\n"
	"\n"
	"  --mem SIZE      RAM size (K, M or G suffix; plain numbers are MiB),\n"
	"                  16M to 64G, default 256M\n"
	"  --cpus N        simulated CPUs, 1 to 64, default 1\n"
	"  --clock MODE    host (default): real time; virtual: deterministic\n"
	"                  time that advances only when the CPU idles (--cpus 1)\n"
	"  --initrd FILE   initial ramdisk (cpio archive), loaded into RAM\n"
	"  --help          this text\n"
	"  --version       print the version\n"
	"\n"
	"Everything else is the kernel command line (e.g. loglevel=8 quiet).\n"
	"The kernel's power-off status is the exit status.\n";

int hosted_parse_size(const char *text, uint64_t *bytes)
{
	char *end;
	unsigned long long value;
	uint64_t shift = 20;

	if (text == NULL || *text < '0' || *text > '9')
		return -1;
	errno = 0;
	value = strtoull(text, &end, 10);
	if (errno != 0)
		return -1;
	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	case 'b': case 'B': shift = 0; end++; break;
	default: break;
	}
	if (shift != 0 && (strcmp(end, "iB") == 0 || strcmp(end, "B") == 0))
		end += strlen(end);
	if (*end != '\0' || value > (UINT64_MAX >> shift))
		return -1;
	*bytes = (uint64_t)value << shift;
	return 0;
}

static int parse_cpus(const char *text, unsigned int *cpus)
{
	char *end;
	long value;

	if (text == NULL || *text < '0' || *text > '9')
		return -1;
	errno = 0;
	value = strtol(text, &end, 10);
	if (errno != 0 || *end != '\0' || value < 1 || value > HAL_MAX_CPUS)
		return -1;
	*cpus = (unsigned int)value;
	return 0;
}

/* Appends a kernel command-line word; marks truncation. */
static void append_word(struct hosted_options *options, const char *word)
{
	size_t used = strlen(options->cmdline);
	size_t need = strlen(word) + (used ? 1 : 0);

	if (used + need >= sizeof(options->cmdline)) {
		options->cmdline_truncated = true;
		return;
	}
	if (used)
		options->cmdline[used++] = ' ';
	memcpy(options->cmdline + used, word, strlen(word) + 1);
}

/* Handles one option that takes a value; returns 0 or -1 with a message. */
static int take_value_option(const char *name, const char *value,
			     struct hosted_options *options, char *error,
			     size_t error_size)
{
	if (value == NULL) {
		snprintf(error, error_size, "option '%s' needs a value", name);
		return -1;
	}
	if (strcmp(name, "--mem") == 0) {
		if (hosted_parse_size(value, &options->mem_bytes) < 0) {
			snprintf(error, error_size,
				 "invalid --mem '%s' (examples: 256M, 1G)", value);
			return -1;
		}
		if (options->mem_bytes < HOSTED_MEM_MIN ||
		    options->mem_bytes > HOSTED_MEM_MAX) {
			snprintf(error, error_size,
				 "--mem %s is out of range (16M to 64G)", value);
			return -1;
		}
		options->mem_bytes &= ~(uint64_t)0xfff;
		return 0;
	}
	if (strcmp(name, "--cpus") == 0) {
		if (parse_cpus(value, &options->cpus) < 0) {
			snprintf(error, error_size,
				 "invalid --cpus '%s' (1 to %d)", value,
				 HAL_MAX_CPUS);
			return -1;
		}
		return 0;
	}
	if (strcmp(name, "--clock") == 0) {
		if (strcmp(value, "virtual") != 0 && strcmp(value, "host") != 0) {
			snprintf(error, error_size,
				 "invalid --clock '%s' (host or virtual)", value);
			return -1;
		}
		options->virtual_clock = strcmp(value, "virtual") == 0;
		return 0;
	}
	options->initrd_path = value;
	return 0;
}

static bool takes_value(const char *name)
{
	return strcmp(name, "--mem") == 0 || strcmp(name, "--cpus") == 0 ||
	       strcmp(name, "--initrd") == 0 || strcmp(name, "--clock") == 0;
}

int hosted_parse_options(int argc, char **argv, struct hosted_options *options,
			 char *error, size_t error_size)
{
	bool options_done = false;

	*options = (struct hosted_options){ .mem_bytes = HOSTED_MEM_DEFAULT,
					    .cpus = 1 };
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		char name[32];
		const char *value;

		if (options_done || strncmp(arg, "--", 2) != 0) {
			append_word(options, arg);
			continue;
		}
		if (strcmp(arg, "--") == 0) {
			options_done = true;
			continue;
		}
		if (strcmp(arg, "--help") == 0) {
			options->show_help = true;
			continue;
		}
		if (strcmp(arg, "--version") == 0) {
			options->show_version = true;
			continue;
		}
		value = strchr(arg, '=');
		snprintf(name, sizeof(name), "%.*s",
			 (int)(value ? (size_t)(value - arg) : strlen(arg)), arg);
		if (!takes_value(name)) {
			snprintf(error, error_size,
				 "unknown option '%s' (try --help)", arg);
			return -1;
		}
		value = value ? value + 1 : (i + 1 < argc ? argv[++i] : NULL);
		if (take_value_option(name, value, options, error, error_size) < 0)
			return -1;
	}
	if (options->virtual_clock && options->cpus != 1) {
		snprintf(error, error_size,
			 "--clock virtual needs --cpus 1 (it is deterministic)");
		return -1;
	}
	return 0;
}
