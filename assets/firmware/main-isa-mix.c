/*
 * isa-mix - exercises the RV32IMAC integer ISA (plus Zicsr/Zifencei) and prints every result,
 * so an emulator's output can be diffed line by line against QEMU's.
 *
 * Each operation runs as an explicit instruction in inline assembly (so the compiler cannot
 * constant-fold it) on a table of edge-case operands. Lines look like
 *     add 7fffffff 00000001 -> 80000000
 * and a final checksum folds every result, followed by minstret=<instructions retired>.
 *
 * Covered: all RV32I ALU ops (register and immediate forms, shifts by 0/1/31 and by amounts whose
 * low five bits matter), lui/auipc, branches, jal/jalr (odd jalr target), byte/half/word loads
 * and stores, misaligned loads and stores (QEMU virt performs them on RAM without trapping),
 * M (mul/mulh/mulhsu/mulhu/div/divu/rem/remu incl. division by zero and INT_MIN / -1),
 * A (lr/sc success and failure, every AMO, with aq/rl bits), C (explicit compressed sequences),
 * Zicsr (csrrw/csrrs/csrrc and immediate forms on mscratch), fence and fence.i.
 */
#include <stdint.h>
#include <stdio.h>

#include "csr.h"

static uint32_t checksum = 0x811c9dc5u;

static void fold(uint32_t v)
{
    for (int i = 0; i < 4; i++) {
        checksum ^= (v >> (8 * i)) & 0xffu;
        checksum *= 0x01000193u;  /* FNV-1a */
    }
}

static void show2(const char *name, uint32_t a, uint32_t b, uint32_t r)
{
    printf("%s %08lx %08lx -> %08lx\n", name, (unsigned long)a, (unsigned long)b, (unsigned long)r);
    fold(r);
}

static void show1(const char *name, uint32_t a, uint32_t r)
{
    printf("%s %08lx -> %08lx\n", name, (unsigned long)a, (unsigned long)r);
    fold(r);
}

static void show(const char *name, uint32_t r)
{
    printf("%s -> %08lx\n", name, (unsigned long)r);
    fold(r);
}

static const uint32_t operands[] = {
    0x00000000u, 0x00000001u, 0x00000002u, 0x0000001fu, 0x00000020u, 0x00000021u,
    0x7fffffffu, 0x80000000u, 0x80000001u, 0xffffffffu, 0xfffffffeu, 0x12345678u, 0xfedcba98u,
};
#define N_OPERANDS (sizeof operands / sizeof operands[0])

/* ---- register-register ALU and M extension ------------------------------------------- */

