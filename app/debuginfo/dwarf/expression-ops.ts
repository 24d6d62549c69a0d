// DWARF expression opcodes (DWARF 5 section 7.7.1, table 7.9) and their operands, plus the GNU
// extensions GCC emits for DWARF 4. One table feeds the evaluator and the text disassembler.

import { ByteReader } from '../util/byte-reader.js';

export const OP = {
  addr: 0x03, deref: 0x06, const1u: 0x08, const1s: 0x09, const2u: 0x0a, const2s: 0x0b, const4u: 0x0c,
  const4s: 0x0d, const8u: 0x0e, const8s: 0x0f, constu: 0x10, consts: 0x11, dup: 0x12, drop: 0x13,
  over: 0x14, pick: 0x15, swap: 0x16, rot: 0x17, xderef: 0x18, abs: 0x19, and: 0x1a, div: 0x1b,
  minus: 0x1c, mod: 0x1d, mul: 0x1e, neg: 0x1f, not: 0x20, or: 0x21, plus: 0x22, plus_uconst: 0x23,
  shl: 0x24, shr: 0x25, shra: 0x26, xor: 0x27, bra: 0x28, eq: 0x29, ge: 0x2a, gt: 0x2b, le: 0x2c,
  lt: 0x2d, ne: 0x2e, skip: 0x2f, lit0: 0x30, lit31: 0x4f, reg0: 0x50, reg31: 0x6f, breg0: 0x70,
  breg31: 0x8f, regx: 0x90, fbreg: 0x91, bregx: 0x92, piece: 0x93, deref_size: 0x94,
  xderef_size: 0x95, nop: 0x96, push_object_address: 0x97, call2: 0x98, call4: 0x99, call_ref: 0x9a,
  form_tls_address: 0x9b, call_frame_cfa: 0x9c, bit_piece: 0x9d, implicit_value: 0x9e,
  stack_value: 0x9f, implicit_pointer: 0xa0, addrx: 0xa1, constx: 0xa2, entry_value: 0xa3,
  const_type: 0xa4, regval_type: 0xa5, deref_type: 0xa6, xderef_type: 0xa7, convert: 0xa8,
  reinterpret: 0xa9, GNU_push_tls_address: 0xe0, GNU_uninit: 0xf0, GNU_implicit_pointer: 0xf2,
  GNU_entry_value: 0xf3, GNU_const_type: 0xf4, GNU_regval_type: 0xf5, GNU_deref_type: 0xf6,
  GNU_convert: 0xf7, GNU_reinterpret: 0xf9, GNU_parameter_ref: 0xfa, GNU_addr_index: 0xfb,
  GNU_const_index: 0xfc, GNU_variable_value: 0xfd,
} as const;

/** Operand kinds, in order. 'ref' is an offset-sized (DWARF 3+) reference; 'block' a ULEB128-sized block. */
export type Operand = 'addr' | 'u8' | 's8' | 'u16' | 's16' | 'u32' | 's32' | 'u64' | 's64' | 'uleb' | 'sleb' | 'ref' | 'block' | 'typed-const';

const OPERANDS = new Map<number, readonly Operand[]>([
  [OP.addr, ['addr']], [OP.const1u, ['u8']], [OP.const1s, ['s8']], [OP.const2u, ['u16']], [OP.const2s, ['s16']],
  [OP.const4u, ['u32']], [OP.const4s, ['s32']], [OP.const8u, ['u64']], [OP.const8s, ['s64']],
  [OP.constu, ['uleb']], [OP.consts, ['sleb']], [OP.pick, ['u8']], [OP.plus_uconst, ['uleb']],
  [OP.bra, ['s16']], [OP.skip, ['s16']], [OP.regx, ['uleb']], [OP.fbreg, ['sleb']], [OP.bregx, ['uleb', 'sleb']],
  [OP.piece, ['uleb']], [OP.deref_size, ['u8']], [OP.xderef_size, ['u8']], [OP.call2, ['u16']],
  [OP.call4, ['u32']], [OP.call_ref, ['ref']], [OP.bit_piece, ['uleb', 'uleb']], [OP.implicit_value, ['block']],
  [OP.implicit_pointer, ['ref', 'sleb']], [OP.GNU_implicit_pointer, ['ref', 'sleb']], [OP.addrx, ['uleb']],
  [OP.constx, ['uleb']], [OP.GNU_addr_index, ['uleb']], [OP.GNU_const_index, ['uleb']],
  [OP.entry_value, ['block']], [OP.GNU_entry_value, ['block']], [OP.const_type, ['uleb', 'typed-const']],
  [OP.GNU_const_type, ['uleb', 'typed-const']], [OP.regval_type, ['uleb', 'uleb']], [OP.GNU_regval_type, ['uleb', 'uleb']],
  [OP.deref_type, ['u8', 'uleb']], [OP.GNU_deref_type, ['u8', 'uleb']], [OP.xderef_type, ['u8', 'uleb']],
  [OP.convert, ['uleb']], [OP.GNU_convert, ['uleb']], [OP.reinterpret, ['uleb']], [OP.GNU_reinterpret, ['uleb']],
  [OP.GNU_parameter_ref, ['u32']], [OP.GNU_variable_value, ['ref']],
]);
for (let i = 0; i < 32; i++) OPERANDS.set(OP.breg0 + i, ['sleb']);

