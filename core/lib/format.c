/*
 * The kernel's printf engine. A conversion is parsed into a `struct spec`
 * and rendered into a bounded `struct sink`; the sink counts every character
 * even when the buffer is full so callers learn the untruncated length.
 */
#include "core/lib/format.h"

#include "core/lib/string.h"

struct sink {
	char *buf;
	size_t size;
	size_t length; /* characters produced so far, stored or not */
};

enum length_modifier { LEN_INT, LEN_CHAR, LEN_SHORT, LEN_LONG, LEN_LLONG, LEN_SIZE };

struct spec {
	bool left;      /* '-' */
	bool zero;      /* '0' */
	bool alternate; /* '#' */
	bool plus;      /* '+' */
	bool space;     /* ' ' */
	int width;
	int precision;  /* -1 when absent */
	enum length_modifier length;
	char conversion;
};

static void put_char(struct sink *sink, char c)
{
	if (sink->length + 1 < sink->size)
		sink->buf[sink->length] = c;
	sink->length++;
}

static void put_repeat(struct sink *sink, char c, int count)
{
	for (; count > 0; count--)
		put_char(sink, c);
}

static void put_chars(struct sink *sink, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		put_char(sink, s[i]);
}

static int parse_number(const char **fmt)
{
	int value = 0;

	while (kisdigit(**fmt)) {
		if (value < 100000)
			value = value * 10 + (**fmt - '0');
		(*fmt)++;
	}
	return value;
}

static void parse_flags(const char **fmt, struct spec *spec)
{
	for (;; (*fmt)++) {
		switch (**fmt) {
		case '-': spec->left = true; break;
		case '0': spec->zero = true; break;
		case '#': spec->alternate = true; break;
		case '+': spec->plus = true; break;
		case ' ': spec->space = true; break;
		default: return;
		}
	}
}

static void parse_length(const char **fmt, struct spec *spec)
{
	const char *p = *fmt;

	spec->length = LEN_INT;
	if (p[0] == 'h' && p[1] == 'h') {
		spec->length = LEN_CHAR;
		p += 2;
	} else if (p[0] == 'l' && p[1] == 'l') {
		spec->length = LEN_LLONG;
		p += 2;
	} else if (*p == 'h') {
		spec->length = LEN_SHORT;
		p++;
	} else if (*p == 'l') {
		spec->length = LEN_LONG;
		p++;
	} else if (*p == 'z' || *p == 't' || *p == 'j') {
		spec->length = LEN_SIZE;
		p++;
	}
	*fmt = p;
}

/* Parses "%[flags][width][.precision][length]conv" after the '%'. */
static void parse_spec(const char **fmt, struct spec *spec, va_list *args)
{
	*spec = (struct spec){ .precision = -1 };
	parse_flags(fmt, spec);
	if (**fmt == '*') {
		spec->width = va_arg(*args, int);
		if (spec->width < 0) {
			spec->left = true;
			spec->width = spec->width < -100000 ? 100000 : -spec->width;
		}
		(*fmt)++;
	} else {
		spec->width = parse_number(fmt);
	}
	if (**fmt == '.') {
		(*fmt)++;
		if (**fmt == '*') {
			spec->precision = va_arg(*args, int);
			if (spec->precision < 0)
				spec->precision = -1;
			(*fmt)++;
		} else {
			spec->precision = parse_number(fmt);
		}
	}
	parse_length(fmt, spec);
	spec->conversion = **fmt;
	if (**fmt)
		(*fmt)++;
}

static unsigned long long fetch_unsigned(const struct spec *spec, va_list *args)
{
	switch (spec->length) {
	case LEN_CHAR: return (unsigned char)va_arg(*args, unsigned int);
	case LEN_SHORT: return (unsigned short)va_arg(*args, unsigned int);
	case LEN_LONG: return va_arg(*args, unsigned long);
	case LEN_LLONG: return va_arg(*args, unsigned long long);
	case LEN_SIZE: return va_arg(*args, size_t);
	default: return va_arg(*args, unsigned int);
	}
}

static long long fetch_signed(const struct spec *spec, va_list *args)
{
	switch (spec->length) {
	case LEN_CHAR: return (signed char)va_arg(*args, int);
	case LEN_SHORT: return (short)va_arg(*args, int);
	case LEN_LONG: return va_arg(*args, long);
	case LEN_LLONG: return va_arg(*args, long long);
	case LEN_SIZE: return va_arg(*args, ssize_t);
	default: return va_arg(*args, int);
	}
}

/* Writes the digits of value in base, least significant first; returns count. */
static int render_digits(char *out, unsigned long long value, unsigned base,
			 bool upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	int n = 0;

	while (value) {
		out[n++] = digits[value % base];
		value /= base;
	}
	return n;
}

/*
 * Emits a number: [padding][sign or prefix][zeros][digits][padding].
 * `prefix` is "-", "+", " ", "0x", "0X" or "".
 */
