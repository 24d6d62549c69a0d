// Interrupts and WFI (Privileged spec 20211203, 3.1.9, 3.3.3, 4.1.3): the hart's interrupt pins are
// driven directly with hart.setPending(bit, level), as the CLINT and PLIC do on the board.

import { describe, expect, it } from 'vitest';
import { BARE_RAM_BASE, createBareCpu, type BareCpu } from './bare-cpu.js';
import { IRQ, MSTATUS, PRIV_M, PRIV_S, PRIV_U } from './csr-numbers.js';
import { E, NOP, WFI } from './test-asm.js';

const BASE = BARE_RAM_BASE | 0;
const CODE = BASE;
const MH = BASE + 0x1000;
const SH = BASE + 0x2000;
const INTERRUPT = 0x80000000 | 0;
const ALL = [IRQ.MEI, IRQ.MSI, IRQ.MTI, IRQ.SEI, IRQ.SSI, IRQ.STI];

/** A hart running nops at CODE in `priv`, with counting handlers (x31 for M, x30 for S). */
function hartWith(priv: number, code: number[] = Array<number>(16).fill(NOP)): BareCpu {
  const cpu = createBareCpu(1 << 16);
  cpu.writeWords(CODE, code);
  cpu.writeWords(MH, [E('addi', { rd: 31, rs1: 31, imm: 1 }), E('jal', { imm: 0 })]);
  cpu.writeWords(SH, [E('addi', { rd: 30, rs1: 30, imm: 1 }), E('jal', { imm: 0 })]);
  cpu.hart.mtvec = MH;
  cpu.hart.stvec = SH;
  cpu.hart.setPriv(priv);
  return cpu;
}

