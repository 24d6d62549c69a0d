// Random RV32IMAC programs for property tests of the write index (and anything else that needs
// guest code with many colliding memory writes). A seed gives a program; the same seed, the same
// program.
//
// Shape: a few phases; each points s0 (and sp) at a window of a 1 KiB data region that straddles
// a page boundary and runs a loop (with the odd inner loop and forward branch) of random ALU and M
// instructions, byte/half/word loads and stores (static offsets, aligned or not, and addresses
// computed from data), AMOs, LR/SC pairs and compressed loads, stores and ALU ops. Windows of
// different phases overlap, so writes collide across phases; within a phase they cluster in
// two or three 64-byte lines, so many snapshot intervals leave most lines unwritten (what lets
// the write index skip intervals). The program ends by writing 0x5555 (pass) to the SiFive test
// finisher at 0x00100000. Interrupts stay disabled and no instruction traps.

import { expandCompressed } from '../../engine/isa/compressed.js';
import { encode, insn } from '../../engine/isa/instructions.js';
import { buildElf32 } from './elf-builder.js';
import { Prng } from './prng.js';

export const PROGRAM_BASE = 0x8000_0000;
/** The data region: [DATA_BASE, DATA_BASE + DATA_SIZE), across the page boundary at 0x80003000. */
export const DATA_BASE = 0x8000_2e00;
export const DATA_SIZE = 0x400;
const WINDOW = 128;
const FINISHER = 0x0010_0000;

export interface RandomProgram {
  readonly seed: number;
  /** The ELF: one PT_LOAD at PROGRAM_BASE holding the code and the initial data region; entry PROGRAM_BASE. */
  readonly elf: Uint8Array;
  /** Address of every instruction that writes memory (stores, AMOs, SC), from the generator. */
  readonly writerPcs: ReadonlySet<number>;
  readonly codeBytes: number;
}

// Register use: s0 (x8) window base, sp (x2) the same (for c.swsp), s1 (x9) loop counter,
// s2 (x18) inner loop counter, t6 (x31) address temporary, the rest scratch.
const S0 = 8, SP = 2, S1 = 9, S2 = 18, T6 = 31;
const SCRATCH = [5, 6, 7, 10, 11, 12, 13, 14, 15, 16, 17, 28, 29, 30];
/** Scratch registers a compressed instruction's 3-bit register field can name (x8..x15). */
const SCRATCH_C = [10, 11, 12, 13, 14, 15];
const SOURCES = [0, S0, S1, ...SCRATCH];

type Encoder = (pc: number, label: (name: string) => number) => number;
type Item = { kind: 'insn'; size: 2 | 4; enc: Encoder; writes: boolean } | { kind: 'label'; name: string };

class Assembler {
  readonly items: Item[] = [];
  private labels = 0;

  newLabel(): string {
    return `L${this.labels++}`;
  }

  label(name: string): void {
    this.items.push({ kind: 'label', name });
  }

  /** A 32-bit instruction of the table. */
  op(name: string, o: { rd?: number; rs1?: number; rs2?: number; imm?: number }, writes = false): void {
    const w = encode(insn(name), o);
    this.items.push({ kind: 'insn', size: 4, enc: () => w, writes });
  }

  branch(name: string, rs1: number, rs2: number, target: string): void {
    this.items.push({ kind: 'insn', size: 4, enc: (pc, at) => encode(insn(name), { rs1, rs2, imm: at(target) - pc }), writes: false });
  }

  jal(rd: number, target: string): void {
    this.items.push({ kind: 'insn', size: 4, enc: (pc, at) => encode(insn('jal'), { rd, imm: at(target) - pc }), writes: false });
  }

  /** A 16-bit instruction, checked against the decoder's expansion. */
  c(h: number, expect: { name: string; rd?: number; rs1?: number; rs2?: number; imm?: number }, writes = false): void {
    const e = expandCompressed(h);
    const ok = e !== null && e.spec.name === expect.name && (expect.rd ?? e.rd) === e.rd && (expect.rs1 ?? e.rs1) === e.rs1
      && (expect.rs2 ?? e.rs2) === e.rs2 && (expect.imm ?? e.imm) === e.imm;
    if (!ok) throw new Error(`compressed encoding 0x${h.toString(16)} is not ${JSON.stringify(expect)} (got ${JSON.stringify(e)})`);
    this.items.push({ kind: 'insn', size: 2, enc: () => h, writes });
  }

  /** rd = value (lui + addi). */
  li(rd: number, value: number): void {
    const lo = (value << 20) >> 20;
    const hi = (value - lo) | 0;
    this.op('lui', { rd, imm: hi });
    this.op('addi', { rd, rs1: rd, imm: lo });
  }

