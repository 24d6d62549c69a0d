// RV32C tests. The compressed instructions are encoded here from the ISA manual's bit layouts
// (Volume I, chapter 16, figures and tables 16.5-16.8), written the way the manual writes them
// ("imm[5:4|9:6|2|3]"), independently of isa/compressed.ts. Every legal encoding, HINTs included,
// must expand to the base instruction the manual names; every other 16-bit value must be illegal.
// Then each form runs on the bare CPU against its 32-bit twin or its defined control transfer.

import { describe, expect, it } from 'vitest';
import { BARE_RAM_BASE, createBareCpu, type BareCpu } from '../cpu/bare-cpu.js';
import { E, prng } from '../cpu/test-asm.js';
import { expandCompressed } from './compressed.js';
import { decode16 } from './decode.js';
import { encode, insn } from './instructions.js';

const BASE = BARE_RAM_BASE | 0;
const CODE = BASE + 0x8000;
const HANDLER = BASE + 0x100;
const DATA = BASE + 0x4000;

/** Places the bits of `v` listed in `layout` (e.g. "11|4|9:8") into the instruction from bit `hi` down. */
function scatter(v: number, layout: string, hi: number): number {
  let w = 0;
  let pos = hi;
  for (const part of layout.split('|')) {
    const [top, bottom = top] = part.split(':').map(Number) as [number, number?];
    for (let b = top; b >= bottom!; b--) w |= ((v >>> b) & 1) << pos--;
  }
  return w;
}

interface Expansion { readonly cname: string; readonly base: string; readonly rd: number; readonly rs1: number; readonly rs2: number; readonly imm: number }
type Case = readonly [number, Expansion];
const X = (cname: string, base: string, rd: number, rs1: number, rs2: number, imm: number): Expansion =>
  ({ cname, base, rd, rs1, rs2, imm });

const range = (lo: number, hi: number, step = 1): number[] => {
  const out: number[] = [];
  for (let v = lo; v <= hi; v += step) out.push(v);
  return out;
};
const REGS = range(0, 31);
const RP = range(0, 7); // x8..x15 as rd', rs1', rs2'
const SIMM6 = range(-32, 31);

