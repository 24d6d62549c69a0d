import { describe, expect, it } from 'vitest';
import { createBareCpu, BARE_RAM_BASE } from './bare-cpu.js';
import { encode, insn } from '../isa/instructions.js';

const E = (name: string, o: Parameters<typeof encode>[1] = {}): number => encode(insn(name), o);

describe('hart smoke', () => {
  it('runs a counting loop and stops at an exact icount', () => {
    const cpu = createBareCpu();
    // a0 = 0; a1 = 10; loop: a0 += 3; a1 -= 1; bnez a1, loop; ebreak
    cpu.writeWords(BARE_RAM_BASE, [
      E('addi', { rd: 10, rs1: 0, imm: 0 }),
      E('addi', { rd: 11, rs1: 0, imm: 10 }),
      E('addi', { rd: 10, rs1: 10, imm: 3 }),
      E('addi', { rd: 11, rs1: 11, imm: -1 }),
      E('bne', { rs1: 11, rs2: 0, imm: -8 }),
      E('ebreak'),
    ]);
    expect(cpu.run(5)).toBe(5);
    expect(cpu.hart.x[10]).toBe(3);
    expect(cpu.hart.pc >>> 0).toBe(BARE_RAM_BASE + 8);
    cpu.run(2 + 3 * 10 - 5);
    expect(cpu.hart.x[10]).toBe(30);
    expect(cpu.hart.x[11]).toBe(0);
    expect(cpu.hart.icount).toBe(32);
    expect(cpu.hart.pc >>> 0).toBe(BARE_RAM_BASE + 20);
  });

  it('loads and stores RAM, and a store to code invalidates the block', () => {
    const cpu = createBareCpu();
    const base = BARE_RAM_BASE;
    cpu.writeWords(base, [
      E('lui', { rd: 5, imm: base | 0 }), // t0 = base
      E('lw', { rd: 6, rs1: 5, imm: 0x100 }),
      E('addi', { rd: 6, rs1: 6, imm: 1 }),
      E('sw', { rs1: 5, rs2: 6, imm: 0x104 }),
      E('lbu', { rd: 7, rs1: 5, imm: 0x107 }),
      E('lb', { rd: 28, rs1: 5, imm: 0x107 }),
    ]);
    cpu.writeWords(base + 0x100, [0x7ffffffe | 0x80000000]);
    cpu.run(6);
    expect(cpu.hart.x[6]! >>> 0).toBe(0xffffffff);
    expect(cpu.hart.x[7]).toBe(0xff);
    expect(cpu.hart.x[28]).toBe(-1);
  });

  it('takes an illegal-instruction trap to mtvec', () => {
    const cpu = createBareCpu();
    cpu.writeWords(BARE_RAM_BASE, [0xffffffff]);
    cpu.hart.mtvec = (BARE_RAM_BASE + 0x40) | 0;
    cpu.writeWords(BARE_RAM_BASE + 0x40, [E('addi', { rd: 10, rs1: 0, imm: 7 })]);
    // An instruction illegal at decode counts as executed (as QEMU's -icount counts it).
    expect(cpu.run(2)).toBe(2);
    expect(cpu.hart.mcause).toBe(2);
    expect(cpu.hart.mtval >>> 0).toBe(0xffffffff);
    expect(cpu.hart.mepc >>> 0).toBe(BARE_RAM_BASE);
    expect(cpu.hart.x[10]).toBe(7);
  });
});