  assemble(base: number): { code: Uint8Array; writerPcs: Set<number> } {
    const at = new Map<string, number>();
    let pc = base;
    for (const it of this.items) {
      if (it.kind === 'label') at.set(it.name, pc);
      else pc += it.size;
    }
    const code = new Uint8Array(pc - base);
    const writerPcs = new Set<number>();
    pc = base;
    const label = (name: string): number => {
      const a = at.get(name);
      if (a === undefined) throw new Error(`no label ${name}`);
      return a;
    };
    for (const it of this.items) {
      if (it.kind === 'label') continue;
      const w = it.enc(pc, label);
      for (let i = 0; i < it.size; i++) code[pc - base + i] = (w >>> (8 * i)) & 0xff;
      if (it.writes) writerPcs.add(pc);
      pc += it.size;
    }
    return { code, writerPcs };
  }
}

// Compressed encodings (ISA manual vol. I, chapter 16).
const cx = (r: number): number => r - 8;
const cSw = (rs2: number, rs1: number, off: number): number =>
  (0b110 << 13) | (((off >> 3) & 7) << 10) | (cx(rs1) << 7) | (((off >> 2) & 1) << 6) | (((off >> 6) & 1) << 5) | (cx(rs2) << 2);
const cLw = (rd: number, rs1: number, off: number): number =>
  (0b010 << 13) | (((off >> 3) & 7) << 10) | (cx(rs1) << 7) | (((off >> 2) & 1) << 6) | (((off >> 6) & 1) << 5) | (cx(rd) << 2);
const cSwsp = (rs2: number, off: number): number =>
  (0b110 << 13) | (((off >> 2) & 15) << 9) | (((off >> 6) & 3) << 7) | (rs2 << 2) | 0b10;
const cAddi = (rd: number, imm: number): number => (0b000 << 13) | (((imm >> 5) & 1) << 12) | (rd << 7) | ((imm & 31) << 2) | 0b01;
const cLi = (rd: number, imm: number): number => (0b010 << 13) | (((imm >> 5) & 1) << 12) | (rd << 7) | ((imm & 31) << 2) | 0b01;
const cMv = (rd: number, rs2: number): number => (0b100 << 13) | (rd << 7) | (rs2 << 2) | 0b10;
const cAdd = (rd: number, rs2: number): number => (0b100 << 13) | (1 << 12) | (rd << 7) | (rs2 << 2) | 0b10;

const ALU_R = ['add', 'sub', 'sll', 'slt', 'sltu', 'xor', 'srl', 'sra', 'or', 'and',
  'mul', 'mulh', 'mulhsu', 'mulhu', 'div', 'divu', 'rem', 'remu'];
const ALU_I = ['addi', 'slti', 'sltiu', 'xori', 'ori', 'andi'];
const SHIFT_I = ['slli', 'srli', 'srai'];
const STORES = [['sb', 1], ['sh', 2], ['sw', 4]] as const;
const LOADS = [['lb', 1], ['lbu', 1], ['lh', 2], ['lhu', 2], ['lw', 4]] as const;
const AMOS = ['amoswap.w', 'amoadd.w', 'amoxor.w', 'amoand.w', 'amoor.w', 'amomin.w', 'amomax.w', 'amominu.w', 'amomaxu.w'];
const BRANCHES = ['beq', 'bne', 'blt', 'bge', 'bltu', 'bgeu'];

