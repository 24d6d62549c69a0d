// Memory instructions generated from the table: every load, store, LR/SC and AMO entry of
// INSTRUCTIONS runs on the bare CPU and is compared with a byte-array reference model written here.
// Misaligned loads and stores complete byte-wise without trapping (as on QEMU's virt machine);
// misaligned LR raises a load-misaligned exception, misaligned SC and AMOs a store/AMO-misaligned one.

import { describe, expect, it } from 'vitest';
import { BARE_RAM_BASE, createBareCpu, type BareCpu } from '../cpu/bare-cpu.js';
import { E, prng } from '../cpu/test-asm.js';
import { encode, INSTRUCTIONS, type InsnSpec } from './instructions.js';

const BASE = BARE_RAM_BASE | 0;
const CODE = BASE;
const HANDLER = BASE + 0x100;
const DATA = BASE + 0x4000; // 16 KiB of data from here, past the code page
const DATA_SIZE = 0x4000;
const INT_MIN = -0x80000000;

const byKind = (...kinds: Array<InsnSpec['kind']>): InsnSpec[] => INSTRUCTIONS.filter((s) => kinds.includes(s.kind));

/** A CPU with random data, a trap handler that spins, and a JS copy of the data to model it. */
function setup(seed: number): { cpu: BareCpu; mem: Uint8Array } {
  const cpu = createBareCpu(1 << 16);
  const mem = new Uint8Array(DATA_SIZE);
  const r = prng(seed);
  for (let i = 0; i < DATA_SIZE; i++) mem[i] = r() & 0xff;
  // Values whose sign bit matters, at every alignment.
  mem.set([0x80, 0xff, 0x7f, 0x00, 0x01, 0x80, 0x00, 0x80], 0x800);
  cpu.bus.ram.set(mem, DATA - BASE);
  cpu.writeWords(HANDLER, [E('jal', { imm: 0 })]);
  cpu.hart.mtvec = HANDLER;
  return { cpu, mem };
}

/** Runs the word at CODE once with the given registers; returns the number of instructions retired. */
function exec1(cpu: BareCpu, word: number, regs: Record<number, number>): number {
  const h = cpu.hart;
  cpu.writeWords(CODE, [word]);
  h.x.fill(0);
  for (const [r, v] of Object.entries(regs)) if (Number(r) !== 0) h.x[Number(r)] = v;
  h.pc = CODE;
  h.icount = 0;
  h.mcause = 0;
  h.mtval = 0;
  h.mepc = 0;
  cpu.executor.run(1);
  h.exit = 0;
  return h.icount;
}

const readLE = (m: Uint8Array, off: number, size: number): number => {
  let v = 0;
  for (let i = size - 1; i >= 0; i--) v = (v * 256) + m[off + i]!;
  return v;
};
const writeLE = (m: Uint8Array, off: number, size: number, value: number): void => {
  for (let i = 0; i < size; i++) m[off + i] = (value >>> (8 * i)) & 0xff;
};
const LOAD_REF: Record<string, (m: Uint8Array, off: number) => number> = {
  lb: (m, o) => (readLE(m, o, 1) << 24) >> 24,
  lbu: (m, o) => readLE(m, o, 1),
  lh: (m, o) => (readLE(m, o, 2) << 16) >> 16,
  lhu: (m, o) => readLE(m, o, 2),
  lw: (m, o) => readLE(m, o, 4) | 0,
};
const STORE_SIZE: Record<string, number> = { sb: 1, sh: 2, sw: 4 };
const AMO_REF: Record<string, (old: number, src: number) => number> = {
  'amoswap.w': (_o, s) => s,
  'amoadd.w': (o, s) => Number(BigInt.asIntN(32, BigInt(o) + BigInt(s))),
  'amoxor.w': (o, s) => o ^ s,
  'amoand.w': (o, s) => o & s,
  'amoor.w': (o, s) => o | s,
  'amomin.w': (o, s) => (BigInt(o) < BigInt(s) ? o : s),
  'amomax.w': (o, s) => (BigInt(o) > BigInt(s) ? o : s),
  'amominu.w': (o, s) => (BigInt(o >>> 0) < BigInt(s >>> 0) ? o : s),
  'amomaxu.w': (o, s) => (BigInt(o >>> 0) > BigInt(s >>> 0) ? o : s),
};
const EDGES = [0, 1, -1, INT_MIN, 0x7fffffff, 0x80000001 | 0, 0x55aa55aa, 0xaa55aa55 | 0];

