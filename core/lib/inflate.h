/*
 * DEFLATE (RFC 1951) and gzip (RFC 1952) decompression, streaming: the
 * output goes to a sink callback in chunks, so the output size is not
 * limited by any buffer and no allocation is needed beyond the 32 KiB
 * window the caller's stack or heap provides through struct kinflate.
 * Every input byte and every back-reference is bounds-checked: corrupt
 * or truncated input returns an error, never reads or writes outside the
 * buffers. Names carry a k prefix so they never meet zlib's.
 */
#pragma once

#include "core/lib/types.h"

#define KINFLATE_WINDOW (32 * 1024)

/* Receives output; returns 0 or -errno, which stops decompression. */
typedef int (*kinflate_sink_fn)(void *ctx, const void *data, size_t length);

/* Decompressor state: large (the window), so the caller places it. */
struct kinflate {
	const uint8_t *in;
	size_t in_size;
	size_t in_pos;
	uint32_t bit_buffer;
	unsigned int bit_count;
	uint8_t window[KINFLATE_WINDOW];
	uint64_t out_total;		/* bytes produced */
	size_t flushed;			/* window bytes already sunk */
	uint32_t crc;			/* CRC-32 of the output so far */
	kinflate_sink_fn sink;
	void *ctx;
	const char *error;		/* why it failed, for messages */
};

/*
 * Decompresses one raw DEFLATE stream from in[0..size). Returns 0 and
 * sets *consumed to the bytes the stream used; -EINVAL for corrupt or
 * truncated data (state->error says why); or the sink's error.
 */
int kinflate_raw(struct kinflate *state, const void *in, size_t size,
		 size_t *consumed, kinflate_sink_fn sink, void *ctx);

/*
 * Decompresses one gzip member, checking its CRC-32 and length. Returns
 * as kinflate_raw; *consumed includes the header and trailer.
 */
int kinflate_gzip(struct kinflate *state, const void *in, size_t size,
		  size_t *consumed, kinflate_sink_fn sink, void *ctx);

/* Whether data starts like a gzip member. */
bool kinflate_is_gzip(const void *data, size_t size);

/* CRC-32 (IEEE 802.3, as gzip) of data, continuing from crc (0 to start). */
uint32_t kcrc32(uint32_t crc, const void *data, size_t length);
