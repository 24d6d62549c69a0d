// DWARF expression evaluator (DWARF 5 section 2.5 expressions, 2.6 location descriptions): a
// stack machine over the generic type (address-sized, wrapping), giving a memory address, a
// register, an implicit value, an implicit pointer, pieces, or "optimised out". Execution is
// bounded: a step budget stops branch loops, and every read checks the expression's end.

import { ByteReader } from '../util/byte-reader.js';
import { regName } from './constants.js';
import { decodeOp, OP } from './expression-ops.js';
import type { OperandSizes } from './expression-ops.js';

/** The machine state an expression is evaluated against. */
export interface ExprFrame {
  /** Register value (DWARF numbering: 0-31 = x0-x31) as an unsigned 32-bit number, or undefined if unknown in this frame. */
  regs(n: number): number | undefined;
  readonly pc: number;
  readMemory(addr: number, len: number): Uint8Array | null;
  /** Canonical frame address (DW_OP_call_frame_cfa). */
  readonly cfa?: number;
  /** The value a DW_OP_entry_value block had on entry to the function, if the caller can tell. */
  entryValue?(block: Uint8Array): bigint | undefined;
}

export interface ExprContext extends OperandSizes {
  /** DW_AT_frame_base of the enclosing function, for DW_OP_fbreg. */
  readonly frameBase?: Uint8Array;
  /** .debug_addr lookups (DW_OP_addrx, DW_OP_constx). */
  readonly addressIndex?: (index: number) => number;
}

export type SimpleLocation =
  | { readonly kind: 'address'; readonly address: number }
  | { readonly kind: 'register'; readonly reg: number }
  /** The value itself (DW_OP_stack_value, DW_OP_implicit_value), little-endian. */
  | { readonly kind: 'value'; readonly bytes: Uint8Array }
  /** Points at a variable that has no address (DW_OP_implicit_pointer): DIE offset and byte offset. */
  | { readonly kind: 'implicit-pointer'; readonly die: number; readonly offset: number }
  | { readonly kind: 'optimised-out' }
  /** The location depends on state we do not have (an unknown register, unreadable memory, an unsupported op). */
  | { readonly kind: 'unavailable'; readonly reason: string };

export interface Piece {
  /** Size in bits, and bit offset within the location (DW_OP_bit_piece; 0 for DW_OP_piece). */
  readonly sizeBits: number;
  readonly offsetBits: number;
  readonly location: SimpleLocation;
}

export type LocationResult = SimpleLocation | { readonly kind: 'pieces'; readonly pieces: readonly Piece[] };

class Unavailable extends Error {}

const MAX_STEPS = 10_000;
const MAX_STACK = 1_000;
const MAX_NESTING = 4;

export interface EvalOptions {
  /** Values pushed before the first operation (e.g. the CFA for DW_CFA_expression). */
  readonly initialStack?: readonly bigint[];
}

/** Evaluates a location description. Never throws: problems become 'unavailable'. */
export function evaluateLocation(expr: Uint8Array, ctx: ExprContext, frame: ExprFrame, opts: EvalOptions = {}): LocationResult {
  try {
    return run(expr, ctx, frame, opts, 0);
  } catch (e) {
    return { kind: 'unavailable', reason: e instanceof Error ? e.message : String(e) };
  }
}

/** Evaluates an expression to a single value (the top of the stack); throws on failure. */
export function evaluateValue(expr: Uint8Array, ctx: ExprContext, frame: ExprFrame, initialStack: readonly bigint[] = []): number {
  const r = run(expr, ctx, frame, { initialStack }, 0);
  if (r.kind === 'address') return r.address;
  if (r.kind === 'value') return bytesToNumber(r.bytes);
  throw new Error(r.kind === 'unavailable' ? r.reason : `expression gives ${r.kind}, not a value`);
}

