// Decodes instruction bits into operands and the table entry. Decoding happens once per
// instruction when a block is built, never per execution.

import { expandCompressed } from './compressed.js';
import {
  INSTRUCTIONS, fieldCsr, fieldRd, fieldRs1, fieldRs2, immB, immI, immJ, immS, immU, type InsnSpec,
} from './instructions.js';

export interface Decoded {
  /** The table entry, or null when the bits are not a valid RV32IMAC instruction. */
  readonly spec: InsnSpec | null;
  readonly rd: number;
  readonly rs1: number;
  readonly rs2: number;
  /** Sign-extended immediate; for U-type the value already shifted into bits 31:12; shamt for shifts; uimm for CSRI. */
  readonly imm: number;
  readonly csr: number;
  /** 2 for a compressed instruction, else 4. */
  readonly len: 2 | 4;
  /** The instruction bits (16 or 32). */
  readonly raw: number;
  /** The compressed mnemonic (e.g. "c.addi") when len is 2. */
  readonly cname: string | null;
}

/** True when the low 16 bits start a 32-bit instruction. */
export const isLong = (lowHalf: number): boolean => (lowHalf & 3) === 3;

// Candidates grouped by major opcode (bits 6:0), so each decode looks at a handful of entries.
const byOpcode: InsnSpec[][] = Array.from({ length: 128 }, () => []);
for (const s of INSTRUCTIONS) byOpcode[s.match & 0x7f]!.push(s);
// Most specific mask first, so e.g. ecall wins over csrrw patterns that share the opcode.
for (const list of byOpcode) list.sort((a, b) => popcount(b.mask) - popcount(a.mask));

function popcount(v: number): number {
  let n = 0;
  for (let m = v >>> 0; m !== 0; m &= m - 1) n++;
  return n;
}

const illegal = (raw: number, len: 2 | 4): Decoded =>
  ({ spec: null, rd: 0, rs1: 0, rs2: 0, imm: 0, csr: 0, len, raw, cname: null });

export function decode32(w: number): Decoded {
  const raw = w >>> 0;
  const list = byOpcode[raw & 0x7f]!;
  for (const spec of list) {
    if (((raw & spec.mask) >>> 0) !== spec.match) continue;
    let imm = 0;
    switch (spec.format) {
      case 'I': imm = immI(raw); break;
      case 'SHIFT': imm = fieldRs2(raw); break;
      case 'S': imm = immS(raw); break;
      case 'B': imm = immB(raw); break;
      case 'U': imm = immU(raw); break;
      case 'J': imm = immJ(raw); break;
      case 'CSRI': imm = fieldRs1(raw); break;
      default: break;
    }
    return {
      spec, rd: fieldRd(raw), rs1: spec.format === 'CSRI' ? 0 : fieldRs1(raw), rs2: fieldRs2(raw), imm,
      csr: spec.format === 'CSR' || spec.format === 'CSRI' ? fieldCsr(raw) : 0, len: 4, raw, cname: null,
    };
  }
  return illegal(raw, 4);
}

export function decode16(h: number): Decoded {
  const raw = h & 0xffff;
  const e = expandCompressed(raw);
  if (!e) return illegal(raw, 2);
  return { spec: e.spec, rd: e.rd, rs1: e.rs1, rs2: e.rs2, imm: e.imm, csr: 0, len: 2, raw, cname: e.cname };
}

/** Decodes from the instruction's first 16 bits and, for 32-bit instructions, the next 16. */
export function decode(lowHalf: number, highHalf: number): Decoded {
  return isLong(lowHalf) ? decode32(((highHalf & 0xffff) << 16) | (lowHalf & 0xffff)) : decode16(lowHalf);
}
