// Bounded little-endian reader over one section (or a slice of one). Every read checks the end
// first and throws DwarfFormatError naming the section and offset, so a truncated or corrupt
// section can never read past its bytes, and every loop that advances a reader is bounded by the
// section size. Offsets reported are section offsets (`base` + position in the slice).

import { DwarfFormatError } from '../warnings.js';
import { decodeUtf8 } from '../../engine/util/utf8.js';

const TWO32 = 0x1_0000_0000;

export class ByteReader {
  pos: number;
  readonly end: number;
  private readonly view: DataView;

  /**
   * @param bytes the whole section
   * @param section its name, for messages
   * @param start where to begin reading
   * @param end where to stop (exclusive, default the end of `bytes`)
   */
  constructor(readonly bytes: Uint8Array, readonly section: string, start = 0, end = bytes.length) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.end = Math.min(Math.max(0, end), bytes.length);
    this.pos = Math.min(Math.max(0, start), this.end);
  }

  get remaining(): number { return this.end - this.pos; }
  get atEnd(): boolean { return this.pos >= this.end; }

  fail(detail: string, at = this.pos): never {
    throw new DwarfFormatError(this.section, at, detail);
  }

  private need(n: number, what: string): number {
    const at = this.pos;
    if (n < 0 || at + n > this.end) this.fail(`truncated: ${what} needs ${n} bytes, ${this.end - at} left`, at);
    this.pos = at + n;
    return at;
  }

  u8(): number { return this.bytes[this.need(1, 'u8')]!; }
  i8(): number { return (this.u8() << 24) >> 24; }
  u16(): number { return this.view.getUint16(this.need(2, 'u16'), true); }
  i16(): number { return this.view.getInt16(this.need(2, 'u16'), true); }
  u24(): number { const a = this.need(3, 'u24'); return this.bytes[a]! | (this.bytes[a + 1]! << 8) | (this.bytes[a + 2]! << 16); }
  u32(): number { return this.view.getUint32(this.need(4, 'u32'), true); }
  i32(): number { return this.view.getInt32(this.need(4, 'u32'), true); }
  /** 64-bit unsigned as bigint (exact). */
  u64big(): bigint { return this.view.getBigUint64(this.need(8, 'u64'), true); }
  /** 64-bit unsigned as a number: exact below 2^53, otherwise rounded (fine for sizes we reject anyway). */
  u64(): number { const lo = this.u32(); const hi = this.u32(); return hi * TWO32 + lo; }

  /** An unsigned value of 1, 2, 4 or 8 bytes (addresses, offsets). */
  uN(size: number): number {
    switch (size) {
      case 1: return this.u8();
      case 2: return this.u16();
      case 4: return this.u32();
      case 8: return this.u64();
      default: return this.fail(`unsupported field size ${size}`);
    }
  }

  /** ULEB128 as a number; values above 2^53 lose precision (no sane DWARF needs them). */
  uleb(): number {
    let result = 0;
    let mul = 1;
    const start = this.pos;
    for (;;) {
      if (this.pos >= this.end) this.fail('truncated ULEB128', start);
      const b = this.bytes[this.pos++]!;
      result += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) return result;
      mul *= 128;
      if (this.pos - start > 16) this.fail('ULEB128 longer than 16 bytes', start);
    }
  }

  /** SLEB128 as a number. */
  sleb(): number {
    let result = 0;
    let mul = 1;
    const start = this.pos;
    for (;;) {
      if (this.pos >= this.end) this.fail('truncated SLEB128', start);
      const b = this.bytes[this.pos++]!;
      result += (b & 0x7f) * mul;
      mul *= 128;
      if ((b & 0x80) === 0) {
        if (b & 0x40) result -= mul;
        return result;
      }
      if (this.pos - start > 16) this.fail('SLEB128 longer than 16 bytes', start);
    }
  }

  /** ULEB128 as an exact bigint. */
  ulebBig(): bigint {
    let result = 0n;
    let shift = 0n;
    const start = this.pos;
    for (;;) {
      if (this.pos >= this.end) this.fail('truncated ULEB128', start);
      const b = this.bytes[this.pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      shift += 7n;
      if ((b & 0x80) === 0) return result;
      if (this.pos - start > 20) this.fail('ULEB128 longer than 20 bytes', start);
    }
  }

  /** SLEB128 as an exact bigint. */
  slebBig(): bigint {
    let result = 0n;
    let shift = 0n;
    const start = this.pos;
    for (;;) {
      if (this.pos >= this.end) this.fail('truncated SLEB128', start);
      const b = this.bytes[this.pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      shift += 7n;
      if ((b & 0x80) === 0) {
        if (b & 0x40) result -= 1n << shift;
        return result;
      }
      if (this.pos - start > 20) this.fail('SLEB128 longer than 20 bytes', start);
    }
  }

  bytesN(n: number): Uint8Array {
    const at = this.need(n, `${n}-byte block`);
    return this.bytes.subarray(at, at + n);
  }

  skip(n: number): void { this.need(n, `skip of ${n} bytes`); }

  /** A NUL-terminated UTF-8 string. */
  cstring(): string {
    const start = this.pos;
    let i = start;
    while (i < this.end && this.bytes[i] !== 0) i++;
    if (i >= this.end) this.fail('string is not NUL-terminated before the end of the section', start);
    this.pos = i + 1;
    return decodeUtf8(this.bytes, start, i);
  }

  /**
   * An initial length field (DWARF 5 section 7.4): 32-bit, or 0xffffffff then 64-bit (64-bit DWARF).
   * Returns the length, the offset size (4 or 8), and where the unit ends, checked against the reader's end.
   */
  initialLength(what: string): { length: number; offsetSize: 4 | 8; end: number } {
    const at = this.pos;
    let length = this.u32();
    let offsetSize: 4 | 8 = 4;
    if (length === 0xffffffff) { length = this.u64(); offsetSize = 8; }
    else if (length >= 0xfffffff0) this.fail(`${what}: reserved initial length ${hex8(length)}`, at);
    const end = this.pos + length;
    if (end > this.end) this.fail(`${what}: length ${length} runs past the end of the section (${this.end - this.pos} bytes left)`, at);
    return { length, offsetSize, end };
  }
}

/** A NUL-terminated string at `offset` in a string section (.debug_str, .debug_line_str, .strtab). */
export function stringAt(bytes: Uint8Array, section: string, offset: number): string {
  if (!(offset >= 0 && offset < bytes.length)) throw new DwarfFormatError(section, offset, `string offset ${hex8(offset)} is outside the section (${bytes.length} bytes)`);
  return new ByteReader(bytes, section, offset).cstring();
}

function hex8(n: number): string { return `0x${n.toString(16)}`; }
