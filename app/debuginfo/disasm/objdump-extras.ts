// Encodings this RV32IMAC hart treats as illegal (the decoder returns no table entry) that GNU
// objdump 2.40 nevertheless names when it disassembles an rv32imac_zicsr_zifencei ELF. They are
// listed here, not in the instruction table, because the CPU must keep rejecting them: they are
// RV64 shift amounts, retired privileged instructions (uret, hret, sfence.vm), the debug-mode
// dret, reserved compressed encodings and the defined-illegal all-zero halfword.

import type { Fields, Form } from './forms.js';

export interface Extra32 {
  /** The table entry whose printing forms apply (a shift), or null when `form` says it all. */
  readonly specName: string | null;
  readonly form: Form | null;
  readonly fields: Fields;
}

const EXACT_32: ReadonlyMap<number, string> = new Map([
  [0x00200073, 'uret'], [0x20200073, 'hret'], [0x7b200073, 'dret'], [0x10400073, 'sfence.vm'],
]);

// binutils' shift masks (0xfc00707f) leave room for RV64's 6-bit shift amount and do not check XLEN.
const WIDE_SHIFTS: ReadonlyMap<number, string> = new Map([
  [0x00001013, 'slli'], [0x00005013, 'srli'], [0x40005013, 'srai'],
]);

const fields32 = (w: number, imm: number): Fields =>
  ({ rd: (w >>> 7) & 31, rs1: (w >>> 15) & 31, rs2: (w >>> 20) & 31, imm, csr: 0, raw: w });

/** What objdump makes of a 32-bit word the decoder rejects, or null when it prints `.4byte`. */
export function extra32(w: number): Extra32 | null {
  const exact = EXACT_32.get(w);
  if (exact) return { specName: null, form: { name: exact, args: '' }, fields: fields32(w, 0) };
  if (((w & 0xfff07fff) >>> 0) === 0x10400073) {
    return { specName: null, form: { name: 'sfence.vm', args: 's' }, fields: fields32(w, 0) };
  }
  const shift = WIDE_SHIFTS.get((w & 0xfc00707f) >>> 0);
  if (shift) return { specName: shift, form: null, fields: fields32(w, (w >>> 20) & 63) };
  return null;
}

export interface Extra16 {
  /** The compressed mnemonic whose printing forms apply, or null when `form` says it all. */
  readonly cname: string | null;
  readonly form: Form | null;
  readonly fields: Fields;
}

const fields16 = (h: number, rd: number, imm: number): Fields => ({ rd, rs1: rd, rs2: 0, imm, csr: 0, raw: h });

/** What objdump makes of a halfword the decoder rejects, or null when it prints `.2byte`. */
export function extra16(h: number): Extra16 | null {
  if (h === 0) return { cname: null, form: { name: 'unimp', args: '' }, fields: fields16(h, 0, 0) };
  // c.addi16sp with a zero immediate (reserved) still matches binutils' c.addi16sp entry.
  if (h === 0x6101) return { cname: 'c.addi16sp', form: null, fields: fields16(h, 2, 0) };
  const shamt = 32 | ((h >>> 2) & 31);
  if ((h & 0x1000) !== 0) {
    // Shift amounts 32..63 (RV64C) are accepted whatever XLEN is.
    if ((h & 0xec03) === 0x8001) return { cname: 'c.srli', form: null, fields: fields16(h, 8 + ((h >>> 7) & 7), shamt) };
    if ((h & 0xec03) === 0x8401) return { cname: 'c.srai', form: null, fields: fields16(h, 8 + ((h >>> 7) & 7), shamt) };
    if ((h & 0xe003) === 0x0002) return { cname: 'c.slli', form: null, fields: fields16(h, (h >>> 7) & 31, shamt) };
  }
  return null;
}