// Every legal encoding of each form, with the instruction it expands to. c.* names as the manual's.
const FORMS: Record<string, () => Case[]> = {
  'c.addi4spn': () => RP.flatMap((r) => range(4, 1020, 4).map((u): Case =>
    [scatter(u, '5:4|9:6|2|3', 12) | (r << 2), X('c.addi4spn', 'addi', r + 8, 2, 0, u)])),
  'c.lw': () => RP.flatMap((rd) => RP.flatMap((rs) => range(0, 124, 4).map((u): Case =>
    [(2 << 13) | scatter(u, '5:3', 12) | (rs << 7) | scatter(u, '2|6', 6) | (rd << 2), X('c.lw', 'lw', rd + 8, rs + 8, 0, u)]))),
  'c.sw': () => RP.flatMap((r2) => RP.flatMap((rs) => range(0, 124, 4).map((u): Case =>
    [(6 << 13) | scatter(u, '5:3', 12) | (rs << 7) | scatter(u, '2|6', 6) | (r2 << 2), X('c.sw', 'sw', 0, rs + 8, r2 + 8, u)]))),
  // c.nop is c.addi with rd = x0 (a HINT when the immediate is not zero); c.addi with imm 0 is a HINT.
  'c.addi': () => REGS.flatMap((rd) => SIMM6.map((i): Case =>
    [scatter(i, '5', 12) | (rd << 7) | scatter(i, '4:0', 6) | 1, X(rd === 0 ? 'c.nop' : 'c.addi', 'addi', rd, rd, 0, i)])),
  'c.jal': () => range(-2048, 2046, 2).map((i): Case =>
    [(1 << 13) | scatter(i, '11|4|9:8|10|6|7|3:1|5', 12) | 1, X('c.jal', 'jal', 1, 0, 0, i)]),
  'c.li': () => REGS.flatMap((rd) => SIMM6.map((i): Case =>
    [(2 << 13) | scatter(i, '5', 12) | (rd << 7) | scatter(i, '4:0', 6) | 1, X('c.li', 'addi', rd, 0, 0, i)])),
  'c.addi16sp': () => range(-512, 496, 16).filter((i) => i !== 0).map((i): Case =>
    [(3 << 13) | scatter(i, '9', 12) | (2 << 7) | scatter(i, '4|6|8:7|5', 6) | 1, X('c.addi16sp', 'addi', 2, 2, 0, i)]),
  'c.lui': () => REGS.filter((rd) => rd !== 2).flatMap((rd) => SIMM6.filter((i) => i !== 0).map((i): Case =>
    [(3 << 13) | scatter(i << 12, '17', 12) | (rd << 7) | scatter(i << 12, '16:12', 6) | 1, X('c.lui', 'lui', rd, 0, 0, i << 12)])),
  // Shift amount 0 is a HINT on RV32C; shamt[5] = 1 is reserved for custom use (tested as illegal).
  'c.srli': () => RP.flatMap((r) => range(0, 31).map((s): Case =>
    [(4 << 13) | (0 << 10) | (r << 7) | (s << 2) | 1, X('c.srli', 'srli', r + 8, r + 8, 0, s)])),
  'c.srai': () => RP.flatMap((r) => range(0, 31).map((s): Case =>
    [(4 << 13) | (1 << 10) | (r << 7) | (s << 2) | 1, X('c.srai', 'srai', r + 8, r + 8, 0, s)])),
  'c.andi': () => RP.flatMap((r) => SIMM6.map((i): Case =>
    [(4 << 13) | scatter(i, '5', 12) | (2 << 10) | (r << 7) | scatter(i, '4:0', 6) | 1, X('c.andi', 'andi', r + 8, r + 8, 0, i)])),
  'c.sub/xor/or/and': () => (['sub', 'xor', 'or', 'and'] as const).flatMap((op, f2) => RP.flatMap((r) => RP.map((r2): Case =>
    [(4 << 13) | (3 << 10) | (r << 7) | (f2 << 5) | (r2 << 2) | 1, X(`c.${op}`, op, r + 8, r + 8, r2 + 8, 0)]))),
  'c.j': () => range(-2048, 2046, 2).map((i): Case =>
    [(5 << 13) | scatter(i, '11|4|9:8|10|6|7|3:1|5', 12) | 1, X('c.j', 'jal', 0, 0, 0, i)]),
  'c.beqz/bnez': () => (['beqz', 'bnez'] as const).flatMap((op, k) => RP.flatMap((r) => range(-256, 254, 2).map((i): Case =>
    [((6 + k) << 13) | scatter(i, '8|4:3', 12) | (r << 7) | scatter(i, '7:6|2:1|5', 6) | 1,
      X(`c.${op}`, k === 0 ? 'beq' : 'bne', 0, r + 8, 0, i)]))),
  'c.slli': () => REGS.flatMap((rd) => range(0, 31).map((s): Case =>
    [(rd << 7) | (s << 2) | 2, X('c.slli', 'slli', rd, rd, 0, s)])),
  'c.lwsp': () => REGS.filter((rd) => rd !== 0).flatMap((rd) => range(0, 252, 4).map((u): Case =>
    [(2 << 13) | scatter(u, '5', 12) | (rd << 7) | scatter(u, '4:2|7:6', 6) | 2, X('c.lwsp', 'lw', rd, 2, 0, u)])),
  'c.jr': () => REGS.filter((r) => r !== 0).map((r): Case => [(4 << 13) | (r << 7) | 2, X('c.jr', 'jalr', 0, r, 0, 0)]),
  'c.mv': () => REGS.flatMap((rd) => REGS.filter((r) => r !== 0).map((r2): Case =>
    [(4 << 13) | (rd << 7) | (r2 << 2) | 2, X('c.mv', 'add', rd, 0, r2, 0)])),
  'c.ebreak': () => [[0x9002, X('c.ebreak', 'ebreak', 0, 0, 0, 0)]],
  'c.jalr': () => REGS.filter((r) => r !== 0).map((r): Case => [(4 << 13) | (1 << 12) | (r << 7) | 2, X('c.jalr', 'jalr', 1, r, 0, 0)]),
  'c.add': () => REGS.flatMap((rd) => REGS.filter((r) => r !== 0).map((r2): Case =>
    [(4 << 13) | (1 << 12) | (rd << 7) | (r2 << 2) | 2, X('c.add', 'add', rd, rd, r2, 0)])),
  'c.swsp': () => REGS.flatMap((r2) => range(0, 252, 4).map((u): Case =>
    [(6 << 13) | scatter(u, '5:2|7:6', 12) | (r2 << 2) | 2, X('c.swsp', 'sw', 0, 2, r2, u)])),
};

const ALL: Map<number, Expansion> = new Map();
for (const [form, gen] of Object.entries(FORMS)) {
  for (const [h, x] of gen()) {
    if (ALL.has(h)) throw new Error(`${form}: encoding ${h.toString(16)} listed twice`);
    ALL.set(h, x);
  }
}

