// The M extension's operations that JavaScript has no single operator for (Volume I, chapter 7).
// All take and return int32 values.

/** High 32 bits of the unsigned 64-bit product, from 16-bit limbs (exact in doubles). */
export function mulhu(a: number, b: number): number {
  const al = a & 0xffff, ah = a >>> 16, bl = b & 0xffff, bh = b >>> 16;
  const ll = al * bl, lh = al * bh, hl = ah * bl, hh = ah * bh;
  const mid = (ll >>> 16) + (lh & 0xffff) + (hl & 0xffff);
  return (hh + (lh >>> 16) + (hl >>> 16) + (mid >>> 16)) | 0;
}

/** High 32 bits of the signed x signed product. */
export function mulh(a: number, b: number): number {
  let hi = mulhu(a, b);
  if (a < 0) hi = (hi - b) | 0;
  if (b < 0) hi = (hi - a) | 0;
  return hi;
}

/** High 32 bits of the signed x unsigned product. */
export function mulhsu(a: number, b: number): number {
  const hi = mulhu(a, b);
  return a < 0 ? (hi - b) | 0 : hi;
}

/** Signed division: x/0 = -1, INT_MIN/-1 = INT_MIN (no trap). */
export function div(a: number, b: number): number {
  if (b === 0) return -1;
  if (a === -0x80000000 && b === -1) return a;
  return (a / b) | 0;
}

export function divu(a: number, b: number): number {
  if (b === 0) return -1;
  return ((a >>> 0) / (b >>> 0)) | 0;
}

/** Signed remainder: x%0 = x, INT_MIN%-1 = 0. */
export function rem(a: number, b: number): number {
  if (b === 0) return a;
  if (a === -0x80000000 && b === -1) return 0;
  return (a % b) | 0;
}

export function remu(a: number, b: number): number {
  if (b === 0) return a;
  return ((a >>> 0) % (b >>> 0)) | 0;
}