describe('interrupts', () => {
  it('are taken in priority order MEI > MSI > MTI > SEI > SSI > STI', () => {
    const cpu = hartWith(PRIV_M);
    const h = cpu.hart;
    h.mie = ALL.reduce((m, i) => m | (1 << i), 0);
    for (const irq of ALL) h.setPending(irq, true);
    const order: number[] = [];
    for (let n = 0; n < ALL.length; n++) {
      h.mstatus = MSTATUS.MIE;
      h.pc = CODE;
      cpu.run(1);
      expect(h.mcause & INTERRUPT).toBe(INTERRUPT);
      const irq = h.mcause & 0x1f;
      order.push(irq);
      h.setPending(irq, false);
    }
    expect(order).toEqual([IRQ.MEI, IRQ.MSI, IRQ.MTI, IRQ.SEI, IRQ.SSI, IRQ.STI]);
  });

  it('in M-mode, M interrupts need mstatus.MIE; in S and U-mode they are taken whatever MIE says', () => {
    const cases: Array<[number, number, boolean]> = [
      [PRIV_M, 0, false], [PRIV_M, MSTATUS.MIE, true], [PRIV_S, 0, true], [PRIV_U, 0, true], [PRIV_S, MSTATUS.MIE, true],
    ];
    for (const [priv, mie, taken] of cases) {
      const cpu = hartWith(priv);
      const h = cpu.hart;
      h.mstatus = mie | MSTATUS.SIE;
      h.mie = 1 << IRQ.MTI;
      h.setPending(IRQ.MTI, true);
      cpu.run(2);
      expect(h.x[31], `priv ${priv} MIE ${mie}`).toBe(taken ? 1 : 0);
      if (taken) {
        expect([h.mcause, h.mepc, h.mtval, h.priv]).toEqual([INTERRUPT | IRQ.MTI, CODE, 0, PRIV_M]);
        expect((h.mstatus & MSTATUS.MPP) >>> MSTATUS.MPP_SHIFT).toBe(priv);
        expect(h.mstatus & (MSTATUS.MIE | MSTATUS.MPIE)).toBe(mie ? MSTATUS.MPIE : 0);
      }
    }
  });

  it('an interrupt whose mie bit is clear stays pending and is not taken', () => {
    const cpu = hartWith(PRIV_U);
    cpu.hart.mie = ~(1 << IRQ.MEI) & 0xaaa;
    cpu.hart.setPending(IRQ.MEI, true);
    expect(cpu.run(5)).toBe(5);
    expect([cpu.hart.x[31], cpu.hart.pc]).toEqual([0, CODE + 20]);
    expect(cpu.hart.mip).toBe(1 << IRQ.MEI);
  });

  it('delegated interrupts go to S-mode: always from U, from S only with SIE, never while in M', () => {
    const cases: Array<[number, number, boolean]> = [
      [PRIV_M, MSTATUS.SIE | MSTATUS.MIE, false], [PRIV_S, 0, false], [PRIV_S, MSTATUS.SIE, true], [PRIV_U, 0, true],
    ];
    for (const [priv, status, taken] of cases) {
      const cpu = hartWith(priv);
      const h = cpu.hart;
      h.mideleg = 1 << IRQ.STI;
      h.mie = 1 << IRQ.STI;
      h.mstatus = status;
      h.setPending(IRQ.STI, true);
      h.pc = CODE + 8;
      cpu.run(2);
      expect([h.x[30], h.x[31]], `priv ${priv} status ${status}`).toEqual([taken ? 1 : 0, 0]);
      if (taken) {
        expect([h.scause, h.sepc, h.stval, h.priv]).toEqual([INTERRUPT | IRQ.STI, CODE + 8, 0, PRIV_S]);
        expect(h.mstatus & (MSTATUS.SPP | MSTATUS.SIE | MSTATUS.SPIE)).toBe(
          (priv === PRIV_S ? MSTATUS.SPP : 0) | (status & MSTATUS.SIE ? MSTATUS.SPIE : 0));
      }
    }
  });

  it('vectored stvec sends a delegated interrupt to base + 4 * cause', () => {
    const cpu = hartWith(PRIV_U);
    const h = cpu.hart;
    h.stvec = SH | 1;
    cpu.writeWords(SH + 4 * IRQ.SEI, [E('addi', { rd: 29, rs1: 29, imm: 1 })]);
    h.mideleg = 1 << IRQ.SEI;
    h.mie = 1 << IRQ.SEI;
    h.setPending(IRQ.SEI, true);
    cpu.run(1);
    expect([h.scause, h.pc, h.x[29]]).toEqual([INTERRUPT | IRQ.SEI, SH + 4 * IRQ.SEI + 4, 1]);
  });

  it('an M-level interrupt is taken before a delegated one, whatever their priority', () => {
    const cpu = hartWith(PRIV_S);
    const h = cpu.hart;
    h.mideleg = 1 << IRQ.SEI;
    h.mie = (1 << IRQ.SEI) | (1 << IRQ.STI);
    h.mstatus = MSTATUS.SIE;
    h.setPending(IRQ.SEI, true); // delegated: S-level
    h.setPending(IRQ.STI, true); // not delegated: handled in M, although STI has the lowest priority
    cpu.run(1);
    expect([h.priv, h.mcause, h.x[31], h.x[30]]).toEqual([PRIV_M, INTERRUPT | IRQ.STI, 1, 0]);
  });

  it('enabling a pending interrupt (csrs mstatus, csrw mie, mret) takes it before the next instruction', () => {
    const setMie = [E('addi', { rd: 5, imm: 8 }), E('csrrs', { rs1: 5, csr: 0x300 }), NOP];
    const setMieBit = [E('addi', { rd: 5, imm: 0x80 }), E('csrrw', { rs1: 5, csr: 0x304 }), NOP];
    const cases: Array<[number[], number, number, number]> = [
      // code, mstatus, mie, expected mepc
      [setMie, 0, 1 << IRQ.MTI, CODE + 8],
      [setMieBit, MSTATUS.MIE, 0, CODE + 8],
      [[E('mret'), NOP], MSTATUS.MPIE | (3 << MSTATUS.MPP_SHIFT), 1 << IRQ.MTI, CODE + 0x40],
    ];
    for (const [code, mstatus, mie, mepc] of cases) {
      const cpu = hartWith(PRIV_M, code);
      cpu.hart.mstatus = mstatus;
      cpu.hart.mie = mie;
      cpu.hart.mepc = CODE + 0x40;
      cpu.hart.setPending(IRQ.MTI, true);
      cpu.run(code.length);
      expect([cpu.hart.mcause, cpu.hart.mepc, cpu.hart.x[31]]).toEqual([INTERRUPT | IRQ.MTI, mepc, 1]);
    }
  });

  it('a pin change between runs is seen at the next instruction boundary', () => {
    const cpu = hartWith(PRIV_M);
    const h = cpu.hart;
    h.mstatus = MSTATUS.MIE;
    h.mie = 1 << IRQ.MSI;
    expect(cpu.run(3)).toBe(3);
    h.setPending(IRQ.MSI, true);
    cpu.run(1);
    expect([h.mcause, h.mepc, h.icount]).toEqual([INTERRUPT | IRQ.MSI, CODE + 12, 4]);
  });
});

