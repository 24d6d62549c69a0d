// Value display without a toolchain (oracle/values.oracle.test.ts checks the same against gdb).
import { describe, expect, it } from 'vitest';
import { formatG, formatValue, formatValueAt } from './format-value.js';
import { ptypeText, typeName } from './type-names.js';
import type { Type } from './types.js';

const int: Type = { kind: 'base', name: 'int', size: 4, encoding: 'signed' };
const uint: Type = { kind: 'base', name: 'unsigned int', size: 4, encoding: 'unsigned' };
const char: Type = { kind: 'base', name: 'char', size: 1, encoding: 'unsigned-char' };
const bool: Type = { kind: 'base', name: '_Bool', size: 1, encoding: 'boolean' };
const float: Type = { kind: 'base', name: 'float', size: 4, encoding: 'float' };
const arr = (element: Type, ...counts: number[]): Type => ({ kind: 'array', element, counts, size: counts.reduce((a, b) => a * b, 1) * (element.kind === 'base' ? element.size : 4) });
const le = (...words: number[]): Uint8Array => { const b = new Uint8Array(words.length * 4); const v = new DataView(b.buffer); words.forEach((w, i) => v.setInt32(i * 4, w, true)); return b; };

describe('formatValue', () => {
  it('shows scalars as gdb does', () => {
    expect(formatValue(int, le(-5)).display).toBe('-5');
    expect(formatValue(uint, le(-1)).display).toBe('4294967295');
    expect(formatValue(char, Uint8Array.of(72)).display).toBe("72 'H'");
    expect(formatValue(char, Uint8Array.of(0)).display).toBe("0 '\\000'");
    expect(formatValue(char, Uint8Array.of(10)).display).toBe("10 '\\n'");
    expect(formatValue(bool, Uint8Array.of(1)).display).toBe('true');
    const f = new Uint8Array(4); new DataView(f.buffer).setFloat32(0, 1.1, true);
    expect(formatValue(float, f).display).toBe('1.10000002');
    expect([formatG(0.1, 17), formatG(1e20, 17), formatG(1.5e-7, 9), formatG(-0, 9), formatG(123456789, 9)])
      .toEqual(['0.10000000000000001', '1e+20', '1.5e-07', '-0', '123456789']);
  });

  it('compresses repeats and prints char arrays as strings', () => {
    expect(formatValue(arr(int, 20), le(...new Array(20).fill(0))).display).toBe('{0 <repeats 20 times>}');
    expect(formatValue(arr(int, 12), le(1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2)).display).toBe('{1 <repeats 11 times>, 2}');
    expect(formatValue(arr(int, 2, 3), le(1, 2, 3, 4, 5, 6)).display).toBe('{{1, 2, 3}, {4, 5, 6}}');
    const hello = new Uint8Array(16); hello.set([104, 101, 108, 108, 111]);
    expect(formatValue(arr(char, 16), hello).display).toBe('"hello\\000\\000\\000\\000\\000\\000\\000\\000\\000\\000"');
    expect(formatValue(arr(char, 32), new Uint8Array(32)).display).toBe("'\\000' <repeats 31 times>");
    expect(formatValue(arr(char, 4), Uint8Array.of(97, 98, 99, 100)).display).toBe('"abcd"');
  });

  it('shows enums by name, flag enums as an OR, and unknown values as numbers', () => {
    const e: Type = { kind: 'enum', name: 'flags', size: 4, encoding: 'unsigned', enumerators: [{ name: 'F_A', value: 1n }, { name: 'F_B', value: 2n }, { name: 'F_C', value: 4n }] };
    expect(formatValue(e, le(2)).display).toBe('F_B');
    expect(formatValue(e, le(5)).display).toBe('(F_A | F_C)');
    expect(formatValue(e, le(9)).display).toBe('(F_A | unknown: 0x8)');
    expect(ptypeText(e)).toBe('enum flags {F_A = 1, F_B, F_C = 4}');
  });

  it('builds children for structs with bit fields and anonymous unions, and pointers with memory', () => {
    const inner: Type = { kind: 'union', name: undefined, size: 4, members: [{ name: 'x', type: int, offset: 0 }, { name: 'y', type: char, offset: 0 }], declaration: false, dieOffset: 0 };
    const s: Type = {
      kind: 'struct', name: 'bits', size: 12, declaration: false, dieOffset: 1,
      members: [
        { name: 'a', type: uint, offset: 0, bitSize: 3, bitOffset: 0 },
        { name: 'b', type: int, offset: 0, bitSize: 5, bitOffset: 3 },
        { name: undefined, type: inner, offset: 4 },
        { name: 'p', type: { kind: 'pointer', size: 4, target: int }, offset: 8 },
      ],
    };
    const bytes = new Uint8Array(12);
    bytes[0] = 5 | (((-3) & 0x1f) << 3);
    bytes.set(le(77), 4);
    bytes.set(le(0x1000), 8);
    const mem = (a: number, n: number): Uint8Array | null => (a === 0x1000 && n === 4 ? le(42) : null);
    const v = formatValue(s, bytes, { readMemory: mem, symbolize: (a) => (a === 0x1000 ? 'answer' : null), name: 'g' });
    expect(v.display).toBe("{a = 5, b = -3, {x = 77, y = 77 'M'}, p = 0x1000 <answer>}");
    expect(v.children!.map((c) => [c.name, c.display])).toEqual([['a', '5'], ['b', '-3'], ['<anonymous 2>', "{x = 77, y = 77 'M'}"], ['p', '0x1000 <answer>']]);
    expect(v.children![3]!.children![0]).toMatchObject({ name: '*p', display: '42', address: 0x1000 });
    expect(ptypeText(s)).toBe("struct bits {\n    unsigned int a : 3;\n    int b : 5;\n    union {\n        int x;\n        char y;\n    };\n    int *p;\n}");
    expect(typeName(s)).toBe('struct bits');
    expect(typeName({ kind: 'pointer', size: 4, target: arr(int, 3) })).toBe('int (*)[3]');
  });

  it('keeps a display to a summary of about a thousand characters; the children hold the rest', () => {
    const words = Array.from({ length: 112 * 112 }, (_, i) => i * 7919);
    const matrix = formatValue(arr(int, 112, 112), le(...words), { depth: 1 });
    expect(matrix.display.length).toBeLessThan(1_100);
    expect(matrix.display.startsWith('{{0, 7919, 15838,')).toBe(true);
    expect(matrix.display.endsWith('...}...}')).toBe(true);
    expect(matrix.children).toHaveLength(100);
    expect(matrix.children![99]!.display.startsWith(`{${99 * 112 * 7919},`)).toBe(true);
    // A struct cut after a long member says so instead of listing its other members as "...".
    const big = arr(int, 1000);
    const rec: Type = { kind: 'struct', name: 'rec', size: 4004, declaration: false, dieOffset: 2, members: [{ name: 'buf', type: big, offset: 0 }, { name: 'n', type: int, offset: 4000 }] };
    const r = formatValue(rec, le(...Array.from({ length: 1001 }, (_, i) => i + 1_000_000)));
    expect(r.display).toMatch(/^\{buf = \{1000000, 1000001, .*\.\.\.\}, \.\.\.\}$/);
  });

  it('counts member names in the summary, and folds equal rows as gdb does', () => {
    const members = Array.from({ length: 400 }, (_, i) => ({ name: `a_rather_long_member_name_${String(i).padStart(3, '0')}`, type: int, offset: 4 * i }));
    const wide: Type = { kind: 'struct', name: 'wide', size: 1600, declaration: false, dieOffset: 4, members };
    const w = formatValue(wide, new Uint8Array(1600)).display;
    expect(w.length).toBeLessThan(1_100);
    expect(w.endsWith(', ...}')).toBe(true);
    expect(formatValue(arr(int, 64, 64), new Uint8Array(64 * 64 * 4)).display).toBe('{{0 <repeats 64 times>} <repeats 64 times>}');
  });

  it('builds the node at a path (member, element, pointer target) and any window of an array', () => {
    const rec: Type = { kind: 'struct', name: 'rec', size: 4 + 4 * 300, declaration: false, dieOffset: 3, members: [
      { name: 'n', type: int, offset: 0 }, { name: 'buf', type: arr(int, 300), offset: 4 }] };
    const bytes = le(7, ...Array.from({ length: 300 }, (_, i) => i * 3));
    const opts = { name: 'r', address: 0x1000, depth: 1 };
    expect(formatValueAt(rec, bytes, [1, 299], opts)).toMatchObject({ name: '[299]', display: '897', address: 0x1000 + 4 + 299 * 4 });
    const buf = formatValueAt(rec, bytes, [1], { ...opts, elements: { from: 250, count: 100 } })!;
    expect(buf.elementCount).toBe(300);
    expect(buf.children!.map((c) => c.name)).toEqual(Array.from({ length: 50 }, (_, i) => `[${250 + i}]`));
    expect(buf.children![0]!.address).toBe(0x1000 + 4 + 250 * 4);
    expect(formatValueAt(rec, bytes, [1, 300], opts)).toBeNull();
    expect(formatValueAt(rec, bytes, [2], opts)).toBeNull();
    expect(formatValueAt(rec, bytes, [0, 0], opts)).toBeNull();
    // A pointer's target is child 0, read through readMemory.
    const ptr: Type = { kind: 'pointer', size: 4, target: rec };
    const mem = (a: number, n: number): Uint8Array | null => (a === 0x1000 && n === bytes.length ? bytes : null);
    expect(formatValueAt(ptr, le(0x1000), [0, 1, 5], { name: 'p', readMemory: mem })).toMatchObject({ name: '[5]', display: '15' });
    expect(formatValueAt(ptr, le(0x2000), [0], { name: 'p', readMemory: mem })).toBeNull();
    // Unfollowed (depth 0), a pointer offers to expand only when its target can be read.
    const one = (a: number, n: number): Uint8Array | null => (a === 0x1000 && n === 1 ? Uint8Array.of(7) : null);
    expect(formatValue(ptr, le(0x1000), { depth: 0, readMemory: one }).expandable).toBe(true);
    expect(formatValue(ptr, le(0x2000), { depth: 0, readMemory: one }).expandable).toBe(false);
  });

  it('stays cheap on absurd nesting', () => {
    let t: Type = int;
    let size = 4;
    for (let i = 0; i < 3; i++) { size *= 200; t = { kind: 'array', element: t, counts: [200], size }; }
    const started = Date.now();
    const v = formatValue(t, new Uint8Array(4 * 200 ** 3), { depth: 1, maxElements: 4 });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(v.display.length).toBeLessThan(100_000);
    expect(v.display.startsWith('{{{0 <repeats 200 times>}')).toBe(true);
  });
});
