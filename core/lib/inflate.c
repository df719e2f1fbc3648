/*
 * Inflate, written from RFC 1951: a bit reader (LSB first), stored,
 * fixed-Huffman and dynamic-Huffman blocks, canonical Huffman codes
 * decoded with per-length counts and a symbol table, and a 32 KiB
 * circular window that is flushed to the sink each time it fills. The
 * state lives in struct kinflate; nothing is global, nothing allocated.
 */
#include "core/lib/inflate.h"

#include "core/include/uapi/errno.h"
#include "core/lib/compiler.h"
#include "core/lib/string.h"

#define MAX_BITS 15
#define MAX_LITLEN 288
#define MAX_DIST 30
#define MAX_CODES (MAX_LITLEN + MAX_DIST)

struct huffman {
	uint16_t count[MAX_BITS + 1];	/* codes of each length */
	uint16_t symbol[MAX_LITLEN];	/* symbols in canonical order */
};

static const uint16_t length_base[29] = {
	3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31,
	35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258,
};
static const uint8_t length_extra[29] = {
	0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2,
	3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
};
static const uint16_t dist_base[30] = {
	1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193,
	257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145,
	8193, 12289, 16385, 24577,
};
static const uint8_t dist_extra[30] = {
	0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6,
	7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13,
};

uint32_t kcrc32(uint32_t crc, const void *data, size_t length)
{
	const uint8_t *p = data;

	crc = ~crc;
	while (length--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1));
	}
	return ~crc;
}

static int fail(struct kinflate *s, const char *why)
{
	s->error = why;
	return -EINVAL;
}

/* Reads `n` (<= 16) bits; -EINVAL past the end of the input. */
static int bits(struct kinflate *s, unsigned int n, uint32_t *value)
{
	while (s->bit_count < n) {
		if (s->in_pos == s->in_size)
			return fail(s, "truncated compressed data");
		s->bit_buffer |= (uint32_t)s->in[s->in_pos++] << s->bit_count;
		s->bit_count += 8;
	}
	*value = s->bit_buffer & ((1u << n) - 1);
	s->bit_buffer >>= n;
	s->bit_count -= n;
	return 0;
}

static int flush(struct kinflate *s, size_t end)
{
	int err = 0;

	if (end > s->flushed) {
		s->crc = kcrc32(s->crc, s->window + s->flushed,
				end - s->flushed);
		err = s->sink(s->ctx, s->window + s->flushed, end - s->flushed);
	}
	s->flushed = end % KINFLATE_WINDOW;
	return err;
}

static int put_byte(struct kinflate *s, uint8_t byte)
{
	size_t at = s->out_total++ % KINFLATE_WINDOW;

	s->window[at] = byte;
	if (at == KINFLATE_WINDOW - 1)
		return flush(s, KINFLATE_WINDOW);
	return 0;
}

/* Decodes one symbol with canonical code h (RFC 1951 3.2.2). */
static int decode(struct kinflate *s, const struct huffman *h, int *symbol)
{
	int code = 0, first = 0, index = 0;

	for (int length = 1; length <= MAX_BITS; length++) {
		uint32_t bit;
		int err = bits(s, 1, &bit);

		if (err < 0)
			return err;
		code |= (int)bit;
		int count = h->count[length];

		if (code - count < first) {
			*symbol = h->symbol[index + (code - first)];
			return 0;
		}
		index += count;
		first = (first + count) << 1;
		code <<= 1;
	}
	return fail(s, "invalid Huffman code");
}

/* Builds a code from code lengths; rejects over-subscribed sets. */
static int build(struct huffman *h, const uint8_t *lengths, int n)
{
	uint16_t offsets[MAX_BITS + 1];
	int left = 1;

	memset(h->count, 0, sizeof(h->count));
	for (int i = 0; i < n; i++)
		h->count[lengths[i]]++;
	for (int length = 1; length <= MAX_BITS; length++) {
		left = (left << 1) - h->count[length];
		if (left < 0)
			return -EINVAL;
	}
	offsets[1] = 0;
	for (int length = 1; length < MAX_BITS; length++)
		offsets[length + 1] = offsets[length] + h->count[length];
	for (int i = 0; i < n; i++) {
		if (lengths[i] != 0)
			h->symbol[offsets[lengths[i]]++] = (uint16_t)i;
	}
	return 0;
}