const NAMES = new Map<number, string>();
for (const [name, code] of Object.entries(OP)) NAMES.set(code, `DW_OP_${name}`);
for (let i = 0; i < 32; i++) {
  NAMES.set(OP.lit0 + i, `DW_OP_lit${i}`);
  NAMES.set(OP.reg0 + i, `DW_OP_reg${i}`);
  NAMES.set(OP.breg0 + i, `DW_OP_breg${i}`);
}

export function opName(op: number): string {
  return NAMES.get(op) ?? `DW_OP_<0x${op.toString(16)}>`;
}

/** Operands are bigint for 64-bit constants, Uint8Array for blocks, numbers otherwise. */
export type OperandValue = number | bigint | Uint8Array;

export interface DecodedOp {
  /** Offset of the opcode within the expression. */
  readonly offset: number;
  readonly op: number;
  readonly operands: readonly OperandValue[];
}

export interface OperandSizes {
  readonly addressSize: number;
  /** Size of DW_FORM_ref_addr-like operands (offset size for DWARF 3+, address size for DWARF 2). */
  readonly refSize: number;
  /**
   * Offset of the unit in .debug_info: typed operations (regval_type, deref_type, const_type,
   * convert, reinterpret) name their type by a unit-relative offset; readelf prints it absolute.
   */
  readonly unitOffset?: number;
}

export function isKnownOp(op: number): boolean {
  return NAMES.has(op);
}

/** Decodes one operation at r.pos. Throws DwarfFormatError on truncation or an unknown opcode. */
export function decodeOp(r: ByteReader, sizes: OperandSizes): DecodedOp {
  const offset = r.pos;
  const op = r.u8();
  if (!NAMES.has(op)) r.fail(`unknown DWARF expression opcode 0x${op.toString(16)}`, offset);
  const kinds = OPERANDS.get(op) ?? [];
  const operands: OperandValue[] = [];
  for (const k of kinds) {
    switch (k) {
      case 'addr': operands.push(r.uN(sizes.addressSize)); break;
      case 'u8': operands.push(r.u8()); break;
      case 's8': operands.push(r.i8()); break;
      case 'u16': operands.push(r.u16()); break;
      case 's16': operands.push(r.i16()); break;
      case 'u32': operands.push(r.u32()); break;
      case 's32': operands.push(r.i32()); break;
      case 'u64': operands.push(r.u64big()); break;
      case 's64': operands.push(BigInt.asIntN(64, r.u64big())); break;
      case 'uleb': operands.push(r.uleb()); break;
      case 'sleb': operands.push(r.sleb()); break;
      case 'ref': operands.push(r.uN(sizes.refSize)); break;
      case 'block': operands.push(r.bytesN(r.uleb())); break;
      case 'typed-const': operands.push(r.bytesN(r.u8())); break;
    }
  }
  return { offset, op, operands };
}

/** Decodes a whole expression. */
export function decodeExpression(expr: Uint8Array, sizes: OperandSizes, section = 'expression'): DecodedOp[] {
  const r = new ByteReader(expr, section);
  const out: DecodedOp[] = [];
  while (!r.atEnd) out.push(decodeOp(r, sizes));
  return out;
}
