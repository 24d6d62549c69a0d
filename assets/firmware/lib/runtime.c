/*
 * runtime.c - glue between picolibc and the virt machine:
 *   - stdin/stdout/stderr are picolibc "tinystdio" FILEs whose put/get callbacks drive the UART,
 *     so printf/puts/getchar work (no newline translation: '\n' goes out as a single byte);
 *   - _exit() powers off through the SiFive test finisher, so exit(code) ends the emulator
 *     with that code (QEMU exits with the same status);
 *   - the default trap handler, which reports an unexpected trap and exits with code 3.
 */
#include <stdio.h>
#include <stdlib.h>

#include "csr.h"
#include "platform.h"
#include "trap.h"
#include "uart.h"

uint32_t hs_boot_hartid;
uint32_t hs_boot_dtb;

/* ---- stdio ---------------------------------------------------------------------------- */

static int stream_put(char c, FILE *f)
{
    (void)f;
    uart_putc(c);
    return (unsigned char)c;
}

static int stream_get(FILE *f)
{
    (void)f;
    return uart_getc();  /* a UART has no end of file: this blocks until a byte arrives */
}

static FILE uart_stream = FDEV_SETUP_STREAM(stream_put, stream_get, NULL, _FDEV_SETUP_RW);

FILE *const stdin = &uart_stream;
FILE *const stdout = &uart_stream;
FILE *const stderr = &uart_stream;

/* ---- exit ----------------------------------------------------------------------------- */

void hs_poweroff(int code)
{
    uint32_t cmd = code == 0 ? FINISHER_PASS : (FINISHER_FAIL | ((uint32_t)code << 16));
    mmio_write32(TEST_BASE, cmd);
    for (;;) {
        /* The finisher stops the machine; should it not exist, park here. */
        __asm__ volatile("wfi");
    }
}

/* picolibc's exit() runs atexit handlers and then calls _exit(). */
void _exit(int code)
{
    hs_poweroff(code);
}

/* ---- traps ---------------------------------------------------------------------------- */

void hs_unexpected_trap(const struct trap_frame *tf)
{
    printf("\nunexpected trap: mcause=0x%08lx mepc=0x%08lx mtval=0x%08lx\n",
           (unsigned long)tf->mcause, (unsigned long)tf->mepc, (unsigned long)tf->mtval);
    hs_poweroff(3);
}

__attribute__((weak)) void handle_trap(struct trap_frame *tf)
{
    hs_unexpected_trap(tf);
}
