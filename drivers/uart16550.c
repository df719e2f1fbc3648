/*
 * 16550 UART driver. Register offsets from the base port (the PC16550D
 * data sheet's register map); with DLAB set in LCR, offsets 0 and 1 are
 * the divisor latch. The driver owns no lock: see uart16550.h.
 */
#include "drivers/uart16550.h"

#include "core/hal/io.h"
#include "core/include/uapi/errno.h"

enum uart_register {
	UART_DATA = 0,		/* RBR/THR; DLL with DLAB */
	UART_IER = 1,		/* interrupt enable; DLM with DLAB */
	UART_FCR = 2,		/* FIFO control (write) */
	UART_LCR = 3,		/* line control */
	UART_MCR = 4,		/* modem control */
	UART_LSR = 5,		/* line status */
	UART_SCRATCH = 7,
};

#define LCR_8N1 0x03
#define LCR_DLAB 0x80
#define FCR_ENABLE_CLEAR 0x07	/* enable FIFOs, clear both */
#define MCR_DTR_RTS_OUT2 0x0b
#define LSR_DATA_READY 0x01
#define LSR_THR_EMPTY 0x20
#define TX_SPIN_LIMIT 100000	/* a dead transmitter must not hang us */

static void reg_write(const struct uart16550 *uart, enum uart_register reg,
		      uint8_t value)
{
	pio_out8((uint16_t)(uart->port + reg), value);
}

static uint8_t reg_read(const struct uart16550 *uart, enum uart_register reg)
{
	return pio_in8((uint16_t)(uart->port + reg));
}

/* A UART keeps what is written to its scratch register; nothing else does. */
static bool scratch_holds(struct uart16550 *uart)
{
	reg_write(uart, UART_SCRATCH, 0x5a);
	if (reg_read(uart, UART_SCRATCH) != 0x5a)
		return false;
	reg_write(uart, UART_SCRATCH, 0xa5);
	return reg_read(uart, UART_SCRATCH) == 0xa5;
}

int uart16550_init(struct uart16550 *uart, uint16_t port, uint32_t baud)
{
	uint32_t divisor;

	uart->port = port;
	uart->present = false;
	if (baud == 0 || UART16550_CLOCK % baud != 0)
		return -EINVAL;
	divisor = UART16550_CLOCK / baud;
	if (divisor > 0xffff)
		return -EINVAL;
	if (!scratch_holds(uart))
		return -ENODEV;
	reg_write(uart, UART_IER, 0);
	reg_write(uart, UART_LCR, LCR_DLAB);
	reg_write(uart, UART_DATA, (uint8_t)divisor);
	reg_write(uart, UART_IER, (uint8_t)(divisor >> 8));
	reg_write(uart, UART_LCR, LCR_8N1);
	reg_write(uart, UART_FCR, FCR_ENABLE_CLEAR);
	reg_write(uart, UART_MCR, MCR_DTR_RTS_OUT2);
	uart->present = true;
	return 0;
}

static void put_byte(struct uart16550 *uart, char byte)
{
	for (int spins = 0; spins < TX_SPIN_LIMIT; spins++) {
		if (reg_read(uart, UART_LSR) & LSR_THR_EMPTY)
			break;
	}
	reg_write(uart, UART_DATA, (uint8_t)byte);
}

void uart16550_write(struct uart16550 *uart, const char *bytes, size_t length)
{
	if (!uart->present)
		return;
	for (size_t i = 0; i < length; i++)
		put_byte(uart, bytes[i]);
}

int uart16550_read(struct uart16550 *uart)
{
	if (!uart->present || !(reg_read(uart, UART_LSR) & LSR_DATA_READY))
		return -EAGAIN;
	return reg_read(uart, UART_DATA);
}
