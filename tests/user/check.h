/*
 * check.h: what every tests/user program shares. A program prints
 * deterministic lines (no pids, addresses or times) on stdout, exits 0 when
 * every check held, and on the first failed check prints
 * "NAME: FAIL file:line: expression (errno N: text)" and exits 1.
 *
 * stdout is unbuffered, so a child created by fork never inherits pending
 * output, and lines from parent and children come in program order.
 */
#pragma once

#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *check_program = "test";

static inline void check_init(const char *name)
{
	check_program = name;
	setvbuf(stdout, NULL, _IONBF, 0);
}

static inline void check_failed(const char *file, int line, const char *what)
{
	int saved = errno;

	printf("%s: FAIL %s:%d: %s (errno %d: %s)\n", check_program, file, line,
	       what, saved, strerror(saved));
	exit(1);
}

/* CHECK(condition): fail the program unless condition holds. */
#define CHECK(condition)                                                  \
	do {                                                              \
		if (!(condition))                                         \
			check_failed(__FILE__, __LINE__, #condition);     \
	} while (0)

/* CHECK_ERR(call, E): the call must fail with -1 and errno E. */
#define CHECK_ERR(call, expected)                                         \
	do {                                                              \
		errno = 0;                                                \
		long check_result_ = (long)(call);                        \
		if (check_result_ != -1 || errno != (expected))           \
			check_failed(__FILE__, __LINE__,                  \
				     #call " fails with " #expected);     \
	} while (0)

/* CHECK_OK(call): the call must not return -1. */
#define CHECK_OK(call)                                                    \
	do {                                                              \
		errno = 0;                                                \
		if ((long)(call) == -1)                                   \
			check_failed(__FILE__, __LINE__, #call " succeeds"); \
	} while (0)
