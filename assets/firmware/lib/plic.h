/*
 * plic.h - the platform-level interrupt controller (RISC-V PLIC spec 1.0.0; QEMU
 * hw/intc/sifive_plic.c as configured by hw/riscv/virt.c).
 *
 * Register map (offsets from PLIC_BASE):
 *   0x000000 + 4*src        priority of source src (0 = never interrupts)
 *   0x002000 + 0x80*ctx     enable bits for context ctx (bit src%32 of word src/32)
 *   0x200000 + 0x1000*ctx   priority threshold of context ctx
 *   0x200004 + 0x1000*ctx   claim (read) / complete (write) for context ctx
 * On virt, context 2*hart is the hart's M-mode external interrupt, 2*hart+1 its S-mode one.
 */
#ifndef HS_PLIC_H
#define HS_PLIC_H

#include <stdint.h>

#include "platform.h"

#define PLIC_PRIORITY(src)   (PLIC_BASE + 4u * (src))
#define PLIC_ENABLE(ctx)     (PLIC_BASE + 0x2000u + 0x80u * (ctx))
#define PLIC_THRESHOLD(ctx)  (PLIC_BASE + 0x200000u + 0x1000u * (ctx))
#define PLIC_CLAIM(ctx)      (PLIC_BASE + 0x200004u + 0x1000u * (ctx))
#define PLIC_CTX_HART0_M     0u

/* Route source `src` to hart 0's M-mode context at priority 1 (threshold 0). */
void plic_enable_m(uint32_t src);
/* Claim the highest-priority pending source of hart 0's M context (0 = none). */
static inline uint32_t plic_claim_m(void) { return mmio_read32(PLIC_CLAIM(PLIC_CTX_HART0_M)); }
/* Signal that the claimed source has been serviced. */
static inline void plic_complete_m(uint32_t src) { mmio_write32(PLIC_CLAIM(PLIC_CTX_HART0_M), src); }

#endif
