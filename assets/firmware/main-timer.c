/*
 * timer - machine timer interrupts from the CLINT, waited for with WFI.
 *
 * Programs mtimecmp TIMER_INTERVAL mtime ticks ahead, enables mie.MTIE and mstatus.MIE, and
 * sleeps in WFI until TIMER_TICKS interrupts have been taken. The handler prints the tick number
 * and moves mtimecmp one interval further (relative to the previous deadline, so the schedule
 * does not drift with interrupt latency). Nothing time-dependent is printed, so the output is
 * the same on every run; the number of WFI wake-ups is printed because it shows that WFI really
 * waits (an emulator treating WFI as a busy no-op would report thousands).
 */
#include <stdint.h>
#include <stdio.h>

#include "csr.h"
#include "platform.h"
#include "trap.h"

#define TIMER_TICKS    10
#define TIMER_INTERVAL 100000u  /* mtime ticks: 10 ms of guest time at 10 MHz */

static volatile unsigned ticks;
static uint64_t deadline;

static uint64_t mtime_read(void)
{
    uint32_t hi, lo;
    do {
        hi = mmio_read32(CLINT_MTIME + 4);
        lo = mmio_read32(CLINT_MTIME);
    } while (hi != mmio_read32(CLINT_MTIME + 4));
    return ((uint64_t)hi << 32) | lo;
}

/* Update the 64-bit mtimecmp without ever passing through a smaller value (no spurious IRQ). */
static void mtimecmp_write(uint64_t when)
{
    mmio_write32(CLINT_MTIMECMP, 0xffffffffu);
    mmio_write32(CLINT_MTIMECMP + 4, (uint32_t)(when >> 32));
    mmio_write32(CLINT_MTIMECMP, (uint32_t)when);
}

void handle_trap(struct trap_frame *tf)
{
    if (tf->mcause != (MCAUSE_INTERRUPT | IRQ_M_TIMER))
        hs_unexpected_trap(tf);

    ticks++;
    if (ticks < TIMER_TICKS) {
        deadline += TIMER_INTERVAL;
        mtimecmp_write(deadline);
    } else {
        csr_clear(mie, MIP_MTIP);        /* done: no more timer interrupts */
        mtimecmp_write(UINT64_MAX);
    }
    printf("tick %u\n", ticks);
}

int main(void)
{
    printf("timer: %d ticks, interval %lu mtime ticks\n", TIMER_TICKS,
           (unsigned long)TIMER_INTERVAL);

    uint64_t mtime = mtime_read();
    uint64_t rdtime = read_time64();
    printf("rdtime and mtime agree: %s\n",
           rdtime >= mtime && rdtime - mtime < 1000 ? "yes" : "NO");

    deadline = mtime + TIMER_INTERVAL;
    mtimecmp_write(deadline);
    csr_set(mie, MIP_MTIP);
    csr_set(mstatus, MSTATUS_MIE);

    unsigned wakeups = 0;
    while (ticks < TIMER_TICKS) {
        __asm__ volatile("wfi");
        wakeups++;
    }
    csr_clear(mstatus, MSTATUS_MIE);

    printf("done: %u ticks, %u wfi wake-ups\n", ticks, wakeups);
    return 0;
}
