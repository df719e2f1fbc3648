/*
 * printf-style formatting into caller-owned buffers. No allocation, no
 * locks: safe in any context, including panic and interrupt handlers.
 *
 * Supported: conversions d i u x X o c s p %; flags - 0 # + space; field
 * width and precision (numbers or *); length modifiers hh h l ll z t j.
 * Output matches the host C library's snprintf, including "(null)" for a
 * NULL %s and "(nil)" for a NULL %p.
 */
#pragma once

#include <stdarg.h>

#include "core/lib/compiler.h"
#include "core/lib/types.h"

/*
 * Formats into buf (at most size bytes, always NUL-terminated when
 * size > 0). Returns the length the full output would have had, so a
 * result >= size means it was truncated.
 */
int kvsnprintf(char *buf, size_t size, const char *fmt, va_list args);
int ksnprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

/*
 * As kvsnprintf, but returns the number of characters actually stored
 * (excluding the NUL), like Linux's scnprintf: safe to accumulate.
 */
int kvscnprintf(char *buf, size_t size, const char *fmt, va_list args);
int kscnprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);