static int copy_match(struct kinflate *s, unsigned int length,
		      unsigned int distance)
{
	if (distance > s->out_total || distance > KINFLATE_WINDOW)
		return fail(s, "back-reference before the start");
	while (length--) {
		size_t from = (s->out_total - distance) % KINFLATE_WINDOW;
		int err = put_byte(s, s->window[from]);

		if (err < 0)
			return err;
	}
	return 0;
}

/* Decodes literal/length and distance symbols until end of block. */
static int codes(struct kinflate *s, const struct huffman *litlen,
		 const struct huffman *dist)
{
	for (;;) {
		uint32_t extra;
		int symbol, err = decode(s, litlen, &symbol);
		unsigned int length;

		if (err < 0)
			return err;
		if (symbol < 256) {
			err = put_byte(s, (uint8_t)symbol);
		} else if (symbol == 256) {
			return 0;
		} else {
			symbol -= 257;
			if (symbol >= 29)
				return fail(s, "invalid length symbol");
			err = bits(s, length_extra[symbol], &extra);
			if (err < 0)
				return err;
			length = length_base[symbol] + extra;
			err = decode(s, dist, &symbol);
			if (err == 0 && symbol >= 30)
				err = fail(s, "invalid distance symbol");
			if (err == 0)
				err = bits(s, dist_extra[symbol], &extra);
			if (err == 0)
				err = copy_match(s, length,
						 dist_base[symbol] + extra);
		}
		if (err < 0)
			return err;
	}
}

static int stored(struct kinflate *s)
{
	uint16_t length, check;

	s->bit_buffer = 0;	/* skip to the byte boundary */
	s->bit_count = 0;
	if (s->in_size - s->in_pos < 4)
		return fail(s, "truncated stored block");
	length = (uint16_t)(s->in[s->in_pos] | s->in[s->in_pos + 1] << 8);
	check = (uint16_t)(s->in[s->in_pos + 2] | s->in[s->in_pos + 3] << 8);
	s->in_pos += 4;
	if ((unsigned int)check + length != 0xffffu)	/* check is ~length */
		return fail(s, "stored block length check");
	if (s->in_size - s->in_pos < length)
		return fail(s, "truncated stored block");
	for (unsigned int i = 0; i < length; i++) {
		int err = put_byte(s, s->in[s->in_pos++]);

		if (err < 0)
			return err;
	}
	return 0;
}

static int fixed(struct kinflate *s)
{
	struct huffman litlen, dist;
	uint8_t lengths[MAX_LITLEN];
	int i;

	for (i = 0; i < 144; i++)
		lengths[i] = 8;
	for (; i < 256; i++)
		lengths[i] = 9;
	for (; i < 280; i++)
		lengths[i] = 7;
	for (; i < MAX_LITLEN; i++)
		lengths[i] = 8;
	build(&litlen, lengths, MAX_LITLEN);
	for (i = 0; i < MAX_DIST; i++)
		lengths[i] = 5;
	build(&dist, lengths, MAX_DIST);
	return codes(s, &litlen, &dist);
}

/* Reads the code-length-coded lengths of a dynamic block. */
static int read_lengths(struct kinflate *s, const struct huffman *h,
			uint8_t *lengths, int total)
{
	for (int index = 0; index < total;) {
		uint32_t repeat;
		int symbol, err = decode(s, h, &symbol);
		uint8_t value = 0;

		if (err < 0)
			return err;
		if (symbol < 16) {
			lengths[index++] = (uint8_t)symbol;
			continue;
		}
		if (symbol == 16) {
			if (index == 0)
				return fail(s, "repeat with no length");
			value = lengths[index - 1];
			err = bits(s, 2, &repeat);
			repeat += 3;
		} else if (symbol == 17) {
			err = bits(s, 3, &repeat);
			repeat += 3;
		} else {
			err = bits(s, 7, &repeat);
			repeat += 11;
		}
		if (err < 0)
			return err;
		if (index + (int)repeat > total)
			return fail(s, "too many code lengths");
		while (repeat--)
			lengths[index++] = value;
	}
	return 0;
}

