import { describe, expect, it } from 'vitest';
import { evaluateLocation, evaluateValue, readLocationBytes } from './expression.js';
import type { ExprFrame } from './expression.js';
import { describeExpression } from './expression-text.js';
import { OP } from './expression-ops.js';

const ctx = { addressSize: 4, refSize: 4 };
const e = (...b: number[]): Uint8Array => Uint8Array.from(b);
const uleb = (n: number): number[] => { const o: number[] = []; do { let b = n & 0x7f; n >>>= 7; if (n) b |= 0x80; o.push(b); } while (n); return o; };
const sleb = (n: number): number[] => {
  const o: number[] = [];
  for (;;) { const b = n & 0x7f; n >>= 7; if ((n === 0 && !(b & 0x40)) || (n === -1 && b & 0x40)) { o.push(b); return o; } o.push(b | 0x80); }
};

const memory = new Map<number, number>();
for (let i = 0; i < 64; i++) memory.set(0x1000 + i, i);
const frame: ExprFrame = {
  regs: (n) => (n === 2 ? 0x2000 : n === 8 ? 0x1010 : n === 10 ? 0xdeadbeef : n === 11 ? 7 : undefined),
  pc: 0x80000000,
  cfa: 0x2040,
  readMemory: (a, n) => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) { const v = memory.get(a + i); if (v === undefined) return null; out[i] = v; }
    return out;
  },
};
const value = (...b: number[]): number => evaluateValue(e(...b), ctx, frame);

