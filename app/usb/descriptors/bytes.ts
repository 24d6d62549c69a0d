// Tiny byte helpers for descriptors and class protocols. app/usb is portable (lib ES2022 only), so
// there is no Buffer, DataView-free helpers keep call sites short, and TextEncoder is not available.
// USB is little-endian on the wire (USB 2.0, 8.1); SCSI CDBs and data are big-endian (SPC-4, 3.5).

export const le16 = (b: Uint8Array, off: number): number => b[off]! | (b[off + 1]! << 8);
export const le32 = (b: Uint8Array, off: number): number =>
  (b[off]! | (b[off + 1]! << 8) | (b[off + 2]! << 16) | (b[off + 3]! << 24)) >>> 0;
export const be16 = (b: Uint8Array, off: number): number => (b[off]! << 8) | b[off + 1]!;
export const be32 = (b: Uint8Array, off: number): number =>
  ((b[off]! << 24) | (b[off + 1]! << 16) | (b[off + 2]! << 8) | b[off + 3]!) >>> 0;

export function putLe16(b: Uint8Array, off: number, v: number): void {
  b[off] = v & 0xff; b[off + 1] = (v >>> 8) & 0xff;
}
export function putLe32(b: Uint8Array, off: number, v: number): void {
  b[off] = v & 0xff; b[off + 1] = (v >>> 8) & 0xff; b[off + 2] = (v >>> 16) & 0xff; b[off + 3] = (v >>> 24) & 0xff;
}
export function putBe16(b: Uint8Array, off: number, v: number): void {
  b[off] = (v >>> 8) & 0xff; b[off + 1] = v & 0xff;
}
export function putBe32(b: Uint8Array, off: number, v: number): void {
  b[off] = (v >>> 24) & 0xff; b[off + 1] = (v >>> 16) & 0xff; b[off + 2] = (v >>> 8) & 0xff; b[off + 3] = v & 0xff;
}

/** Bytes of an ASCII string (characters above 0x7f become '?'), padded with `pad` up to `len`. */
export function ascii(s: string, len = s.length, pad = 0x20): Uint8Array {
  const out = new Uint8Array(len).fill(pad);
  for (let i = 0; i < Math.min(len, s.length); i++) {
    const c = s.charCodeAt(i);
    out[i] = c < 0x80 ? c : 0x3f;
  }
  return out;
}

/** Printable ASCII view of bytes ('.' for the rest), for dumps and tests. */
export function asciiText(b: Uint8Array): string {
  let s = '';
  for (const c of b) s += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : '.';
  return s;
}

export const hex = (v: number, digits = 2): string => '0x' + v.toString(16).padStart(digits, '0');
export const hexBytes = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let off = 0;
  for (const p of parts) { out.set(p, off); off += p.length; }
  return out;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Checks that `v` is an integer in [0, max], naming the field otherwise (builders reject bad specs). */
export function checkField(what: string, v: number, max: number): number {
  if (!Number.isInteger(v) || v < 0 || v > max) throw new RangeError(`${what} must be an integer in 0..${max}, got ${v}`);
  return v;
}
