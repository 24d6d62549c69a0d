/*
 * uart-echo - interrupt-driven UART receive through the PLIC.
 *
 * The UART raises its interrupt (PLIC source UART0_IRQ = 10) when received data is available;
 * the PLIC forwards it to context 0 (hart 0, M-mode) as a machine external interrupt. The
 * handler claims the source, drains the UART's receive FIFO into a ring buffer and completes
 * the claim. The main loop sleeps in WFI, echoes every received character in upper case, and
 * exits 0 after echoing a 'q'.
 *
 * The PLIC's register map is in lib/plic.h.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>

#include "csr.h"
#include "platform.h"
#include "plic.h"
#include "trap.h"
#include "uart.h"

/* Single-producer (handler), single-consumer (main) ring buffer. */
static volatile uint8_t rx_ring[256];
static volatile uint32_t rx_head, rx_tail;  /* free-running; index = value % 256 */

void handle_trap(struct trap_frame *tf)
{
    if (tf->mcause != (MCAUSE_INTERRUPT | IRQ_M_EXT))
        hs_unexpected_trap(tf);

    uint32_t src = plic_claim_m();
    if (src == UART0_IRQ) {
        while (uart_rx_ready()) {
            uint8_t c = (uint8_t)uart_getc();
            if (rx_head - rx_tail < sizeof rx_ring)
                rx_ring[rx_head++ % sizeof rx_ring] = c;
            /* else: overflow, drop (main echoes faster than a UART can deliver) */
        }
    }
    if (src != 0)
        plic_complete_m(src);
}

int main(void)
{
    printf("uart-echo: type; q quits\n");

    plic_enable_m(UART0_IRQ);
    uart_enable_rx_irq(true);
    csr_set(mie, MIP_MEIP);
    csr_set(mstatus, MSTATUS_MIE);

    unsigned count = 0;
    for (;;) {
        /* Check and sleep with interrupts masked, so a byte arriving in between still wakes WFI
         * (WFI wakes on a pending interrupt even when mstatus.MIE is clear). */
        csr_clear(mstatus, MSTATUS_MIE);
        while (rx_head == rx_tail) {
            __asm__ volatile("wfi");
            csr_set(mstatus, MSTATUS_MIE);   /* take the interrupt */
            csr_clear(mstatus, MSTATUS_MIE);
        }
        csr_set(mstatus, MSTATUS_MIE);

        uint8_t c = rx_ring[rx_tail++ % sizeof rx_ring];
        count++;
        putchar(toupper(c));
        if (c == 'q')
            break;
    }
    uart_enable_rx_irq(false);
    printf("\nbye after %u characters\n", count);
    return 0;
}