static int dynamic(struct kinflate *s)
{
	static const uint8_t order[19] = { 16, 17, 18, 0, 8, 7, 9, 6, 10, 5,
					   11, 4, 12, 3, 13, 2, 14, 1, 15 };
	uint8_t lengths[MAX_CODES] = { 0 };
	struct huffman litlen, dist;
	uint32_t nlen, ndist, ncode, value;
	int err = bits(s, 5, &nlen);

	if (err == 0)
		err = bits(s, 5, &ndist);
	if (err == 0)
		err = bits(s, 4, &ncode);
	if (err < 0)
		return err;
	nlen += 257;
	ndist += 1;
	ncode += 4;
	if (nlen > 286 || ndist > MAX_DIST)
		return fail(s, "bad dynamic block counts");
	for (uint32_t i = 0; i < ncode; i++) {
		err = bits(s, 3, &value);
		if (err < 0)
			return err;
		lengths[order[i]] = (uint8_t)value;
	}
	if (build(&litlen, lengths, 19) < 0)
		return fail(s, "bad code-length code");
	memset(lengths, 0, sizeof(lengths));
	err = read_lengths(s, &litlen, lengths, (int)(nlen + ndist));
	if (err < 0)
		return err;
	if (lengths[256] == 0)
		return fail(s, "no end-of-block code");
	if (build(&litlen, lengths, (int)nlen) < 0 ||
	    build(&dist, lengths + nlen, (int)ndist) < 0)
		return fail(s, "over-subscribed code");
	return codes(s, &litlen, &dist);
}

int kinflate_raw(struct kinflate *s, const void *in, size_t size,
		 size_t *consumed, kinflate_sink_fn sink, void *ctx)
{
	uint32_t last = 0, type;
	int err = 0;

	s->in = in;
	s->in_size = size;
	s->in_pos = 0;
	s->bit_buffer = 0;
	s->bit_count = 0;
	s->out_total = 0;
	s->flushed = 0;
	s->crc = 0;
	s->sink = sink;
	s->ctx = ctx;
	s->error = NULL;
	while (err == 0 && !last) {
		err = bits(s, 1, &last);
		if (err == 0)
			err = bits(s, 2, &type);
		if (err < 0)
			break;
		if (type == 0)
			err = stored(s);
		else if (type == 1)
			err = fixed(s);
		else if (type == 2)
			err = dynamic(s);
		else
			err = fail(s, "invalid block type");
	}
	if (err == 0)
		err = flush(s, (size_t)(s->out_total % KINFLATE_WINDOW));
	/* Unused bits of the last byte belong to the stream. */
	*consumed = s->in_pos;
	return err;
}

bool kinflate_is_gzip(const void *data, size_t size)
{
	const uint8_t *p = data;

	return size >= 2 && p[0] == 0x1f && p[1] == 0x8b;
}

#define GZIP_FHCRC 0x02
#define GZIP_FEXTRA 0x04
#define GZIP_FNAME 0x08
#define GZIP_FCOMMENT 0x10
#define GZIP_RESERVED 0xe0

/* Skips a NUL-terminated header field; false if it runs off the end. */
static bool skip_string(const uint8_t *p, size_t size, size_t *pos)
{
	while (*pos < size && p[*pos] != 0)
		(*pos)++;
	if (*pos == size)
		return false;
	(*pos)++;
	return true;
}

/* Returns the header length, or 0 if the header is bad or truncated. */
static size_t gzip_header(const uint8_t *p, size_t size)
{
	size_t pos = 10;
	uint8_t flags;

	if (size < 10 || !kinflate_is_gzip(p, size) || p[2] != 8)
		return 0;
	flags = p[3];
	if (flags & GZIP_RESERVED)
		return 0;
	if (flags & GZIP_FEXTRA) {
		size_t extra;

		if (size - pos < 2)
			return 0;
		extra = p[pos] | (size_t)p[pos + 1] << 8;
		pos += 2;
		if (size - pos < extra)
			return 0;
		pos += extra;
	}
	if ((flags & GZIP_FNAME) && !skip_string(p, size, &pos))
		return 0;
	if ((flags & GZIP_FCOMMENT) && !skip_string(p, size, &pos))
		return 0;
	if (flags & GZIP_FHCRC)
		pos += 2;
	return pos <= size ? pos : 0;
}

static uint32_t load_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

int kinflate_gzip(struct kinflate *s, const void *in, size_t size,
		  size_t *consumed, kinflate_sink_fn sink, void *ctx)
{
	const uint8_t *p = in;
	size_t header = gzip_header(p, size), used;
	int err;

	*consumed = 0;
	if (header == 0)
		return fail(s, "bad gzip header");
	err = kinflate_raw(s, p + header, size - header, &used, sink, ctx);
	if (err < 0)
		return err;
	used += header;
	if (size - used < 8)
		return fail(s, "truncated gzip trailer");
	if (load_le32(p + used) != s->crc)
		return fail(s, "gzip CRC mismatch");
	if (load_le32(p + used + 4) != (uint32_t)s->out_total)
		return fail(s, "gzip length mismatch");
	*consumed = used + 8;
	return 0;
}
