/*
 * traps - synchronous exceptions, privilege changes, delegation and Sv32 page faults.
 *
 * Every trap the program provokes prints one line:
 *     [M] illegal c.unimp: cause=2 epc=+0 tval=0x00000000 from=M
 * [M]/[S] is the mode that handled the trap, cause is mcause/scause, epc is the trapping pc
 * relative to the instruction the test aimed at (so +0 = the right instruction, independent
 * of where the code is linked), tval is mtval/stval and from= is the mode the trap came from.
 *
 *   Part 1, machine mode: illegal instructions (c.unimp, unimp, a custom-0 opcode, a write to a
 *     read-only CSR), ecall, ebreak and c.ebreak, load/store access faults at an unmapped
 *     address, an instruction access fault, and a store to the reset ROM (ignored, no trap).
 *   Part 2, supervisor and user mode: PMP opened up (QEMU enforces PMP for S/U), medeleg set,
 *     mret to S; S sets stvec and srets to U; U makes a delegated ecall (to S), executes an
 *     illegal instruction (not delegated: to M), and returns to S with another ecall.
 *   Part 3, Sv32 paging in S-mode: load/store/instruction page faults (delegated to S), a user
 *     page touched by S without and with sstatus.SUM, and an access fault through a valid
 *     mapping to an unmapped physical address (not delegated: to M, tval = virtual address).
 *   Finally S ecalls to M, which returns to the machine-mode caller, and the program exits 0.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "csr.h"
#include "platform.h"
#include "trap.h"

/* ---- bookkeeping shared by the handlers ---------------------------------------------- */

enum resume { RESUME_SKIP, RESUME_RA };  /* after the trap: next instruction, or return to ra */

static const char *test_name;   /* what the current test expects to trap */
static uint32_t test_pc;        /* the instruction expected to trap */
static enum resume test_resume;
static unsigned traps_seen;

static const char *const mode_names[4] = {"U", "S", "?", "M"};

static void report(char handler, const struct trap_frame *tf, uint32_t from_mode)
{
    printf("[%c] %s: cause=%lu epc=%+ld tval=0x%08lx from=%s\n", handler,
           test_name ? test_name : "(none)", (unsigned long)(tf->mcause & ~MCAUSE_INTERRUPT),
           (long)(tf->mepc - test_pc), (unsigned long)tf->mtval, mode_names[from_mode & 3]);
    traps_seen++;
}

static void resume(struct trap_frame *tf)
{
    if (test_resume == RESUME_RA)
        tf->mepc = tf->regs[1];
    else
        tf->mepc += insn_length(tf->mepc);
    test_name = NULL;
}

/* Assembly helpers (below): change mode and come back. */
void run_in_mode(uint32_t mpp, void (*fn)(void));  /* M -> S/U via mret; back via ECALL_RETURN */
extern char run_in_mode_return[];
void run_in_user(void (*fn)(void));                /* S -> U via sret; back via ECALL_RETURN */
extern char run_in_user_return[];
extern char s_trap_entry[];

#define ECALL_RETURN 0x52455455u  /* a7 value of the "take me back to my caller" ecall */

/* ---- machine-mode handler ------------------------------------------------------------ */

