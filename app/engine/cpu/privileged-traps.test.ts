// Privileged architecture: trap entry and return, ECALL/EBREAK, delegation to S-mode and the CSR
// access rules (Privileged spec 20211203, 2.1-2.3, 3.1.6-3.1.9, 3.3, 4.1). Where the spec leaves a
// choice, the expected values are QEMU 7.2's (checked against qemu-system-riscv32 7.2).

import { describe, expect, it } from 'vitest';
import { BARE_RAM_BASE, createBareCpu, type BareCpu } from './bare-cpu.js';
import { CSR, MSTATUS, PRIV_M, PRIV_S, PRIV_U } from './csr-numbers.js';
import { E, EBREAK, ECALL, ILLEGAL, MRET, NOP, SRET, csrr, csrs, csrw, li } from './test-asm.js';

const BASE = BARE_RAM_BASE | 0;
const CODE = BASE;
const MH = BASE + 0x1000; // M-mode handler: x31 += 1, then spin
const SH = BASE + 0x2000; // S-mode handler: x30 += 1, then spin
const MPP = (p: number): number => p << MSTATUS.MPP_SHIFT;
const mppOf = (s: number): number => (s & MSTATUS.MPP) >>> MSTATUS.MPP_SHIFT;
/**
 * ECALL, EBREAK and instructions illegal at decode count as executed although they trap, as QEMU's
 * -icount counts them (instructions that fault while executing do not count).
 */
const COUNTED = 1;

/** A hart at CODE in privilege `priv`, with `code` there and counting handlers at mtvec and stvec. */
function hartWith(code: number[], priv = PRIV_M): BareCpu {
  const cpu = createBareCpu(1 << 16);
  cpu.writeWords(CODE, code);
  cpu.writeWords(MH, [E('addi', { rd: 31, rs1: 31, imm: 1 }), E('jal', { imm: 0 })]);
  cpu.writeWords(SH, [E('addi', { rd: 30, rs1: 30, imm: 1 }), E('jal', { imm: 0 })]);
  cpu.hart.mtvec = MH;
  cpu.hart.stvec = SH;
  cpu.hart.setPriv(priv);
  return cpu;
}

