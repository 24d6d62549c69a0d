// DWARF expressions as text, in the notation of binutils readelf (`DW_OP_breg8 (s0): -20;
// DW_OP_stack_value`), so a location shown in the UI reads like the tools users know and can be
// compared with readelf in tests.

import { regName } from './constants.js';
import { decodeExpression, OP, opName } from './expression-ops.js';
import type { DecodedOp, OperandSizes } from './expression-ops.js';

export function describeExpression(expr: Uint8Array, sizes: OperandSizes): string {
  let ops: DecodedOp[];
  try {
    ops = decodeExpression(expr, sizes);
  } catch (e) {
    return `<bad expression: ${e instanceof Error ? e.message : String(e)}>`;
  }
  return ops.map((o) => describeOp(o, sizes)).join('; ');
}

function describeOp(o: DecodedOp, sizes: OperandSizes): string {
  const name = opName(o.op);
  const typeRef = (v: unknown): string => `<0x${((v as number) + (sizes.unitOffset ?? 0)).toString(16)}>`;
  const [a, b] = o.operands;
  const op = o.op;
  if (op >= OP.reg0 && op <= OP.reg31) return `${name} (${regName(op - OP.reg0)})`;
  if (op >= OP.breg0 && op <= OP.breg31) return `${name} (${regName(op - OP.breg0)}): ${a as number}`;
  switch (op) {
    case OP.addr: return `${name}: ${(a as number).toString(16)}`;
    case OP.regx: return `${name}: ${a as number} (${regName(a as number)})`;
    case OP.bregx: return `${name}: ${a as number} (${regName(a as number)}) ${b as number}`;
    case OP.implicit_value: {
      const block = a as Uint8Array;
      return `${name} ${block.length} byte block: ${Array.from(block, (x) => x.toString(16)).join(' ')} `;
    }
    case OP.implicit_pointer: case OP.GNU_implicit_pointer:
      return `${name}: <0x${(a as number).toString(16)}> ${b as number}`;
    case OP.entry_value: case OP.GNU_entry_value:
      return `${name}: (${describeExpression(a as Uint8Array, sizes)})`;
    case OP.bit_piece: return `${name}: size: ${a as number} offset: ${b as number} `;
    case OP.const_type: case OP.GNU_const_type: {
      const block = b as Uint8Array;
      return `${name}: ${typeRef(a)} ${block.length} byte block: ${Array.from(block, (x) => x.toString(16)).join(' ')} `;
    }
    case OP.regval_type: case OP.GNU_regval_type:
      return `${name}: ${a as number} (${regName(a as number)}) ${typeRef(b)}`;
    case OP.deref_type: case OP.GNU_deref_type: return `${name}: ${a as number} ${typeRef(b)}`;
    case OP.convert: case OP.GNU_convert: case OP.reinterpret: case OP.GNU_reinterpret:
      return `${name} ${typeRef(a)}`;
    default:
      if (o.operands.length === 0) return name;
      return `${name}: ${o.operands.map((v) => (v instanceof Uint8Array ? `${v.length} byte block` : String(v))).join(' ')}`;
  }
}
