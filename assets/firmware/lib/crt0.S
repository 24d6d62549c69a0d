/*
 * crt0.S - start-up code and trap entry for Hindsight sample firmware (RV32, QEMU virt).
 *
 * Entry state (QEMU's reset ROM at 0x1000, `-bios none -kernel ELF`): machine mode, pc = ELF
 * entry, a0 = hart id, a1 = physical address of the device tree blob. Interrupts disabled,
 * no paging, registers other than a0/a1/a2/t0 are zero.
 *
 * _start:
 *   1. gp, sp and tp (thread pointer -> picolibc's TLS block, where errno lives);
 *   2. harts other than 0 park in WFI (the sample machine has one hart);
 *   3. clear .tbss/.sbss/.bss (.data is already in place: the loader put the image in RAM);
 *   4. mtvec = hs_trap_entry (direct mode), mscratch = 0 ("running in M-mode", see below);
 *   5. save a0/a1 in hs_boot_hartid/hs_boot_dtb, init the UART, run constructors, main();
 *   6. exit(main's return value), which powers off through the test finisher.
 */
#include "trap.h"

#define REG_SIZE 4
#define SAVE(n)  sw x##n, ((n) * REG_SIZE)(sp)
#define LOAD(n)  lw x##n, ((n) * REG_SIZE)(sp)

    .section .text.init.enter, "ax", @progbits
    .globl _start
    .type _start, @function
_start:
    .cfi_startproc
    .cfi_undefined ra               /* outermost frame: debuggers stop unwinding here */
    .option push
    .option norelax                 /* gp must not be used to compute itself */
    la      gp, __global_pointer$
    .option pop
    la      sp, __stack_top
    la      tp, __tls_base
    mv      s0, a0                  /* hart id */
    mv      s1, a1                  /* DTB address */

    bnez    a0, .Lpark

    la      t0, __bss_start         /* 8-byte aligned, see link.ld */
    la      t1, __bss_end
.Lclear_bss:
    bgeu    t0, t1, .Lbss_done
    sw      zero, 0(t0)
    sw      zero, 4(t0)
    addi    t0, t0, 8
    j       .Lclear_bss
.Lbss_done:

    csrw    mscratch, zero
    la      t0, hs_trap_entry
    csrw    mtvec, t0

    la      t0, hs_boot_hartid
    sw      s0, 0(t0)
    la      t0, hs_boot_dtb
    sw      s1, 0(t0)

    call    uart_init
    call    __libc_init_array       /* C constructors, if any */
    call    main
    call    exit                    /* does not return */
.Lpark:
    wfi
    j       .Lpark
    .cfi_endproc
    .size _start, . - _start

/*
 * hs_trap_entry - every trap lands here (mtvec direct mode, so 4-byte alignment suffices).
 *
 * Stack choice follows the usual mscratch convention:
 *   mscratch == 0      the trap came from M-mode: keep using the current sp;
 *   mscratch != 0      the trap came from S/U-mode: mscratch holds the top of the M-mode trap
 *                      stack (set by the code that dropped privilege); switch to it.
 * The frame (struct trap_frame in trap.h) is built below sp, handle_trap(frame) is called, and
 * everything is restored from the frame - including mepc and mstatus, which the handler may
 * have changed. When returning to a lower mode, mscratch is re-armed with the trap stack top.
 */
    .section .text.hs_trap_entry, "ax", @progbits
    .globl hs_trap_entry
    .type hs_trap_entry, @function
    .balign 4
hs_trap_entry:
    csrrw   sp, mscratch, sp        /* sp <-> mscratch */
    bnez    sp, .Lfrom_lower        /* sp = trap stack top: we came from S/U */
    csrrw   sp, mscratch, sp        /* came from M: swap back (sp = old sp, mscratch = 0) */
.Lfrom_lower:
    addi    sp, sp, -TRAP_FRAME_SIZE
    SAVE(1)
    SAVE(3);  SAVE(4);  SAVE(5);  SAVE(6);  SAVE(7);  SAVE(8);  SAVE(9)
    SAVE(10); SAVE(11); SAVE(12); SAVE(13); SAVE(14); SAVE(15); SAVE(16); SAVE(17)
    SAVE(18); SAVE(19); SAVE(20); SAVE(21); SAVE(22); SAVE(23); SAVE(24); SAVE(25)
    SAVE(26); SAVE(27); SAVE(28); SAVE(29); SAVE(30); SAVE(31)
    csrrw   t0, mscratch, zero      /* interrupted sp if from S/U (else 0); now in M: mscratch=0 */
    bnez    t0, 1f
    addi    t0, sp, TRAP_FRAME_SIZE /* from M: the interrupted sp is just above the frame */
1:  sw      t0, 2 * REG_SIZE(sp)
    csrr    t0, mepc
    sw      t0, TRAP_FRAME_MEPC(sp)
    csrr    t0, mcause
    sw      t0, TRAP_FRAME_MCAUSE(sp)
    csrr    t0, mtval
    sw      t0, TRAP_FRAME_MTVAL(sp)
    csrr    t0, mstatus
    sw      t0, TRAP_FRAME_MSTATUS(sp)

    /* The handler may come from any code: give it the firmware's gp and tp. */
    .option push
    .option norelax
    la      gp, __global_pointer$
    .option pop
    la      tp, __tls_base
    mv      a0, sp
    call    handle_trap

    lw      t0, TRAP_FRAME_MEPC(sp)
    csrw    mepc, t0
    lw      t0, TRAP_FRAME_MSTATUS(sp)
    csrw    mstatus, t0
    li      t1, (3 << 11)           /* mstatus.MPP */
    and     t0, t0, t1
    beq     t0, t1, 2f              /* returning to M: mscratch stays 0 */
    addi    t0, sp, TRAP_FRAME_SIZE /* returning to S/U: re-arm the trap stack */
    csrw    mscratch, t0
2:
    LOAD(1)
    LOAD(3);  LOAD(4);  LOAD(5);  LOAD(6);  LOAD(7);  LOAD(8);  LOAD(9)
    LOAD(10); LOAD(11); LOAD(12); LOAD(13); LOAD(14); LOAD(15); LOAD(16); LOAD(17)
    LOAD(18); LOAD(19); LOAD(20); LOAD(21); LOAD(22); LOAD(23); LOAD(24); LOAD(25)
    LOAD(26); LOAD(27); LOAD(28); LOAD(29); LOAD(30); LOAD(31)
    LOAD(2)                         /* sp last */
    mret
    .size hs_trap_entry, . - hs_trap_entry
