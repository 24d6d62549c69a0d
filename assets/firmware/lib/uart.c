/*
 * uart.c - NS16550A driver (TI PC16550D datasheet; QEMU hw/char/serial.c).
 *
 * Transmit is polled: wait until LSR.THRE (bit 5) says the holding register is empty, then
 * write THR. Receive is polled too (LSR.DR, bit 0, then read RBR); a program that wants RX
 * interrupts enables IER.ERBFI and routes UART0_IRQ through the PLIC (see main-uart-echo.c).
 */
#include "uart.h"
#include "platform.h"

static inline uint8_t reg_read(unsigned off) { return mmio_read8(UART0_BASE + off); }
static inline void reg_write(unsigned off, uint8_t v) { mmio_write8(UART0_BASE + off, v); }

void uart_init(void)
{
    reg_write(UART_IER, 0x00);  /* no interrupts */
    reg_write(UART_LCR, 0x03);  /* 8 data bits, no parity, 1 stop bit, DLAB=0 */
    /*
     * FCR is deliberately left alone (FIFOs stay off, as after reset): toggling FCR.FIFO_ENABLE
     * clears the receive FIFO/holding register, which would drop input that arrived before the
     * firmware started - and test harnesses feed input at once. The baud divisor is not set
     * either: the emulated UART does not pace data by it.
     */
}

void uart_putc(char c)
{
    while ((reg_read(UART_LSR) & UART_LSR_THRE) == 0) {
        /* wait for room */
    }
    reg_write(UART_THR, (uint8_t)c);
}

void uart_puts(const char *s)
{
    while (*s != '\0')
        uart_putc(*s++);
}

bool uart_rx_ready(void)
{
    return (reg_read(UART_LSR) & UART_LSR_DR) != 0;
}

int uart_getc(void)
{
    while (!uart_rx_ready()) {
        /* wait for a byte */
    }
    return reg_read(UART_RBR);
}

void uart_enable_rx_irq(bool on)
{
    reg_write(UART_IER, on ? UART_IER_ERBFI : 0x00);
}
