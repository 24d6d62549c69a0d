// How GNU objdump (binutils 2.40, default options) spells each instruction: which alias it picks
// and in what operand syntax. The encodings themselves come from the one instruction table
// (app/engine/isa/instructions.ts, compressed.ts, decode.ts); this file only holds the printing
// choices, in the order binutils' opcodes/riscv-opc.c lists them (the disassembler prints the first
// entry that matches, and 2.40 lists aliases such as `add d,s,j` before `addi`).
//
// Operand syntax uses binutils' letters, applied to the decoded fields:
//   d rd   s rs1   t rs2   j immediate (%d)   o(s) load offset   q(s) store offset   u U-immediate>>12 (0x%x)
//   > shift amount (0x%x)   a jump target   p branch target   E CSR   Z 5-bit CSR immediate (%d)
//   P Q fence predecessor/successor sets   0 the literal 0 (printed only as the last operand)

import type { InsnSpec } from '../../engine/isa/instructions.js';

/** The operand fields a form looks at (the decoder's fields, plus the raw bits). */
export interface Fields {
  readonly rd: number;
  readonly rs1: number;
  readonly rs2: number;
  readonly imm: number;
  readonly csr: number;
  readonly raw: number;
}

/** One way of printing an instruction; `name: null` means objdump does not recognise the bits. */
export interface Form {
  readonly name: string | null;
  readonly args: string;
  readonly when?: (f: Fields) => boolean;
}

const form = (name: string | null, args: string, when?: (f: Fields) => boolean): Form =>
  (when ? { name, args, when } : { name, args });

/** The instruction's own name and syntax, derived from its format. */
export function canonicalForm(spec: InsnSpec): Form {
  switch (spec.format) {
    case 'R': return form(spec.name, 'd,s,t');
    case 'I': return form(spec.name, spec.kind === 'load' || spec.kind === 'jalr' ? 'd,o(s)' : 'd,s,j');
    case 'SHIFT': return form(spec.name, 'd,s,>');
    case 'S': return form(spec.name, 't,q(s)');
    case 'B': return form(spec.name, 's,t,p');
    case 'U': return form(spec.name, 'd,u');
    case 'J': return form(spec.name, 'd,a');
    case 'CSR': return form(spec.name, 'd,E,s');
    case 'CSRI': return form(spec.name, 'd,E,Z');
    case 'AMO': return form(spec.name, 'd,t,0(s)');
    case 'LR': return form(spec.name, 'd,0(s)');
    case 'SFENCE': return form(spec.name, 's,t');
    case 'NONE': return form(spec.name, '');
  }
}

const rdcsr = (name: string, csr: number): Form => form(name, 'd', (f) => f.csr === csr && f.rs1 === 0);

/** Aliases of 32-bit instructions, by table name, tried in order before the canonical form. */
export const FORMS_32: Readonly<Record<string, readonly Form[]>> = {
  addi: [
    form('nop', '', (f) => f.rd === 0 && f.rs1 === 0 && f.imm === 0),
    form('li', 'd,j', (f) => f.rs1 === 0),
    form('mv', 'd,s', (f) => f.imm === 0),
    form('add', 'd,s,j'),
  ],
  sltiu: [form('seqz', 'd,s', (f) => f.imm === 1)],
  xori: [form('not', 'd,s', (f) => f.imm === -1), form('xor', 'd,s,j')],
  ori: [form('or', 'd,s,j')],
  andi: [form('zext.b', 'd,s', (f) => f.imm === 255), form('and', 'd,s,j')],
  slli: [form('sll', 'd,s,>')],
  srli: [form('srl', 'd,s,>')],
  srai: [form('sra', 'd,s,>')],
  sub: [form('neg', 'd,t', (f) => f.rs1 === 0)],
  slt: [form('sltz', 'd,s', (f) => f.rs2 === 0), form('sgtz', 'd,t', (f) => f.rs1 === 0)],
  sltu: [form('snez', 'd,t', (f) => f.rs1 === 0)],
  jal: [form('j', 'a', (f) => f.rd === 0), form('jal', 'a', (f) => f.rd === 1)],
  jalr: [
    form('ret', '', (f) => f.rd === 0 && f.rs1 === 1 && f.imm === 0),
    form('jr', 's', (f) => f.rd === 0 && f.imm === 0),
    form('jr', 'o(s)', (f) => f.rd === 0),
    form('jalr', 's', (f) => f.rd === 1 && f.imm === 0),
    form('jalr', 'o(s)', (f) => f.rd === 1),
    form('jalr', 'd,s', (f) => f.imm === 0),
  ],
  beq: [form('beqz', 's,p', (f) => f.rs2 === 0)],
  bne: [form('bnez', 's,p', (f) => f.rs2 === 0)],
  blt: [form('bltz', 's,p', (f) => f.rs2 === 0), form('bgtz', 't,p', (f) => f.rs1 === 0)],
  bge: [form('blez', 't,p', (f) => f.rs1 === 0), form('bgez', 's,p', (f) => f.rs2 === 0)],
  // objdump requires the reserved fields to be zero where the hart ignores them (fm, rd, rs1, imm).
  fence: [
    form('fence', '', (f) => f.raw === 0x0ff0000f),
    form('fence', 'P,Q', (f) => ((f.raw & 0xf00fffff) >>> 0) === 0x0f),
    form('fence.tso', '', (f) => f.raw === 0x8330000f),
    form(null, ''),
  ],
  'fence.i': [form('fence.i', '', (f) => f.raw === 0x100f), form(null, '')],
  csrrw: [form('unimp', '', (f) => f.raw === 0xc0001073), form('csrw', 'E,s', (f) => f.rd === 0)],
  csrrs: [
    rdcsr('rdcycle', 0xc00), rdcsr('rdinstret', 0xc02), rdcsr('rdtime', 0xc01),
    rdcsr('rdcycleh', 0xc80), rdcsr('rdinstreth', 0xc82), rdcsr('rdtimeh', 0xc81),
    form('csrr', 'd,E', (f) => f.rs1 === 0),
    form('csrs', 'E,s', (f) => f.rd === 0),
  ],
  csrrc: [form('csrc', 'E,s', (f) => f.rd === 0)],
  // The immediate forms print under the register mnemonics: binutils lists `csrw E,Z` before
  // `csrwi` and `csrrw d,E,Z` before `csrrwi`.
  csrrwi: [form('csrw', 'E,Z', (f) => f.rd === 0), form('csrrw', 'd,E,Z')],
  csrrsi: [form('csrs', 'E,Z', (f) => f.rd === 0), form('csrrs', 'd,E,Z')],
  csrrci: [form('csrc', 'E,Z', (f) => f.rd === 0), form('csrrc', 'd,E,Z')],
  'sfence.vma': [
    form('sfence.vma', '', (f) => f.rs1 === 0 && f.rs2 === 0),
    form('sfence.vma', 's', (f) => f.rs2 === 0),
  ],
};

