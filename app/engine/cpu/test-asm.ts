// A tiny assembler for the CPU tests. Instructions are encoded through the one instruction table
// (isa/instructions.ts), so the tests exercise the same encodings the decoder reads. Nothing here
// is used by the emulator itself.

import { encode, insn, type Operands } from '../isa/instructions.js';
import type { BareCpu } from './bare-cpu.js';

/** Encodes `name` from the instruction table. */
export const E = (name: string, o: Operands = {}): number => encode(insn(name), o);

export const NOP = E('addi');
export const ECALL = E('ecall');
export const EBREAK = E('ebreak');
export const MRET = E('mret');
export const SRET = E('sret');
export const WFI = E('wfi');
/** An instruction that is not in the table (all ones): illegal everywhere. */
export const ILLEGAL = 0xffffffff;

export const csrr = (rd: number, csr: number): number => E('csrrs', { rd, rs1: 0, csr });
export const csrw = (csr: number, rs1: number): number => E('csrrw', { rd: 0, rs1, csr });
export const csrs = (csr: number, rs1: number): number => E('csrrs', { rd: 0, rs1, csr });
export const csrc = (csr: number, rs1: number): number => E('csrrc', { rd: 0, rs1, csr });

/** lui + addi: loads any 32-bit value into rd. */
export function li(rd: number, value: number): number[] {
  const v = value | 0;
  const lo = (v << 20) >> 20;
  return [E('lui', { rd, imm: (v - lo) | 0 }), E('addi', { rd, rs1: rd, imm: lo })];
}

/** Deterministic PRNG (mulberry32); returns int32 values. */
export function prng(seed: number): () => number {
  let s = seed | 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return t ^ (t >>> 14);
  };
}

type Piece = { readonly size: 2 | 4; readonly value: (label: (name: string) => number, at: number) => number };

/** A program with labels, laid out from `base`; branch and jump offsets are resolved on write. */
export class Program {
  private readonly pieces: Piece[] = [];
  private readonly labels = new Map<string, number>();
  private size = 0;

  constructor(readonly base: number) {}

  get here(): number {
    return (this.base + this.size) | 0;
  }

  label(name: string): this {
    if (this.labels.has(name)) throw new Error(`label ${name} defined twice`);
    this.labels.set(name, this.here);
    return this;
  }

  addr(name: string): number {
    const a = this.labels.get(name);
    if (a === undefined) throw new Error(`no label ${name}`);
    return a;
  }

  w(...words: number[]): this {
    for (const v of words) this.push(4, () => v);
    return this;
  }

  /** 16-bit parcels (compressed instructions). */
  h(...halves: number[]): this {
    for (const v of halves) this.push(2, () => v);
    return this;
  }

  li(rd: number, value: number): this {
    return this.w(...li(rd, value));
  }

  /** lui + addi of a label's address. */
  la(rd: number, name: string): this {
    this.push(4, (l) => li(rd, l(name))[0]!);
    this.push(4, (l) => li(rd, l(name))[1]!);
    return this;
  }

  branch(name: string, rs1: number, rs2: number, target: string): this {
    this.push(4, (l, at) => E(name, { rs1, rs2, imm: (l(target) - at) | 0 }));
    return this;
  }

  jal(rd: number, target: string): this {
    this.push(4, (l, at) => E('jal', { rd, imm: (l(target) - at) | 0 }));
    return this;
  }

  /** Writes the program into the CPU's RAM, at `physical` when it runs at a different (virtual) base. */
  load(cpu: BareCpu, physical = this.base): this {
    let at = this.base;
    const label = (n: string): number => this.addr(n);
    for (const p of this.pieces) {
      const v = p.value(label, at);
      const pa = (physical + (at - this.base)) | 0;
      if (p.size === 4) cpu.writeWords(pa, [v]);
      else cpu.writeHalves(pa, [v]);
      at = (at + p.size) | 0;
    }
    return this;
  }

  private push(size: 2 | 4, value: Piece['value']): void {
    this.pieces.push({ size, value });
    this.size += size;
  }
}
