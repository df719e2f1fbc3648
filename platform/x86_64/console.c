/*
 * The console: COM1 through the 16550 driver, 115200 8N1. Set up first
 * thing at boot; the caller of hal_console_write serialises lines.
 */
#include "core/hal/console.h"

#include "drivers/uart16550.h"
#include "x86.h"

static struct uart16550 com1;

void x86_console_init(void)
{
	uart16550_init(&com1, UART16550_COM1, 115200);
}

void hal_console_write(const char *bytes, size_t length)
{
	uart16550_write(&com1, bytes, length);
}

ssize_t hal_console_read(char *bytes, size_t length)
{
	size_t done = 0;

	while (done < length) {
		int byte = uart16550_read(&com1);

		if (byte < 0)
			break;
		bytes[done++] = (char)byte;
	}
	return (ssize_t)done;
}

void hal_console_input_start(void)
{
	/* The UART is already raw: nothing to change. */
}

bool hal_console_size(uint16_t *rows, uint16_t *cols)
{
	(void)rows, (void)cols;
	return false;	/* a serial line has no window size */
}