function run(expr: Uint8Array, ctx: ExprContext, frame: ExprFrame, opts: EvalOptions, depth: number): LocationResult {
  if (depth > MAX_NESTING) throw new Unavailable('expressions nested too deeply');
  const bits = BigInt(8 * ctx.addressSize);
  const mask = (1n << bits) - 1n;
  const signed = (v: bigint): bigint => BigInt.asIntN(Number(bits), v);
  const stack: bigint[] = opts.initialStack ? [...opts.initialStack] : [];
  const push = (v: bigint): void => {
    if (stack.length >= MAX_STACK) throw new Unavailable('expression stack overflow');
    stack.push(v & mask);
  };
  const pop = (): bigint => {
    const v = stack.pop();
    if (v === undefined) throw new Unavailable('expression stack underflow');
    return v;
  };
  const reg = (n: number): bigint => {
    const v = frame.regs(n);
    if (v === undefined) throw new Unavailable(`register ${regName(n)} is not known in this frame`);
    return BigInt(v >>> 0);
  };
  const read = (addr: bigint, size: number): bigint => {
    if (size < 1 || size > 8) throw new Unavailable(`cannot read ${size} bytes`);
    const bytes = frame.readMemory(Number(addr & 0xffff_ffffn), size);
    if (!bytes || bytes.length < size) throw new Unavailable(`memory at 0x${addr.toString(16)} is not readable`);
    return BigInt(bytesToNumberBig(bytes.subarray(0, size)));
  };

  const pieces: Piece[] = [];
  let pending: SimpleLocation | null = null;
  const r = new ByteReader(expr, 'expression');
  for (let steps = 0; !r.atEnd; steps++) {
    if (steps > MAX_STEPS) throw new Unavailable(`expression runs more than ${MAX_STEPS} steps`);
    const { op, operands } = decodeOp(r, ctx);
    const n0 = operands[0] as number;
    if (pending && op !== OP.piece && op !== OP.bit_piece) {
      throw new Unavailable(`${pending.kind} location must be followed by DW_OP_piece`);
    }
    if (op >= OP.lit0 && op <= OP.lit31) { push(BigInt(op - OP.lit0)); continue; }
    if (op >= OP.reg0 && op <= OP.reg31) { pending = { kind: 'register', reg: op - OP.reg0 }; continue; }
    if (op >= OP.breg0 && op <= OP.breg31) { push(reg(op - OP.breg0) + BigInt(n0)); continue; }
    switch (op) {
      case OP.addr: push(BigInt(n0)); break;
      case OP.const1u: case OP.const2u: case OP.const4u: case OP.constu:
      case OP.const1s: case OP.const2s: case OP.const4s: case OP.consts:
        push(BigInt(n0)); break;
      case OP.const8u: case OP.const8s: push(operands[0] as bigint); break;
      case OP.addrx: case OP.constx: case OP.GNU_addr_index: case OP.GNU_const_index:
        if (!ctx.addressIndex) throw new Unavailable('no .debug_addr for DW_OP_addrx');
        push(BigInt(ctx.addressIndex(n0))); break;
      case OP.dup: { const v = pop(); push(v); push(v); break; }
      case OP.drop: pop(); break;
      case OP.over: { const b = pop(); const a = pop(); push(a); push(b); push(a); break; }
      case OP.pick: {
        if (n0 >= stack.length) throw new Unavailable(`DW_OP_pick ${n0} beyond the stack`);
        push(stack[stack.length - 1 - n0]!); break;
      }
      case OP.swap: { const b = pop(); const a = pop(); push(b); push(a); break; }
      case OP.rot: { const c = pop(); const b = pop(); const a = pop(); push(c); push(a); push(b); break; }
      case OP.deref: push(read(pop(), ctx.addressSize)); break;
      case OP.deref_size: push(read(pop(), n0)); break;
      case OP.deref_type: case OP.GNU_deref_type: push(read(pop(), n0)); break;
      case OP.abs: { const v = signed(pop()); push(v < 0n ? -v : v); break; }
      case OP.neg: push(-signed(pop())); break;
      case OP.not: push(~pop()); break;
      case OP.and: { const b = pop(); push(pop() & b); break; }
      case OP.or: { const b = pop(); push(pop() | b); break; }
      case OP.xor: { const b = pop(); push(pop() ^ b); break; }
      case OP.plus: { const b = pop(); push(pop() + b); break; }
      case OP.minus: { const b = pop(); push(pop() - b); break; }
      case OP.mul: { const b = pop(); push(pop() * b); break; }
      case OP.div: {
        const b = signed(pop()); const a = signed(pop());
        if (b === 0n) throw new Unavailable('division by zero');
        push(a / b); break;
      }
      case OP.mod: {
        const b = pop(); const a = pop();
        if (b === 0n) throw new Unavailable('division by zero');
        push(a % b); break;
      }
      case OP.plus_uconst: push(pop() + BigInt(n0)); break;
      case OP.shl: { const b = pop(); const a = pop(); push(b >= bits ? 0n : a << b); break; }
      case OP.shr: { const b = pop(); const a = pop(); push(b >= bits ? 0n : a >> b); break; }
      case OP.shra: { const b = pop(); const a = signed(pop()); push(a >> (b >= bits ? bits - 1n : b)); break; }
      case OP.eq: case OP.ne: case OP.lt: case OP.gt: case OP.le: case OP.ge: {
        const b = signed(pop()); const a = signed(pop());
        const t = op === OP.eq ? a === b : op === OP.ne ? a !== b : op === OP.lt ? a < b : op === OP.gt ? a > b : op === OP.le ? a <= b : a >= b;
        push(t ? 1n : 0n); break;
      }
      case OP.skip: jump(r, n0); break;
      case OP.bra: if (pop() !== 0n) jump(r, n0); break;
      case OP.regx: pending = { kind: 'register', reg: n0 }; break;
      case OP.bregx: push(reg(n0) + BigInt(operands[1] as number)); break;
      case OP.regval_type: case OP.GNU_regval_type: push(reg(n0)); break;
      case OP.fbreg: {
        if (!ctx.frameBase) throw new Unavailable('DW_OP_fbreg without a frame base');
        const base = run(ctx.frameBase, { ...ctx, frameBase: undefined }, frame, {}, depth + 1);
        let b: bigint;
        if (base.kind === 'address') b = BigInt(base.address);
        else if (base.kind === 'register') b = reg(base.reg); // a register frame base means its contents
        else if (base.kind === 'value') b = BigInt(bytesToNumberBig(base.bytes));
        else throw new Unavailable(base.kind === 'unavailable' ? base.reason : `frame base is ${base.kind}`);
        push(b + BigInt(n0));
        break;
      }
      case OP.call_frame_cfa:
        if (frame.cfa === undefined) throw new Unavailable('the CFA is not known in this frame');
        push(BigInt(frame.cfa)); break;
      case OP.form_tls_address: case OP.GNU_push_tls_address:
        // RISC-V TLS variant I (psABI "Thread Local Storage"): the block starts at tp, and DTP-relative
        // offsets are biased by -0x800 (TLS_DTV_OFFSET).
        push(reg(4) + pop() + 0x800n); break;
      case OP.nop: break;
      case OP.piece: case OP.bit_piece: {
        const sizeBits = op === OP.piece ? n0 * 8 : n0;
        const offsetBits = op === OP.piece ? 0 : (operands[1] as number);
        let location: SimpleLocation;
        if (pending) location = pending;
        else if (stack.length > 0) location = { kind: 'address', address: Number(pop()) };
        else location = { kind: 'optimised-out' };
        pieces.push({ sizeBits, offsetBits, location });
        pending = null;
        break;
      }
      case OP.stack_value:
        pending = { kind: 'value', bytes: numberToBytes(stack.length > 0 ? stack[stack.length - 1]! : pop(), ctx.addressSize) };
        break;
      case OP.implicit_value: pending = { kind: 'value', bytes: operands[0] as Uint8Array }; break;
      case OP.implicit_pointer: case OP.GNU_implicit_pointer:
        pending = { kind: 'implicit-pointer', die: n0, offset: operands[1] as number }; break;
      case OP.const_type: case OP.GNU_const_type: {
        const block = operands[1] as Uint8Array;
        push(BigInt(bytesToNumberBig(block.subarray(0, 8))));
        break;
      }
      case OP.convert: case OP.GNU_convert: case OP.reinterpret: case OP.GNU_reinterpret: break;
      case OP.entry_value: case OP.GNU_entry_value: {
        const v = frame.entryValue?.(operands[0] as Uint8Array);
        if (v === undefined) return { kind: 'optimised-out' };
        push(v);
        break;
      }
      case OP.GNU_uninit: break;
      case OP.push_object_address: throw new Unavailable('DW_OP_push_object_address has no object here');
      default: throw new Unavailable(`DWARF expression opcode 0x${op.toString(16)} is not supported`);
    }
  }
  if (pieces.length > 0) return { kind: 'pieces', pieces };
  if (pending) return pending;
  if (stack.length === 0) return { kind: 'optimised-out' };
  // A memory location, or for a value-only expression (frame base, CFI) the value itself.
  return { kind: 'address', address: Number(stack[stack.length - 1]! & 0xffff_ffffn) };
}