describe('trap entry and return', () => {
  it('an exception in M-mode saves pc, cause and tval, stacks MIE into MPIE and sets MPP = M', () => {
    for (const mie of [0, MSTATUS.MIE]) {
      const cpu = hartWith([NOP, ILLEGAL]);
      const h = cpu.hart;
      h.mstatus = mie;
      expect(cpu.run(2 + COUNTED)).toBe(2 + COUNTED); // the nop, the illegal instruction, the handler's first
      expect([h.mepc, h.mcause, h.mtval >>> 0, h.priv, h.pc, h.x[31]]).toEqual([CODE + 4, 2, 0xffffffff, PRIV_M, MH + 4, 1]);
      expect(mppOf(h.mstatus)).toBe(PRIV_M);
      expect(h.mstatus & (MSTATUS.MIE | MSTATUS.MPIE)).toBe(mie ? MSTATUS.MPIE : 0);
    }
  });

  it('a trap from S or U records the previous privilege in MPP and runs the handler in M', () => {
    for (const priv of [PRIV_S, PRIV_U]) {
      const cpu = hartWith([ILLEGAL], priv);
      cpu.run(1 + COUNTED);
      expect([cpu.hart.priv, mppOf(cpu.hart.mstatus), cpu.hart.mepc, cpu.hart.x[31]]).toEqual([PRIV_M, priv, CODE, 1]);
    }
  });

  it('mret goes to MPP at mepc, sets MIE = MPIE, MPIE = 1, MPP = U, and clears MPRV when leaving M', () => {
    for (const target of [PRIV_U, PRIV_S, PRIV_M]) {
      for (const mpie of [0, MSTATUS.MPIE]) {
        const cpu = hartWith([MRET]);
        const h = cpu.hart;
        h.mstatus = MPP(target) | mpie | MSTATUS.MPRV;
        h.mepc = CODE + 0x100;
        cpu.writeWords(CODE + 0x100, [NOP]);
        expect(cpu.run(1)).toBe(1);
        expect([h.priv, h.pc, mppOf(h.mstatus)]).toEqual([target, CODE + 0x100, PRIV_U]);
        expect(h.mstatus & (MSTATUS.MIE | MSTATUS.MPIE)).toBe(MSTATUS.MPIE | (mpie ? MSTATUS.MIE : 0));
        expect((h.mstatus & MSTATUS.MPRV) !== 0).toBe(target === PRIV_M);
      }
    }
  });

  it('mret outside M-mode, and sret in U-mode or in S-mode with TSR, are illegal', () => {
    const cases: Array<[number, number, number]> = [[MRET, PRIV_S, 0], [MRET, PRIV_U, 0], [SRET, PRIV_U, 0], [SRET, PRIV_S, MSTATUS.TSR]];
    for (const [insn, priv, extra] of cases) {
      const cpu = hartWith([insn], priv);
      cpu.hart.mstatus |= extra;
      cpu.run(1);
      expect([cpu.hart.mcause, cpu.hart.mtval >>> 0, cpu.hart.mepc, mppOf(cpu.hart.mstatus)]).toEqual([2, insn >>> 0, CODE, priv]);
    }
    // sret with TSR is fine in M-mode (TSR traps only S-mode).
    const cpu = hartWith([SRET]);
    cpu.hart.mstatus |= MSTATUS.TSR | MSTATUS.SPP;
    cpu.hart.sepc = CODE + 0x40;
    cpu.run(1);
    expect([cpu.hart.priv, cpu.hart.pc, cpu.hart.x[31]]).toEqual([PRIV_S, CODE + 0x40, 0]);
  });

  it('vectored mtvec sends interrupts to base + 4 * cause and exceptions to base', () => {
    const cpu = hartWith([ILLEGAL]);
    const h = cpu.hart;
    h.mtvec = MH | 1;
    cpu.writeWords(MH + 4 * 7, [E('addi', { rd: 29, rs1: 29, imm: 1 })]);
    cpu.run(1 + COUNTED);
    expect([h.mcause, h.pc, h.x[31]]).toEqual([2, MH + 4, 1]);
    h.mstatus |= MSTATUS.MIE;
    h.mie = 1 << 7;
    h.setPending(7, true);
    h.pc = CODE + 8;
    cpu.run(1);
    expect([h.mcause, h.mepc, h.pc, h.x[29]]).toEqual([0x80000007 | 0, CODE + 8, MH + 4 * 7 + 4, 1]);
  });

  it('writes of a reserved mode (2, 3) to mtvec or stvec are ignored, as QEMU 7.2 does', () => {
    const cpu = hartWith([...li(5, MH + 0x102), csrw(CSR.mtvec, 5), csrw(CSR.stvec, 5), csrr(6, CSR.mtvec), csrr(7, CSR.stvec),
      ...li(5, MH + 0x201), csrw(CSR.mtvec, 5), csrr(8, CSR.mtvec)]);
    cpu.run(10);
    expect([cpu.hart.x[6], cpu.hart.x[7], cpu.hart.x[8]]).toEqual([MH, SH, MH + 0x201]);
  });

  it('ecall from M, S and U raises causes 11, 9 and 8 with mepc at the ecall and mtval 0', () => {
    for (const [priv, cause] of [[PRIV_M, 11], [PRIV_S, 9], [PRIV_U, 8]] as const) {
      const cpu = hartWith([NOP, ECALL], priv);
      cpu.hart.mtval = 123;
      expect(cpu.run(2 + COUNTED)).toBe(2 + COUNTED);
      expect([cpu.hart.mcause, cpu.hart.mepc, cpu.hart.mtval, cpu.hart.x[31]]).toEqual([cause, CODE + 4, 0, 1]);
    }
  });

  it('ebreak raises a breakpoint (3) with mepc at the ebreak and mtval 0, as QEMU 7.2', () => {
    const cpu = hartWith([EBREAK], PRIV_U);
    cpu.run(1 + COUNTED);
    expect([cpu.hart.mcause, cpu.hart.mepc, cpu.hart.mtval, cpu.hart.priv, cpu.hart.x[31]]).toEqual([3, CODE, 0, PRIV_M, 1]);
  });
});