describe('WFI', () => {
  it('retires and then waits when no enabled interrupt is pending', () => {
    const cpu = hartWith(PRIV_M, [WFI, NOP, NOP]);
    expect(cpu.run(10)).toBe(1);
    expect([cpu.hart.waiting, cpu.hart.pc, cpu.hart.icount]).toEqual([true, CODE + 4, 1]);
    // A pending interrupt that is not enabled in mie does not wake it.
    cpu.hart.setPending(IRQ.MTI, true);
    expect(cpu.run(10)).toBe(0);
    expect(cpu.hart.waiting).toBe(true);
  });

  it('wakes on a locally enabled pending interrupt even with MIE = 0 and continues after the wfi', () => {
    const cpu = hartWith(PRIV_M, [WFI, E('addi', { rd: 5, rs1: 5, imm: 1 }), NOP]);
    cpu.hart.mie = 1 << IRQ.MTI;
    cpu.run(10);
    cpu.hart.setPending(IRQ.MTI, true);
    expect(cpu.run(1)).toBe(1);
    expect([cpu.hart.waiting, cpu.hart.x[5], cpu.hart.x[31], cpu.hart.pc]).toEqual([false, 1, 0, CODE + 8]);
  });

  it('wakes on a delegated interrupt while in M-mode, without taking it', () => {
    const cpu = hartWith(PRIV_M, [WFI, NOP]);
    cpu.hart.mideleg = 1 << IRQ.SSI;
    cpu.hart.mie = 1 << IRQ.SSI;
    cpu.hart.mstatus = MSTATUS.MIE | MSTATUS.SIE;
    cpu.run(10);
    cpu.hart.setPending(IRQ.SSI, true);
    expect(cpu.run(1)).toBe(1);
    expect([cpu.hart.pc, cpu.hart.x[30], cpu.hart.x[31]]).toEqual([CODE + 8, 0, 0]);
  });

  it('with interrupts enabled, the wake-up interrupt is taken with mepc after the wfi', () => {
    const cpu = hartWith(PRIV_M, [WFI, NOP]);
    cpu.hart.mie = 1 << IRQ.MEI;
    cpu.hart.mstatus = MSTATUS.MIE;
    cpu.run(10);
    cpu.hart.setPending(IRQ.MEI, true);
    cpu.run(1);
    expect([cpu.hart.mcause, cpu.hart.mepc, cpu.hart.x[31], cpu.hart.waiting]).toEqual([INTERRUPT | IRQ.MEI, CODE + 4, 1, false]);
  });

  it('does not wait when an enabled interrupt is already pending', () => {
    const cpu = hartWith(PRIV_M, [WFI, NOP, NOP]);
    cpu.hart.mie = 1 << IRQ.MTI;
    cpu.hart.setPending(IRQ.MTI, true);
    expect(cpu.run(3)).toBe(3);
    expect(cpu.hart.pc).toBe(CODE + 12);
  });

  it('is illegal in U-mode, and in S-mode when TW = 1; TW does not affect M-mode', () => {
    const cases: Array<[number, number, boolean]> = [
      [PRIV_U, 0, true], [PRIV_S, MSTATUS.TW, true], [PRIV_S, 0, false], [PRIV_M, MSTATUS.TW, false],
    ];
    for (const [priv, tw, illegal] of cases) {
      const cpu = hartWith(priv, [WFI, NOP]);
      cpu.hart.mstatus = tw;
      cpu.run(1);
      expect(cpu.hart.x[31] === 1, `priv ${priv} TW ${tw}`).toBe(illegal);
      if (illegal) expect([cpu.hart.mcause, cpu.hart.mtval >>> 0, cpu.hart.mepc]).toEqual([2, WFI >>> 0, CODE]);
      else expect(cpu.hart.waiting).toBe(true);
    }
  });
});