#define DEFINE_RR(op) \
    static uint32_t op_##op(uint32_t a, uint32_t b) \
    { uint32_t r; __asm__ volatile(#op " %0, %1, %2" : "=r"(r) : "r"(a), "r"(b)); return r; }

DEFINE_RR(add) DEFINE_RR(sub) DEFINE_RR(sll) DEFINE_RR(slt) DEFINE_RR(sltu)
DEFINE_RR(xor) DEFINE_RR(srl) DEFINE_RR(sra) DEFINE_RR(or) DEFINE_RR(and)
DEFINE_RR(mul) DEFINE_RR(mulh) DEFINE_RR(mulhsu) DEFINE_RR(mulhu)
DEFINE_RR(div) DEFINE_RR(divu) DEFINE_RR(rem) DEFINE_RR(remu)

static const struct { const char *name; uint32_t (*fn)(uint32_t, uint32_t); } rr_ops[] = {
    {"add", op_add}, {"sub", op_sub}, {"sll", op_sll}, {"slt", op_slt}, {"sltu", op_sltu},
    {"xor", op_xor}, {"srl", op_srl}, {"sra", op_sra}, {"or", op_or}, {"and", op_and},
    {"mul", op_mul}, {"mulh", op_mulh}, {"mulhsu", op_mulhsu}, {"mulhu", op_mulhu},
    {"div", op_div}, {"divu", op_divu}, {"rem", op_rem}, {"remu", op_remu},
};

static void test_reg_reg(void)
{
    for (unsigned o = 0; o < sizeof rr_ops / sizeof rr_ops[0]; o++)
        for (unsigned i = 0; i < N_OPERANDS; i++)
            for (unsigned j = 0; j < N_OPERANDS; j++)
                show2(rr_ops[o].name, operands[i], operands[j], rr_ops[o].fn(operands[i], operands[j]));
}

/* ---- register-immediate ALU ------------------------------------------------------------ */

#define RI(op, imm) \
    static uint32_t op_##op##_##imm(uint32_t a) \
    { uint32_t r; __asm__ volatile(#op " %0, %1, %2" : "=r"(r) : "r"(a), "i"(imm)); return r; }
#define RI_NEG(op, imm) \
    static uint32_t op_##op##_m##imm(uint32_t a) \
    { uint32_t r; __asm__ volatile(#op " %0, %1, %2" : "=r"(r) : "r"(a), "i"(-(imm))); return r; }

RI(addi, 0) RI(addi, 1) RI(addi, 2047) RI_NEG(addi, 1) RI_NEG(addi, 2048)
RI(slti, 0) RI(slti, 2047) RI_NEG(slti, 1) RI_NEG(slti, 2048)
RI(sltiu, 0) RI(sltiu, 1) RI(sltiu, 2047) RI_NEG(sltiu, 1)
RI(xori, 2047) RI_NEG(xori, 1) RI_NEG(xori, 2048)
RI(ori, 1) RI(ori, 2047) RI_NEG(ori, 2048)
RI(andi, 0) RI(andi, 2047) RI_NEG(andi, 1) RI_NEG(andi, 2048)
RI(slli, 0) RI(slli, 1) RI(slli, 31) RI(srli, 0) RI(srli, 1) RI(srli, 31)
RI(srai, 0) RI(srai, 1) RI(srai, 31)

static const struct { const char *name; uint32_t (*fn)(uint32_t); } ri_ops[] = {
    {"addi 0", op_addi_0}, {"addi 1", op_addi_1}, {"addi 2047", op_addi_2047},
    {"addi -1", op_addi_m1}, {"addi -2048", op_addi_m2048},
    {"slti 0", op_slti_0}, {"slti 2047", op_slti_2047}, {"slti -1", op_slti_m1},
    {"slti -2048", op_slti_m2048},
    {"sltiu 0", op_sltiu_0}, {"sltiu 1", op_sltiu_1}, {"sltiu 2047", op_sltiu_2047},
    {"sltiu -1", op_sltiu_m1},
    {"xori 2047", op_xori_2047}, {"xori -1", op_xori_m1}, {"xori -2048", op_xori_m2048},
    {"ori 1", op_ori_1}, {"ori 2047", op_ori_2047}, {"ori -2048", op_ori_m2048},
    {"andi 0", op_andi_0}, {"andi 2047", op_andi_2047}, {"andi -1", op_andi_m1},
    {"andi -2048", op_andi_m2048},
    {"slli 0", op_slli_0}, {"slli 1", op_slli_1}, {"slli 31", op_slli_31},
    {"srli 0", op_srli_0}, {"srli 1", op_srli_1}, {"srli 31", op_srli_31},
    {"srai 0", op_srai_0}, {"srai 1", op_srai_1}, {"srai 31", op_srai_31},
};

static void test_reg_imm(void)
{
    for (unsigned o = 0; o < sizeof ri_ops / sizeof ri_ops[0]; o++)
        for (unsigned i = 0; i < N_OPERANDS; i++)
            show1(ri_ops[o].name, operands[i], ri_ops[o].fn(operands[i]));
}

/* ---- lui, auipc, jal, jalr ----------------------------------------------------------- */

static void test_upper_and_jumps(void)
{
    uint32_t r, base;

    __asm__ volatile("lui %0, 0xfffff" : "=r"(r));
    show("lui 0xfffff", r);
    __asm__ volatile("lui %0, 0x80000" : "=r"(r));
    show("lui 0x80000", r);
    __asm__ volatile("lui %0, 1" : "=r"(r));
    show("lui 1", r);

    /* auipc adds to its own pc: report the difference from that pc (position independent). */
    __asm__ volatile("1: auipc %0, 0x12345\n\tlla %1, 1b" : "=r"(r), "=r"(base));
    show("auipc 0x12345 - pc", r - base);
    __asm__ volatile("1: auipc %0, 0xfffff\n\tlla %1, 1b" : "=r"(r), "=r"(base));
    show("auipc 0xfffff - pc", r - base);

    /* jal: link register = pc + 4, even when rd is not ra. */
    __asm__ volatile(".option push\n\t.option norvc\n\t"
                     "1: jal %0, 2f\n\tnop\n2:\n\t"
                     "lla %1, 1b\n\t.option pop" : "=r"(r), "=r"(base));
    show("jal link - pc", r - base);

    /* jalr clears bit 0 of the target: aim at label-1+1 with an odd base. */
    __asm__ volatile(".option push\n\t.option norvc\n\t"
                     "lla t0, 2f\n\taddi t0, t0, -1\n\t"
                     "1: jalr %0, 1(t0)\n\tli %0, 0\n2:\n\t"
                     "lla %1, 1b\n\t.option pop" : "=r"(r), "=r"(base) : : "t0");
    show("jalr odd target link - pc", r - base);

    /* jalr with rd == rs1: the target uses the old rs1. */
    __asm__ volatile(".option push\n\t.option norvc\n\t"
                     "lla %0, 2f\n\t"
                     "1: jalr %0, 0(%0)\n\tli %0, 0\n2:\n\t"
                     "lla %1, 1b\n\t.option pop" : "=&r"(r), "=r"(base));
    show("jalr rd=rs1 link - pc", r - base);
}

/* ---- branches -------------------------------------------------------------------------- */

#define BRANCH(op) \
    static uint32_t br_##op(uint32_t a, uint32_t b) \
    { uint32_t r; __asm__ volatile("li %0, 1\n\t" #op " %1, %2, 1f\n\tli %0, 0\n1:" \
                                   : "=&r"(r) : "r"(a), "r"(b)); return r; }
BRANCH(beq) BRANCH(bne) BRANCH(blt) BRANCH(bge) BRANCH(bltu) BRANCH(bgeu)

static void test_branches(void)
{
    static const struct { const char *name; uint32_t (*fn)(uint32_t, uint32_t); } ops[] = {
        {"beq", br_beq}, {"bne", br_bne}, {"blt", br_blt},
        {"bge", br_bge}, {"bltu", br_bltu}, {"bgeu", br_bgeu},
    };
    static const uint32_t vals[] = {0, 1, 0x7fffffffu, 0x80000000u, 0xffffffffu};
    for (unsigned o = 0; o < 6; o++) {
        uint32_t mask = 0;  /* bit (i*5+j) = branch taken for (vals[i], vals[j]) */
        for (unsigned i = 0; i < 5; i++)
            for (unsigned j = 0; j < 5; j++)
                mask |= ops[o].fn(vals[i], vals[j]) << (i * 5 + j);
        show(ops[o].name, mask);
    }
}

/* ---- loads and stores ------------------------------------------------------------------ */

static uint8_t mem[32] __attribute__((aligned(16)));

static void fill_pattern(void)
{
    for (unsigned i = 0; i < sizeof mem; i++)
        mem[i] = (uint8_t)(0x71u + 0x13u * i);  /* crosses 0x80 so sign extension shows */
}

#define LOAD(op, off) ({ uint32_t r_; \
    __asm__ volatile(#op " %0, %2(%1)" : "=r"(r_) : "r"(mem), "i"(off) : "memory"); r_; })
#define STORE(op, off, v) \
    __asm__ volatile(#op " %0, %2(%1)" :: "r"(v), "r"(mem), "i"(off) : "memory")

static uint32_t mem_word(unsigned off)
{
    return mem[off] | (uint32_t)mem[off + 1] << 8 | (uint32_t)mem[off + 2] << 16 |
           (uint32_t)mem[off + 3] << 24;
}

static void test_loads_stores(void)
{
    fill_pattern();
    show("lb 0", LOAD(lb, 0));   show("lb 1", LOAD(lb, 1));   show("lb 2", LOAD(lb, 2));
    show("lbu 1", LOAD(lbu, 1)); show("lbu 2", LOAD(lbu, 2));
    show("lh 0", LOAD(lh, 0));   show("lh 2", LOAD(lh, 2));   show("lh 4", LOAD(lh, 4));
    show("lhu 0", LOAD(lhu, 0)); show("lhu 2", LOAD(lhu, 2));
    show("lw 0", LOAD(lw, 0));   show("lw 4", LOAD(lw, 4));   show("lw 8", LOAD(lw, 8));

    STORE(sb, 16, 0x123456abu);
    STORE(sh, 18, 0xfedc8765u);
    STORE(sw, 20, 0x89abcdefu);
    show("sb/sh/sw 16", mem_word(16));
    show("sb/sh/sw 20", mem_word(20));

    /* Misaligned accesses: RAM handles them on QEMU virt (no address-misaligned trap). */
    fill_pattern();
    show("lh 1 (misaligned)", LOAD(lh, 1));
    show("lhu 3 (misaligned)", LOAD(lhu, 3));
    show("lw 1 (misaligned)", LOAD(lw, 1));
    show("lw 2 (misaligned)", LOAD(lw, 2));
    show("lw 7 (misaligned)", LOAD(lw, 7));
    STORE(sh, 9, 0x0000beefu);
    STORE(sw, 13, 0xcafef00du);
    show("sh 9 (misaligned) word 8", mem_word(8));
    show("sw 13 (misaligned) word 12", mem_word(12));
    show("sw 13 (misaligned) word 16", mem_word(16));
}

/* ---- A extension ----------------------------------------------------------------------- */

static uint32_t amo_word[2] __attribute__((aligned(8)));

#define AMO(fn, insn) \
    static uint32_t amo_##fn(uint32_t v) \
    { uint32_t old; __asm__ volatile(insn " %0, %1, (%2)" : "=r"(old) : "r"(v), "r"(amo_word) \
                                     : "memory"); return old; }
AMO(amoswap_w, "amoswap.w") AMO(amoadd_w, "amoadd.w") AMO(amoxor_w, "amoxor.w")
AMO(amoand_w, "amoand.w") AMO(amoor_w, "amoor.w") AMO(amomin_w, "amomin.w")
AMO(amomax_w, "amomax.w") AMO(amominu_w, "amominu.w") AMO(amomaxu_w, "amomaxu.w")
AMO(amoadd_w_aq, "amoadd.w.aq") AMO(amoor_w_rl, "amoor.w.rl") AMO(amomaxu_w_aqrl, "amomaxu.w.aqrl")

static void test_atomics(void)
{
    static const struct { const char *name; uint32_t (*fn)(uint32_t); } ops[] = {
        {"amoswap.w", amo_amoswap_w}, {"amoadd.w", amo_amoadd_w}, {"amoxor.w", amo_amoxor_w},
        {"amoand.w", amo_amoand_w}, {"amoor.w", amo_amoor_w}, {"amomin.w", amo_amomin_w},
        {"amomax.w", amo_amomax_w}, {"amominu.w", amo_amominu_w}, {"amomaxu.w", amo_amomaxu_w},
        {"amoadd.w.aq", amo_amoadd_w_aq}, {"amoor.w.rl", amo_amoor_w_rl},
        {"amomaxu.w.aqrl", amo_amomaxu_w_aqrl},
    };
    static const uint32_t pairs[][2] = {  /* memory, operand */
        {5, 3}, {0x80000000u, 0x7fffffffu}, {0xffffffffu, 1}, {0x12345678u, 0xfedcba98u},
    };
    for (unsigned o = 0; o < sizeof ops / sizeof ops[0]; o++)
        for (unsigned p = 0; p < 4; p++) {
            amo_word[0] = pairs[p][0];
            uint32_t old = ops[o].fn(pairs[p][1]);
            printf("%s mem %08lx op %08lx -> old %08lx new %08lx\n", ops[o].name,
                   (unsigned long)pairs[p][0], (unsigned long)pairs[p][1], (unsigned long)old,
                   (unsigned long)amo_word[0]);
            fold(old);
            fold(amo_word[0]);
        }

    uint32_t loaded, sc, sc2;

    /* lr/sc pair on the same word: sc succeeds (writes 0 to rd) and stores. */
    amo_word[0] = 100;
    __asm__ volatile("lr.w %0, (%3)\n\taddi %0, %0, 1\n\tsc.w %1, %0, (%3)\n\t"
                     "sc.w %2, %0, (%3)"  /* second sc: reservation already consumed */
                     : "=&r"(loaded), "=&r"(sc), "=&r"(sc2) : "r"(amo_word) : "memory");
    show("lr.w/sc.w success: sc", sc);
    show("lr.w/sc.w success: memory", amo_word[0]);
    show("sc.w again without lr: sc != 0", sc2 != 0);
    show("sc.w again without lr: memory", amo_word[0]);

    /* sc to a different word than the reservation fails and does not store. */
    amo_word[0] = 7;
    amo_word[1] = 9;
    __asm__ volatile("lr.w.aq %0, (%2)\n\tsc.w.rl %1, %0, (%3)"
                     : "=&r"(loaded), "=&r"(sc) : "r"(&amo_word[0]), "r"(&amo_word[1]) : "memory");
    show("lr.w/sc.w other address: lr", loaded);
    show("lr.w/sc.w other address: sc != 0", sc != 0);
    show("lr.w/sc.w other address: memory", amo_word[1]);
}

/* ---- C extension ----------------------------------------------------------------------- */

static void test_compressed(void)
{
    /*
     * The CA/CB/CL/CS formats can only name x8-x15 (s0, s1, a0-a5), so the operands are pinned
     * to a3-a5. Pinned variables are only guaranteed inside the asm statement itself, so each
     * result is copied to r[] before anything (like a printf) can clobber those registers.
     */
    register uint32_t a __asm__("a3");
    register uint32_t b __asm__("a4");
    register uint32_t c __asm__("a5");
    uint32_t r[10];
    static uint32_t slot[2];

    __asm__ volatile(".option push\n\t.option rvc\n\t"
                     "c.li %0, -32\n\t"          /* a = 0xffffffe0 */
                     "c.lui %1, 0x1f\n\t"        /* b = 0x0001f000 */
                     "c.addi %0, 31\n\t"         /* a = 0xffffffff */
                     "c.slli %1, 3\n\t"          /* b = 0x000f8000 */
                     "c.mv %2, %1\n\t"
                     "c.srli %2, 4\n\t"          /* c = 0x0000f800 */
                     "c.srai %0, 1\n\t"          /* a = 0xffffffff */
                     "c.andi %2, -16\n\t"        /* c = 0x0000f800 */
                     "c.sub %1, %2\n\t"          /* b = 0x000e8800 */
                     "c.xor %0, %1\n\t"          /* a = 0xfff177ff */
                     "c.or %2, %0\n\t"           /* c = 0xfff1ffff */
                     "c.and %1, %2\n\t"          /* b = 0x00008800 */
                     "c.add %2, %1\n\t"          /* c = 0xfff287ff */
                     ".option pop"
                     : "=&r"(a), "=&r"(b), "=&r"(c));
    r[0] = a;
    r[1] = b;
    r[2] = c;

    /* c.lui with a "negative" immediate: the 6-bit field sign-extends into bits 31:17. */
    __asm__ volatile(".option push\n\t.option rvc\n\tc.lui %0, 0xfffe0\n\t.option pop" : "=r"(a));
    r[3] = a;

    /* Loads and stores: c.sw/c.lw through a register, c.swsp/c.lwsp and c.addi4spn via sp. */
    __asm__ volatile(".option push\n\t.option rvc\n\t"
                     "c.li %0, 21\n\t"
                     "c.sw %0, 4(%2)\n\t"
                     "c.lw %1, 4(%2)\n\t"
                     "c.add %1, %0\n\t"          /* b = 42 */
                     ".option pop"
                     : "=&r"(a), "=&r"(b) : "r"(c = (uint32_t)slot) : "memory");
    r[4] = b;
    __asm__ volatile(".option push\n\t.option rvc\n\t"
                     "c.addi16sp sp, -32\n\t"
                     "c.swsp %2, 12(sp)\n\t"
                     "c.lwsp %0, 12(sp)\n\t"
                     "c.addi4spn %1, sp, 12\n\t"
                     "c.lw %1, 0(%1)\n\t"
                     "c.addi16sp sp, 32\n\t"
                     ".option pop"
                     : "=&r"(a), "=&r"(b) : "r"(0x5a5a1234u) : "memory");
    r[5] = a;
    r[6] = b;

    /* Control flow: c.j, c.beqz, c.bnez. */
    __asm__ volatile(".option push\n\t.option rvc\n\t"
                     "c.li %0, 0\n\t"
                     "c.j 1f\n\t"
                     "c.addi %0, 1\n"            /* skipped */
                     "1:\tc.beqz %0, 2f\n\t"
                     "c.addi %0, 2\n"            /* skipped */
                     "2:\tc.addi %0, 4\n\t"
                     "c.bnez %0, 3f\n\t"
                     "c.addi %0, 8\n"            /* skipped */
                     "3:\tc.beqz %0, 4f\n\t"     /* not taken */
                     "c.addi %0, 16\n"
                     "4:\n\t.option pop"
                     : "=&r"(a));
    r[7] = a;  /* 4 + 16 = 20 */

    /* c.jal (RV32 only) and c.jalr link to pc + 2; c.jr returns. */
    __asm__ volatile(".option push\n\t.option rvc\n\t"
                     "mv t1, ra\n\t"
                     "c.jal 1f\n"
                     "0:\tc.j 2f\n"
                     "1:\tlla %1, 0b\n\t"
                     "sub %0, ra, %1\n\t"        /* ra - (pc of c.jal + 2) */
                     "c.jr ra\n"
                     "2:\tlla t0, 3f\n\t"
                     "c.jalr t0\n"
                     "5:\tc.j 4f\n"
                     "3:\tlla %1, 5b\n\t"
                     "sub %1, ra, %1\n\t"        /* ra - (pc of c.jalr + 2) */
                     "c.jr ra\n"
                     "4:\tmv ra, t1\n\t"
                     ".option pop"
                     : "=&r"(a), "=&r"(b) : : "t0", "t1", "ra");
    r[8] = a;
    r[9] = b;

    show("c.alu a", r[0]);
    show("c.alu b", r[1]);
    show("c.alu c", r[2]);
    show("c.lui 0xfffe0", r[3]);
    show("c.sw/c.lw", r[4]);
    show("c.swsp/c.lwsp", r[5]);
    show("c.addi4spn/c.lw", r[6]);
    show("c.j/c.beqz/c.bnez", r[7]);
    show("c.jal link - (pc+2)", r[8]);
    show("c.jalr link - (pc+2)", r[9]);
}

/* ---- Zicsr on mscratch ------------------------------------------------------------------ */

static void test_csr(void)
{
    uint32_t old, v;

    /* crt0's trap entry relies on mscratch == 0 while in M-mode: restore it at the end. */
    __asm__ volatile("csrrw %0, mscratch, %1" : "=r"(old) : "r"(0xf0f0f0f0u));
    show("csrrw old", old);
    __asm__ volatile("csrrs %0, mscratch, %1" : "=r"(old) : "r"(0x0000ffffu));
    show("csrrs old", old);
    __asm__ volatile("csrrc %0, mscratch, %1" : "=r"(old) : "r"(0xff0000ffu));
    show("csrrc old", old);
    __asm__ volatile("csrr %0, mscratch" : "=r"(v));
    show("after csrrc", v);
    __asm__ volatile("csrrs %0, mscratch, x0" : "=r"(v));  /* read only, no write */
    show("csrrs x0", v);
    __asm__ volatile("csrrwi %0, mscratch, 31" : "=r"(old));
    show("csrrwi old", old);
    __asm__ volatile("csrrsi %0, mscratch, 0x0a" : "=r"(old));
    show("csrrsi old", old);
    __asm__ volatile("csrrci %0, mscratch, 0x03" : "=r"(old));
    show("csrrci old", old);
    __asm__ volatile("csrrci %0, mscratch, 0" : "=r"(v));   /* uimm 0: read only */
    show("after csrrci", v);
    __asm__ volatile("csrw mscratch, %0" :: "r"(0x13572468u));  /* csrrw x0 */
    __asm__ volatile("csrs mscratch, %0" :: "r"(0x80000000u));
    __asm__ volatile("csrc mscratch, %0" :: "r"(0x00000068u));
    __asm__ volatile("csrsi mscratch, 0x10");
    __asm__ volatile("csrci mscratch, 0x04");
    __asm__ volatile("csrr %0, mscratch" : "=r"(v));
    show("csrw/csrs/csrc/csrsi/csrci", v);
    __asm__ volatile("csrw mscratch, zero");
}

static void test_fences(void)
{
    static uint32_t code_word;
    __asm__ volatile("fence\n\tfence rw, rw\n\tfence.tso\n\tfence.i" ::: "memory");
    code_word = 0x12345678u;
    __asm__ volatile("fence w, r" ::: "memory");
    show("fence", code_word);
}

int main(void)
{
    printf("isa-mix\n");
    test_reg_reg();
    test_reg_imm();
    test_upper_and_jumps();
    test_branches();
    test_loads_stores();
    test_atomics();
    test_compressed();
    test_csr();
    test_fences();
    printf("checksum %08lx\n", (unsigned long)checksum);
    printf("minstret=%llu\n", (unsigned long long)read_minstret64());
    return 0;
}
