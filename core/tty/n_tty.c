/*
 * The N_TTY line discipline: input processing, canonical editing, echo,
 * signal characters, output processing, and the read and write paths
 * with VMIN/VTIME. Behaviour follows Linux's n_tty as documented in
 * termios(3); see docs/tty.md for what is left out.
 *
 * The input queue holds 16-bit slots: a data byte, possibly flagged as
 * ending a canonical line (SLOT_EOL), or a bare end-of-file mark
 * (SLOT_EOF: ^D on an empty line). The line being edited lives apart in
 * tty->line until a delimiter moves it to the queue, so readers never see
 * half a line in canonical mode.
 */
#include "core/tty/tty_internal.h"

#include "core/include/uapi/errno.h"
#include "core/include/uapi/poll.h"
#include "core/include/uapi/signal.h"
#include "core/lib/string.h"
#include "core/proc/signal.h"

#define SLOT_EOL 0x100
#define SLOT_EOF 0x200

/*
 * Echo bytes one input byte can produce, but ^R, whose reprint of a long
 * line is cut at the buffer's end (FIXME: echo in several pieces).
 */
#define ECHO_MAX 64

/* Output collected under the lock, sent to the driver after it. */
struct tty_out {
	char bytes[512];
	size_t length;
};

/*
 * The input bytes receive_byte must look at closely (Linux's char_map):
 * CR, NL and every character the termios names in c_cc. The rest are
 * ordinary in any mode and skip the comparisons with each of them. Made
 * under tty->lock for one chunk of input, so the termios cannot change.
 */
struct char_map {
	uint64_t bits[4];
};

static void char_map_build(const struct tty *tty, struct char_map *map)
{
	map->bits[0] = (1ULL << '\r') | (1ULL << '\n');
	map->bits[1] = map->bits[2] = map->bits[3] = 0;
	for (unsigned int i = 0; i < NCCS; i++) {
		unsigned char c = tty->termios.c_cc[i];

		map->bits[c >> 6] |= 1ULL << (c & 63);
	}
}

static bool char_map_has(const struct char_map *map, unsigned char c)
{
	return (map->bits[c >> 6] >> (c & 63)) & 1;
}