/**
 * Compressed instructions, by the decoder's cname. The fields are the expanded instruction's, so
 * `d,s,j` of c.addi prints rd, rd, imm. objdump prints the base mnemonic where the expansion is
 * canonical and the `c.` mnemonic for hints (rd = x0, shift by 0), as riscv-opc.c orders them.
 */
export const FORMS_16: Readonly<Record<string, readonly Form[]>> = {
  'c.addi4spn': [form('add', 'd,s,j')],
  'c.lw': [form('lw', 'd,o(s)')],
  'c.sw': [form('sw', 't,q(s)')],
  'c.nop': [form('nop', '', (f) => f.imm === 0), form('c.nop', 'j')],
  'c.addi': [form('add', 'd,s,j')],
  'c.jal': [form('jal', 'a')],
  'c.li': [form('li', 'd,j', (f) => f.rd !== 0), form('c.li', 'd,j')],
  'c.addi16sp': [form('add', 'd,s,j')],
  'c.lui': [form('lui', 'd,u', (f) => f.rd !== 0), form('c.lui', 'd,u')],
  'c.srli': [form('c.srli64', 'd', (f) => f.imm === 0), form('srl', 'd,s,>')],
  'c.srai': [form('c.srai64', 'd', (f) => f.imm === 0), form('sra', 'd,s,>')],
  'c.andi': [form('and', 'd,s,j')],
  'c.sub': [form('sub', 'd,s,t')],
  'c.xor': [form('xor', 'd,s,t')],
  'c.or': [form('or', 'd,s,t')],
  'c.and': [form('and', 'd,s,t')],
  'c.j': [form('j', 'a')],
  'c.beqz': [form('beqz', 's,p')],
  'c.bnez': [form('bnez', 's,p')],
  'c.slli': [form('c.slli64', 'd', (f) => f.imm === 0), form('sll', 'd,s,>', (f) => f.rd !== 0), form('c.slli', 'd,>')],
  'c.lwsp': [form('lw', 'd,o(s)')],
  'c.jr': [form('ret', '', (f) => f.rs1 === 1), form('jr', 's')],
  'c.mv': [form('mv', 'd,t', (f) => f.rd !== 0), form('c.mv', 'd,t')],
  'c.ebreak': [form('ebreak', '')],
  'c.jalr': [form('jalr', 's')],
  'c.add': [form('add', 'd,s,t', (f) => f.rd !== 0), form('c.add', 'd,t')],
  'c.swsp': [form('sw', 't,q(s)')],
};

/** The first form of `forms` whose condition holds, else `fallback`. */
export function pickForm(forms: readonly Form[] | undefined, f: Fields, fallback: Form | null): Form | null {
  for (const x of forms ?? []) if (!x.when || x.when(f)) return x;
  return fallback;
}