static void emit_number(struct sink *sink, const struct spec *spec,
			const char *prefix, const char *reversed, int ndigits)
{
	int prefix_length = (int)kstrlen(prefix);
	int zeros = spec->precision > ndigits ? spec->precision - ndigits : 0;
	int padding = spec->width - prefix_length - zeros - ndigits;

	if (spec->zero && !spec->left && spec->precision < 0) {
		zeros += padding > 0 ? padding : 0;
		padding = 0;
	}
	if (!spec->left)
		put_repeat(sink, ' ', padding);
	put_chars(sink, prefix, (size_t)prefix_length);
	put_repeat(sink, '0', zeros);
	while (ndigits > 0)
		put_char(sink, reversed[--ndigits]);
	if (spec->left)
		put_repeat(sink, ' ', padding);
}

static void format_integer(struct sink *sink, const struct spec *spec,
			   unsigned long long magnitude, const char *sign)
{
	char digits[24];
	unsigned base = 10;
	const char *prefix = sign;
	int n;

	if (spec->conversion == 'x' || spec->conversion == 'X')
		base = 16;
	else if (spec->conversion == 'o')
		base = 8;
	n = render_digits(digits, magnitude, base, spec->conversion == 'X');
	if (n == 0 && spec->precision != 0)
		digits[n++] = '0'; /* zero prints "0" unless precision is 0 */
	if (spec->alternate && base == 16 && magnitude != 0)
		prefix = spec->conversion == 'X' ? "0X" : "0x";
	/* '#' with 'o' makes the first digit a zero. */
	if (spec->alternate && base == 8 && spec->precision <= n &&
	    (n == 0 || digits[n - 1] != '0'))
		prefix = "0";
	emit_number(sink, spec, prefix, digits, n);
}

static void format_signed(struct sink *sink, const struct spec *spec,
			  va_list *args)
{
	long long value = fetch_signed(spec, args);
	unsigned long long magnitude = (unsigned long long)value;
	const char *sign = "";

	if (value < 0) {
		magnitude = 0 - magnitude;
		sign = "-";
	} else if (spec->plus) {
		sign = "+";
	} else if (spec->space) {
		sign = " ";
	}
	format_integer(sink, spec, magnitude, sign);
}

static void format_text(struct sink *sink, const struct spec *spec,
			const char *s, size_t n)
{
	int padding = spec->width - (int)n;

	if (!spec->left)
		put_repeat(sink, ' ', padding);
	put_chars(sink, s, n);
	if (spec->left)
		put_repeat(sink, ' ', padding);
}

static void format_string(struct sink *sink, const struct spec *spec,
			  const char *s)
{
	size_t max = spec->precision < 0 ? (size_t)-1 : (size_t)spec->precision;

	if (s == NULL)
		s = max < 6 ? "" : "(null)";
	format_text(sink, spec, s, kstrnlen(s, max));
}

static void format_pointer(struct sink *sink, const struct spec *spec,
			   const void *p)
{
	struct spec hex = *spec;

	if (p == NULL) {
		format_text(sink, spec, "(nil)", 5);
		return;
	}
	hex.conversion = 'x';
	hex.alternate = true;
	format_integer(sink, &hex, (uintptr_t)p, "");
}

static void format_one(struct sink *sink, const struct spec *spec,
		       va_list *args)
{
	char c;

	switch (spec->conversion) {
	case 'd':
	case 'i':
		format_signed(sink, spec, args);
		break;
	case 'u':
	case 'x':
	case 'X':
	case 'o':
		format_integer(sink, spec, fetch_unsigned(spec, args), "");
		break;
	case 'c':
		c = (char)va_arg(*args, int);
		format_text(sink, spec, &c, 1);
		break;
	case 's':
		format_string(sink, spec, va_arg(*args, const char *));
		break;
	case 'p':
		format_pointer(sink, spec, va_arg(*args, const void *));
		break;
	case '%':
		put_char(sink, '%');
		break;
	default:
		/* Unknown conversion: print it verbatim so the bug is visible. */
		put_char(sink, '%');
		if (spec->conversion)
			put_char(sink, spec->conversion);
		break;
	}
}

int kvsnprintf(char *buf, size_t size, const char *fmt, va_list args)
{
	struct sink sink = { .buf = buf, .size = size };
	struct spec spec;
	va_list copy;

	va_copy(copy, args);
	while (*fmt) {
		if (*fmt != '%') {
			put_char(&sink, *fmt++);
			continue;
		}
		fmt++;
		parse_spec(&fmt, &spec, &copy);
		format_one(&sink, &spec, &copy);
	}
	va_end(copy);
	if (size > 0)
		buf[sink.length < size ? sink.length : size - 1] = '\0';
	return sink.length > INT32_MAX ? INT32_MAX : (int)sink.length;
}

int ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list args;
	int n;

	va_start(args, fmt);
	n = kvsnprintf(buf, size, fmt, args);
	va_end(args);
	return n;
}

int kvscnprintf(char *buf, size_t size, const char *fmt, va_list args)
{
	int n = kvsnprintf(buf, size, fmt, args);

	if (size == 0)
		return 0;
	return (size_t)n < size ? n : (int)(size - 1);
}

int kscnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list args;
	int n;

	va_start(args, fmt);
	n = kvscnprintf(buf, size, fmt, args);
	va_end(args);
	return n;
}