static bool is_ctrl(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

static bool cc_is(const struct tty *tty, unsigned char c, int index)
{
	unsigned char value = tty->termios.c_cc[index];

	return value != 0 && c == value;	/* _POSIX_VDISABLE is 0 */
}

/* Output processing of one byte (OPOST), tracking the column. */
static void out_byte(struct tty *tty, struct tty_out *out, unsigned char c)
{
	uint32_t oflag = tty->termios.c_oflag;

	if (out->length + 2 > sizeof(out->bytes))
		return;
	if (!is_ctrl(c) && (c < 'a' || c > 'z' || !(oflag & OPOST) ||
			    !(oflag & OLCUC))) {
		out->bytes[out->length++] = (char)c; /* as is, one column */
		tty->column++;
		return;
	}
	if (oflag & OPOST) {
		if (c == '\n' && (oflag & ONLCR)) {
			out->bytes[out->length++] = '\r';
			tty->column = 0;
		} else if (c == '\r' && (oflag & OCRNL)) {
			c = '\n';
		} else if (c == '\r' && (oflag & ONOCR) && tty->column == 0) {
			return;
		}
		if (c >= 'a' && c <= 'z' && (oflag & OLCUC))
			c = (unsigned char)(c - 'a' + 'A');
	}
	out->bytes[out->length++] = (char)c;
	if (c == '\r' || (c == '\n' && (oflag & (ONLRET | ONLCR))))
		tty->column = 0;
	else if (c == '\b')
		tty->column -= tty->column > 0;
	else if (c == '\t')
		tty->column = (tty->column | 7) + 1;
	else if (!is_ctrl(c))
		tty->column++;
}

/* Echo of one input byte: control characters as ^X with ECHOCTL. */
static void echo_byte(struct tty *tty, struct tty_out *out, unsigned char c)
{
	if ((tty->termios.c_lflag & ECHOCTL) && is_ctrl(c) && c != '\t' &&
	    c != '\n') {
		out_byte(tty, out, '^');
		out_byte(tty, out, c ^ 0x40);
	} else {
		out_byte(tty, out, c);
	}
}

/* Columns the echo of c takes, c not a tab. */
static unsigned int char_width(const struct tty *tty, unsigned char c)
{
	if (!is_ctrl(c))
		return 1;
	return (tty->termios.c_lflag & ECHOCTL) ? 2 : 0;
}

/*
 * Columns the echo of the tab at line[tab] took: up to the next multiple
 * of 8 from where it began, found back to the previous tab (which ended
 * on a multiple of 8) or the line's start, as Linux's eraser: a line of
 * erases stays linear.
 */
static unsigned int tab_width(const struct tty *tty, size_t tab)
{
	unsigned int column = 0;
	size_t i = tab;

	while (i > 0 && tty->line[i - 1] != '\t')
		column += char_width(tty, (unsigned char)tty->line[--i]);
	if (i == 0)
		column += tty->line_column;
	return 8 - column % 8;
}

/* Erases the last character of the edit line, on screen too. */
static void erase_one(struct tty *tty, struct tty_out *out, bool visual)
{
	unsigned char c;
	unsigned int width;

	if (tty->line_length == 0)
		return;
	c = (unsigned char)tty->line[--tty->line_length];
	if (!(tty->termios.c_lflag & ECHO))
		return;
	if (!visual) {
		echo_byte(tty, out, tty->termios.c_cc[VERASE]);
		return;
	}
	width = c == '\t' ? tab_width(tty, tty->line_length) :
			    char_width(tty, c);
	for (unsigned int i = 0; i < width; i++) {
		out_byte(tty, out, '\b');
		if (c != '\t') {
			out_byte(tty, out, ' ');
			out_byte(tty, out, '\b');
		}
	}
}

static bool queue_room(const struct tty *tty, size_t slots)
{
	return tty->queue_count + slots <= TTY_BUF_SIZE;
}

static void queue_push(struct tty *tty, uint16_t slot)
{
	size_t tail = (tty->queue_head + tty->queue_count) % TTY_BUF_SIZE;

	tty->queue[tail] = slot;
	tty->queue_count++;
}

/* Moves the edit line to the queue, ending it (canonical mode). */
static void commit_line(struct tty *tty, int delimiter)
{
	size_t length = tty->line_length;

	if (!queue_room(tty, length + 1)) {
		tty->line_length = 0;	/* no room: the line is lost */
		return;
	}
	for (size_t i = 0; i < length; i++)
		queue_push(tty, (unsigned char)tty->line[i]);
	if (delimiter >= 0)
		queue_push(tty, (uint16_t)(delimiter | SLOT_EOL));
	else if (length > 0)
		tty->queue[(tty->queue_head + tty->queue_count - 1) %
			   TTY_BUF_SIZE] |= SLOT_EOL;
	else
		queue_push(tty, SLOT_EOF);
	tty->lines++;
	tty->line_length = 0;
}

void tty_end_line_locked(struct tty *tty)
{
	if ((tty->termios.c_lflag & ICANON) && tty->line_length > 0)
		commit_line(tty, -1);
}

void tty_flush_input_locked(struct tty *tty)
{
	tty->queue_head = 0;
	tty->queue_count = 0;
	tty->lines = 0;
	tty->line_length = 0;
	tty->literal_next = false;
	tty->echo_held_length = 0;	/* Linux resets its echo buffer too */
}

/*
 * Keeps echo for when output restarts (Linux's echo buffer). Past the
 * buffer, the oldest goes, as Linux discards the oldest echoes. Lock held.
 */
static void hold_echo_locked(struct tty *tty, const struct tty_out *out)
{
	size_t room = sizeof(tty->echo_held) - tty->echo_held_length;
	size_t length = out->length, drop;

	if (length > sizeof(tty->echo_held))
		length = sizeof(tty->echo_held);
	if (length > room) {
		drop = length - room;
		memmove(tty->echo_held, tty->echo_held + drop,
			tty->echo_held_length - drop);
		tty->echo_held_length -= drop;
	}
	memcpy(tty->echo_held + tty->echo_held_length,
	       out->bytes + out->length - length, length);
	tty->echo_held_length += length;
}

/* Sends the echo held while output was stopped, if it runs again. */
static void send_held_echo(struct tty *tty)
{
	struct tty_out out;

	for (;;) {
		spin_lock(&tty->lock);
		if (tty->echo_held_length == 0 ||
		    (tty->output_stopped && !tty->hung_up)) {
			spin_unlock(&tty->lock);
			return;
		}
		out.length = MIN(tty->echo_held_length, sizeof(out.bytes));
		memcpy(out.bytes, tty->echo_held, out.length);
		tty->echo_held_length -= out.length;
		memmove(tty->echo_held, tty->echo_held + out.length,
			tty->echo_held_length);
		spin_unlock(&tty->lock);
		tty->ops->write(tty, out.bytes, out.length, false);
	}
}

void tty_canon_changed_locked(struct tty *tty, bool was_canonical)
{
	bool canonical = tty->termios.c_lflag & ICANON;

	if (was_canonical && !canonical) {
		/* The partial line becomes readable; lines no longer count. */
		for (size_t i = 0; i < tty->line_length && queue_room(tty, 1);
		     i++)
			queue_push(tty, (unsigned char)tty->line[i]);
		tty->line_length = 0;
	} else if (!was_canonical && canonical) {
		tty->lines = 0;
		for (size_t i = 0; i < tty->queue_count; i++) {
			size_t at = (tty->queue_head + i) % TTY_BUF_SIZE;

			tty->lines += (tty->queue[at] & (SLOT_EOL | SLOT_EOF)) !=
				      0;
		}
	}
}

/* Canonical-mode special characters; false when `c` is ordinary. */
static bool canonical_special(struct tty *tty, struct tty_out *out,
			      unsigned char c)
{
	uint32_t lflag = tty->termios.c_lflag;
	bool echo = lflag & ECHO;

	if (cc_is(tty, c, VERASE)) {
		erase_one(tty, out, lflag & ECHOE);
	} else if (cc_is(tty, c, VWERASE) && (lflag & IEXTEN)) {
		while (tty->line_length > 0 &&
		       kisspace(tty->line[tty->line_length - 1]))
			erase_one(tty, out, true);
		while (tty->line_length > 0 &&
		       !kisspace(tty->line[tty->line_length - 1]))
			erase_one(tty, out, true);
	} else if (cc_is(tty, c, VKILL)) {
		if ((lflag & ECHOKE) && (lflag & ECHOE)) {
			while (tty->line_length > 0)
				erase_one(tty, out, true);
		} else {
			tty->line_length = 0;
			if (echo)
				echo_byte(tty, out, c);
			if (echo && (lflag & ECHOK))
				out_byte(tty, out, '\n');
		}
	} else if (cc_is(tty, c, VREPRINT) && (lflag & IEXTEN)) {
		if (echo) {
			echo_byte(tty, out, c);
			out_byte(tty, out, '\n');
			tty->line_column = tty->column;
			for (size_t i = 0; i < tty->line_length; i++)
				echo_byte(tty, out, (unsigned char)tty->line[i]);
		}
	} else if (cc_is(tty, c, VEOF)) {
		commit_line(tty, -1);	/* not echoed, as Linux */
	} else if (c == '\n' || cc_is(tty, c, VEOL) || cc_is(tty, c, VEOL2)) {
		if (echo || (c == '\n' && (lflag & ECHONL)))
			echo_byte(tty, out, c);
		commit_line(tty, c);
	} else {
		return false;
	}
	return true;
}

/* One input byte after input processing; may name a signal to send. */
static void receive_byte(struct tty *tty, struct tty_out *out,
			 const struct char_map *map, unsigned char c,
			 int *signal)
{
	const struct termios *t = &tty->termios;
	bool canonical = t->c_lflag & ICANON;

	if (tty->literal_next) {
		tty->literal_next = false;
		if (canonical && (t->c_lflag & ECHO) && (t->c_lflag & ECHOCTL))
			out_byte(tty, out, '\b');	/* over the '^' */
		goto ordinary;
	}
	if (t->c_iflag & ISTRIP)
		c &= 0x7f;
	if (!char_map_has(map, c))
		goto ordinary;
	if (c == '\r') {
		if (t->c_iflag & IGNCR)
			return;
		if (t->c_iflag & ICRNL)
			c = '\n';
	} else if (c == '\n' && (t->c_iflag & INLCR)) {
		c = '\r';
	}
	if (t->c_iflag & IXON) {
		if (cc_is(tty, c, VSTOP)) {
			tty->output_stopped = true;
			return;
		}
		if (cc_is(tty, c, VSTART)) {
			tty->output_stopped = false;
			return;
		}
	}
	if (t->c_lflag & ISIG) {
		int sig = cc_is(tty, c, VINTR) ? SIGINT :
			  cc_is(tty, c, VQUIT) ? SIGQUIT :
			  cc_is(tty, c, VSUSP) ? SIGTSTP : 0;

		if (sig != 0) {
			if (!(t->c_lflag & NOFLSH))
				tty_flush_input_locked(tty);
			if (t->c_lflag & ECHO)
				echo_byte(tty, out, c);
			*signal = sig;
			return;
		}
	}
	if (cc_is(tty, c, VLNEXT) && (t->c_lflag & IEXTEN)) {
		tty->literal_next = true;
		if (canonical && (t->c_lflag & ECHO) && (t->c_lflag & ECHOCTL))
			out_byte(tty, out, '^');
		return;
	}
	if (canonical && canonical_special(tty, out, c))
		return;
ordinary:
	if (canonical) {
		/* Keep room for the delimiter (Linux: N_TTY_BUF_SIZE - 1). */
		if (tty->line_length >= TTY_BUF_SIZE - 1)
			return;
		if (tty->line_length == 0)
			tty->line_column = tty->column;
		tty->line[tty->line_length++] = (char)c;
	} else {
		queue_push(tty, c);
	}
	if (t->c_lflag & ECHO)
		echo_byte(tty, out, c);
	else if (c == '\n' && canonical && (t->c_lflag & ECHONL))
		out_byte(tty, out, c);
}

size_t tty_input(struct tty *tty, const char *bytes, size_t length)
{
	struct tty_out out;
	struct char_map map;
	size_t taken = 0;

	mutex_lock(&tty->input_lock);
	while (taken < length) {
		int signal = 0;
		size_t chunk_end = taken;

		out.length = 0;
		spin_lock(&tty->lock);
		char_map_build(tty, &map);
		/* Process while no signal and the echo buffer has room. */
		while (chunk_end < length && signal == 0 &&
		       out.length + ECHO_MAX <= sizeof(out.bytes)) {
			if (!(tty->termios.c_lflag & ICANON) &&
			    !queue_room(tty, 1))
				break;
			receive_byte(tty, &out, &map,
				     (unsigned char)bytes[chunk_end], &signal);
			chunk_end++;
		}
		if (tty->output_stopped && !tty->hung_up) {
			hold_echo_locked(tty, &out);
			out.length = 0;
		}
		spin_unlock(&tty->lock);
		send_held_echo(tty);	/* ^Q in this chunk: first the old */
		if (chunk_end == taken && signal == 0)
			break;	/* raw queue full */
		taken = chunk_end;
		/*
		 * The echo goes out before a reader is woken, as Linux's
		 * commit_echoes before it wakes read_wait: else the reader's
		 * own output (cat printing the line) could come first.
		 */
		if (out.length > 0)
			tty->ops->write(tty, out.bytes, out.length, false);
		tty_wake_readers(tty);
		if (signal != 0)
			tty_signal_foreground(tty, signal);
	}
	mutex_unlock(&tty->input_lock);
	return taken;
}

size_t tty_input_room(struct tty *tty)
{
	size_t room;

	spin_lock(&tty->lock);
	room = tty->termios.c_lflag & ICANON ?
		       TTY_BUF_SIZE - 1 - tty->line_length :
		       TTY_BUF_SIZE - tty->queue_count;
	spin_unlock(&tty->lock);
	return room;
}

bool tty_readable_locked(const struct tty *tty)
{
	if (tty->termios.c_lflag & ICANON)
		return tty->lines > 0;
	return tty->queue_count > 0;
}

size_t tty_inq_locked(const struct tty *tty)
{
	size_t count = 0;

	for (size_t i = 0; i < tty->queue_count; i++)
		count += !(tty->queue[(tty->queue_head + i) % TTY_BUF_SIZE] &
			   SLOT_EOF);
	return count;
}

/*
 * Takes readable input into `buf` (lock held): a canonical read stops
 * after one line (a bare EOF mark reads as 0 bytes, *eof set); a raw
 * read takes what is there.
 */
size_t tty_take_locked(struct tty *tty, char *buf, size_t length, bool *eof)
{
	bool canonical = tty->termios.c_lflag & ICANON;
	size_t copied = 0;

	*eof = false;
	while (copied < length && tty->queue_count > 0) {
		uint16_t slot = tty->queue[tty->queue_head];

		if (canonical && tty->lines == 0)
			break;
		if (slot & SLOT_EOF) {
			if (copied > 0)
				break;
			*eof = true;
		} else {
			buf[copied++] = (char)(slot & 0xff);
		}
		tty->queue_head = (tty->queue_head + 1) % TTY_BUF_SIZE;
		tty->queue_count--;
		if (slot & (SLOT_EOL | SLOT_EOF)) {
			tty->lines -= tty->lines > 0;
			if (canonical)
				break;
		}
		if (*eof)
			break;
	}
	return copied;
}

/* Output stopped by VSTOP (IXON) or TCOOFF, on a line not hung up. */
static bool output_stopped(struct tty *tty)
{
	bool stopped;

	spin_lock(&tty->lock);
	stopped = tty->output_stopped && !tty->hung_up;
	spin_unlock(&tty->lock);
	return stopped;
}

/*
 * A writer waits while output is stopped, for VSTART or TCOON (echo is
 * held meanwhile). 0, or -EAGAIN with `nonblock`, or -ERESTARTSYS on a
 * signal.
 */
static int wait_output_started(struct tty *tty, bool nonblock)
{
	if (!output_stopped(tty))
		return 0;
	if (nonblock)
		return -EAGAIN;
	wait_event(tty->readers,
		   !output_stopped(tty) || signal_pending_current());
	return output_stopped(tty) ? -ERESTARTSYS : 0;
}

ssize_t tty_write_output(struct tty *tty, const char *bytes, size_t length,
			 bool nonblock)
{
	struct tty_out out;
	size_t done = 0;

	/*
	 * A reader that found a line without sleeping (it was not woken
	 * after the echo) may be here while the echo is still going out:
	 * wait for the input being processed, as Linux's readers see a line
	 * only after its echo was committed. tty_input never waits for a
	 * writer, so this cannot deadlock.
	 */
	mutex_lock(&tty->input_lock);
	mutex_unlock(&tty->input_lock);
	while (done < length) {
		size_t taken = done, limit = sizeof(out.bytes);
		int err = wait_output_started(tty, nonblock);

		if (err < 0)
			return done > 0 ? (ssize_t)done : err;
		send_held_echo(tty);	/* Linux: process_echoes first */
		/* A byte makes up to 2 (ONLCR): take what surely fits. */
		if (nonblock && tty->ops->write_room != NULL) {
			limit = MIN(limit, tty->ops->write_room(tty));
			if (limit < 2)
				return done > 0 ? (ssize_t)done : -EAGAIN;
		}
		out.length = 0;
		spin_lock(&tty->lock);
		if (tty->hung_up) {
			spin_unlock(&tty->lock);
			return done > 0 ? (ssize_t)done : -EIO;
		}
		while (taken < length && out.length + 2 <= limit)
			out_byte(tty, &out, (unsigned char)bytes[taken++]);
		spin_unlock(&tty->lock);
		/*
		 * Short: a signal ended a blocking write, or another writer
		 * took the room first (what did not fit is lost, as output
		 * to a full pty can be on Linux). This chunk counts as not
		 * sent.
		 */
		if (tty->ops->write(tty, out.bytes, out.length, !nonblock) <
		    out.length)
			return done > 0 ? (ssize_t)done :
			       nonblock ? -EAGAIN : -ERESTARTSYS;
		done = taken;
	}
	return (ssize_t)done;
}