describe('compressed decoding', () => {
  it('expands every legal 16-bit encoding as the manual defines, and rejects all others', () => {
    const bad: string[] = [];
    for (let h = 0; h < 0x10000; h++) {
      if ((h & 3) === 3) continue;
      const want = ALL.get(h);
      const e = expandCompressed(h);
      const got = e && X(e.cname, e.spec.name, e.rd, e.rs1, e.rs2, e.imm);
      if (JSON.stringify(got ?? null) !== JSON.stringify(want ?? null) && bad.length < 20) {
        bad.push(`${h.toString(16)}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
      }
      const d = decode16(h);
      if ((d.spec === null) !== (want === undefined) || d.len !== 2 || d.raw !== h) bad.push(`decode16 ${h.toString(16)}`);
    }
    expect(bad).toEqual([]);
  });

  it('covers every form the issue lists', () => {
    const names = new Set([...ALL.values()].map((x) => x.cname));
    for (const n of ['c.addi4spn', 'c.lw', 'c.sw', 'c.nop', 'c.addi', 'c.jal', 'c.li', 'c.addi16sp', 'c.lui', 'c.srli',
      'c.srai', 'c.andi', 'c.sub', 'c.xor', 'c.or', 'c.and', 'c.j', 'c.beqz', 'c.bnez', 'c.slli', 'c.lwsp', 'c.jr',
      'c.mv', 'c.ebreak', 'c.jalr', 'c.add', 'c.swsp']) expect(names.has(n), n).toBe(true);
  });
});

const PATTERN = ((): Uint8Array => {
  const r = prng(1);
  return Uint8Array.from({ length: 0x1000 }, () => r() & 0xff);
})();

/** A CPU with a spinning trap handler and the data pattern at DATA; reused across cases via reset(). */
function cpuWith(regs: Int32Array, cpu: BareCpu = createBareCpu(1 << 16)): BareCpu {
  cpu.bus.ram.set(PATTERN, DATA - BASE);
  cpu.hart.x.set(regs);
  cpu.hart.mtvec = HANDLER;
  cpu.hart.icount = 0;
  cpu.hart.mcause = 0;
  cpu.writeWords(HANDLER, [E('jal', { imm: 0 })]);
  return cpu;
}

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((v, i) => v === b[i]);

describe('compressed execution', () => {
  const r = prng(2024);
  const randomRegs = (): Int32Array => {
    const x = new Int32Array(32);
    for (let i = 1; i < 32; i++) x[i] = r();
    return x;
  };
  const sample = (cases: Case[], n: number): Case[] =>
    cases.length <= n ? cases : Array.from({ length: n }, () => cases[(r() >>> 0) % cases.length]!);

  const straight = Object.keys(FORMS).filter((f) => !['c.jal', 'c.j', 'c.beqz/bnez', 'c.jr', 'c.jalr', 'c.ebreak'].includes(f));
  for (const form of straight) {
    it(`${form} does what its 32-bit expansion does, with pc + 2`, () => {
      const cc = createBareCpu(1 << 16);
      const ww = createBareCpu(1 << 16);
      for (const [h, x] of sample(FORMS[form]!(), 60)) {
        const regs = randomRegs();
        if (x.base === 'lw' || x.base === 'sw') regs[x.rs1] = DATA + 0x200; // keep the access in RAM
        const c = cpuWith(regs, cc);
        const w = cpuWith(regs, ww);
        c.hart.pc = CODE;
        w.hart.pc = CODE;
        c.writeHalves(CODE, [h]);
        w.writeWords(CODE, [encode(insn(x.base), x)]);
        expect(c.run(1)).toBe(1);
        expect(w.run(1)).toBe(1);
        const what = `${x.cname} ${h.toString(16)}`;
        expect([c.hart.pc, w.hart.pc], what).toEqual([CODE + 2, CODE + 4]);
        expect(Array.from(c.hart.x), what).toEqual(Array.from(w.hart.x));
        expect(sameBytes(c.bus.ram.subarray(0x4000, 0x5000), w.bus.ram.subarray(0x4000, 0x5000)), what).toBe(true);
      }
    });
  }

  it('c.j and c.jal jump pc-relative; c.jal links pc + 2', () => {
    for (const [h, x] of sample([...FORMS['c.j']!(), ...FORMS['c.jal']!()], 80)) {
      const cpu = cpuWith(randomRegs());
      const before = Array.from(cpu.hart.x);
      cpu.hart.pc = CODE;
      cpu.writeHalves(CODE, [h]);
      cpu.run(1);
      expect(cpu.hart.pc).toBe(CODE + x.imm);
      if (x.cname === 'c.jal') before[1] = CODE + 2;
      expect(Array.from(cpu.hart.x)).toEqual(before);
    }
  });

  it('c.jr and c.jalr jump to rs1 with bit 0 cleared; c.jalr links pc + 2 even when rs1 is ra', () => {
    for (const [h, x] of [...FORMS['c.jr']!(), ...FORMS['c.jalr']!()]) {
      const regs = randomRegs();
      regs[x.rs1] = (BASE + 0x6001 + 2 * x.rs1) | 0;
      const cpu = cpuWith(regs);
      cpu.hart.pc = CODE;
      cpu.writeHalves(CODE, [h]);
      cpu.run(1);
      expect(cpu.hart.pc, x.cname).toBe(regs[x.rs1]! & ~1);
      const want = Array.from(regs);
      if (x.cname === 'c.jalr') want[1] = CODE + 2;
      expect(Array.from(cpu.hart.x)).toEqual(want);
    }
  });

  it('c.beqz and c.bnez branch on rs1 == 0, forward and backward, else fall through to pc + 2', () => {
    for (const [h, x] of sample(FORMS['c.beqz/bnez']!(), 120)) {
      for (const v of [0, 1, -1, 0x80000000 | 0]) {
        const regs = randomRegs();
        regs[x.rs1] = v;
        const cpu = cpuWith(regs);
        cpu.hart.pc = CODE;
        cpu.writeHalves(CODE, [h]);
        cpu.run(1);
        const taken = x.cname === 'c.beqz' ? v === 0 : v !== 0;
        expect(cpu.hart.pc, `${x.cname} ${x.imm} ${v}`).toBe(taken ? CODE + x.imm : CODE + 2);
      }
    }
  });

  it('c.ebreak raises a breakpoint with mepc at the instruction and mtval 0 (as QEMU 7.2)', () => {
    const cpu = cpuWith(randomRegs());
    cpu.hart.pc = CODE;
    cpu.writeHalves(CODE, [0x9002]);
    cpu.run(1);
    expect([cpu.hart.mcause, cpu.hart.mepc, cpu.hart.mtval, cpu.hart.icount]).toEqual([3, CODE, 0, 1]);
  });

  it('reserved and non-RV32IMAC encodings trap as illegal with the 16 bits in mtval', () => {
    const reserved: Record<string, number> = {
      'all zero': 0x0000, 'c.addi4spn zero imm': 0x0004, 'c.lui zero imm': 0x6081, 'c.lui x0 zero imm': 0x6001,
      'c.addi16sp zero imm': 0x6101, 'c.jr x0': 0x8002, 'c.lwsp x0': 0x4002, 'c.subw': 0x9c01, 'c.addw': 0x9c21,
      'reserved CA': 0x9c41, 'c.srli shamt[5]': 0x9001, 'c.srai shamt[5]': 0x9401, 'c.slli shamt[5]': 0x1006,
      'c.fld': 0x2000, 'c.flw': 0x6000, 'c.fsd': 0xa000, 'c.fsw': 0xe000, 'quadrant 0 reserved': 0x8000,
      'c.fldsp': 0x2002, 'c.flwsp': 0x6002, 'c.fsdsp': 0xa002, 'c.fswsp': 0xe002,
    };
    for (const [what, h] of Object.entries(reserved)) {
      expect(ALL.has(h), what).toBe(false);
      const cpu = cpuWith(randomRegs());
      const before = Array.from(cpu.hart.x);
      cpu.hart.pc = CODE;
      cpu.writeHalves(CODE, [h, 0x0001]);
      cpu.run(1); // the trap, then the handler's first instruction
      expect([cpu.hart.mcause, cpu.hart.mepc, cpu.hart.mtval, cpu.hart.icount], what).toEqual([2, CODE, h, 1]);
      expect(Array.from(cpu.hart.x)).toEqual(before);
    }
  });

  it('runs a stream mixing 16-bit and 32-bit instructions at 2-byte alignment', () => {
    const cpu = cpuWith(new Int32Array(32));
    const addi = (rd: number, rs1: number, imm: number): number => encode(insn('addi'), { rd, rs1, imm });
    // c.li a0, 5 | addi a1, a0, 100 (at +2) | c.addi a0, 3 | c.mv a2, a1 | c.add a2, a0 | addi a3, a2, -1
    const li5 = (2 << 13) | (10 << 7) | (5 << 2) | 1;
    const w1 = addi(11, 10, 100);
    const cadd3 = (10 << 7) | (3 << 2) | 1;
    const cmv = (4 << 13) | (12 << 7) | (11 << 2) | 2;
    const cadd = (4 << 13) | (1 << 12) | (12 << 7) | (10 << 2) | 2;
    const w2 = addi(13, 12, -1);
    cpu.writeHalves(CODE, [li5, w1 & 0xffff, w1 >>> 16, cadd3, cmv, cadd, w2 & 0xffff, w2 >>> 16]);
    cpu.hart.pc = CODE;
    expect(cpu.run(6)).toBe(6);
    expect(Array.from(cpu.hart.x.subarray(10, 14))).toEqual([8, 105, 113, 112]);
    expect(cpu.hart.pc).toBe(CODE + 16);
  });
});