describe('delegation to S-mode', () => {
  it('exceptions delegated by medeleg trap from U and S to stvec with scause, sepc, stval, SPP, SPIE and SIE', () => {
    for (const priv of [PRIV_U, PRIV_S]) {
      for (const sie of [0, MSTATUS.SIE]) {
        const cpu = hartWith([NOP, ILLEGAL], priv);
        const h = cpu.hart;
        h.medeleg = 1 << 2;
        h.mstatus = sie | MSTATUS.MIE;
        h.mepc = 0x111;
        h.mcause = 0x222;
        cpu.run(2 + COUNTED);
        expect([h.priv, h.scause, h.sepc, h.stval >>> 0, h.pc, h.x[30], h.x[31]]).toEqual([PRIV_S, 2, CODE + 4, 0xffffffff, SH + 4, 1, 0]);
        expect((h.mstatus & MSTATUS.SPP) !== 0).toBe(priv === PRIV_S);
        expect(h.mstatus & (MSTATUS.SIE | MSTATUS.SPIE)).toBe(sie ? MSTATUS.SPIE : 0);
        // Nothing of M's changed.
        expect([h.mepc, h.mcause, h.mstatus & (MSTATUS.MIE | MSTATUS.MPIE | MSTATUS.MPP)]).toEqual([0x111, 0x222, MSTATUS.MIE]);
      }
    }
  });

  it('delegated ecalls from U (8) and S (9) go to S-mode', () => {
    for (const [priv, cause] of [[PRIV_U, 8], [PRIV_S, 9]] as const) {
      const cpu = hartWith([ECALL], priv);
      cpu.hart.medeleg = (1 << 8) | (1 << 9);
      cpu.run(1 + COUNTED);
      expect([cpu.hart.priv, cpu.hart.scause, cpu.hart.sepc, cpu.hart.x[30]]).toEqual([PRIV_S, cause, CODE, 1]);
    }
  });

  it('exceptions in M-mode are taken in M-mode even when delegated', () => {
    const cpu = hartWith([ILLEGAL]);
    cpu.hart.medeleg = 0xffff;
    cpu.run(1 + COUNTED);
    expect([cpu.hart.priv, cpu.hart.mcause, cpu.hart.x[31], cpu.hart.x[30]]).toEqual([PRIV_M, 2, 1, 0]);
  });

  it('sret goes to SPP at sepc, sets SIE = SPIE, SPIE = 1 and SPP = U', () => {
    for (const [spp, target] of [[MSTATUS.SPP, PRIV_S], [0, PRIV_U]] as const) {
      for (const spie of [0, MSTATUS.SPIE]) {
        const cpu = hartWith([SRET], PRIV_S);
        const h = cpu.hart;
        h.mstatus = spp | spie;
        h.sepc = CODE + 0x80;
        expect(cpu.run(1)).toBe(1);
        expect([h.priv, h.pc, h.mstatus & MSTATUS.SPP]).toEqual([target, CODE + 0x80, 0]);
        expect(h.mstatus & (MSTATUS.SIE | MSTATUS.SPIE)).toBe(MSTATUS.SPIE | (spie ? MSTATUS.SIE : 0));
      }
    }
  });

  it('medeleg cannot delegate ecall from M, and mideleg holds only S-level interrupts', () => {
    const cpu = hartWith([...li(5, -1), csrw(CSR.medeleg, 5), csrw(CSR.mideleg, 5), csrr(6, CSR.medeleg), csrr(7, CSR.mideleg)]);
    cpu.run(6);
    expect((cpu.hart.x[6]! >>> 11) & 1).toBe(0);
    expect(cpu.hart.x[6]! & 0xb3ff).toBe(0xb3ff); // all synchronous exceptions S and U can raise
    expect(cpu.hart.x[7]).toBe(0x222);
  });
});