describe('DWARF expressions (DWARF 5 section 2.5)', () => {
  it('computes with the generic type: address-sized, wrapping, signed where the spec says', () => {
    expect(value(OP.lit0 + 5, OP.lit0 + 3, OP.minus)).toBe(2);
    expect(value(OP.lit0 + 3, OP.lit0 + 5, OP.minus)).toBe(0xfffffffe);
    expect(value(OP.const1s, 0xf9, OP.lit0 + 2, OP.div)).toBe(0xfffffffd); // -7 / 2 = -3, signed
    expect(value(OP.const1u, 200, OP.lit0 + 7, OP.mod)).toBe(4);
    expect(value(OP.const4u, 0, 0, 0, 0x80, OP.lit0 + 4, OP.shra)).toBe(0xf8000000);
    expect(value(OP.const4u, 0, 0, 0, 0x80, OP.lit0 + 4, OP.shr)).toBe(0x08000000);
    expect(value(OP.lit0 + 1, OP.const1u, 31, OP.shl)).toBe(0x80000000);
    expect(value(OP.const1s, 0xff, OP.abs)).toBe(1);
    expect(value(OP.lit0 + 6, OP.neg, OP.not)).toBe(5);
    expect(value(OP.const2u, 0x34, 0x12, OP.const2u, 0xff, 0x00, OP.and, OP.lit0 + 1, OP.or, OP.lit0 + 3, OP.xor)).toBe(0x36);
    expect(value(OP.lit0 + 6, OP.lit0 + 7, OP.mul, OP.plus_uconst, ...uleb(1000))).toBe(1042);
    expect(value(OP.const1s, 0xff, OP.lit0 + 1, OP.lt)).toBe(1); // -1 < 1: comparisons are signed
    expect(value(OP.constu, ...uleb(300), OP.consts, ...sleb(-300), OP.plus)).toBe(0);
  });

  it('has the stack operations', () => {
    expect(value(OP.lit0 + 1, OP.lit0 + 2, OP.swap, OP.drop)).toBe(2);
    expect(value(OP.lit0 + 1, OP.lit0 + 2, OP.over, OP.plus, OP.plus)).toBe(4);
    expect(value(OP.lit0 + 1, OP.lit0 + 2, OP.lit0 + 3, OP.pick, 2)).toBe(1);
    expect(value(OP.lit0 + 1, OP.lit0 + 2, OP.lit0 + 3, OP.rot, OP.drop, OP.drop)).toBe(3);
    expect(value(OP.lit0 + 9, OP.dup, OP.mul)).toBe(81);
  });

  it('branches, and a loop that never ends is stopped by the step budget', () => {
    // if (1) skip over "lit5"; then lit7
    expect(value(OP.lit0 + 1, OP.bra, 1, 0, OP.lit0 + 5, OP.lit0 + 7)).toBe(7);
    expect(value(OP.lit0 + 0, OP.bra, 1, 0, OP.lit0 + 5)).toBe(5);
    const loop = evaluateLocation(e(OP.skip, 0xfd, 0xff), ctx, frame); // skip -3: back to itself
    expect(loop).toEqual({ kind: 'unavailable', reason: 'expression runs more than 10000 steps' });
    expect(evaluateLocation(e(OP.skip, 0x10, 0), ctx, frame)).toEqual({ kind: 'unavailable', reason: 'branch to 19 leaves the expression' });
  });

  it('reads registers and memory, and says which register or address it could not read', () => {
    expect(value(OP.breg0 + 8, ...sleb(4), OP.deref)).toBe(0x17161514);
    expect(value(OP.breg0 + 8, ...sleb(-16), OP.deref_size, 2)).toBe(0x0100);
    expect(value(OP.bregx, ...uleb(2), ...sleb(-0x1000), OP.deref_size, 1)).toBe(0);
    expect(evaluateLocation(e(OP.breg0 + 5, 0), ctx, frame)).toEqual({ kind: 'unavailable', reason: 'register t0 is not known in this frame' });
    expect(evaluateLocation(e(OP.lit0 + 4, OP.deref), ctx, frame)).toEqual({ kind: 'unavailable', reason: 'memory at 0x4 is not readable' });
  });

  it('gives memory, register, implicit value and optimised-out locations', () => {
    expect(evaluateLocation(e(OP.addr, 0x24, 0x17, 0, 0x80), ctx, frame)).toEqual({ kind: 'address', address: 0x80001724 });
    expect(evaluateLocation(e(OP.reg0 + 10), ctx, frame)).toEqual({ kind: 'register', reg: 10 });
    expect(evaluateLocation(e(OP.regx, ...uleb(40)), ctx, frame)).toEqual({ kind: 'register', reg: 40 });
    expect(evaluateLocation(e(OP.lit0 + 16, OP.lit0 + 16, OP.shl, OP.stack_value), ctx, frame)).toEqual({ kind: 'value', bytes: e(0, 0, 0x10, 0) });
    expect(evaluateLocation(e(OP.implicit_value, 3, 1, 2, 3), ctx, frame)).toEqual({ kind: 'value', bytes: e(1, 2, 3) });
    expect(evaluateLocation(e(), ctx, frame)).toEqual({ kind: 'optimised-out' });
    expect(evaluateLocation(e(OP.implicit_pointer, 0x34, 0x12, 0, 0, 8), ctx, frame)).toEqual({ kind: 'implicit-pointer', die: 0x1234, offset: 8 });
  });

  it('uses the frame base for DW_OP_fbreg and the CFA for DW_OP_call_frame_cfa', () => {
    const withBase = { ...ctx, frameBase: e(OP.call_frame_cfa) };
    expect(evaluateLocation(e(OP.fbreg, ...sleb(-20)), withBase, frame)).toEqual({ kind: 'address', address: 0x2040 - 20 });
    const regBase = { ...ctx, frameBase: e(OP.reg0 + 8) }; // a register frame base means its contents
    expect(evaluateLocation(e(OP.fbreg, ...sleb(4)), regBase, frame)).toEqual({ kind: 'address', address: 0x1014 });
    expect(evaluateLocation(e(OP.fbreg, 0), ctx, frame)).toEqual({ kind: 'unavailable', reason: 'DW_OP_fbreg without a frame base' });
  });

  it('assembles pieces from registers, memory and values; a piece with no location is optimised out', () => {
    const loc = evaluateLocation(e(OP.reg0 + 10, OP.piece, 2, OP.breg0 + 8, 0, OP.piece, 1, OP.piece, 1, OP.lit0 + 9, OP.stack_value, OP.piece, 1), ctx, frame);
    expect(loc).toEqual({
      kind: 'pieces',
      pieces: [
        { sizeBits: 16, offsetBits: 0, location: { kind: 'register', reg: 10 } },
        { sizeBits: 8, offsetBits: 0, location: { kind: 'address', address: 0x1010 } },
        { sizeBits: 8, offsetBits: 0, location: { kind: 'optimised-out' } },
        { sizeBits: 8, offsetBits: 0, location: { kind: 'value', bytes: e(9, 0, 0, 0) } },
      ],
    });
    expect(readLocationBytes(loc, 5, frame)).toBeNull(); // the optimised-out byte makes the whole unknown
    const whole = evaluateLocation(e(OP.reg0 + 10, OP.piece, 2, OP.breg0 + 8, 0, OP.piece, 2), ctx, frame);
    expect(readLocationBytes(whole, 4, frame)).toEqual(e(0xef, 0xbe, 0x10, 0x11));
    const bits = evaluateLocation(e(OP.reg0 + 11, OP.bit_piece, 3, 1), ctx, frame); // bits 1..3 of 7 = 0b011
    expect(readLocationBytes(bits, 1, frame)).toEqual(e(3));
  });

  it('answers DW_OP_entry_value from the caller when it can, and is optimised out when not', () => {
    const block = e(OP.reg0 + 10);
    const expr = e(OP.entry_value, 1, OP.reg0 + 10, OP.stack_value);
    expect(evaluateLocation(expr, ctx, frame)).toEqual({ kind: 'optimised-out' });
    const withEntry: ExprFrame = { ...frame, entryValue: (b) => (b.length === 1 && b[0] === block[0] ? 72n : undefined) };
    expect(evaluateLocation(expr, ctx, withEntry)).toEqual({ kind: 'value', bytes: e(72, 0, 0, 0) });
  });

  it('reports unknown and malformed operations instead of throwing', () => {
    expect(evaluateLocation(e(0x01), ctx, frame)).toEqual({ kind: 'unavailable', reason: 'expression+0x0: unknown DWARF expression opcode 0x1' });
    expect(evaluateLocation(e(OP.const4u, 1, 2), ctx, frame).kind).toBe('unavailable');
    expect(evaluateLocation(e(OP.plus), ctx, frame)).toEqual({ kind: 'unavailable', reason: 'expression stack underflow' });
    expect(evaluateLocation(e(OP.reg0 + 1, OP.lit0), ctx, frame)).toEqual({ kind: 'unavailable', reason: 'register location must be followed by DW_OP_piece' });
  });

  it('prints expressions the way readelf does', () => {
    expect(describeExpression(e(OP.breg0 + 8, ...sleb(-20), OP.stack_value), ctx)).toBe('DW_OP_breg8 (s0): -20; DW_OP_stack_value');
    expect(describeExpression(e(OP.addr, 0x04, 0x17, 0x00, 0x80), ctx)).toBe('DW_OP_addr: 80001704');
    expect(describeExpression(e(OP.GNU_entry_value, 1, OP.reg0 + 10, OP.stack_value), ctx)).toBe('DW_OP_GNU_entry_value: (DW_OP_reg10 (a0)); DW_OP_stack_value');
    expect(describeExpression(e(OP.implicit_value, 4, 0xef, 0xbe, 0xad, 0xde), ctx)).toBe('DW_OP_implicit_value 4 byte block: ef be ad de ');
    expect(describeExpression(e(OP.fbreg, ...sleb(-192), OP.piece, 4), ctx)).toBe('DW_OP_fbreg: -192; DW_OP_piece: 4');
  });
});
