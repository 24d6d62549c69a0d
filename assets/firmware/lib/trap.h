/*
 * trap.h - the machine-mode trap frame built by crt0.S's hs_trap_entry, and the handler hook.
 *
 * Every trap (exception or interrupt, from any privilege mode) lands in hs_trap_entry, which
 * saves all 31 registers plus mepc/mcause/mtval/mstatus into a struct trap_frame and calls
 * handle_trap(frame). Whatever the handler leaves in the frame is restored, so a handler can
 * skip a faulting instruction (frame->mepc += length) or change registers (frame->regs[10] = a0).
 *
 * The library's handle_trap is weak: it reports the trap and exits with code 3. A program that
 * expects traps defines its own handle_trap and calls hs_unexpected_trap() for the rest.
 */
#ifndef HS_TRAP_H
#define HS_TRAP_H

/* Byte offsets used by crt0.S: keep in sync with struct trap_frame below. */
#define TRAP_FRAME_MEPC    (32 * 4)
#define TRAP_FRAME_MCAUSE  (33 * 4)
#define TRAP_FRAME_MTVAL   (34 * 4)
#define TRAP_FRAME_MSTATUS (35 * 4)
#define TRAP_FRAME_SIZE    (36 * 4)

#ifndef __ASSEMBLER__
#include <stdint.h>

struct trap_frame {
    uint32_t regs[32];   /* regs[0] unused (x0); regs[n] = xn at the time of the trap; regs[2] = sp */
    uint32_t mepc;
    uint32_t mcause;
    uint32_t mtval;
    uint32_t mstatus;
};

_Static_assert(sizeof(struct trap_frame) == TRAP_FRAME_SIZE, "trap frame layout");

void handle_trap(struct trap_frame *tf);
__attribute__((noreturn)) void hs_unexpected_trap(const struct trap_frame *tf);

/* Length in bytes (2 or 4) of the instruction at `pc`, from its low two bits. */
static inline uint32_t insn_length(uint32_t pc)
{
    return ((*(const volatile uint16_t *)pc) & 3u) == 3u ? 4u : 2u;
}
#endif /* __ASSEMBLER__ */

#endif
