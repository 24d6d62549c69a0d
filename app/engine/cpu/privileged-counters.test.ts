// Counters (Privileged spec 20211203, 3.1.10-3.1.12 and Volume I, Zicntr): minstret counts
// retired instructions only, a write is what the next read returns, mcycle adds the WFI idle
// ticks, and mcounteren/scounteren gate the unprivileged views from S and U-mode.

import { describe, expect, it } from 'vitest';
import { BARE_RAM_BASE, createBareCpu, type BareCpu } from './bare-cpu.js';
import { CSR, PRIV_M, PRIV_S, PRIV_U } from './csr-numbers.js';
import { E, EBREAK, ECALL, ILLEGAL, MRET, NOP, csrr, csrw, li } from './test-asm.js';

const BASE = BARE_RAM_BASE | 0;
const CODE = BASE;
const MH = BASE + 0x1000;

/** M-mode handler that skips the trapping (4-byte) instruction: 4 instructions, then mret. */
const SKIP_HANDLER = [csrr(20, CSR.mepc), E('addi', { rd: 20, rs1: 20, imm: 4 }), csrw(CSR.mepc, 20), E('addi', { rd: 21, rs1: 21, imm: 1 }), MRET];

function hartWith(code: number[], priv = PRIV_M): BareCpu {
  const cpu = createBareCpu(1 << 16);
  cpu.writeWords(CODE, code);
  cpu.writeWords(MH, SKIP_HANDLER);
  cpu.hart.mtvec = MH;
  cpu.hart.mstatus = 3 << 11; // mret returns to M
  cpu.hart.setPriv(priv);
  return cpu;
}

describe('counters', () => {
  it('minstret does not count instructions that fault while executing', () => {
    // In S-mode: a load access fault, an M-mode CSR write and an mret, all illegal at run time.
    const faulting = [E('lw', { rd: 5, rs1: 0, imm: 0x100 }), csrw(CSR.mscratch, 0), MRET];
    const cpu = hartWith([csrr(10, CSR.instret), NOP, ...faulting, NOP, csrr(11, CSR.instret), csrr(12, CSR.instreth)], PRIV_S);
    cpu.hart.mcounteren = -1;
    const total = 2 + 3 * SKIP_HANDLER.length + 3;
    expect(cpu.run(total)).toBe(total);
    const h = cpu.hart;
    expect([h.x[21], h.icount, h.x[12], h.priv]).toEqual([3, total, 0, PRIV_S]); // all three faulted
    // Retired between the two reads: csrr, nop, three handlers and nop; not the faulting three.
    expect(h.x[11]! - h.x[10]!).toBe(2 + 3 * SKIP_HANDLER.length + 1);
  });

  it('ecall, ebreak and instructions illegal at decode count as executed, as QEMU -icount counts them', () => {
    const cpu = hartWith([csrr(10, CSR.minstret), ECALL, EBREAK, ILLEGAL, csrr(11, CSR.minstret)]);
    cpu.run(2 + 3 + 3 * SKIP_HANDLER.length);
    expect(cpu.hart.x[21]).toBe(3);
    expect(cpu.hart.x[11]! - cpu.hart.x[10]!).toBe(1 + 3 + 3 * SKIP_HANDLER.length);
  });

  it('a read of minstret or mcycle includes the reading instruction, as QEMU -icount counts it', () => {
    const cpu = hartWith([NOP, NOP, csrr(10, CSR.minstret), csrr(11, CSR.mcycle), csrr(12, CSR.instret)]);
    cpu.run(5);
    expect(Array.from(cpu.hart.x.subarray(10, 13))).toEqual([3, 4, 5]);
  });

  it('a csrw to minstret or mcycle makes the next read return the written value', () => {
    const cpu = hartWith([...li(5, 1000), csrw(CSR.minstret, 5), csrr(10, CSR.minstret), NOP, csrr(11, CSR.minstret),
      csrw(CSR.mcycle, 5), csrr(12, CSR.mcycle), csrr(13, CSR.cycle),
      ...li(6, 7), csrw(CSR.minstreth, 6), csrr(14, CSR.minstreth), csrr(15, CSR.instreth)]);
    cpu.run(14);
    expect(Array.from(cpu.hart.x.subarray(10, 16))).toEqual([1000, 1002, 1000, 1001, 7, 7]);
  });

  it('minstret carries into minstreth (a 64-bit counter)', () => {
    const cpu = hartWith([...li(5, -2), csrw(CSR.minstret, 5), csrr(10, CSR.minstret), csrr(11, CSR.minstreth), NOP,
      csrr(12, CSR.minstret), csrr(13, CSR.minstreth)]);
    cpu.run(8);
    expect(Array.from(cpu.hart.x.subarray(10, 14))).toEqual([-2, 0, 1, 1]);
  });

  it('mcycle counts the ticks spent waiting in WFI on top of retired instructions', () => {
    const cpu = hartWith([csrr(10, CSR.mcycle), csrr(11, CSR.minstret), NOP, csrr(12, CSR.mcycle), csrr(13, CSR.minstret)]);
    cpu.run(3);
    cpu.hart.idleTicks += 500;
    cpu.run(2);
    const x = cpu.hart.x;
    expect([x[12]! - x[10]!, x[13]! - x[11]!]).toEqual([503, 3]);
  });

  it('time and timeh read the machine timer', () => {
    const cpu = hartWith([csrr(10, CSR.time), csrr(11, CSR.timeh)]);
    cpu.hart.readTime = () => 0x1_0000_0005;
    cpu.run(2);
    expect([cpu.hart.x[10], cpu.hart.x[11]]).toEqual([5, 1]);
  });

  it('mcounteren gates cycle, time, instret and hpmcounters from S-mode; both enables gate U-mode', () => {
    const bad: string[] = [];
    for (let index = 0; index < 4; index++) {
      for (const csr of [0xc00 + index, 0xc80 + index]) {
        for (const priv of [PRIV_S, PRIV_U]) {
          for (const [men, sen] of [[0, 0], [1, 0], [0, 1], [1, 1]]) {
            const cpu = hartWith([csrr(10, csr)], priv);
            cpu.hart.mcounteren = men! << index;
            cpu.hart.scounteren = sen! << index;
            cpu.run(1);
            const legal = priv === PRIV_S ? men === 1 : men === 1 && sen === 1;
            const trapped = cpu.hart.mcause === 2;
            if (trapped === legal) bad.push(`${csr.toString(16)} priv ${priv} mcounteren ${men} scounteren ${sen}`);
          }
        }
      }
    }
    expect(bad).toEqual([]);
  });

  it('the machine counters are not accessible below M-mode whatever mcounteren says', () => {
    for (const csr of [CSR.mcycle, CSR.minstret, CSR.mcycleh, CSR.minstreth]) {
      const cpu = hartWith([csrr(10, csr)], PRIV_S);
      cpu.hart.mcounteren = -1;
      cpu.run(1);
      expect([cpu.hart.mcause, cpu.hart.mepc], csr.toString(16)).toEqual([2, CODE]);
    }
  });
});