describe('CSR access rules', () => {
  const M_CSRS = [CSR.mstatus, CSR.misa, CSR.medeleg, CSR.mideleg, CSR.mie, CSR.mtvec, CSR.mscratch, CSR.mepc, CSR.mcause,
    CSR.mtval, CSR.mip, CSR.mhartid, CSR.mcycle, CSR.minstret, CSR.mcounteren, CSR.pmpcfg0, CSR.pmpaddr0];
  const S_CSRS = [CSR.sstatus, CSR.sie, CSR.stvec, CSR.sscratch, CSR.sepc, CSR.scause, CSR.stval, CSR.sip, CSR.satp, CSR.scounteren];

  /** Runs one CSR instruction in `priv`; returns whether it was illegal (and checks the trap details). */
  function illegalIn(priv: number, word: number, setup: (cpu: BareCpu) => void = () => {}): boolean {
    const cpu = hartWith([word], priv);
    cpu.hart.x[5] = 0x1234;
    cpu.hart.x[6] = 0;
    setup(cpu);
    cpu.run(1);
    const trapped = cpu.hart.x[31] === 1;
    if (trapped) expect([cpu.hart.mcause, cpu.hart.mtval >>> 0, cpu.hart.mepc, cpu.hart.x[7]]).toEqual([2, word >>> 0, CODE, 0]);
    return trapped;
  }
  const read = (csr: number): number => E('csrrs', { rd: 7, rs1: 0, csr });
  const write = (csr: number): number => E('csrrw', { rd: 0, rs1: 5, csr });

  it('S-mode and U-mode cannot read or write M-mode CSRs', () => {
    for (const csr of M_CSRS) {
      for (const priv of [PRIV_S, PRIV_U]) {
        expect(illegalIn(priv, read(csr)), `read ${csr.toString(16)} in ${priv}`).toBe(true);
        expect(illegalIn(priv, write(csr)), `write ${csr.toString(16)} in ${priv}`).toBe(true);
      }
      expect(illegalIn(PRIV_M, read(csr))).toBe(false);
    }
  });

  it('U-mode cannot access S-mode CSRs; S-mode and M-mode can', () => {
    for (const csr of S_CSRS) {
      expect(illegalIn(PRIV_U, read(csr)), csr.toString(16)).toBe(true);
      expect(illegalIn(PRIV_S, read(csr)), csr.toString(16)).toBe(false);
      expect(illegalIn(PRIV_M, read(csr)), csr.toString(16)).toBe(false);
    }
  });

  it('writes to read-only CSRs are illegal; csrrs/csrrc with x0 and csrrsi/csrrci with 0 only read', () => {
    for (const csr of [CSR.mhartid, CSR.mvendorid, CSR.marchid, CSR.mimpid, CSR.cycle, CSR.time, CSR.instret, CSR.cycleh]) {
      expect(illegalIn(PRIV_M, E('csrrw', { rd: 0, rs1: 5, csr })), `csrrw ${csr}`).toBe(true);
      expect(illegalIn(PRIV_M, E('csrrwi', { rd: 7, imm: 0, csr })), `csrrwi ${csr}`).toBe(true);
      // rs1 != x0 attempts a write even when the register holds zero.
      expect(illegalIn(PRIV_M, E('csrrs', { rd: 7, rs1: 6, csr })), `csrrs x6=0 ${csr}`).toBe(true);
      expect(illegalIn(PRIV_M, E('csrrc', { rd: 7, rs1: 6, csr })), `csrrc x6=0 ${csr}`).toBe(true);
      expect(illegalIn(PRIV_M, E('csrrsi', { rd: 7, imm: 1, csr })), `csrrsi 1 ${csr}`).toBe(true);
      for (const name of ['csrrs', 'csrrc']) expect(illegalIn(PRIV_M, E(name, { rd: 7, rs1: 0, csr })), `${name} x0 ${csr}`).toBe(false);
      for (const name of ['csrrsi', 'csrrci']) expect(illegalIn(PRIV_M, E(name, { rd: 7, imm: 0, csr })), `${name} 0 ${csr}`).toBe(false);
    }
  });

  it('CSRs that are not implemented are illegal (F/D, debug, custom, hypervisor)', () => {
    for (const csr of [0x001, 0x002, 0x003, 0x7b0, 0x7b1, 0x800, 0x5c0, 0x600, 0x680, 0x015, 0xfff]) {
      expect(illegalIn(PRIV_M, read(csr)), csr.toString(16)).toBe(true);
    }
  });

  it('csrrw swaps, csrrs sets, csrrc clears, also with rd == rs1', () => {
    const cpu = hartWith([
      ...li(5, 0x0ff0), csrw(CSR.mscratch, 5),
      ...li(6, 0x00ff), E('csrrs', { rd: 7, rs1: 6, csr: CSR.mscratch }), // x7 = 0x0ff0, mscratch = 0x0fff
      ...li(6, 0x0f0f), E('csrrc', { rd: 8, rs1: 6, csr: CSR.mscratch }), // x8 = 0x0fff, mscratch = 0x00f0
      ...li(9, 0x1234), E('csrrw', { rd: 9, rs1: 9, csr: CSR.mscratch }), // x9 = 0x00f0, mscratch = 0x1234
      E('csrrsi', { rd: 10, imm: 3, csr: CSR.mscratch }), E('csrrci', { rd: 11, imm: 0x14, csr: CSR.mscratch }),
      E('csrrwi', { rd: 12, imm: 31, csr: CSR.mscratch }), csrr(13, CSR.mscratch),
    ]);
    cpu.run(16);
    expect(Array.from(cpu.hart.x.subarray(7, 14))).toEqual([0x0ff0, 0x0fff, 0x00f0, 0x1234, 0x1237, 0x1223, 31]);
  });

  it('mstatus.MPP is WARL: writing the reserved value 2 reads back as a supported mode', () => {
    const cpu = hartWith([...li(5, MPP(3)), csrs(CSR.mstatus, 5), ...li(5, MPP(1)), E('csrrc', { rs1: 5, csr: CSR.mstatus }),
      csrr(6, CSR.mstatus)]);
    cpu.run(7);
    expect([PRIV_U, PRIV_S, PRIV_M]).toContain(mppOf(cpu.hart.x[6]!));
  });

  it('sstatus is the S-mode view of mstatus: it cannot see or change M-mode fields', () => {
    const cpu = hartWith([...li(5, -1), csrw(CSR.sstatus, 5), csrr(6, CSR.sstatus), csrr(7, CSR.mstatus)]);
    cpu.hart.mstatus = MSTATUS.MPIE | MPP(PRIV_S) | MSTATUS.TVM;
    cpu.run(5);
    const sBits = MSTATUS.SIE | MSTATUS.SPIE | MSTATUS.SPP | MSTATUS.SUM | MSTATUS.MXR;
    expect(cpu.hart.x[6]).toBe(sBits);
    expect(cpu.hart.x[7]).toBe(sBits | MSTATUS.MPIE | MPP(PRIV_S) | MSTATUS.TVM);
  });

  it('satp and sfence.vma are illegal in S-mode when mstatus.TVM = 1, legal otherwise', () => {
    const sfence = E('sfence.vma', {});
    for (const [tvm, want] of [[MSTATUS.TVM, true], [0, false]] as const) {
      const setTvm = (cpu: BareCpu): void => { cpu.hart.mstatus |= tvm; };
      expect(illegalIn(PRIV_S, read(CSR.satp), setTvm)).toBe(want);
      expect(illegalIn(PRIV_S, write(CSR.satp), setTvm)).toBe(want);
      expect(illegalIn(PRIV_S, sfence, setTvm)).toBe(want);
      expect(illegalIn(PRIV_M, read(CSR.satp), setTvm)).toBe(false);
    }
    expect(illegalIn(PRIV_U, sfence)).toBe(true);
  });

  it('csrs/csrc on mip modify only software bits: a high SEIP line is not latched by an SSIP write', () => {
    const cpu = hartWith([E('csrrsi', { rd: 6, imm: 2, csr: CSR.mip }), E('csrrci', { rd: 0, imm: 2, csr: CSR.mip }),
      NOP, csrr(7, CSR.mip)]);
    cpu.hart.setPending(9, true); // the PLIC's S-mode external interrupt line
    cpu.run(2);
    expect(cpu.hart.x[6]).toBe(1 << 9);
    cpu.hart.setPending(9, false);
    cpu.run(2);
    expect(cpu.hart.x[7]).toBe(0);
  });

  it('sie and sip show and change only delegated interrupts; sip can set only SSIP', () => {
    const cpu = hartWith([...li(5, -1), csrw(CSR.sie, 5), csrw(CSR.sip, 5), csrr(6, CSR.sie), csrr(7, CSR.sip),
      csrr(8, CSR.mie), csrr(9, CSR.mip)]);
    cpu.hart.mideleg = (1 << 1) | (1 << 5);
    cpu.hart.mie = 1 << 7;
    cpu.hart.setPending(7, true);
    cpu.run(8);
    expect(Array.from(cpu.hart.x.subarray(6, 10))).toEqual([0x22, 0x2, 0x22 | 0x80, 0x2 | 0x80]);
  });
});