function ramBytes(cpu: BareCpu): Uint8Array {
  return cpu.bus.ram.subarray(DATA - BASE, DATA - BASE + DATA_SIZE);
}

describe('loads and stores against a byte-array model', () => {
  it('has a reference for every load and store in the table', () => {
    for (const s of byKind('load')) expect(LOAD_REF[s.name], s.name).toBeDefined();
    for (const s of byKind('store')) expect(STORE_SIZE[s.name], s.name).toBe(s.size);
    for (const s of byKind('amo')) expect(AMO_REF[s.name], s.name).toBeDefined();
  });

  for (const spec of byKind('load')) {
    it(`${spec.name} sign- or zero-extends at every alignment and immediate, misaligned without a trap`, () => {
      const { cpu, mem } = setup(1);
      const bad: string[] = [];
      for (const imm of [0, 1, 2, 3, -1, -2, -3, 2047, -2048, 5, 6, 7]) {
        for (const baseOff of [0x800, 0x801, 0x802, 0x803, 0x1000, 0x1ffe, 0x2ffd]) {
          const addr = DATA + baseOff - imm;
          const off = baseOff;
          const want = LOAD_REF[spec.name]!(mem, off);
          // rd distinct from rs1, rd == rs1, and rd = x0.
          for (const [rd, rs1] of [[3, 1], [1, 1], [0, 1]] as const) {
            const n = exec1(cpu, encode(spec, { rd, rs1, imm }), { [rs1]: addr, 2: 77 });
            const x = cpu.hart.x;
            const got = [n, x[0], x[rd], x[2], rd === rs1 ? addr : x[rs1]];
            const exp = [1, 0, rd === 0 ? 0 : want, 77, addr];
            if (JSON.stringify(got) !== JSON.stringify(exp)) bad.push(`${spec.name} x${rd}, ${imm}(x${rs1}) @${off.toString(16)}: ${got} vs ${exp}`);
          }
        }
      }
      expect(bad).toEqual([]);
    });
  }

  for (const spec of byKind('store')) {
    it(`${spec.name} writes exactly its bytes at every alignment, misaligned and across pages`, () => {
      const { cpu, mem } = setup(2);
      const r = prng(3);
      const size = STORE_SIZE[spec.name]!;
      for (const imm of [0, 1, 3, -1, 2047, -2048]) {
        for (const off of [0x10, 0x11, 0x12, 0x13, 0xffd, 0xffe, 0xfff, 0x2ffe]) {
          for (const value of [...EDGES, r()]) {
            expect(exec1(cpu, encode(spec, { rs1: 5, rs2: 6, imm }), { 5: DATA + off - imm, 6: value })).toBe(1);
            writeLE(mem, off, size, value);
          }
        }
      }
      // Storing a register to an address computed from itself.
      exec1(cpu, encode(spec, { rs1: 7, rs2: 7, imm: 4 }), { 7: DATA + 0x40 });
      writeLE(mem, 0x44, size, DATA + 0x40);
      // Storing x0 stores zero.
      exec1(cpu, encode(spec, { rs1: 7, rs2: 0, imm: 1 }), { 7: DATA + 0x50 });
      writeLE(mem, 0x51, size, 0);
      expect(ramBytes(cpu)).toEqual(mem);
      expect(cpu.hart.mcause).toBe(0);
    });
  }

  it('a load into x0 still performs the access: it faults like any other load', () => {
    const { cpu } = setup(13);
    for (const spec of byKind('load')) {
      expect(exec1(cpu, encode(spec, { rd: 0, rs1: 1 }), { 1: 0x1000 }), spec.name).toBe(0);
      expect([cpu.hart.mcause, cpu.hart.mtval]).toEqual([5, 0x1000]);
    }
  });

  it('fence and fence.i retire as no-ops whatever their ignored fields hold', () => {
    const { cpu } = setup(14);
    for (const w of [0x0ff0000f, 0x8330000f, 0x0100000f, 0x0000100f, 0xfff0908f | 0, 0x00b5100f]) {
      expect(exec1(cpu, w, { 1: 5, 11: 6 }), w.toString(16)).toBe(1);
      expect([cpu.hart.pc, cpu.hart.x[1], cpu.hart.x[11], cpu.hart.mcause]).toEqual([CODE + 4, 5, 6, 0]);
    }
  });

  it('loads and stores outside RAM and ROM raise access faults with the address in mtval', () => {
    const { cpu } = setup(4);
    for (const [spec, cause] of [...byKind('load').map((s) => [s, 5] as const), ...byKind('store').map((s) => [s, 7] as const)]) {
      const word = spec.kind === 'load' ? encode(spec, { rd: 3, rs1: 1, imm: 4 }) : encode(spec, { rs1: 1, rs2: 2, imm: 4 });
      expect(exec1(cpu, word, { 1: 0x1000, 3: 55 }), spec.name).toBe(0);
      expect([cpu.hart.mcause, cpu.hart.mtval, cpu.hart.mepc, cpu.hart.x[3]]).toEqual([cause, 0x1004, CODE, 55]);
      expect(cpu.hart.pc).toBe(HANDLER);
    }
  });
});

