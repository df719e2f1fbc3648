/*
 * Inflate and gunzip against the host's gzip: stored (incompressible),
 * fixed and dynamic Huffman blocks, long matches across the window;
 * then corrupt and truncated input must fail cleanly.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/lib/inflate.h"

struct output {
	uint8_t *data;
	size_t length, capacity;
};

static int collect(void *ctx, const void *data, size_t length)
{
	struct output *out = ctx;

	if (out->length + length > out->capacity)
		return -28;	/* ENOSPC */
	memcpy(out->data + out->length, data, length);
	out->length += length;
	return 0;
}

/* Runs `gzip -<level>` on data through temporary files. */
static uint8_t *host_gzip(const uint8_t *data, size_t size, int level,
			  size_t *out_size)
{
	char in_name[] = "/tmp/amphi-gz-XXXXXX", command[128];
	int fd = mkstemp(in_name);
	uint8_t *out = malloc(size + size / 2 + 1024);
	FILE *pipe;

	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, data, size), (ssize_t)size);
	close(fd);
	snprintf(command, sizeof(command), "gzip -%d -c %s", level, in_name);
	pipe = popen(command, "r");
	cr_assert_not_null(pipe);
	*out_size = fread(out, 1, size + size / 2 + 1024, pipe);
	cr_assert_eq(pclose(pipe), 0);
	unlink(in_name);
	return out;
}

static void round_trip(const uint8_t *data, size_t size, int level)
{
	static struct kinflate state;
	struct output out = { malloc(size + 1), 0, size + 1 };
	size_t packed_size, used;
	uint8_t *packed = host_gzip(data, size, level, &packed_size);

	cr_assert(kinflate_is_gzip(packed, packed_size));
	cr_assert_eq(kinflate_gzip(&state, packed, packed_size, &used, collect,
				   &out), 0, "%s", state.error);
	cr_assert_eq(used, packed_size);
	cr_assert_eq(out.length, size);
	cr_assert_eq(memcmp(out.data, data, size), 0);
	free(packed);
	free(out.data);
}

Test(lib_inflate, round_trips_host_gzip)
{
	size_t size = 300000;
	uint8_t *data = malloc(size);
	uint32_t x = 12345;

	/* Text-like data with long repeats (dynamic blocks, far matches). */
	for (size_t i = 0; i < size; i++)
		data[i] = "the quick brown fox "[(i * 7 + i / 1000) % 20];
	round_trip(data, size, 9);
	round_trip(data, 5, 6);			/* tiny: a fixed block */
	round_trip(data, 0, 6);			/* empty */
	for (size_t i = 0; i < size; i++) {	/* incompressible: stored */
		x ^= x << 13, x ^= x >> 17, x ^= x << 5;
		data[i] = (uint8_t)x;
	}
	round_trip(data, size, 1);
	free(data);
}

Test(lib_inflate, rejects_corrupt_and_truncated_input)
{
	static struct kinflate state;
	uint8_t text[4096], sink_buf[8192];
	struct output out = { sink_buf, 0, sizeof(sink_buf) };
	size_t packed_size, used;
	uint8_t *packed;

	for (size_t i = 0; i < sizeof(text); i++)
		text[i] = (uint8_t)("abcabcabd"[i % 9] + i / 512);
	packed = host_gzip(text, sizeof(text), 9, &packed_size);
	for (size_t cut = 0; cut < packed_size; cut++) {
		out.length = 0;
		cr_assert_eq(kinflate_gzip(&state, packed, cut, &used, collect,
					   &out), -22, "cut at %zu", cut);
	}
	/* Flip every bit of the deflate data in turn: an error, never junk. */
	for (size_t i = 10; i < packed_size - 8; i++) {
		for (int bit = 0; bit < 8; bit++) {
			packed[i] ^= (uint8_t)(1 << bit);
			out.length = 0;
			int err = kinflate_gzip(&state, packed, packed_size,
						&used, collect, &out);
			/* Unused bits after the last block may flip freely. */
			cr_assert(err == -22 || err == -28 ||
				  (err == 0 && out.length == sizeof(text) &&
				   memcmp(sink_buf, text, sizeof(text)) == 0),
				  "err %d", err);
			packed[i] ^= (uint8_t)(1 << bit);
		}
	}
	packed[1] = 0;
	cr_assert_eq(kinflate_gzip(&state, packed, packed_size, &used, collect,
				   &out), -22);
	free(packed);
}

Test(lib_inflate, crc32_known_value)
{
	cr_assert_eq(kcrc32(0, "123456789", 9), 0xcbf43926u);
}
