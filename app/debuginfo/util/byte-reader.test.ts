import { describe, expect, it } from 'vitest';
import { ByteReader, stringAt } from './byte-reader.js';
import { decodeUtf8 } from '../../engine/util/utf8.js';
import { DwarfFormatError } from '../warnings.js';

const bytes = (...b: number[]): Uint8Array => Uint8Array.from(b);

describe('ByteReader', () => {
  it('reads LEB128 as in DWARF 5 section 7.6 (figures 7.4 and 7.5)', () => {
    const u = (...b: number[]): number => new ByteReader(bytes(...b), 't').uleb();
    const s = (...b: number[]): number => new ByteReader(bytes(...b), 't').sleb();
    expect([u(2), u(127), u(0x80, 1), u(0x81, 1), u(0x82, 1), u(0xb9, 0x64)]).toEqual([2, 127, 128, 129, 130, 12857]);
    expect([s(2), s(0x7e), s(0xff, 0), s(0x81, 0x7f), s(0x80, 1), s(0x80, 0x7f)]).toEqual([2, -2, 127, -127, 128, -128]);
    expect(new ByteReader(bytes(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01), 't').ulebBig()).toBe(2n ** 64n - 1n);
    expect(new ByteReader(bytes(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f), 't').slebBig()).toBe(-(2n ** 63n));
  });

  it('names the section and offset when data runs out', () => {
    const r = new ByteReader(bytes(1, 2, 3), '.debug_line', 1);
    expect(r.u16()).toBe(0x0302);
    try {
      r.u8();
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(DwarfFormatError);
      expect((e as Error).message).toBe('.debug_line+0x3: truncated: u8 needs 1 bytes, 0 left');
    }
    expect(() => new ByteReader(bytes(0x80, 0x80), '.debug_info').uleb()).toThrow('.debug_info+0x0: truncated ULEB128');
    expect(() => new ByteReader(new Uint8Array(40).fill(0x80), 'x').uleb()).toThrow('longer than 16 bytes');
  });

  it('reads initial lengths of 32- and 64-bit DWARF and checks them against the section', () => {
    const r32 = new ByteReader(bytes(4, 0, 0, 0, 9, 9, 9, 9), 's');
    expect(r32.initialLength('unit')).toEqual({ length: 4, offsetSize: 4, end: 8 });
    const r64 = new ByteReader(bytes(0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 0, 0, 0, 7, 7), 's');
    expect(r64.initialLength('unit')).toEqual({ length: 2, offsetSize: 8, end: 14 });
    expect(() => new ByteReader(bytes(0xf0, 0xff, 0xff, 0xff), 's').initialLength('unit')).toThrow('reserved initial length');
    expect(() => new ByteReader(bytes(9, 0, 0, 0, 1), 's').initialLength('unit')).toThrow('runs past the end of the section');
  });

  it('reads NUL-terminated UTF-8 strings and refuses unterminated ones', () => {
    const sec = bytes(0x61, 0x62, 0, 0xc3, 0xa9, 0, 0x7a);
    expect(stringAt(sec, '.debug_str', 0)).toBe('ab');
    expect(stringAt(sec, '.debug_str', 3)).toBe('é');
    expect(() => stringAt(sec, '.debug_str', 6)).toThrow('.debug_str+0x6: string is not NUL-terminated');
    expect(() => stringAt(sec, '.debug_str', 99)).toThrow('outside the section');
  });
});

describe('decodeUtf8', () => {
  it('agrees with TextDecoder (the oracle) on valid and malformed input', () => {
    const cases: number[][] = [
      [0x68, 0x69], [0xc3, 0xa9], [0xe2, 0x82, 0xac], [0xf0, 0x9f, 0x98, 0x80], [0xff], [0xc3], [0xe2, 0x82],
      [0xed, 0xa0, 0x80], [0xc0, 0xaf], [0xf4, 0x90, 0x80, 0x80], [0x61, 0x80, 0x62], [0xf0, 0x9f, 0x98], [],
    ];
    let seed = 7;
    for (let i = 0; i < 500; i++) {
      const n = i % 9;
      const c: number[] = [];
      for (let k = 0; k < n; k++) { seed = (seed * 1103515245 + 12345) >>> 0; c.push((seed >>> 16) & 0xff); }
      cases.push(c);
    }
    const td = new TextDecoder('utf-8');
    for (const c of cases) expect({ c, s: decodeUtf8(Uint8Array.from(c)) }).toEqual({ c, s: td.decode(Uint8Array.from(c)) });
  });
});
