/*
 * criterion_lite: the subset of Criterion's API our unit tests use, for the
 * hosted-tsan preset only. Criterion's BoxFort arena maps memory at a fixed
 * address that ThreadSanitizer's mmap interceptor refuses, so Criterion
 * aborts at start-up under TSan (upstream Snaipe/Criterion#274). This
 * runner gives the same semantics that matter to us: every test in its own
 * forked process, .init/.fini fixtures, and .signal/.exit_code
 * expectations. The same test sources compile against either.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

struct cr_lite_options {
	void (*init)(void);
	void (*fini)(void);
	int signal;
	int exit_code;
	const char *description;
	bool disabled;
	double timeout;
};

struct cr_lite_test {
	const char *suite;
	const char *name;
	void (*function)(void);
	struct cr_lite_options options;
	struct cr_lite_test *next;
};

void cr_lite_register(struct cr_lite_test *test);
void cr_lite_report(const char *file, int line, const char *condition);
__attribute__((noreturn, format(printf, 3, 4)))
void cr_lite_fail(const char *file, int line, const char *fmt, ...);

#define Test(suite_, name_, ...)                                             \
	static void suite_##_##name_##_impl(void);                           \
	static struct cr_lite_test suite_##_##name_##_test;                  \
	__attribute__((constructor)) static void                             \
	suite_##_##name_##_register(void)                                    \
	{                                                                    \
		suite_##_##name_##_test = (struct cr_lite_test){             \
			.suite = #suite_, .name = #name_,                    \
			.function = suite_##_##name_##_impl,                 \
			.options = { __VA_ARGS__ } };                        \
		cr_lite_register(&suite_##_##name_##_test);                  \
	}                                                                    \
	static void suite_##_##name_##_impl(void)

/* Each assertion takes an optional printf-style message after its operands. */
#define cr_assert(cond, ...)                                                 \
	do {                                                                 \
		if (!(cond)) {                                               \
			cr_lite_report(__FILE__, __LINE__, #cond);           \
			cr_lite_fail(__FILE__, __LINE__, " " __VA_ARGS__);   \
		}                                                            \
	} while (0)
#define cr_assert_fail(...) cr_lite_fail(__FILE__, __LINE__, "failed " __VA_ARGS__)
#define cr_assert_not(cond, ...) cr_assert(!(cond), __VA_ARGS__)
#define cr_assert_eq(a, b, ...) cr_assert((a) == (b), __VA_ARGS__)
#define cr_assert_neq(a, b, ...) cr_assert((a) != (b), __VA_ARGS__)
#define cr_assert_lt(a, b, ...) cr_assert((a) < (b), __VA_ARGS__)
#define cr_assert_leq(a, b, ...) cr_assert((a) <= (b), __VA_ARGS__)
#define cr_assert_gt(a, b, ...) cr_assert((a) > (b), __VA_ARGS__)
#define cr_assert_geq(a, b, ...) cr_assert((a) >= (b), __VA_ARGS__)
#define cr_assert_null(p, ...) cr_assert((p) == NULL, __VA_ARGS__)
#define cr_assert_not_null(p, ...) cr_assert((p) != NULL, __VA_ARGS__)
#define cr_assert_str_eq(a, b, ...) cr_assert(strcmp((a), (b)) == 0, __VA_ARGS__)
#define cr_assert_str_neq(a, b, ...) cr_assert(strcmp((a), (b)) != 0, __VA_ARGS__)
