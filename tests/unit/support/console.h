/*
 * Capturing the hosted kernel's console (stdout) in unit tests: start the
 * capture, then read back everything printed since.
 */
#pragma once

/* Points stdout at a temporary file. Aborts the test on failure. */
void test_console_capture(void);

/* Everything printed since test_console_capture (at most 64 KiB). */
const char *test_console_text(void);