void handle_trap(struct trap_frame *tf)
{
    uint32_t from = (tf->mstatus & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT;

    if ((tf->mcause & MCAUSE_INTERRUPT) != 0 || (test_name == NULL && tf->regs[17] != ECALL_RETURN))
        hs_unexpected_trap(tf);

    if (tf->mcause == EXC_ECALL_S && tf->regs[17] == ECALL_RETURN) {
        /* S is done: resume machine mode where run_in_mode() left off. */
        printf("[M] ecall from S: return to machine mode\n");
        tf->mepc = (uint32_t)run_in_mode_return;
        tf->mstatus |= MSTATUS_MPP;  /* MPP = M */
        return;
    }
    report('M', tf, from);
    resume(tf);
}

/* ---- supervisor-mode handler (entered through s_trap_entry) -------------------------- */

void s_handle_trap(struct trap_frame *tf);
void s_handle_trap(struct trap_frame *tf)
{
    uint32_t from = (tf->mstatus & MSTATUS_SPP) ? PRV_S : PRV_U;  /* mstatus slot = sstatus */

    if (tf->mcause == EXC_ECALL_U && tf->regs[17] == ECALL_RETURN) {
        printf("[S] ecall from U: return to supervisor mode\n");
        tf->mepc = (uint32_t)run_in_user_return;
        tf->mstatus |= MSTATUS_SPP;  /* SPP = S */
        return;
    }
    if ((tf->mcause & MCAUSE_INTERRUPT) != 0 || test_name == NULL) {
        printf("[S] unexpected trap: scause=0x%08lx sepc=0x%08lx stval=0x%08lx\n",
               (unsigned long)tf->mcause, (unsigned long)tf->mepc, (unsigned long)tf->mtval);
        hs_poweroff(3);
    }
    report('S', tf, from);
    resume(tf);
}

/*
 * A test: name the expected trap, point test_pc at the instruction (a local label in the same
 * asm statement), run it. Labels are numbered 1 to keep the asm strings short.
 */
#define EXPECT(name, how) (test_name = (name), test_resume = (how))
#define AT_LABEL "lla t6, 1f\n\tsw t6, %[pc]\n\t"
#define PC_OPERAND [pc] "=m"(test_pc)

static void expect_none_left(void)
{
    if (test_name != NULL) {
        printf("expected a trap for \"%s\" but none happened\n", test_name);
        hs_poweroff(4);
    }
}

/* ---- part 1: machine mode -------------------------------------------------------------- */

static void machine_mode_tests(void)
{
    printf("-- machine mode\n");

    EXPECT("illegal c.unimp", RESUME_SKIP);
    __asm__ volatile(AT_LABEL "1: c.unimp" : PC_OPERAND : : "t6", "memory");
    expect_none_left();

    EXPECT("illegal unimp (csrrw x0, cycle, x0)", RESUME_SKIP);
    __asm__ volatile(AT_LABEL "1: .4byte 0xc0001073" : PC_OPERAND : : "t6", "memory");
    expect_none_left();

    EXPECT("illegal custom-0 opcode", RESUME_SKIP);
    __asm__ volatile(AT_LABEL "1: .4byte 0x0000000b" : PC_OPERAND : : "t6", "memory");
    expect_none_left();

    EXPECT("illegal write to read-only mvendorid", RESUME_SKIP);
    __asm__ volatile(AT_LABEL "1: csrw mvendorid, zero" : PC_OPERAND : : "t6", "memory");
    expect_none_left();

    EXPECT("ecall from M", RESUME_SKIP);
    __asm__ volatile(AT_LABEL "1: ecall" : PC_OPERAND : : "t6", "a7", "memory");
    expect_none_left();

    EXPECT("ebreak", RESUME_SKIP);
    __asm__ volatile(AT_LABEL ".option push\n\t.option norvc\n1: ebreak\n\t.option pop"
                     : PC_OPERAND : : "t6", "memory");
    expect_none_left();

    EXPECT("c.ebreak", RESUME_SKIP);
    __asm__ volatile(AT_LABEL "1: c.ebreak" : PC_OPERAND : : "t6", "memory");
    expect_none_left();

    /* 0x00010000: nothing is mapped between the reset ROM (ends 0x10000) and the finisher. */
    EXPECT("load access fault at 0x00010000", RESUME_SKIP);
    __asm__ volatile(AT_LABEL "1: lw t5, 0(%[a])" : PC_OPERAND : [a] "r"(0x00010000u)
                     : "t5", "t6", "memory");
    expect_none_left();

    EXPECT("store access fault at 0x00010004", RESUME_SKIP);
    __asm__ volatile(AT_LABEL "1: sw zero, 4(%[a])" : PC_OPERAND : [a] "r"(0x00010000u)
                     : "t6", "memory");
    expect_none_left();

    EXPECT("instruction access fault at 0x00010000", RESUME_RA);
    test_pc = 0x00010000u;
    __asm__ volatile("jalr ra, 0(%[a])" : : [a] "r"(0x00010000u)
                     : "ra", "t0", "t1", "t2", "t3", "t4", "t5", "t6", "a0", "a1", "a2", "a3",
                       "a4", "a5", "a6", "a7", "memory");
    expect_none_left();

    /* QEMU's reset ROM is a ROM region: stores are silently discarded, no trap. */
    volatile uint32_t *rom = (volatile uint32_t *)MROM_BASE;
    uint32_t before = *rom;
    *rom = ~before;
    printf("[-] store to reset ROM 0x%08lx: no trap, word %s\n", (unsigned long)MROM_BASE,
           *rom == before ? "unchanged" : "CHANGED");
}

/* ---- part 2: supervisor and user mode ------------------------------------------------ */

static void user_code(void)
{
    EXPECT("ecall from U (delegated)", RESUME_SKIP);
    __asm__ volatile(AT_LABEL "li a7, 1\n1: ecall" : PC_OPERAND : : "t6", "a7", "memory");
    EXPECT("illegal in U (not delegated)", RESUME_SKIP);
    __asm__ volatile(AT_LABEL "1: csrr t5, mstatus" : PC_OPERAND : : "t5", "t6", "memory");
    EXPECT("ebreak in U (not delegated)", RESUME_SKIP);
    __asm__ volatile(AT_LABEL "1: c.ebreak" : PC_OPERAND : : "t6", "memory");
    __asm__ volatile("li a7, %0\n\tecall" : : "i"(ECALL_RETURN) : "a7", "memory");
}

/* ---- part 3: Sv32 paging ------------------------------------------------------------- */

#define PTE_V (1u << 0)
#define PTE_R (1u << 1)
#define PTE_W (1u << 2)
#define PTE_X (1u << 3)
#define PTE_U (1u << 4)
#define PTE_G (1u << 5)
#define PTE_A (1u << 6)
#define PTE_D (1u << 7)
#define SATP_SV32 (1u << 31)

#define PTE(pa, flags) ((((uint32_t)(pa) >> 12) << 10) | (flags))
#define VPN1(va) (((uint32_t)(va) >> 22) & 0x3ffu)
#define VPN0(va) (((uint32_t)(va) >> 12) & 0x3ffu)

#define TEST_VA 0x40000000u  /* 4 KiB pages at TEST_VA + n * 0x1000, see build_page_tables() */

static uint32_t root_table[1024] __attribute__((aligned(4096)));
static uint32_t leaf_table[1024] __attribute__((aligned(4096)));
static uint32_t test_pages[4][1024] __attribute__((aligned(4096)));

static void build_page_tables(void)
{
    /* A and D are set up front, so whether a hart updates them or faults does not matter. */
    const uint32_t rwx = PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D;
    const uint32_t rw = PTE_V | PTE_R | PTE_W | PTE_A | PTE_D;

    /* Identity megapages (4 MiB): the firmware image and the UART. */
    root_table[VPN1(RAM_BASE)] = PTE(RAM_BASE, rwx);
    root_table[VPN1(RAM_BASE + 0x400000u)] = PTE(RAM_BASE + 0x400000u, rwx);
    root_table[VPN1(UART0_BASE)] = PTE(UART0_BASE, rw);
    /* TEST_VA's 4 MiB goes through a second-level table. */
    root_table[VPN1(TEST_VA)] = PTE(leaf_table, PTE_V);

    leaf_table[0] = PTE(test_pages[0], PTE_V | PTE_R | PTE_A);           /* read-only */
    leaf_table[1] = 0;                                                   /* not valid */
    leaf_table[2] = PTE(test_pages[2], rw);                              /* not executable */
    leaf_table[3] = PTE(test_pages[3], PTE_V | PTE_R | PTE_U | PTE_A);   /* user page */
    leaf_table[4] = PTE(0x00010000u, rw);                                /* to unmapped PA */

    test_pages[0][0] = 0x600dd00du;
    test_pages[3][0] = 0x05e2da7au;
}

static uint32_t load_word(uint32_t va, const char *name)
{
    uint32_t v = 0xdeadbeefu;
    EXPECT(name, RESUME_SKIP);
    __asm__ volatile(AT_LABEL "1: lw %[v], 0(%[a])" : PC_OPERAND, [v] "+r"(v) : [a] "r"(va)
                     : "t6", "memory");
    return v;
}

static void no_trap_expected(void)
{
    if (test_name != NULL)
        test_name = NULL;
}

static void paging_tests(void)
{
    printf("-- supervisor mode, Sv32\n");
    build_page_tables();
    __asm__ volatile("csrw satp, %0\n\tsfence.vma" : : "r"(SATP_SV32 | ((uint32_t)root_table >> 12))
                     : "memory");

    uint32_t v = load_word(TEST_VA, "load from read-only page");
    no_trap_expected();
    printf("[-] load from read-only page: 0x%08lx\n", (unsigned long)v);

    EXPECT("store to read-only page", RESUME_SKIP);
    __asm__ volatile(AT_LABEL "1: sw zero, 4(%[a])" : PC_OPERAND : [a] "r"(TEST_VA)
                     : "t6", "memory");
    expect_none_left();

    load_word(TEST_VA + 0x1008u, "load from invalid page");
    expect_none_left();

    EXPECT("fetch from non-executable page", RESUME_RA);
    test_pc = TEST_VA + 0x2000u;
    __asm__ volatile("jalr ra, 0(%[a])" : : [a] "r"(TEST_VA + 0x2000u)
                     : "ra", "t0", "t1", "t2", "t3", "t4", "t5", "t6", "a0", "a1", "a2", "a3",
                       "a4", "a5", "a6", "a7", "memory");
    expect_none_left();

    load_word(TEST_VA + 0x3000u, "S load from U page without SUM");
    expect_none_left();
    __asm__ volatile("csrs sstatus, %0" : : "r"(MSTATUS_SUM));
    v = load_word(TEST_VA + 0x3000u, "S load from U page with SUM");
    no_trap_expected();
    printf("[-] S load from U page with SUM: 0x%08lx\n", (unsigned long)v);
    __asm__ volatile("csrc sstatus, %0" : : "r"(MSTATUS_SUM));

    load_word(TEST_VA + 0x4010u, "load through mapping to unmapped PA");
    expect_none_left();

    __asm__ volatile("csrw satp, zero\n\tsfence.vma" : : : "memory");
}

static void supervisor_code(void)
{
    printf("-- supervisor mode\n");
    __asm__ volatile("csrw stvec, %0" : : "r"(s_trap_entry));

    EXPECT("ecall from S (not delegated)", RESUME_SKIP);
    __asm__ volatile(AT_LABEL "li a7, 2\n1: ecall" : PC_OPERAND : : "t6", "a7", "memory");
    expect_none_left();

    printf("-- user mode\n");
    run_in_user(user_code);
    expect_none_left();

    paging_tests();

    __asm__ volatile("li a7, %0\n\tecall" : : "i"(ECALL_RETURN) : "a7", "memory");
}

int main(void)
{
    printf("traps\n");
    machine_mode_tests();

    /* PMP entry 0: NAPOT over the whole address space, RWX. Without any PMP entry QEMU denies
     * every S/U access (M-mode is unaffected). */
    csr_write(pmpaddr0, 0xffffffffu);
    csr_write(pmpcfg0, 0x1fu);  /* A=NAPOT (3 << 3) | X | W | R */

    /* Exceptions S handles itself; everything else (illegal, ebreak, access faults) stays in M. */
    csr_write(medeleg, (1u << EXC_ECALL_U) | (1u << EXC_INST_PAGE_FAULT) |
                       (1u << EXC_LOAD_PAGE_FAULT) | (1u << EXC_STORE_PAGE_FAULT));
    csr_write(mideleg, 0);
    printf("medeleg=0x%08lx\n", (unsigned long)csr_read(medeleg));

    run_in_mode(PRV_S, supervisor_code);
    expect_none_left();

    csr_write(medeleg, 0);
    printf("%u traps, back in machine mode\n", traps_seen);
    printf("minstret=%llu\n", (unsigned long long)read_minstret64());
    return 0;
}

/*
 * run_in_mode(mpp, fn): save the callee-saved registers, mret into fn in mode mpp on the same
 * stack (the M trap handler gets the trap stack through mscratch). The M handler resumes at
 * run_in_mode_return when fn ecalls with a7 = ECALL_RETURN.
 *
 * run_in_user(fn): the same from S to U with sret; s_handle_trap resumes at run_in_user_return.
 *
 * s_trap_entry: S-mode trap entry. U code shares the S stack here, so unlike hs_trap_entry
 * there is no stack switch; the frame layout is struct trap_frame with sepc/scause/stval/
 * sstatus in the mepc/mcause/mtval/mstatus slots.
 */
#define SAVE_CALLEE_SAVED                                                                  \
    "addi sp, sp, -64\n\t"                                                                 \
    "sw ra, 0(sp)\n\tsw s0, 4(sp)\n\tsw s1, 8(sp)\n\tsw s2, 12(sp)\n\tsw s3, 16(sp)\n\t"   \
    "sw s4, 20(sp)\n\tsw s5, 24(sp)\n\tsw s6, 28(sp)\n\tsw s7, 32(sp)\n\tsw s8, 36(sp)\n\t" \
    "sw s9, 40(sp)\n\tsw s10, 44(sp)\n\tsw s11, 48(sp)\n\t"
#define RESTORE_CALLEE_SAVED                                                               \
    "lw ra, 0(sp)\n\tlw s0, 4(sp)\n\tlw s1, 8(sp)\n\tlw s2, 12(sp)\n\tlw s3, 16(sp)\n\t"   \
    "lw s4, 20(sp)\n\tlw s5, 24(sp)\n\tlw s6, 28(sp)\n\tlw s7, 32(sp)\n\tlw s8, 36(sp)\n\t" \
    "lw s9, 40(sp)\n\tlw s10, 44(sp)\n\tlw s11, 48(sp)\n\t"                                \
    "addi sp, sp, 64\n\t"

static uint32_t saved_m_sp __attribute__((used)), saved_s_sp __attribute__((used));

__asm__(
    ".section .text.run_in_mode, \"ax\", @progbits\n\t"
    ".globl run_in_mode\n\t"
    ".globl run_in_mode_return\n"
    "run_in_mode:\n\t"
    SAVE_CALLEE_SAVED
    "lla t0, saved_m_sp\n\tsw sp, 0(t0)\n\t"
    "li t0, 3 << 11\n\tcsrc mstatus, t0\n\t"       /* MPP = mode */
    "slli a0, a0, 11\n\tcsrs mstatus, a0\n\t"
    "csrw mepc, a1\n\t"
    "lla t0, __trap_stack_top\n\tcsrw mscratch, t0\n\t"
    "mret\n"
    "run_in_mode_return:\n\t"
    "lla t0, saved_m_sp\n\tlw sp, 0(t0)\n\t"
    RESTORE_CALLEE_SAVED
    "ret\n\t"

    ".section .text.run_in_user, \"ax\", @progbits\n\t"
    ".globl run_in_user\n\t"
    ".globl run_in_user_return\n"
    "run_in_user:\n\t"
    SAVE_CALLEE_SAVED
    "lla t0, saved_s_sp\n\tsw sp, 0(t0)\n\t"
    "li t0, 1 << 8\n\tcsrc sstatus, t0\n\t"        /* SPP = U */
    "csrw sepc, a0\n\t"
    "sret\n"
    "run_in_user_return:\n\t"
    "lla t0, saved_s_sp\n\tlw sp, 0(t0)\n\t"
    RESTORE_CALLEE_SAVED
    "ret\n\t"

    ".section .text.s_trap_entry, \"ax\", @progbits\n\t"
    ".globl s_trap_entry\n\t"
    ".balign 4\n"
    "s_trap_entry:\n\t"
    "addi sp, sp, -144\n\t"
    "sw x1, 4(sp)\n\t"
    "sw x3, 12(sp)\n\tsw x4, 16(sp)\n\tsw x5, 20(sp)\n\tsw x6, 24(sp)\n\tsw x7, 28(sp)\n\t"
    "sw x8, 32(sp)\n\tsw x9, 36(sp)\n\tsw x10, 40(sp)\n\tsw x11, 44(sp)\n\tsw x12, 48(sp)\n\t"
    "sw x13, 52(sp)\n\tsw x14, 56(sp)\n\tsw x15, 60(sp)\n\tsw x16, 64(sp)\n\tsw x17, 68(sp)\n\t"
    "sw x18, 72(sp)\n\tsw x19, 76(sp)\n\tsw x20, 80(sp)\n\tsw x21, 84(sp)\n\tsw x22, 88(sp)\n\t"
    "sw x23, 92(sp)\n\tsw x24, 96(sp)\n\tsw x25, 100(sp)\n\tsw x26, 104(sp)\n\t"
    "sw x27, 108(sp)\n\tsw x28, 112(sp)\n\tsw x29, 116(sp)\n\tsw x30, 120(sp)\n\t"
    "sw x31, 124(sp)\n\t"
    "addi t0, sp, 144\n\tsw t0, 8(sp)\n\t"
    "csrr t0, sepc\n\tsw t0, 128(sp)\n\t"
    "csrr t0, scause\n\tsw t0, 132(sp)\n\t"
    "csrr t0, stval\n\tsw t0, 136(sp)\n\t"
    "csrr t0, sstatus\n\tsw t0, 140(sp)\n\t"
    "mv a0, sp\n\t"
    "call s_handle_trap\n\t"
    "lw t0, 128(sp)\n\tcsrw sepc, t0\n\t"
    "lw t0, 140(sp)\n\tcsrw sstatus, t0\n\t"
    "lw x1, 4(sp)\n\t"
    "lw x3, 12(sp)\n\tlw x4, 16(sp)\n\tlw x5, 20(sp)\n\tlw x6, 24(sp)\n\tlw x7, 28(sp)\n\t"
    "lw x8, 32(sp)\n\tlw x9, 36(sp)\n\tlw x10, 40(sp)\n\tlw x11, 44(sp)\n\tlw x12, 48(sp)\n\t"
    "lw x13, 52(sp)\n\tlw x14, 56(sp)\n\tlw x15, 60(sp)\n\tlw x16, 64(sp)\n\tlw x17, 68(sp)\n\t"
    "lw x18, 72(sp)\n\tlw x19, 76(sp)\n\tlw x20, 80(sp)\n\tlw x21, 84(sp)\n\tlw x22, 88(sp)\n\t"
    "lw x23, 92(sp)\n\tlw x24, 96(sp)\n\tlw x25, 100(sp)\n\tlw x26, 104(sp)\n\t"
    "lw x27, 108(sp)\n\tlw x28, 112(sp)\n\tlw x29, 116(sp)\n\tlw x30, 120(sp)\n\t"
    "lw x31, 124(sp)\n\t"
    "lw sp, 8(sp)\n\t"
    "sret\n\t"
    ".previous\n");
