// A fast 64-bit (two 32-bit lanes) non-cryptographic hash of machine state, for "is this the same
// state?" checks: replay verification and the seek-vs-linear property tests. Not for security.

const P1 = 0x9e3779b1 | 0;
const P2 = 0x85ebca77 | 0;
const P3 = 0xc2b2ae3d | 0;
const P4 = 0x27d4eb2f | 0;

export class StateHasher {
  private a = 0x243f6a88 | 0;
  private b = 0x13198a2e | 0;
  private n = 0;

  /** Mixes 32-bit words. */
  words(w: Int32Array | Uint32Array): this {
    let a = this.a, b = this.b;
    for (let i = 0; i < w.length; i++) {
      const v = w[i]! | 0;
      a = Math.imul((a ^ v) + ((a << 6) | 0), P1);
      b = Math.imul((b + v) ^ (b >>> 13), P2);
    }
    this.a = a;
    this.b = b;
    this.n += w.length * 4;
    return this;
  }

  bytes(u: Uint8Array): this {
    const whole = u.length & ~3;
    if (u.byteOffset % 4 === 0) this.words(new Int32Array(u.buffer, u.byteOffset, whole >> 2));
    else for (let i = 0; i < whole; i += 4) this.words(Int32Array.of(u[i]! | (u[i + 1]! << 8) | (u[i + 2]! << 16) | (u[i + 3]! << 24)));
    let tail = 0;
    for (let i = whole; i < u.length; i++) tail |= u[i]! << (8 * (i - whole));
    this.words(Int32Array.of(tail, u.length));
    return this;
  }

  /** 16 hex digits. */
  digest(): string {
    let a = this.a ^ this.n, b = this.b ^ Math.imul(this.n, P4);
    a = Math.imul(a ^ (a >>> 15), P3); a ^= a >>> 13; a = Math.imul(a, P1); a ^= a >>> 16;
    b = Math.imul(b ^ (b >>> 16), P4); b ^= b >>> 13; b = Math.imul(b, P2); b ^= b >>> 15;
    return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
  }
}

const PAGE_WORDS = 1024;

/** Hash of one 4 KiB RAM page (as two 32-bit lanes, packed in a float64-safe number pair). */
export function hashPage(ram32: Int32Array, page: number, out: Uint32Array, slot: number): void {
  let a = 0x6a09e667 | 0, b = 0xbb67ae85 | 0;
  const base = page * PAGE_WORDS;
  for (let i = 0; i < PAGE_WORDS; i++) {
    const v = ram32[base + i]! | 0;
    a = Math.imul((a ^ v) + ((a << 6) | 0), P1);
    b = Math.imul((b + v) ^ (b >>> 13), P2);
  }
  out[slot * 2] = a >>> 0;
  out[slot * 2 + 1] = b >>> 0;
}

/**
 * Per-page hashes of RAM, kept up to date incrementally from the dirty-page lists the snapshot
 * code already has, so hashing the whole machine costs O(dirty pages), not O(RAM).
 */
export class RamHashCache {
  readonly pageHashes: Uint32Array;

  /**
   * `mayBeNonZero` (optional): one byte per page, 0 for pages the caller knows to be all zeros
   * (PhysicalBus.touchedPages), so that they need no scan.
   */
  constructor(private readonly ram32: Int32Array, mayBeNonZero?: Uint8Array) {
    this.pageHashes = new Uint32Array((ram32.length / PAGE_WORDS) * 2);
    this.rehashAll(mayBeNonZero);
  }

  rehashAll(mayBeNonZero?: Uint8Array): void {
    const pages = this.ram32.length / PAGE_WORDS;
    // Most of a guest's RAM is zero: reuse the zero page's hash after a cheap scan.
    const zero = zeroPageHash();
    for (let p = 0; p < pages; p++) {
      if ((mayBeNonZero && !mayBeNonZero[p]) || isZeroPage(this.ram32, p)) {
        this.pageHashes[p * 2] = zero[0]!;
        this.pageHashes[p * 2 + 1] = zero[1]!;
      } else {
        hashPage(this.ram32, p, this.pageHashes, p);
      }
    }
  }

  update(pages: Iterable<number>): void {
    for (const p of pages) hashPage(this.ram32, p, this.pageHashes, p);
  }

  /** The machine hash: the CPU/device state bytes and the page hashes. */
  digest(state: Uint8Array): string {
    return machineStateDigest(state, this.pageHashes);
  }
}

/**
 * The machine hash from the CPU/device state bytes and the hashes of every RAM page (two lanes per
 * page, as hashPage writes them): RamHashCache from RAM, and a trace writer from snapshot records.
 */
export function machineStateDigest(state: Uint8Array, pageHashes: Uint32Array): string {
  return new StateHasher().bytes(state).words(pageHashes).digest();
}

/** hashPage of an all-zero page. */
export function zeroPageHash(): Uint32Array {
  const zero = new Uint32Array(2);
  hashPage(new Int32Array(PAGE_WORDS), 0, zero, 0);
  return zero;
}

/** Whether RAM page `page` holds only zeros. */
export function isZeroPage(ram32: Int32Array, page: number): boolean {
  // Eight words per test: half the time of one word per test (a replay opening scans all 128 MiB).
  for (let i = page * PAGE_WORDS, end = i + PAGE_WORDS; i < end; i += 8) {
    if ((ram32[i]! | ram32[i + 1]! | ram32[i + 2]! | ram32[i + 3]! | ram32[i + 4]! | ram32[i + 5]! | ram32[i + 6]! | ram32[i + 7]!) !== 0) return false;
  }
  return true;
}