describe('LR/SC reservations', () => {
  const LR = (rd: number, rs1: number): number => E('lr.w', { rd, rs1 });
  const SC = (rd: number, rs1: number, rs2: number): number => E('sc.w', { rd, rs1, rs2 });
  const A = DATA + 0x100;

  /** Runs `words` from CODE with x10 = A, x11 = A + 4, x12 = 0x1234; returns the CPU. */
  function runSeq(words: number[], steps = words.length): BareCpu {
    const { cpu } = setup(5);
    cpu.writeWords(CODE, words);
    cpu.hart.x.set([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, A, A + 4, 0x1234]);
    cpu.run(steps);
    return cpu;
  }
  const word = (cpu: BareCpu, addr: number): number => cpu.bus.ram32[(addr - BASE) >> 2]!;

  it('SC without a preceding LR fails with rd = 1 and does not write', () => {
    const cpu = runSeq([E('addi', { rd: 5, imm: 9 }), SC(5, 10, 12)]);
    expect(cpu.hart.x[5]).toBe(1);
    expect(word(cpu, A)).not.toBe(0x1234);
  });

  it('SC after LR to the same address succeeds with rd = 0 and writes; LR returns the old value', () => {
    const before = runSeq([]).bus.ram32[(A - BASE) >> 2]!;
    const cpu = runSeq([LR(6, 10), SC(5, 10, 12)]);
    expect([cpu.hart.x[6], cpu.hart.x[5], word(cpu, A)]).toEqual([before, 0, 0x1234]);
  });

  it('SC to a different address fails and clears the reservation', () => {
    const cpu = runSeq([LR(6, 10), SC(5, 11, 12), SC(7, 10, 12)]);
    expect([cpu.hart.x[5], cpu.hart.x[7]]).toEqual([1, 1]);
    expect(word(cpu, A + 4)).not.toBe(0x1234);
    expect(word(cpu, A)).not.toBe(0x1234);
  });

  it('a second SC after a successful one fails', () => {
    const cpu = runSeq([LR(6, 10), SC(5, 10, 12), E('addi', { rd: 12, rs1: 12, imm: 1 }), SC(7, 10, 12)]);
    expect([cpu.hart.x[5], cpu.hart.x[7], word(cpu, A)]).toEqual([0, 1, 0x1234]);
  });

  it('SC with rd = rs2 reports success in rd after storing the old rs2', () => {
    const cpu = runSeq([LR(6, 10), SC(12, 10, 12)]);
    expect([cpu.hart.x[12], word(cpu, A)]).toEqual([0, 0x1234]);
  });

  it('a trap between LR and SC clears the reservation, as QEMU does on every privilege switch', () => {
    const { cpu } = setup(6);
    cpu.writeWords(HANDLER, [E('csrrs', { rd: 20, csr: 0x341 }), E('addi', { rd: 20, rs1: 20, imm: 4 }),
      E('csrrw', { rs1: 20, csr: 0x341 }), E('mret')]);
    cpu.writeWords(CODE, [LR(6, 10), E('ecall'), SC(5, 10, 12)]);
    cpu.hart.x.set([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, A, A + 4, 0x1234]);
    cpu.hart.mstatus |= 3 << 11; // mret back to M
    cpu.run(1 + 1 + 4 + 1); // ecall counts as executed, as with QEMU's -icount
    expect(cpu.hart.pc).toBe(CODE + 12);
    expect(cpu.hart.x[5]).toBe(1);
  });

  it('trap entry alone clears the reservation: an SC in the handler fails', () => {
    const { cpu } = setup(6);
    cpu.writeWords(HANDLER, [SC(5, 10, 12)]);
    cpu.writeWords(CODE, [LR(6, 10), E('ecall')]);
    cpu.hart.x.set([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, A, A + 4, 0x1234]);
    cpu.run(3);
    expect([cpu.hart.pc, cpu.hart.x[5]]).toEqual([HANDLER + 4, 1]);
  });

  it('misaligned LR raises load-misaligned (4); misaligned SC raises store/AMO-misaligned (6)', () => {
    for (const [words, cause] of [[[LR(6, 13)], 4], [[LR(6, 10), SC(5, 13, 12)], 6], [[SC(5, 13, 12)], 6]] as const) {
      const { cpu } = setup(7);
      cpu.writeWords(CODE, [...words]);
      cpu.hart.x[6] = 99;
      cpu.hart.x[5] = 98;
      cpu.hart.x[10] = A;
      cpu.hart.x[13] = A + 2;
      cpu.run(words.length);
      expect([cpu.hart.mcause, cpu.hart.mtval, cpu.hart.mepc]).toEqual([cause, A + 2, CODE + 4 * (words.length - 1)]);
      expect(cpu.hart.x[5]).toBe(98);
      if (words.length === 1 && cause === 4) expect(cpu.hart.x[6]).toBe(99);
    }
  });
});

