// Instruction tests generated from the table: every entry of INSTRUCTIONS is encoded with encode(),
// run on the bare CPU with edge-case and seeded random operands, and compared with an independent
// reference model written here with BigInt (not arith.ts, not the block compiler). This file covers
// the table itself, the ALU (I and M), lui/auipc and control transfers; memory and atomics are in
// instructions-mem.test.ts, compressed forms in compressed.test.ts, SYSTEM in cpu/privileged-*.test.ts.

import { describe, expect, it } from 'vitest';
import { BARE_RAM_BASE, createBareCpu, type BareCpu } from '../cpu/bare-cpu.js';
import { prng } from '../cpu/test-asm.js';
import { decode, decode32 } from './decode.js';
import { encode, INSTRUCTIONS, type InsnSpec, type Operands } from './instructions.js';

const BASE = BARE_RAM_BASE | 0;
const INT_MIN = -0x80000000;
const INT_MAX = 0x7fffffff;

const S = (v: number): bigint => BigInt.asIntN(32, BigInt(v));
const U = (v: number): bigint => BigInt.asUintN(32, BigInt(v));
const i32 = (v: bigint): number => Number(BigInt.asIntN(32, v));

// ---- reference model, by mnemonic (register and immediate forms share the operation) -------------

type Op2 = (a: number, b: number) => number;
const shamt = (b: number): bigint => U(b) & 31n;
const OPS: Record<string, Op2> = {
  add: (a, b) => i32(S(a) + S(b)),
  sub: (a, b) => i32(S(a) - S(b)),
  sll: (a, b) => i32(U(a) << shamt(b)),
  slt: (a, b) => (S(a) < S(b) ? 1 : 0),
  sltu: (a, b) => (U(a) < U(b) ? 1 : 0),
  xor: (a, b) => i32(S(a) ^ S(b)),
  srl: (a, b) => i32(U(a) >> shamt(b)),
  sra: (a, b) => i32(S(a) >> shamt(b)),
  or: (a, b) => i32(S(a) | S(b)),
  and: (a, b) => i32(S(a) & S(b)),
  mul: (a, b) => i32(S(a) * S(b)),
  mulh: (a, b) => i32((S(a) * S(b)) >> 32n),
  mulhsu: (a, b) => i32((S(a) * U(b)) >> 32n),
  mulhu: (a, b) => i32((U(a) * U(b)) >> 32n),
  // Volume I, 7.2: division by zero and overflow do not trap.
  div: (a, b) => (b === 0 ? -1 : a === INT_MIN && b === -1 ? INT_MIN : i32(S(a) / S(b))),
  divu: (a, b) => (b === 0 ? -1 : i32(U(a) / U(b))),
  rem: (a, b) => (b === 0 ? a : a === INT_MIN && b === -1 ? 0 : i32(S(a) % S(b))),
  remu: (a, b) => (b === 0 ? a : i32(U(a) % U(b))),
};
const IMM_OPS: Record<string, Op2> = {
  addi: OPS.add!, slti: OPS.slt!, sltiu: OPS.sltu!, xori: OPS.xor!, ori: OPS.or!, andi: OPS.and!,
  slli: OPS.sll!, srli: OPS.srl!, srai: OPS.sra!,
};
const BRANCH: Record<string, (a: number, b: number) => boolean> = {
  beq: (a, b) => S(a) === S(b), bne: (a, b) => S(a) !== S(b),
  blt: (a, b) => S(a) < S(b), bge: (a, b) => S(a) >= S(b),
  bltu: (a, b) => U(a) < U(b), bgeu: (a, b) => U(a) >= U(b),
};

// Operand values: the edges the spec singles out, then seeded random ones.
const rnd = prng(0x5eed);
const EDGES = [0, 1, -1, INT_MIN, INT_MAX, 0x80000001 | 0, 2, -2, 31, 32, 33, 63, 0xffff, 0x10000, 0x55555555, 0xaaaaaaaa | 0];
const VALUES = [...EDGES, ...Array.from({ length: 16 }, () => rnd())];
const IMMS = [0, 1, -1, 2, -2, 0x7ff, -0x800, 0x555, -0x556, 31, 32, ...Array.from({ length: 6 }, () => (rnd() << 20) >> 20)];

