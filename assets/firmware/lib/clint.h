/*
 * clint.h - guest time and alarms from the CLINT (SiFive CLINT as QEMU's virt has it: mtime and
 * hart 0's mtimecmp, 10 MHz), for bounded waits.
 *
 * An alarm only wakes WFI: it sets mie.MTIE and leaves mstatus.MIE clear, so the timer interrupt
 * never traps. clint_alarm_off() must follow every clint_alarm(), or the pending timer interrupt
 * would keep every later WFI from sleeping.
 */
#ifndef HS_CLINT_H
#define HS_CLINT_H

#include <stdint.h>

#include "csr.h"
#include "platform.h"

#define CLINT_TICKS_PER_MS (CLINT_TIMEBASE_HZ / 1000u)  /* 10 000 mtime ticks = 1 ms */

/* mtime now, through the `time` CSR (no MMIO access needed). */
static inline uint64_t clint_now(void)
{
    return read_time64();
}

/* The mtime value `ms` milliseconds from now. */
static inline uint64_t clint_deadline_ms(uint32_t ms)
{
    return clint_now() + (uint64_t)ms * CLINT_TICKS_PER_MS;
}

/* Update the 64-bit mtimecmp without ever passing through a smaller value (no spurious wake-up). */
static inline void clint_set_timecmp(uint64_t when)
{
    mmio_write32(CLINT_MTIMECMP, 0xffffffffu);
    mmio_write32(CLINT_MTIMECMP + 4, (uint32_t)(when >> 32));
    mmio_write32(CLINT_MTIMECMP, (uint32_t)when);
}

/* Make WFI return once mtime reaches `when`. */
static inline void clint_alarm(uint64_t when)
{
    clint_set_timecmp(when);
    csr_set(mie, MIP_MTIP);
}

static inline void clint_alarm_off(void)
{
    csr_clear(mie, MIP_MTIP);
    clint_set_timecmp(UINT64_MAX);
}

/* Sleep in WFI for `ms` milliseconds of guest time (other interrupts may end a WFI early). */
static inline void clint_sleep_ms(uint32_t ms)
{
    uint64_t until = clint_deadline_ms(ms);
    while (clint_now() < until) {
        clint_alarm(until);
        __asm__ volatile("wfi");
    }
    clint_alarm_off();
}

#endif
