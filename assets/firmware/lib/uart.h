/*
 * uart.h - polled (and optionally interrupt-driven RX) driver for the NS16550A UART at UART0_BASE.
 */
#ifndef HS_UART_H
#define HS_UART_H

#include <stdbool.h>
#include <stdint.h>

/* Register offsets (byte-wide registers, reg-shift 0 on QEMU virt). */
#define UART_RBR 0  /* receive buffer (read, DLAB=0) */
#define UART_THR 0  /* transmit holding (write, DLAB=0) */
#define UART_IER 1  /* interrupt enable (DLAB=0) */
#define UART_IIR 2  /* interrupt identification (read) */
#define UART_FCR 2  /* FIFO control (write) */
#define UART_LCR 3  /* line control */
#define UART_MCR 4  /* modem control */
#define UART_LSR 5  /* line status */

#define UART_IER_ERBFI 0x01  /* enable received-data-available interrupt */
#define UART_LSR_DR    0x01  /* data ready: RBR holds a byte */
#define UART_LSR_THRE  0x20  /* transmit holding register empty */

void uart_init(void);                 /* 8N1, interrupts off (called by crt0) */
void uart_putc(char c);               /* waits for THRE, then writes THR */
void uart_puts(const char *s);        /* raw string, no newline translation */
bool uart_rx_ready(void);             /* LSR.DR */
int  uart_getc(void);                 /* waits for LSR.DR, returns the byte (0..255) */
void uart_enable_rx_irq(bool on);     /* IER.ERBFI */

#endif
