// The one instruction table: RV32I, M, A, Zicsr, Zifencei and the privileged instructions.
// It feeds the decoder (isa/decode.ts), the block compiler (cpu/block-compiler.ts), the disassembler
// and the generated instruction tests. Compressed (C) instructions are listed in isa/compressed.ts and
// expand to entries of this table, as the ISA manual defines them.
//
// Reference: The RISC-V Instruction Set Manual, Volume I (Unprivileged, 20191213) chapters 2, 7, 8, 9,
// 24 (opcode map); Volume II (Privileged, 20211203) sections 3.3 and 4.2.

/** How the operand fields are laid out in the 32-bit encoding. */
export type Format =
  | 'R' // rd, rs1, rs2
  | 'I' // rd, rs1, imm[11:0]
  | 'SHIFT' // rd, rs1, shamt[4:0]
  | 'S' // rs1, rs2, imm[11:0] split
  | 'B' // rs1, rs2, branch offset
  | 'U' // rd, imm[31:12]
  | 'J' // rd, jump offset
  | 'CSR' // rd, rs1, csr
  | 'CSRI' // rd, uimm[4:0] (in the rs1 field), csr
  | 'AMO' // rd, rs1, rs2 (aq/rl ignored: a single hart is sequentially consistent)
  | 'LR' // rd, rs1
  | 'SFENCE' // rs1, rs2
  | 'NONE'; // no operands

/** What the instruction does, as far as the compiler and the block builder care. */
export type Kind =
  | 'alu' // rd = op(rs1, rs2 | imm)
  | 'lui'
  | 'auipc'
  | 'load'
  | 'store'
  | 'branch'
  | 'jal'
  | 'jalr'
  | 'amo'
  | 'lr'
  | 'sc'
  | 'fence' // a no-op on one in-order hart
  | 'system'; // csr*, ecall, ebreak, xret, wfi, fence.i, sfence.vma: run by the hart, end a block

/** ALU operations, shared by register and immediate forms. */
export type AluOp =
  | 'add' | 'sub' | 'sll' | 'slt' | 'sltu' | 'xor' | 'srl' | 'sra' | 'or' | 'and'
  | 'mul' | 'mulh' | 'mulhsu' | 'mulhu' | 'div' | 'divu' | 'rem' | 'remu';

export type BranchCond = 'eq' | 'ne' | 'lt' | 'ge' | 'ltu' | 'geu';
export type AmoOp = 'swap' | 'add' | 'xor' | 'and' | 'or' | 'min' | 'max' | 'minu' | 'maxu';
export type SystemOp =
  | 'csrrw' | 'csrrs' | 'csrrc' | 'csrrwi' | 'csrrsi' | 'csrrci'
  | 'ecall' | 'ebreak' | 'mret' | 'sret' | 'wfi' | 'fence.i' | 'sfence.vma';

export interface InsnSpec {
  readonly name: string;
  readonly match: number;
  readonly mask: number;
  readonly format: Format;
  readonly kind: Kind;
  /** Extension the instruction belongs to (for tests and documentation). */
  readonly ext: 'I' | 'M' | 'A' | 'Zicsr' | 'Zifencei' | 'Priv';
  readonly alu?: AluOp;
  readonly cond?: BranchCond;
  readonly amo?: AmoOp;
  readonly sys?: SystemOp;
  /** Access size in bytes for loads, stores and atomics. */
  readonly size?: 1 | 2 | 4;
  /** Loads: sign-extend the loaded value. */
  readonly signed?: boolean;
}

const R = (name: string, f7: number, f3: number, alu: AluOp, ext: 'I' | 'M' = 'I'): InsnSpec => ({
  name, match: (f7 << 25) | (f3 << 12) | 0x33, mask: 0xfe00707f, format: 'R', kind: 'alu', alu, ext,
});
const I = (name: string, f3: number, alu: AluOp): InsnSpec => ({
  name, match: (f3 << 12) | 0x13, mask: 0x707f, format: 'I', kind: 'alu', alu, ext: 'I',
});
const SH = (name: string, f7: number, f3: number, alu: AluOp): InsnSpec => ({
  name, match: (f7 << 25) | (f3 << 12) | 0x13, mask: 0xfe00707f, format: 'SHIFT', kind: 'alu', alu, ext: 'I',
});
const LD = (name: string, f3: number, size: 1 | 2 | 4, signed: boolean): InsnSpec => ({
  name, match: (f3 << 12) | 0x03, mask: 0x707f, format: 'I', kind: 'load', size, signed, ext: 'I',
});
const ST = (name: string, f3: number, size: 1 | 2 | 4): InsnSpec => ({
  name, match: (f3 << 12) | 0x23, mask: 0x707f, format: 'S', kind: 'store', size, ext: 'I',
});
const BR = (name: string, f3: number, cond: BranchCond): InsnSpec => ({
  name, match: (f3 << 12) | 0x63, mask: 0x707f, format: 'B', kind: 'branch', cond, ext: 'I',
});
const AMO = (name: string, f5: number, amo: AmoOp): InsnSpec => ({
  name, match: (f5 << 27) | (2 << 12) | 0x2f, mask: 0xf800707f, format: 'AMO', kind: 'amo', amo, size: 4, ext: 'A',
});
const CSR = (name: SystemOp, f3: number, format: 'CSR' | 'CSRI'): InsnSpec => ({
  name, match: (f3 << 12) | 0x73, mask: 0x707f, format, kind: 'system', sys: name, ext: 'Zicsr',
});
const SYS = (name: SystemOp, bits: number, ext: 'I' | 'Priv' = 'Priv'): InsnSpec => ({
  name, match: bits, mask: 0xffffffff, format: 'NONE', kind: 'system', sys: name, ext,
});