export function generateProgram(seed: number): RandomProgram {
  const rnd = new Prng(seed);
  const a = new Assembler();
  const scratch = (): number => rnd.pick(SCRATCH);
  const src = (): number => rnd.pick(SOURCES);
  /** An offset in the window for an access of `size`: aligned mostly, sometimes not. */
  const offset = (size: number): number => {
    const o = rnd.int(WINDOW - size + 1);
    return rnd.chance(0.8) ? o & ~(size - 1) : o;
  };
  /**
   * t6 = s0 + (some register's low bits, `align`-aligned): an address computed from data. An
   * unaligned word may reach 3 bytes past the window (still RAM; the tests watch a margin).
   */
  const dynamicAddress = (align: number): void => {
    a.op('andi', { rd: T6, rs1: src(), imm: (WINDOW - 1) & ~(align - 1) });
    a.op('add', { rd: T6, rs1: T6, rs2: S0 });
  };

  for (const r of SCRATCH) a.li(r, rnd.u32() | 0);

  const straightLine = (allowControl: boolean, inInner: boolean): void => {
    const k = rnd.int(100);
    if (k < 18) {
      a.op(rnd.pick(ALU_R), { rd: scratch(), rs1: src(), rs2: src() });
    } else if (k < 30) {
      a.op(rnd.pick(ALU_I), { rd: scratch(), rs1: src(), imm: rnd.range(-2048, 2047) });
    } else if (k < 34) {
      a.op(rnd.pick(SHIFT_I), { rd: scratch(), rs1: src(), imm: rnd.int(32) });
    } else if (k < 36) {
      a.op('lui', { rd: scratch(), imm: rnd.u32() & 0xfffff000 });
    } else if (k < 50) {
      const [name, size] = rnd.pick(STORES);
      a.op(name, { rs1: S0, rs2: src(), imm: offset(size) }, true);
    } else if (k < 57) {
      const [name, size] = rnd.pick(STORES);
      dynamicAddress(rnd.chance(0.7) ? size : 1);
      a.op(name, { rs1: T6, rs2: src(), imm: 0 }, true);
    } else if (k < 65) {
      const [name, size] = rnd.pick(LOADS);
      if (rnd.chance(0.5)) {
        a.op(name, { rd: scratch(), rs1: S0, imm: offset(size) });
      } else {
        dynamicAddress(size);
        a.op(name, { rd: scratch(), rs1: T6, imm: 0 });
      }
    } else if (k < 70) {
      dynamicAddress(4);
      a.op(rnd.pick(AMOS), { rd: scratch(), rs1: T6, rs2: src() }, true);
    } else if (k < 73) {
      // LR/SC: usually a pair on one address (succeeds), sometimes SC elsewhere or alone (fails).
      dynamicAddress(4);
      if (rnd.chance(0.75)) a.op('lr.w', { rd: scratch(), rs1: T6 });
      if (rnd.chance(0.25)) a.op('addi', { rd: T6, rs1: T6, imm: 4 });
      a.op('sc.w', { rd: scratch(), rs1: T6, rs2: src() }, true);
    } else if (k < 77) {
      const off = rnd.int(WINDOW / 4) * 4;
      if (rnd.chance(0.5)) a.c(cSw(rnd.pick(SCRATCH_C), S0, off), { name: 'sw', rs1: S0, imm: off }, true);
      else a.c(cSwsp(rnd.pick(SCRATCH), off), { name: 'sw', rs1: SP, imm: off }, true);
    } else if (k < 79) {
      const off = rnd.int(WINDOW / 4) * 4;
      a.c(cLw(rnd.pick(SCRATCH_C), S0, off), { name: 'lw', rs1: S0, imm: off });
    } else if (k < 84) {
      const rd = scratch();
      const pick = rnd.int(4);
      if (pick === 0) {
        const imm = rnd.chance(0.5) ? rnd.range(1, 31) : rnd.range(-32, -1);
        a.c(cAddi(rd, imm), { name: 'addi', rd, rs1: rd, imm });
      } else if (pick === 1) {
        const imm = rnd.range(-32, 31);
        a.c(cLi(rd, imm), { name: 'addi', rd, rs1: 0, imm });
      } else {
        const rs2 = rnd.pick([S0, S1, ...SCRATCH]);
        if (pick === 2) a.c(cMv(rd, rs2), { name: 'add', rd, rs1: 0, rs2 });
        else a.c(cAdd(rd, rs2), { name: 'add', rd, rs1: rd, rs2 });
      }
    } else if (k < 94 || !allowControl) {
      a.op('xori', { rd: scratch(), rs1: src(), imm: rnd.range(-2048, 2047) });
    } else if (k < 98 || inInner) {
      // A forward branch over a few instructions, taken or not depending on data.
      const skip = a.newLabel();
      a.branch(rnd.pick(BRANCHES), src(), src(), skip);
      for (let i = rnd.range(1, 3); i > 0; i--) straightLine(false, inInner);
      a.label(skip);
    } else {
      // An inner loop.
      a.li(S2, rnd.range(1, 6));
      const top = a.newLabel();
      a.label(top);
      for (let i = rnd.range(2, 8); i > 0; i--) straightLine(true, true);
      a.op('addi', { rd: S2, rs1: S2, imm: -1 });
      a.branch('bne', S2, 0, top);
    }
  };

  const phases = rnd.range(3, 7);
  for (let p = 0; p < phases; p++) {
    const window = DATA_BASE + 64 * rnd.int((DATA_SIZE - WINDOW) / 64 + 1);
    a.li(S0, window);
    a.op('addi', { rd: SP, rs1: S0, imm: 0 });
    a.li(S1, rnd.range(3, 30));
    const top = a.newLabel();
    a.label(top);
    for (let i = rnd.range(5, 30); i > 0; i--) straightLine(true, false);
    a.op('addi', { rd: S1, rs1: S1, imm: -1 });
    a.branch('bne', S1, 0, top);
  }
  // Exit: *(u32 *)0x100000 = 0x5555, then spin (the machine stops at the write).
  a.li(5, FINISHER);
  a.li(6, 0x5555);
  a.op('sw', { rs1: 5, rs2: 6, imm: 0 });
  const spin = a.newLabel();
  a.label(spin);
  a.jal(0, spin);

  const { code, writerPcs } = a.assemble(PROGRAM_BASE);
  if (PROGRAM_BASE + code.length > DATA_BASE) throw new Error(`seed ${seed}: ${code.length} bytes of code run into the data region`);
  const image = new Uint8Array(DATA_BASE + DATA_SIZE - PROGRAM_BASE);
  image.set(code);
  image.set(rnd.bytes(DATA_SIZE), DATA_BASE - PROGRAM_BASE);
  const elf = buildElf32(PROGRAM_BASE, [{ addr: PROGRAM_BASE, bytes: image }], [
    { name: 'data', value: DATA_BASE, size: DATA_SIZE },
    { name: '_start', value: PROGRAM_BASE, size: code.length, type: 2 },
  ]);
  return { seed, elf, writerPcs, codeBytes: code.length };
}
