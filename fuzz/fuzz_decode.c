/*
 * amphi-fuzz-decode: prints syscall fuzzer inputs (a crash, a corpus
 * entry) as the programs they are, one call a line, so a reproducer reads
 * as a sequence of calls:
 *
 *     amphi-fuzz-decode crash-1234...    (or several files, or stdin)
 */
#include <stdio.h>
#include <stdlib.h>

#include "program.h"

static int decode(FILE *input, const char *name)
{
	static uint8_t data[1 << 20];
	static struct fuzz_program program;
	static char text[1 << 16];
	size_t size = fread(data, 1, sizeof(data), input);

	if (ferror(input)) {
		fprintf(stderr, "amphi-fuzz-decode: cannot read %s\n", name);
		return 1;
	}
	fuzz_program_decode(data, size, &program);
	fuzz_program_format(&program, text, sizeof(text));
	printf("# %s: %zu bytes, %u calls\n%s", name, size, program.count,
	       text);
	return 0;
}

int main(int argc, char **argv)
{
	int status = 0;

	if (argc < 2)
		return decode(stdin, "stdin");
	for (int i = 1; i < argc; i++) {
		FILE *input = fopen(argv[i], "rb");

		if (input == NULL) {
			perror(argv[i]);
			status = 1;
			continue;
		}
		status |= decode(input, argv[i]);
		fclose(input);
	}
	return status;
}