const TABLE: readonly InsnSpec[] = [
  // RV32I
  { name: 'lui', match: 0x37, mask: 0x7f, format: 'U', kind: 'lui', ext: 'I' },
  { name: 'auipc', match: 0x17, mask: 0x7f, format: 'U', kind: 'auipc', ext: 'I' },
  { name: 'jal', match: 0x6f, mask: 0x7f, format: 'J', kind: 'jal', ext: 'I' },
  { name: 'jalr', match: 0x67, mask: 0x707f, format: 'I', kind: 'jalr', ext: 'I' },
  BR('beq', 0, 'eq'), BR('bne', 1, 'ne'), BR('blt', 4, 'lt'), BR('bge', 5, 'ge'), BR('bltu', 6, 'ltu'), BR('bgeu', 7, 'geu'),
  LD('lb', 0, 1, true), LD('lh', 1, 2, true), LD('lw', 2, 4, true), LD('lbu', 4, 1, false), LD('lhu', 5, 2, false),
  ST('sb', 0, 1), ST('sh', 1, 2), ST('sw', 2, 4),
  I('addi', 0, 'add'), I('slti', 2, 'slt'), I('sltiu', 3, 'sltu'), I('xori', 4, 'xor'), I('ori', 6, 'or'), I('andi', 7, 'and'),
  SH('slli', 0x00, 1, 'sll'), SH('srli', 0x00, 5, 'srl'), SH('srai', 0x20, 5, 'sra'),
  R('add', 0x00, 0, 'add'), R('sub', 0x20, 0, 'sub'), R('sll', 0x00, 1, 'sll'), R('slt', 0x00, 2, 'slt'),
  R('sltu', 0x00, 3, 'sltu'), R('xor', 0x00, 4, 'xor'), R('srl', 0x00, 5, 'srl'), R('sra', 0x20, 5, 'sra'),
  R('or', 0x00, 6, 'or'), R('and', 0x00, 7, 'and'),
  // FENCE ignores its fm/pred/succ fields (FENCE.TSO and PAUSE are FENCE encodings too).
  { name: 'fence', match: 0x0f, mask: 0x707f, format: 'NONE', kind: 'fence', ext: 'I' },
  SYS('ecall', 0x00000073, 'I'), SYS('ebreak', 0x00100073, 'I'),
  // Zifencei: the imm/rs1/rd fields are reserved and ignored, as the spec allows.
  { name: 'fence.i', match: 0x100f, mask: 0x707f, format: 'NONE', kind: 'system', sys: 'fence.i', ext: 'Zifencei' },
  // Zicsr
  CSR('csrrw', 1, 'CSR'), CSR('csrrs', 2, 'CSR'), CSR('csrrc', 3, 'CSR'),
  CSR('csrrwi', 5, 'CSRI'), CSR('csrrsi', 6, 'CSRI'), CSR('csrrci', 7, 'CSRI'),
  // M
  R('mul', 0x01, 0, 'mul', 'M'), R('mulh', 0x01, 1, 'mulh', 'M'), R('mulhsu', 0x01, 2, 'mulhsu', 'M'),
  R('mulhu', 0x01, 3, 'mulhu', 'M'), R('div', 0x01, 4, 'div', 'M'), R('divu', 0x01, 5, 'divu', 'M'),
  R('rem', 0x01, 6, 'rem', 'M'), R('remu', 0x01, 7, 'remu', 'M'),
  // A
  { name: 'lr.w', match: 0x1000202f, mask: 0xf9f0707f, format: 'LR', kind: 'lr', size: 4, ext: 'A' },
  { name: 'sc.w', match: 0x1800202f, mask: 0xf800707f, format: 'AMO', kind: 'sc', size: 4, ext: 'A' },
  AMO('amoswap.w', 0x01, 'swap'), AMO('amoadd.w', 0x00, 'add'), AMO('amoxor.w', 0x04, 'xor'),
  AMO('amoand.w', 0x0c, 'and'), AMO('amoor.w', 0x08, 'or'), AMO('amomin.w', 0x10, 'min'),
  AMO('amomax.w', 0x14, 'max'), AMO('amominu.w', 0x18, 'minu'), AMO('amomaxu.w', 0x1c, 'maxu'),
  // Privileged
  SYS('mret', 0x30200073), SYS('sret', 0x10200073), SYS('wfi', 0x10500073),
  { name: 'sfence.vma', match: 0x12000073, mask: 0xfe007fff, format: 'SFENCE', kind: 'system', sys: 'sfence.vma', ext: 'Priv' },
];