describe('AMOs against the reference', () => {
  for (const spec of byKind('amo')) {
    it(`${spec.name} writes op(old, rs2) and returns the old value in rd`, () => {
      const ref = AMO_REF[spec.name]!;
      const { cpu } = setup(8);
      const r = prng(9);
      const addr = DATA + 0x200;
      const bad: string[] = [];
      const values = [...EDGES, r(), r(), r()];
      for (const old of values) {
        for (const src of values) {
          // rd distinct, rd == rs2 (rd gets the old value; memory gets op(old, original rs2)),
          // rd == rs1 (the address register then holds the old value), rd = x0.
          for (const [rd, rs2] of [[3, 2], [2, 2], [1, 2], [0, 2]] as const) {
            cpu.bus.ram32[(addr - BASE) >> 2] = old;
            exec1(cpu, encode(spec, { rd, rs1: 1, rs2 }), { 1: addr, 2: src });
            const got = [cpu.hart.x[rd], cpu.bus.ram32[(addr - BASE) >> 2], cpu.hart.x[1], cpu.hart.icount];
            const exp = [rd === 0 ? 0 : old, ref(old, src), rd === 1 ? old : addr, 1];
            if (JSON.stringify(got) !== JSON.stringify(exp)) bad.push(`${spec.name} old ${old} src ${src} rd x${rd}: ${got} vs ${exp}`);
          }
        }
      }
      expect(bad).toEqual([]);
    });
  }

  it('signed and unsigned min/max disagree on negative numbers', () => {
    const { cpu } = setup(10);
    const addr = DATA + 0x300;
    const results: Record<string, number> = {};
    for (const name of ['amomin.w', 'amomax.w', 'amominu.w', 'amomaxu.w']) {
      cpu.bus.ram32[(addr - BASE) >> 2] = -1;
      exec1(cpu, E(name, { rd: 3, rs1: 1, rs2: 2 }), { 1: addr, 2: 1 });
      results[name] = cpu.bus.ram32[(addr - BASE) >> 2]!;
    }
    expect(results).toEqual({ 'amomin.w': -1, 'amomax.w': 1, 'amominu.w': 1, 'amomaxu.w': -1 });
  });

  it('a misaligned AMO raises store/AMO-misaligned (6) and changes nothing', () => {
    for (const spec of byKind('amo')) {
      const { cpu, mem } = setup(11);
      exec1(cpu, encode(spec, { rd: 3, rs1: 1, rs2: 2 }), { 1: DATA + 0x102, 2: 5, 3: 7 });
      expect([cpu.hart.mcause, cpu.hart.mtval, cpu.hart.x[3]], spec.name).toEqual([6, DATA + 0x102, 7]);
      expect(ramBytes(cpu)).toEqual(mem);
    }
  });

  it('an AMO outside RAM raises a store/AMO access fault (7)', () => {
    const { cpu } = setup(12);
    exec1(cpu, E('amoadd.w', { rd: 3, rs1: 1, rs2: 2 }), { 1: 0x2000, 2: 5 });
    expect([cpu.hart.mcause, cpu.hart.mtval]).toEqual([7, 0x2000]);
  });
});
