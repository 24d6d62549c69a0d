/*
 * csr.h - control and status register access for M-mode firmware (RISC-V privileged spec 1.12).
 */
#ifndef HS_CSR_H
#define HS_CSR_H

#include <stdint.h>

#define csr_read(csr) ({ uint32_t v_; __asm__ volatile("csrr %0, " #csr : "=r"(v_)); v_; })
#define csr_write(csr, val) __asm__ volatile("csrw " #csr ", %0" :: "rK"(val) : "memory")
#define csr_set(csr, bits) __asm__ volatile("csrs " #csr ", %0" :: "rK"(bits) : "memory")
#define csr_clear(csr, bits) __asm__ volatile("csrc " #csr ", %0" :: "rK"(bits) : "memory")
#define csr_swap(csr, val) ({ uint32_t v_; \
    __asm__ volatile("csrrw %0, " #csr ", %1" : "=r"(v_) : "rK"(val) : "memory"); v_; })

/* mstatus */
#define MSTATUS_SIE   (1u << 1)
#define MSTATUS_MIE   (1u << 3)
#define MSTATUS_SPIE  (1u << 5)
#define MSTATUS_MPIE  (1u << 7)
#define MSTATUS_SPP   (1u << 8)
#define MSTATUS_MPP_SHIFT 11
#define MSTATUS_MPP   (3u << MSTATUS_MPP_SHIFT)
#define MSTATUS_MPRV  (1u << 17)
#define MSTATUS_SUM   (1u << 18)
#define MSTATUS_MXR   (1u << 19)

#define PRV_U 0u
#define PRV_S 1u
#define PRV_M 3u

/* mie / mip */
#define MIP_SSIP (1u << 1)
#define MIP_MSIP (1u << 3)
#define MIP_STIP (1u << 5)
#define MIP_MTIP (1u << 7)
#define MIP_SEIP (1u << 9)
#define MIP_MEIP (1u << 11)

/* mcause */
#define MCAUSE_INTERRUPT      (1u << 31)
#define IRQ_M_SOFT            3u
#define IRQ_M_TIMER           7u
#define IRQ_M_EXT             11u
#define EXC_INST_MISALIGNED   0u
#define EXC_INST_ACCESS       1u
#define EXC_ILLEGAL_INST      2u
#define EXC_BREAKPOINT        3u
#define EXC_LOAD_MISALIGNED   4u
#define EXC_LOAD_ACCESS       5u
#define EXC_STORE_MISALIGNED  6u
#define EXC_STORE_ACCESS      7u
#define EXC_ECALL_U           8u
#define EXC_ECALL_S           9u
#define EXC_ECALL_M           11u
#define EXC_INST_PAGE_FAULT   12u
#define EXC_LOAD_PAGE_FAULT   13u
#define EXC_STORE_PAGE_FAULT  15u

/*
 * 64-bit counters on RV32: read high, low, high again and retry if the high half changed
 * (the low half wrapped in between).
 *
 * Note on QEMU (measured with 7.2, -icount shift=0,sleep=off): a csrr of minstret/mcycle returns
 * the number of instructions retired *including the csrr itself*; counting starts at reset, so
 * the reset ROM's 6 instructions are included (the first instruction of the ELF reads 7).
 */
static inline uint64_t read_minstret64(void)
{
    uint32_t hi, lo, hi2;
    do {
        hi = csr_read(minstreth);
        lo = csr_read(minstret);
        hi2 = csr_read(minstreth);
    } while (hi != hi2);
    return ((uint64_t)hi << 32) | lo;
}

static inline uint64_t read_mcycle64(void)
{
    uint32_t hi, lo, hi2;
    do {
        hi = csr_read(mcycleh);
        lo = csr_read(mcycle);
        hi2 = csr_read(mcycleh);
    } while (hi != hi2);
    return ((uint64_t)hi << 32) | lo;
}

/* The `time` CSR (rdtime), a read-only shadow of the CLINT's mtime. */
static inline uint64_t read_time64(void)
{
    uint32_t hi, lo, hi2;
    do {
        __asm__ volatile("rdtimeh %0" : "=r"(hi));
        __asm__ volatile("rdtime %0" : "=r"(lo));
        __asm__ volatile("rdtimeh %0" : "=r"(hi2));
    } while (hi != hi2);
    return ((uint64_t)hi << 32) | lo;
}

#endif
