/*
 * Shared inside the tracer (trace.c, trace_flags.c): the line being
 * built and the flag decoders.
 */
#pragma once

#include "core/lib/compiler.h"
#include "core/lib/types.h"

struct trace_line {
	char text[500];	/* printk_raw takes 511 characters */
	size_t length;		/* characters in text, the NUL excluded */
};

/* Appends to the line; output past its end is dropped. */
void trace_emit(struct trace_line *line, const char *fmt, ...) __printf(2, 3);

/* Flag sets by name, as strace prints them: `A|B|0x40` for unknown bits. */
void trace_emit_open_flags(struct trace_line *line, uint64_t flags);
void trace_emit_at_flags(struct trace_line *line, uint64_t flags);
void trace_emit_prot(struct trace_line *line, uint64_t prot);
void trace_emit_mmap_flags(struct trace_line *line, uint64_t flags);
void trace_emit_grnd_flags(struct trace_line *line, uint64_t flags);
