/*
 * platform.h - the QEMU `virt` machine memory map as Hindsight's sample firmware uses it,
 * and tiny MMIO accessors.
 *
 * Addresses are those of QEMU 7.2's hw/riscv/virt.c (virt_memmap[]), which Hindsight's
 * machine model reproduces.
 */
#ifndef HS_PLATFORM_H
#define HS_PLATFORM_H

#include <stdint.h>

#define MROM_BASE        0x00001000u  /* reset ROM (read-only; writes are ignored by QEMU) */
#define TEST_BASE        0x00100000u  /* SiFive test finisher: write to power off / exit */
#define CLINT_BASE       0x02000000u  /* core-local interruptor (timer, software interrupts) */
#define CLINT_MSIP       (CLINT_BASE + 0x0000u) /* hart 0 machine software interrupt pending */
#define CLINT_MTIMECMP   (CLINT_BASE + 0x4000u) /* hart 0 mtimecmp (64-bit) */
#define CLINT_MTIME      (CLINT_BASE + 0xbff8u) /* mtime (64-bit), 10 MHz */
#define PLIC_BASE        0x0c000000u  /* platform-level interrupt controller */
#define UART0_BASE       0x10000000u  /* NS16550A */
#define UART0_IRQ        10u          /* PLIC source number of UART0 */
#define RAM_BASE         0x80000000u

#define CLINT_TIMEBASE_HZ 10000000u   /* mtime ticks per second of guest time */

/* SiFive test finisher commands (hw/misc/sifive_test.c). */
#define FINISHER_FAIL    0x3333u      /* exit code in bits 31:16 */
#define FINISHER_PASS    0x5555u      /* exit code 0 */
#define FINISHER_RESET   0x7777u

/* MMIO accessors: volatile, so each call is exactly one bus access of the given width. */
static inline uint8_t  mmio_read8(uintptr_t a)              { return *(volatile uint8_t *)a; }
static inline uint32_t mmio_read32(uintptr_t a)             { return *(volatile uint32_t *)a; }
static inline void     mmio_write8(uintptr_t a, uint8_t v)  { *(volatile uint8_t *)a = v; }
static inline void     mmio_write32(uintptr_t a, uint32_t v){ *(volatile uint32_t *)a = v; }

/* Boot information handed over by the reset ROM in a0/a1, saved by crt0. */
extern uint32_t hs_boot_hartid;
extern uint32_t hs_boot_dtb;

/* Power off through the test finisher. Code 0 -> QEMU exits 0, else QEMU exits with `code`. */
__attribute__((noreturn)) void hs_poweroff(int code);

#endif
