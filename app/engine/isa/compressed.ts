// RV32C: the compressed instructions, each expanded to the base instruction it stands for
// (ISA manual Volume I, chapter 16, tables 16.4-16.6 and 16.8). F/D compressed loads and stores,
// and the RV64-only encodings, decode as illegal: this hart is RV32IMAC.

import { insn, type InsnSpec } from './instructions.js';

export interface Expansion {
  readonly cname: string;
  readonly spec: InsnSpec;
  readonly rd: number;
  readonly rs1: number;
  readonly rs2: number;
  readonly imm: number;
}

const bits = (h: number, hi: number, lo: number): number => (h >>> lo) & ((1 << (hi - lo + 1)) - 1);
const bit = (h: number, b: number): number => (h >>> b) & 1;
const sext = (v: number, width: number): number => (v << (32 - width)) >> (32 - width);
const rp = (r3: number): number => r3 + 8; // the x8..x15 registers of the CIW/CL/CS/CA/CB formats

const S = {
  addi: insn('addi'), lw: insn('lw'), sw: insn('sw'), jal: insn('jal'), lui: insn('lui'),
  srli: insn('srli'), srai: insn('srai'), andi: insn('andi'), sub: insn('sub'), xor: insn('xor'),
  or: insn('or'), and: insn('and'), beq: insn('beq'), bne: insn('bne'), slli: insn('slli'),
  jalr: insn('jalr'), add: insn('add'), ebreak: insn('ebreak'),
};

const x = (cname: string, spec: InsnSpec, rd: number, rs1: number, rs2: number, imm: number): Expansion =>
  ({ cname, spec, rd, rs1, rs2, imm });

const immCI = (h: number): number => sext((bit(h, 12) << 5) | bits(h, 6, 2), 6);
const immCJ = (h: number): number =>
  sext((bit(h, 12) << 11) | (bit(h, 11) << 4) | (bits(h, 10, 9) << 8) | (bit(h, 8) << 10) | (bit(h, 7) << 6) |
    (bit(h, 6) << 7) | (bits(h, 5, 3) << 1) | (bit(h, 2) << 5), 12);
const immCB = (h: number): number =>
  sext((bit(h, 12) << 8) | (bits(h, 11, 10) << 3) | (bits(h, 6, 5) << 6) | (bits(h, 4, 3) << 1) | (bit(h, 2) << 5), 9);
const uimmCLW = (h: number): number => (bits(h, 12, 10) << 3) | (bit(h, 6) << 2) | (bit(h, 5) << 6);

/** Expands a 16-bit instruction; returns null for illegal and reserved encodings. */
export function expandCompressed(h: number): Expansion | null {
  const op = h & 3;
  const f3 = bits(h, 15, 13);
  const rd = bits(h, 11, 7);
  const rs2 = bits(h, 6, 2);
  if (op === 0) {
    switch (f3) {
      case 0: {
        const imm = (bits(h, 12, 11) << 4) | (bits(h, 10, 7) << 6) | (bit(h, 6) << 2) | (bit(h, 5) << 3);
        if (imm === 0) return null; // includes the all-zero instruction, defined illegal
        return x('c.addi4spn', S.addi, rp(bits(h, 4, 2)), 2, 0, imm);
      }
      case 2: return x('c.lw', S.lw, rp(bits(h, 4, 2)), rp(bits(h, 9, 7)), 0, uimmCLW(h));
      case 6: return x('c.sw', S.sw, 0, rp(bits(h, 9, 7)), rp(bits(h, 4, 2)), uimmCLW(h));
      default: return null; // c.fld, c.flw, c.fsd, c.fsw and reserved
    }
  }
  if (op === 1) {
    switch (f3) {
      case 0: return x(rd === 0 ? 'c.nop' : 'c.addi', S.addi, rd, rd, 0, immCI(h));
      case 1: return x('c.jal', S.jal, 1, 0, 0, immCJ(h));
      case 2: return x('c.li', S.addi, rd, 0, 0, immCI(h));
      case 3: {
        if (rd === 2) {
          const imm = sext((bit(h, 12) << 9) | (bit(h, 6) << 4) | (bit(h, 5) << 6) | (bits(h, 4, 3) << 7) | (bit(h, 2) << 5), 10);
          if (imm === 0) return null;
          return x('c.addi16sp', S.addi, 2, 2, 0, imm);
        }
        const imm = immCI(h);
        if (imm === 0) return null;
        return x('c.lui', S.lui, rd, 0, 0, imm << 12);
      }
      case 4: {
        const r = rp(bits(h, 9, 7));
        switch (bits(h, 11, 10)) {
          case 0: return bit(h, 12) ? null : x('c.srli', S.srli, r, r, 0, bits(h, 6, 2));
          case 1: return bit(h, 12) ? null : x('c.srai', S.srai, r, r, 0, bits(h, 6, 2));
          case 2: return x('c.andi', S.andi, r, r, 0, immCI(h));
          default: {
            if (bit(h, 12)) return null; // c.subw/c.addw are RV64
            const r2 = rp(bits(h, 4, 2));
            const ops = [['c.sub', S.sub], ['c.xor', S.xor], ['c.or', S.or], ['c.and', S.and]] as const;
            const [name, spec] = ops[bits(h, 6, 5)]!;
            return x(name, spec, r, r, r2, 0);
          }
        }
      }
      case 5: return x('c.j', S.jal, 0, 0, 0, immCJ(h));
      case 6: return x('c.beqz', S.beq, 0, rp(bits(h, 9, 7)), 0, immCB(h));
      default: return x('c.bnez', S.bne, 0, rp(bits(h, 9, 7)), 0, immCB(h));
    }
  }
  if (op === 2) {
    switch (f3) {
      case 0: return bit(h, 12) ? null : x('c.slli', S.slli, rd, rd, 0, bits(h, 6, 2));
      case 2: {
        if (rd === 0) return null;
        return x('c.lwsp', S.lw, rd, 2, 0, (bit(h, 12) << 5) | (bits(h, 6, 4) << 2) | (bits(h, 3, 2) << 6));
      }
      case 4: {
        if (bit(h, 12) === 0) {
          if (rs2 === 0) return rd === 0 ? null : x('c.jr', S.jalr, 0, rd, 0, 0);
          return x('c.mv', S.add, rd, 0, rs2, 0);
        }
        if (rs2 === 0) return rd === 0 ? x('c.ebreak', S.ebreak, 0, 0, 0, 0) : x('c.jalr', S.jalr, 1, rd, 0, 0);
        return x('c.add', S.add, rd, rd, rs2, 0);
      }
      case 6: return x('c.swsp', S.sw, 0, 2, rs2, (bits(h, 12, 9) << 2) | (bits(h, 8, 7) << 6));
      default: return null; // c.fldsp, c.flwsp, c.fsdsp, c.fswsp
    }
  }
  return null; // op === 3 is a 32-bit instruction, not ours
}