/** Every entry, with match and mask as unsigned 32-bit numbers (shifts into bit 31 give negatives). */
export const INSTRUCTIONS: readonly InsnSpec[] = TABLE.map((s) => ({ ...s, match: s.match >>> 0, mask: s.mask >>> 0 }));

export const INSN_BY_NAME: ReadonlyMap<string, InsnSpec> = new Map(INSTRUCTIONS.map((s) => [s.name, s]));

export function insn(name: string): InsnSpec {
  const s = INSN_BY_NAME.get(name);
  if (!s) throw new Error(`no instruction named ${name} in the table`);
  return s;
}

// ---- Field extraction (shared by decoder, encoder and tests) ------------------------------------

export const fieldRd = (w: number): number => (w >>> 7) & 31;
export const fieldRs1 = (w: number): number => (w >>> 15) & 31;
export const fieldRs2 = (w: number): number => (w >>> 20) & 31;
export const fieldCsr = (w: number): number => w >>> 20;
export const immI = (w: number): number => w >> 20;
export const immS = (w: number): number => ((w >> 25) << 5) | ((w >>> 7) & 31);
export const immB = (w: number): number =>
  ((w >> 31) << 12) | (((w >>> 7) & 1) << 11) | (((w >>> 25) & 0x3f) << 5) | (((w >>> 8) & 0xf) << 1);
export const immU = (w: number): number => w & 0xfffff000;
export const immJ = (w: number): number =>
  ((w >> 31) << 20) | (((w >>> 12) & 0xff) << 12) | (((w >>> 20) & 1) << 11) | (((w >>> 21) & 0x3ff) << 1);

// ---- Encoding (the inverse: used by tests and the assembler-free test programs) ------------------

export interface Operands { rd?: number; rs1?: number; rs2?: number; imm?: number; csr?: number }

/** Encodes one instruction of the table. Immediates are checked against the format's range. */
export function encode(spec: InsnSpec, o: Operands = {}): number {
  const rd = o.rd ?? 0, rs1 = o.rs1 ?? 0, rs2 = o.rs2 ?? 0, imm = o.imm ?? 0;
  const check = (lo: number, hi: number, align = 1): void => {
    if (imm < lo || imm > hi || imm % align !== 0) throw new RangeError(`${spec.name}: immediate ${imm} out of range`);
  };
  let w = spec.match;
  switch (spec.format) {
    case 'R': case 'AMO': w |= (rd << 7) | (rs1 << 15) | (rs2 << 20); break;
    case 'LR': w |= (rd << 7) | (rs1 << 15); break;
    case 'SFENCE': w |= (rs1 << 15) | (rs2 << 20); break;
    case 'I': check(-2048, 2047); w |= (rd << 7) | (rs1 << 15) | ((imm & 0xfff) << 20); break;
    case 'SHIFT': check(0, 31); w |= (rd << 7) | (rs1 << 15) | (imm << 20); break;
    case 'S': check(-2048, 2047); w |= ((imm & 31) << 7) | (rs1 << 15) | (rs2 << 20) | (((imm >> 5) & 0x7f) << 25); break;
    case 'B':
      check(-4096, 4094, 2);
      w |= (((imm >> 11) & 1) << 7) | (((imm >> 1) & 0xf) << 8) | (rs1 << 15) | (rs2 << 20) |
        (((imm >> 5) & 0x3f) << 25) | (((imm >> 12) & 1) << 31);
      break;
    case 'U': w |= (rd << 7) | (imm & 0xfffff000); break;
    case 'J':
      check(-(1 << 20), (1 << 20) - 2, 2);
      w |= (rd << 7) | (((imm >> 12) & 0xff) << 12) | (((imm >> 11) & 1) << 20) | (((imm >> 1) & 0x3ff) << 21) |
        (((imm >> 20) & 1) << 31);
      break;
    case 'CSR': w |= (rd << 7) | (rs1 << 15) | ((o.csr ?? 0) << 20); break;
    case 'CSRI': check(0, 31); w |= (rd << 7) | (imm << 15) | ((o.csr ?? 0) << 20); break;
    case 'NONE': break;
  }
  return w >>> 0;
}

/** ABI register names, x0..x31. */
export const ABI_NAMES: readonly string[] = [
  'zero', 'ra', 'sp', 'gp', 'tp', 't0', 't1', 't2', 's0', 's1', 'a0', 'a1', 'a2', 'a3', 'a4', 'a5',
  'a6', 'a7', 's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9', 's10', 's11', 't3', 't4', 't5', 't6',
];