function jump(r: ByteReader, delta: number): void {
  const target = r.pos + delta;
  if (target < 0 || target > r.end) throw new Unavailable(`branch to ${target} leaves the expression`);
  r.pos = target;
}

export function bytesToNumberBig(bytes: Uint8Array): bigint {
  let v = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]!);
  return v;
}

function bytesToNumber(bytes: Uint8Array): number {
  return Number(bytesToNumberBig(bytes.subarray(0, 4)));
}

export function numberToBytes(v: bigint, size: number): Uint8Array {
  const out = new Uint8Array(size);
  let x = BigInt.asUintN(size * 8, v);
  for (let i = 0; i < size; i++) { out[i] = Number(x & 0xffn); x >>= 8n; }
  return out;
}

/**
 * The bytes of an evaluated location: `size` bytes from memory, a register (little-endian,
 * zero-extended), an implicit value, or assembled pieces. null when any part is unknown.
 */
export function readLocationBytes(loc: LocationResult, size: number, frame: Pick<ExprFrame, 'regs' | 'readMemory'>): Uint8Array | null {
  const simple = (l: SimpleLocation, n: number): Uint8Array | null => {
    switch (l.kind) {
      case 'address': return frame.readMemory(l.address, n);
      case 'register': {
        const v = frame.regs(l.reg);
        if (v === undefined) return null;
        return numberToBytes(BigInt(v >>> 0), Math.max(n, 4)).subarray(0, n);
      }
      case 'value': {
        const out = new Uint8Array(n);
        out.set(l.bytes.subarray(0, n));
        return out;
      }
      default: return null;
    }
  };
  if (loc.kind !== 'pieces') return simple(loc, size);
  const out = new Uint8Array(size);
  let bit = 0;
  for (const p of loc.pieces) {
    const nbytes = Math.ceil((p.sizeBits + p.offsetBits) / 8);
    const src = simple(p.location, Math.max(nbytes, 1));
    if (!src) return null;
    for (let i = 0; i < p.sizeBits; i++, bit++) {
      const from = p.offsetBits + i;
      const b = (src[from >> 3]! >> (from & 7)) & 1;
      if ((bit >> 3) < size) out[bit >> 3] = out[bit >> 3]! | (b << (bit & 7));
    }
  }
  return out;
}
