/*
 * Inside core/tty: the line discipline's pieces (n_tty.c) used by the
 * file operations (tty.c). The _locked functions need tty->lock.
 */
#pragma once

#include "core/tty/tty.h"

void tty_flush_input_locked(struct tty *tty);
/* ICANON changed: the edit line and the line count follow. */
void tty_canon_changed_locked(struct tty *tty, bool was_canonical);
/* Input ended: a partial canonical line becomes readable as with ^D. */
void tty_end_line_locked(struct tty *tty);
bool tty_readable_locked(const struct tty *tty);
/* Bytes readable now (FIONREAD). */
size_t tty_inq_locked(const struct tty *tty);
size_t tty_take_locked(struct tty *tty, char *buf, size_t length, bool *eof);

/*
 * Output processing, then the driver's write; -EIO once hung up. With
 * `nonblock` (O_NONBLOCK) only what the driver has room for goes: the
 * count so far, or -EAGAIN when there is none.
 */
ssize_t tty_write_output(struct tty *tty, const char *bytes, size_t length,
			 bool nonblock);

/* Readers and pollers: input arrived or the state changed. */
void tty_wake_readers(struct tty *tty);

/* A signal character (or a window change) for the foreground group. */
void tty_signal_foreground(struct tty *tty, int signal);
