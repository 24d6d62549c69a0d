// A small binary codec for machine and device state. Little-endian, no padding, explicit lengths.
// Used for snapshots and for the whole-machine hash, so its output must be a pure function of state.

import { decodeUtf8, encodeUtf8 } from '../util/utf8.js';

export class StateWriter {
  private buf: Uint8Array;
  private view: DataView;
  private pos = 0;

  constructor(initialCapacity = 1024) {
    this.buf = new Uint8Array(initialCapacity);
    this.view = new DataView(this.buf.buffer);
  }

  private reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.pos + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u8(v: number): this { this.reserve(1); this.view.setUint8(this.pos, v); this.pos += 1; return this; }
  u16(v: number): this { this.reserve(2); this.view.setUint16(this.pos, v, true); this.pos += 2; return this; }
  u32(v: number): this { this.reserve(4); this.view.setUint32(this.pos, v >>> 0, true); this.pos += 4; return this; }
  i32(v: number): this { this.reserve(4); this.view.setInt32(this.pos, v | 0, true); this.pos += 4; return this; }
  /** A non-negative integer up to 2^53 (icounts, tick counts). */
  u53(v: number): this {
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`StateWriter.u53: ${v} is not a safe non-negative integer`);
    this.u32(v % 0x1_0000_0000);
    this.u32(Math.floor(v / 0x1_0000_0000));
    return this;
  }
  /** A 64-bit value given as two 32-bit halves. */
  u64(lo: number, hi: number): this { this.u32(lo); this.u32(hi); return this; }
  f64(v: number): this { this.reserve(8); this.view.setFloat64(this.pos, v, true); this.pos += 8; return this; }
  bool(v: boolean): this { return this.u8(v ? 1 : 0); }
  bytes(b: Uint8Array): this { this.u32(b.length); this.reserve(b.length); this.buf.set(b, this.pos); this.pos += b.length; return this; }
  str(s: string): this { return this.bytes(encodeUtf8(s)); }
  i32array(a: Int32Array): this { this.u32(a.length); for (let i = 0; i < a.length; i++) this.i32(a[i]!); return this; }

  finish(): Uint8Array { return this.buf.slice(0, this.pos); }
}

export class StateFormatError extends Error {
  override name = 'StateFormatError';
}

export class StateReader {
  private readonly view: DataView;
  private pos = 0;

  constructor(private readonly buf: Uint8Array, private readonly what = 'state') {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  private need(n: number): void {
    if (this.pos + n > this.buf.length) {
      throw new StateFormatError(`${this.what}: truncated at byte ${this.pos} (needs ${n} more, has ${this.buf.length - this.pos})`);
    }
  }

  u8(): number { this.need(1); const v = this.view.getUint8(this.pos); this.pos += 1; return v; }
  u16(): number { this.need(2); const v = this.view.getUint16(this.pos, true); this.pos += 2; return v; }
  u32(): number { this.need(4); const v = this.view.getUint32(this.pos, true); this.pos += 4; return v; }
  i32(): number { this.need(4); const v = this.view.getInt32(this.pos, true); this.pos += 4; return v; }
  u53(): number { const lo = this.u32(); const hi = this.u32(); return hi * 0x1_0000_0000 + lo; }
  u64(): [lo: number, hi: number] { const lo = this.u32(); const hi = this.u32(); return [lo, hi]; }
  f64(): number { this.need(8); const v = this.view.getFloat64(this.pos, true); this.pos += 8; return v; }
  bool(): boolean { return this.u8() !== 0; }
  bytes(): Uint8Array { const n = this.u32(); this.need(n); const b = this.buf.slice(this.pos, this.pos + n); this.pos += n; return b; }
  str(): string { return decodeUtf8(this.bytes()); }
  i32array(into?: Int32Array): Int32Array {
    const n = this.u32();
    const a = into && into.length === n ? into : new Int32Array(n);
    for (let i = 0; i < n; i++) a[i] = this.i32();
    return a;
  }
  get remaining(): number { return this.buf.length - this.pos; }
  expectEnd(): void {
    if (this.pos !== this.buf.length) throw new StateFormatError(`${this.what}: ${this.buf.length - this.pos} unexpected trailing bytes`);
  }
}