const byKind = (kind: InsnSpec['kind']): InsnSpec[] => INSTRUCTIONS.filter((s) => s.kind === kind);

/** Collects mismatches so hot loops stay cheap; the test asserts the list is empty at the end. */
class Mismatches {
  readonly list: string[] = [];
  eq(got: unknown, want: unknown, what: string): void {
    if (JSON.stringify(got) !== JSON.stringify(want) && this.list.length < 20) {
      this.list.push(`${what}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
    }
  }
  done(): void {
    expect(this.list).toEqual([]);
  }
}

/** One CPU per instruction word: the block stays cached, so thousands of operand pairs run fast. */
class OneInsn {
  readonly cpu: BareCpu = createBareCpu(1 << 16);
  constructor(readonly at = BASE) {}
  place(word: number): this {
    this.cpu.writeWords(this.at, [word]);
    return this;
  }
  /** Sets registers (index → value), runs the instruction once, returns the register file. */
  exec(regs: Record<number, number>): Int32Array {
    const h = this.cpu.hart;
    h.x.fill(0);
    for (const [r, v] of Object.entries(regs)) if (Number(r) !== 0) h.x[Number(r)] = v;
    h.pc = this.at;
    h.icount = 0;
    if (this.cpu.run(1) !== 1 || h.mcause !== 0) throw new Error(`instruction at ${this.at} trapped`);
    return h.x;
  }
}

describe('the instruction table', () => {
  it('has no two entries that match the same bits', () => {
    for (let i = 0; i < INSTRUCTIONS.length; i++) {
      for (let j = i + 1; j < INSTRUCTIONS.length; j++) {
        const a = INSTRUCTIONS[i]!, b = INSTRUCTIONS[j]!;
        // Some word matches both iff they agree on every bit both masks fix.
        const overlap = ((a.match ^ b.match) & a.mask & b.mask) === 0;
        expect(overlap, `${a.name} and ${b.name} overlap`).toBe(false);
      }
    }
  });

  it('has unique names and match bits inside each mask', () => {
    expect(new Set(INSTRUCTIONS.map((s) => s.name)).size).toBe(INSTRUCTIONS.length);
    for (const s of INSTRUCTIONS) expect((s.match & ~s.mask) >>> 0, s.name).toBe(0);
  });

  it('round-trips decode(encode(x)) for every entry with random operands', () => {
    const r = prng(7);
    const reg = (): number => (r() >>> 0) % 32;
    const even = (lo: number, hi: number): number => lo + 2 * ((r() >>> 0) % ((hi - lo) / 2 + 1));
    const m = new Mismatches();
    for (const spec of INSTRUCTIONS) {
      for (let n = 0; n < 100; n++) {
        const o: Operands = { rd: reg(), rs1: reg(), rs2: reg() };
        switch (spec.format) {
          case 'I': case 'S': o.imm = (r() << 20) >> 20; break;
          case 'SHIFT': case 'CSRI': o.imm = reg(); break;
          case 'B': o.imm = even(-4096, 4094); break;
          case 'J': o.imm = even(-(1 << 20), (1 << 20) - 2); break;
          case 'U': o.imm = r() & 0xfffff000; break;
          default: break;
        }
        if (spec.format === 'CSR' || spec.format === 'CSRI') o.csr = (r() >>> 0) & 0xfff;
        const word = encode(spec, o);
        const d = decode32(word);
        const what = `${spec.name} ${word.toString(16)}`;
        m.eq([d.spec?.name, d.len, d.raw >>> 0], [spec.name, 4, word], what);
        const f = spec.format;
        if (['R', 'AMO', 'LR', 'I', 'SHIFT', 'U', 'J', 'CSR', 'CSRI'].includes(f)) m.eq(d.rd, o.rd, `${what} rd`);
        if (['R', 'AMO', 'LR', 'SFENCE', 'I', 'SHIFT', 'S', 'B', 'CSR'].includes(f)) m.eq(d.rs1, o.rs1, `${what} rs1`);
        if (['R', 'AMO', 'SFENCE', 'S', 'B'].includes(f)) m.eq(d.rs2, o.rs2, `${what} rs2`);
        if (o.imm !== undefined) m.eq(d.imm, o.imm, `${what} imm`);
        if (o.csr !== undefined) m.eq(d.csr, o.csr, `${what} csr`);
        // And back: the decoded operands encode to the same word.
        const again = encode(spec, { rd: d.rd, rs1: f === 'CSRI' ? 0 : d.rs1, rs2: d.rs2, imm: d.imm, csr: d.csr });
        m.eq(again, f === 'NONE' || f === 'LR' || f === 'SFENCE' ? encode(spec, o) : word, `${what} re-encoded`);
      }
    }
    m.done();
  });

  it('decodes random words to the one entry that matches them, or to illegal', () => {
    const r = prng(99);
    const m = new Mismatches();
    // Random words hit few real opcodes, so also take every table entry's match with random
    // don't-care bits (which must decode to that entry or, if more specific, another one).
    const words = Array.from({ length: 30_000 }, () => (r() | 3) >>> 0);
    for (const s of INSTRUCTIONS) for (let n = 0; n < 50; n++) words.push(((r() & ~s.mask) | s.match) >>> 0);
    for (const w of words) {
      const matches = INSTRUCTIONS.filter((s) => ((w & s.mask) >>> 0) === s.match).map((s) => s.name);
      m.eq(matches.length <= 1, true, `${w.toString(16)} matches ${matches.join(', ')}`);
      m.eq(decode32(w).spec?.name ?? null, matches[0] ?? null, w.toString(16));
      m.eq(decode(w & 0xffff, w >>> 16).spec?.name ?? null, matches[0] ?? null, `${w.toString(16)} via decode`);
    }
    m.done();
  });

  it('rejects immediates the format cannot hold', () => {
    const bad: Array<[string, number]> = [
      ['addi', 2048], ['addi', -2049], ['slli', 32], ['slli', -1], ['sw', 2048], ['beq', 3], ['beq', 4096],
      ['jal', 1 << 20], ['jal', 1], ['csrrwi', 32],
    ];
    for (const [name, imm] of bad) {
      expect(() => encode(INSTRUCTIONS.find((s) => s.name === name)!, { imm }), `${name} ${imm}`).toThrow(RangeError);
    }
  });

  it('has a reference model here or a dedicated suite for every entry', () => {
    const elsewhere = new Set(['load', 'store', 'amo', 'lr', 'sc', 'system', 'fence']);
    for (const s of INSTRUCTIONS) {
      if (s.kind === 'alu') expect(OPS[s.name] ?? IMM_OPS[s.name], s.name).toBeDefined();
      else if (s.kind === 'branch') expect(BRANCH[s.name], s.name).toBeDefined();
      else if (!['lui', 'auipc', 'jal', 'jalr'].includes(s.kind)) expect(elsewhere.has(s.kind), s.name).toBe(true);
    }
  });
});

describe('ALU instructions against the BigInt reference', () => {
  for (const spec of byKind('alu').filter((s) => s.format === 'R')) {
    it(`${spec.name} rd, rs1, rs2 for every pair of edge and random values`, () => {
      const ref = OPS[spec.name]!;
      const t = new OneInsn().place(encode(spec, { rd: 3, rs1: 1, rs2: 2 }));
      const m = new Mismatches();
      for (const a of VALUES) {
        for (const b of VALUES) {
          const x = t.exec({ 1: a, 2: b, 4: 0x1234 });
          m.eq([x[3], x[0], x[1], x[2], x[4]], [ref(a, b), 0, a, b, 0x1234], `${spec.name} ${a} ${b}`);
        }
      }
      m.done();
    });

    it(`${spec.name} with aliased registers and rd = x0`, () => {
      const ref = OPS[spec.name]!;
      const same = new OneInsn().place(encode(spec, { rd: 5, rs1: 5, rs2: 5 }));
      const rd1 = new OneInsn().place(encode(spec, { rd: 5, rs1: 5, rs2: 6 }));
      const rd2 = new OneInsn().place(encode(spec, { rd: 6, rs1: 5, rs2: 6 }));
      const zero = new OneInsn().place(encode(spec, { rd: 0, rs1: 5, rs2: 6 }));
      const m = new Mismatches();
      for (const a of VALUES) {
        for (const b of EDGES) {
          m.eq(same.exec({ 5: a })[5], ref(a, a), `x5 = x5 op x5, ${a}`);
          m.eq(rd1.exec({ 5: a, 6: b })[5], ref(a, b), `x5 = x5 op x6, ${a} ${b}`);
          m.eq(rd2.exec({ 5: a, 6: b })[6], ref(a, b), `x6 = x5 op x6, ${a} ${b}`);
          const z = zero.exec({ 5: a, 6: b });
          m.eq([z[0], z[5], z[6]], [0, a, b], `x0 = x5 op x6, ${a} ${b}`);
        }
      }
      m.done();
    });
  }

  for (const spec of byKind('alu').filter((s) => s.format !== 'R')) {
    const imms = spec.format === 'SHIFT' ? Array.from({ length: 32 }, (_, i) => i) : IMMS;
    it(`${spec.name} rd, rs1, imm for edge immediates, rd == rs1 and rd = x0`, () => {
      const ref = IMM_OPS[spec.name]!;
      const m = new Mismatches();
      for (const imm of imms) {
        const t = new OneInsn().place(encode(spec, { rd: 3, rs1: 1, imm }));
        const alias = new OneInsn().place(encode(spec, { rd: 1, rs1: 1, imm }));
        const zero = new OneInsn().place(encode(spec, { rd: 0, rs1: 1, imm }));
        for (const a of VALUES) {
          m.eq(t.exec({ 1: a })[3], ref(a, imm), `${spec.name} x3, ${a}, ${imm}`);
          m.eq(alias.exec({ 1: a })[1], ref(a, imm), `${spec.name} x1, ${a}, ${imm}`);
          const z = zero.exec({ 1: a });
          m.eq([z[0], z[1]], [0, a], `${spec.name} x0, ${a}, ${imm}`);
        }
      }
      m.done();
    });
  }

  it('register shifts use only the low 5 bits of rs2', () => {
    for (const name of ['sll', 'srl', 'sra']) {
      const spec = INSTRUCTIONS.find((s) => s.name === name)!;
      const t = new OneInsn().place(encode(spec, { rd: 3, rs1: 1, rs2: 2 }));
      for (const amount of [0, 1, 31, 32, 33, 63, 64 + 5, -1, INT_MIN, 0xffffffe1 | 0]) {
        const x = t.exec({ 1: 0x80000001 | 0, 2: amount });
        expect(x[3]).toBe(OPS[name]!(0x80000001 | 0, amount & 31));
      }
    }
  });

  it('divides by zero and overflows without trapping, as the M extension defines', () => {
    const cases: Array<[string, number, number, number]> = [
      ['div', 7, 0, -1], ['divu', 7, 0, -1], ['rem', 7, 0, 7], ['remu', 7, 0, 7],
      ['div', INT_MIN, -1, INT_MIN], ['rem', INT_MIN, -1, 0], ['divu', INT_MIN, -1, 0], ['remu', INT_MIN, -1, INT_MIN],
      ['div', -7, 2, -3], ['rem', -7, 2, -1], ['div', 7, -2, -3], ['rem', 7, -2, 1],
      ['mulh', -1, -1, 0], ['mulhsu', -1, -1, -1], ['mulhu', -1, -1, -2], ['mulh', INT_MIN, INT_MIN, 0x40000000],
      ['mulhsu', INT_MIN, -1, INT_MIN], ['mulhu', INT_MIN, INT_MIN, 0x40000000],
      ['slt', -1, 1, 1], ['sltu', -1, 1, 0], ['slt', INT_MIN, INT_MAX, 1], ['sltu', INT_MIN, INT_MAX, 0],
    ];
    for (const [name, a, b, want] of cases) {
      const t = new OneInsn().place(encode(INSTRUCTIONS.find((s) => s.name === name)!, { rd: 3, rs1: 1, rs2: 2 }));
      expect(t.exec({ 1: a, 2: b })[3], `${name} ${a} ${b}`).toBe(want);
    }
  });
});

describe('lui, auipc, jal and jalr', () => {
  const spec = (name: string): InsnSpec => INSTRUCTIONS.find((s) => s.name === name)!;

  it('lui loads the upper immediate and auipc adds it to its own pc', () => {
    for (const imm of [0, 0x1000, 0xfffff000 | 0, INT_MIN, 0x7ffff000, rnd() & 0xfffff000]) {
      for (const at of [BASE, BASE + 0x7ffc]) {
        expect(new OneInsn(at).place(encode(spec('lui'), { rd: 7, imm })).exec({ 7: 99 })[7]).toBe(imm);
        expect(new OneInsn(at).place(encode(spec('auipc'), { rd: 7, imm })).exec({})[7]).toBe((at + imm) | 0);
        expect(new OneInsn(at).place(encode(spec('lui'), { rd: 0, imm })).exec({})[0]).toBe(0);
        expect(new OneInsn(at).place(encode(spec('auipc'), { rd: 0, imm })).exec({})[0]).toBe(0);
      }
    }
  });

  it('jal links pc+4 and jumps forward and backward', () => {
    const at = BASE + 0x8000;
    for (const off of [4, 8, -4, -0x8000, 0x7ffe, 2, -2]) {
      for (const rd of [1, 5, 0]) {
        const t = new OneInsn(at).place(encode(spec('jal'), { rd, imm: off }));
        const x = t.exec({});
        expect(t.cpu.hart.pc).toBe((at + off) | 0);
        expect(x[rd]).toBe(rd === 0 ? 0 : at + 4);
      }
    }
  });

  it('jalr jumps to (rs1 + imm) with bit 0 cleared, computing the target before writing rd', () => {
    const at = BASE + 0x100;
    const target = BASE + 0x4000;
    const cases = [[target, 0], [target + 1, 0], [target - 1, 2], [target + 2047, -2047], [target - 0x800, 0x7ff], [target + 0x801, -0x800]];
    for (const [rs1v, imm] of cases as Array<[number, number]>) {
      for (const [rd, rs1] of [[1, 5], [5, 5], [0, 5]] as const) {
        const t = new OneInsn(at).place(encode(spec('jalr'), { rd, rs1, imm }));
        const x = t.exec({ 5: rs1v });
        expect(t.cpu.hart.pc).toBe(((rs1v + imm) & ~1) | 0);
        expect(x[rd]).toBe(rd === 0 ? 0 : at + 4);
      }
    }
    // From x0 the target is the sign-extended immediate (bit 0 cleared).
    for (const imm of [0x7ff, -1, -0x800]) {
      const t = new OneInsn(at).place(encode(spec('jalr'), { rd: 1, rs1: 0, imm }));
      expect(t.exec({})[1]).toBe(at + 4);
      expect(t.cpu.hart.pc).toBe(imm & ~1);
    }
  });

  for (const b of byKind('branch')) {
    it(`${b.name} is taken exactly when the reference says, forward and backward`, () => {
      const ref = BRANCH[b.name]!;
      const at = BASE + 0x4000;
      const seen = new Set<string>();
      const m = new Mismatches();
      for (const off of [8, -8, 2, -2, 4094, -4096]) {
        const t = new OneInsn(at).place(encode(b, { rs1: 1, rs2: 2, imm: off }));
        for (const a of VALUES) {
          for (const c of VALUES) {
            const taken = ref(a, c);
            const x = t.exec({ 1: a, 2: c });
            m.eq([t.cpu.hart.pc, x[1], x[2]], [taken ? (at + off) | 0 : at + 4, a, c], `${b.name} ${a} ${c} ${off}`);
            seen.add(`${taken}${off > 0}`);
          }
        }
        // Same register on both sides.
        const same = new OneInsn(at).place(encode(b, { rs1: 3, rs2: 3, imm: off }));
        same.exec({ 3: -5 });
        expect(same.cpu.hart.pc).toBe(ref(-5, -5) ? (at + off) | 0 : at + 4);
      }
      m.done();
      expect(seen).toEqual(new Set(['truetrue', 'truefalse', 'falsetrue', 'falsefalse']));
    });
  }
});
