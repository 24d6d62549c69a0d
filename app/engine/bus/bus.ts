// The physical address space: RAM (with the typed-array views the CPU's fast path uses), the boot ROM,
// and memory-mapped devices. All host-visible accesses by devices (DMA) go through here too, so that
// dirty-page tracking, code invalidation and the write index see every write, whoever makes it.
//
// Per-page flags (one byte per 4 KiB RAM page) keep the CPU's store fast path to one load and one
// compare: a store may take the fast path only when the page's flags are 0.

import type { AccessSize, MmioDevice, RamStoreObserver } from './device.js';

export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 1 << PAGE_SHIFT;

/** The page holds decoded instruction blocks: a store must invalidate them first. */
export const PAGE_CODE = 1;
/** The page has not been written since dirty tracking was last reset. */
export const PAGE_CLEAN = 2;
/** A RamStoreObserver watches (part of) this page. */
export const PAGE_OBSERVED = 4;
/** A write watch (write index query, watchpoint) covers (part of) this page: stores run alone. */
export const PAGE_WATCHED = 8;

/**
 * Writes are tracked per 4-byte granule (an aligned word). Measured: with 64-byte lines, a rarely
 * written global that shares a line with a hot one (or a stack slot beside callee frames) matched
 * nearly every snapshot interval, and previous-write replayed up to 48 intervals (p99 1.19 s on a
 * 2.17 G-instruction recording); per word, only real writes match.
 */
export const GRANULE_SHIFT = 2;
/** Granules per RAM page, and bytes of a page's granule bitmask. */
export const GRANULES_PER_PAGE = 1 << (12 - GRANULE_SHIFT);
export const GRANULE_MASK_BYTES = GRANULES_PER_PAGE / 8;

/** Who wrote memory: the CPU or a device by DMA. */
export type Writer = 'cpu' | 'dma';

/** Receives every RAM write (installed only while the write index or a watchpoint needs it). */
export interface RamWriteHook {
  /** `paddr..paddr+size` is about to be written by `writer`. Called before the bytes change. */
  beforeWrite(paddr: number, size: number, writer: Writer): void;
}

interface Mapping { base: number; end: number; device: MmioDevice }

/** A physical RAM range whose writes are reported to a hook (write index queries, watchpoints). */
export interface WriteWatchRange {
  readonly paddr: number;
  readonly size: number;
}

export class BusError extends Error {
  override name = 'BusError';
}

export class PhysicalBus {
  readonly ramBase: number;
  readonly ramSize: number;
  readonly ram: Uint8Array;
  readonly ram16: Uint16Array;
  readonly ram32: Int32Array;
  readonly pageFlags: Uint8Array;
  /** One byte per 4-byte RAM granule: 1 when written since the last takeWrittenGranules(). */
  readonly granuleWritten: Uint8Array;
  /**
   * The same marks four at a time (granule 4w + k is byte k of word w: little-endian, as every host
   * Node runs on is), for scanning.
   */
  private readonly granuleWords: Int32Array;
  /** The page flags four at a time, for scanning (see granuleWords). */
  private readonly pageFlagWords: Uint32Array;
  /**
   * The lowest and highest page noteRamWrite has ever seen. A granule mark needs a page that is not
   * clean, and only noteRamWrite makes a page not clean, so every mark lies in these pages: clearing
   * them clears all marks without touching the rest (32 MiB of marks for 128 MiB of RAM, ~15 ms
   * when untouched, and 2-5 ms a time when touched).
   */
  private writtenPagesLo = Number.MAX_SAFE_INTEGER;
  /**
   * One byte per RAM page: 1 once the page may hold a non-zero byte (written through the bus, or
   * loaded from outside with noteRamLoaded). A recorder's first keyframe needs these pages; knowing
   * them spares it a scan of all RAM (~40 ms for 128 MiB).
   */
  private readonly touched: Uint8Array;
  private writtenPagesHi = -1;
  private readonly mappings: Mapping[] = [];
  private readonly observers: RamStoreObserver[] = [];
  private romBase = 0;
  private rom: Uint8Array = new Uint8Array(0);
  /** Called with a RAM page number when a write lands in a page that holds code. */
  onCodeWrite: (page: number) => void = () => {};
  /** Receives writes that overlap the watched ranges (see setWriteWatch). */
  private writeHook: RamWriteHook | null = null;
  private watched: readonly WriteWatchRange[] = [];

  constructor(ramBase: number, ramSize: number) {
    if (ramSize % PAGE_SIZE !== 0 || ramSize <= 0 || ramSize > 0x8000_0000) {
      throw new BusError(`RAM size ${ramSize} must be a positive multiple of ${PAGE_SIZE} up to 2 GiB`);
    }
    this.ramBase = ramBase >>> 0;
    this.ramSize = ramSize;
    const buffer = new ArrayBuffer(ramSize);
    this.ram = new Uint8Array(buffer);
    this.ram16 = new Uint16Array(buffer);
    this.ram32 = new Int32Array(buffer);
    this.pageFlags = new Uint8Array(ramSize >>> PAGE_SHIFT).fill(PAGE_CLEAN);
    this.granuleWritten = new Uint8Array(ramSize >>> GRANULE_SHIFT);
    this.touched = new Uint8Array(ramSize >>> PAGE_SHIFT);
    this.granuleWords = new Int32Array(this.granuleWritten.buffer);
    this.pageFlagWords = new Uint32Array(this.pageFlags.buffer, 0, this.pageFlags.length >>> 2);
  }

  /** Maps a device window; windows must not overlap each other, RAM or the ROM. */
  map(base: number, device: MmioDevice): void {
    const b = base >>> 0;
    const end = b + device.size;
    if (this.overlaps(b, end)) throw new BusError(`device ${device.name} at 0x${b.toString(16)} overlaps another mapping`);
    this.mappings.push({ base: b, end, device });
    this.mappings.sort((p, q) => p.base - q.base);
  }

  setRom(base: number, bytes: Uint8Array): void {
    this.romBase = base >>> 0;
    this.rom = bytes;
  }

  addStoreObserver(o: RamStoreObserver): void {
    const off = ((o.base >>> 0) - this.ramBase);
    if (off < 0 || off + o.size > this.ramSize) throw new BusError(`store observer at 0x${(o.base >>> 0).toString(16)} is not in RAM`);
    this.observers.push(o);
    for (let p = off >>> PAGE_SHIFT; p <= (off + o.size - 1) >>> PAGE_SHIFT; p++) this.pageFlags[p]! |= PAGE_OBSERVED;
  }

  private overlaps(b: number, end: number): boolean {
    const hit = (lo: number, hi: number): boolean => b < hi && lo < end;
    if (hit(this.ramBase, this.ramBase + this.ramSize)) return true;
    if (this.rom.length && hit(this.romBase, this.romBase + this.rom.length)) return true;
    return this.mappings.some((m) => hit(m.base, m.end));
  }

  /** RAM offset of a physical address, or -1 when `size` bytes there are not all RAM. */
  ramOffset(paddr: number, size = 1): number {
    const off = (paddr >>> 0) - this.ramBase;
    return off >= 0 && off + size <= this.ramSize ? off : -1;
  }

  isRam(paddr: number, size = 1): boolean {
    return this.ramOffset(paddr, size) >= 0;
  }

  /** The device mapped at `paddr`, for the CPU's slow path. */
  deviceAt(paddr: number): Mapping | null {
    const a = paddr >>> 0;
    for (const m of this.mappings) if (a >= m.base && a < m.end) return m;
    return null;
  }

  romOffset(paddr: number, size: number): number {
    const off = (paddr >>> 0) - this.romBase;
    return off >= 0 && off + size <= this.rom.length ? off : -1;
  }

  /** Executable memory: RAM or ROM. Returns the 16-bit parcel, or -1 if `paddr` is not executable. */
  fetch16(paddr: number): number {
    const off = this.ramOffset(paddr, 2);
    if (off >= 0) return this.ram[off]! | (this.ram[off + 1]! << 8);
    const r = this.romOffset(paddr, 2);
    if (r >= 0) return this.rom[r]! | (this.rom[r + 1]! << 8);
    return -1;
  }

  /**
   * Slow-path read of `size` bytes (aligned or not) at a physical address.
   * Returns the zero-extended value, or -1 when any byte is not backed by RAM, ROM or a device
   * (values are therefore returned as non-negative numbers; callers sign-extend).
   */
  read(paddr: number, size: AccessSize): number {
    const a = paddr >>> 0;
    const off = this.ramOffset(a, size);
    if (off >= 0) return readLE(this.ram, off, size);
    const r = this.romOffset(a, size);
    if (r >= 0) return readLE(this.rom, r, size);
    const m = this.deviceAt(a);
    if (m && a + size <= m.end && ((m.device.validSizes ?? 7) & size) !== 0) return m.device.read(a - m.base, size) >>> 0;
    return -1;
  }

  /** Slow-path write. Returns false (an access fault) when the target is not RAM, ROM or a device. */
  write(paddr: number, size: AccessSize, value: number, writer: Writer = 'cpu'): boolean {
    const a = paddr >>> 0;
    const off = this.ramOffset(a, size);
    if (off >= 0) {
      this.writeRam(off, size, value, writer);
      return true;
    }
    // Writes to the boot ROM are ignored, as QEMU's virt machine does.
    if (this.romOffset(a, size) >= 0) return true;
    const m = this.deviceAt(a);
    if (m && a + size <= m.end && ((m.device.validSizes ?? 7) & size) !== 0) {
      m.device.write(a - m.base, size, value);
      return true;
    }
    return false;
  }

  /** Writes RAM at offset `off`, keeping page flags, code invalidation, hooks and observers right. */
  writeRam(off: number, size: number, value: number, writer: Writer): void {
    this.noteRamWrite(off, size, writer);
    for (let i = 0; i < size; i++) this.ram[off + i] = (value >>> (8 * i)) & 0xff;
    this.afterRamWrite(off, size);
  }

  /** Device DMA into RAM. Throws BusError naming the range when it is not all RAM. */
  dmaWrite(paddr: number, bytes: Uint8Array): void {
    const off = this.ramOffset(paddr, bytes.length);
    if (off < 0) throw new BusError(`DMA write of ${bytes.length} bytes at 0x${(paddr >>> 0).toString(16)} is outside RAM`);
    this.noteRamWrite(off, bytes.length, 'dma');
    this.ram.set(bytes, off);
    this.afterRamWrite(off, bytes.length);
  }

  dmaRead(paddr: number, length: number): Uint8Array {
    const off = this.ramOffset(paddr, length);
    if (off < 0) throw new BusError(`DMA read of ${length} bytes at 0x${(paddr >>> 0).toString(16)} is outside RAM`);
    return this.ram.slice(off, off + length);
  }

  /**
   * Reports writes to these physical ranges to `hook` before they land. CPU stores to the pages
   * involved are re-executed alone, so the hook sees the exact icount and pc of the writer.
   * An empty list (or null hook) removes the watch.
   */
  setWriteWatch(ranges: readonly WriteWatchRange[], hook: RamWriteHook | null): void {
    for (let p = 0; p < this.pageFlags.length; p++) this.pageFlags[p]! &= ~PAGE_WATCHED;
    this.watched = hook ? ranges.filter((r) => r.size > 0) : [];
    this.writeHook = this.watched.length ? hook : null;
    for (const r of this.watched) {
      const first = Math.max(0, (r.paddr >>> 0) - this.ramBase);
      const last = Math.min(this.ramSize - 1, (r.paddr >>> 0) - this.ramBase + r.size - 1);
      for (let p = first >>> PAGE_SHIFT; first <= last && p <= last >>> PAGE_SHIFT; p++) this.pageFlags[p]! |= PAGE_WATCHED;
    }
  }

  /** Whether a write watch is set (one at a time: a caller that finds one does not replace it). */
  get hasWriteWatch(): boolean {
    return this.writeHook !== null;
  }

  /** Bookkeeping before bytes at RAM offset `off` change: dirty marking, code invalidation, hooks. */
  noteRamWrite(off: number, size: number, writer: Writer): void {
    if (this.writeHook) {
      const pa = this.ramBase + off;
      for (const r of this.watched) {
        const rp = r.paddr >>> 0;
        if (pa < rp + r.size && rp < pa + size) {
          this.writeHook.beforeWrite(pa, size, writer);
          break;
        }
      }
    }
    const granules = this.granuleWritten;
    for (let g = off >>> GRANULE_SHIFT; g <= (off + size - 1) >>> GRANULE_SHIFT; g++) granules[g] = 1;
    const first = off >>> PAGE_SHIFT;
    const last = (off + size - 1) >>> PAGE_SHIFT;
    if (first < this.writtenPagesLo) this.writtenPagesLo = first;
    if (last > this.writtenPagesHi) this.writtenPagesHi = last;
    for (let p = first; p <= last; p++) {
      this.touched[p] = 1;
      const f = this.pageFlags[p]!;
      if (f & PAGE_CODE) this.onCodeWrite(p);
      this.pageFlags[p] = f & ~(PAGE_CLEAN | PAGE_CODE);
    }
  }

  private afterRamWrite(off: number, size: number): void {
    if (this.observers.length === 0) return;
    const pa = this.ramBase + off;
    for (const o of this.observers) {
      const ob = o.base >>> 0;
      if (pa < ob + o.size && ob < pa + size) o.afterStore(pa, size as AccessSize);
    }
  }

  /**
   * RAM at offset `off` was filled from outside the guest's view of time (an image loaded, a
   * snapshot restored): not a write for dirty tracking or the write index, but the pages may now
   * hold non-zero bytes.
   */
  noteRamLoaded(off: number, size: number): void {
    if (size <= 0) return;
    this.touched.fill(1, off >>> PAGE_SHIFT, ((off + size - 1) >>> PAGE_SHIFT) + 1);
  }

  /** A copy of the pages that may hold non-zero bytes (a superset: a page written with zeros stays in). */
  touchedPages(): Uint8Array {
    return this.touched.slice();
  }

  /** Marks a page as holding decoded code (the CPU's block cache calls this). */
  markCode(page: number): void {
    this.pageFlags[page]! |= PAGE_CODE;
  }

  /** Pages written since the last reset, in ascending order; then starts a new tracking interval. */
  takeDirtyPages(): number[] {
    const dirty: number[] = [];
    const flags = this.pageFlags;
    const words = this.pageFlagWords;
    const allClean = PAGE_CLEAN * 0x01010101;
    const take = (p: number): void => {
      if ((flags[p]! & PAGE_CLEAN) === 0) {
        dirty.push(p);
        flags[p]! |= PAGE_CLEAN;
      }
    };
    // Four pages at a time: between snapshots most pages are clean.
    for (let w = 0; w < words.length; w++) {
      if ((words[w]! & allClean) === allClean) continue;
      for (let p = w << 2, end = p + 4; p < end; p++) take(p);
    }
    for (let p = words.length << 2; p < flags.length; p++) take(p);
    return dirty;
  }

  /**
   * The granules written since the last call, for the given pages (the pages dirtied in the same
   * interval: granules can only be written in dirty pages), as a bitmask per page (bit i = granule
   * i). Clears the marks of those pages.
   */
  takeWrittenGranules(pages: readonly number[]): { page: number; mask: Uint8Array }[] {
    const out: { page: number; mask: Uint8Array }[] = [];
    // Eight granule marks (bytes, each 0 or 1) at a time, as two words: pages dirtied by a few
    // stores are mostly zero words, and a word's four marks pack into four mask bits with one
    // multiply (byte k's bit lands at bit 21 + k; the partial products never overlap, so no carries).
    // Measured on workload-long.elf's ~45,000 dirty pages: 155 ms byte by byte, ~15 ms this way.
    const words = this.granuleWords;
    const wordsPerPage = GRANULES_PER_PAGE / 4;
    for (const p of pages) {
      const base = p * wordsPerPage;
      let mask: Uint8Array | null = null;
      for (let w = 0; w < wordsPerPage; w += 2) {
        const lo = words[base + w]!, hi = words[base + w + 1]!;
        if ((lo | hi) === 0) continue;
        mask ??= new Uint8Array(GRANULE_MASK_BYTES);
        mask[w >>> 1] = ((Math.imul(lo, 0x204081) >>> 21) & 0x0f) | ((Math.imul(hi, 0x204081) >>> 17) & 0xf0);
      }
      if (mask) {
        words.fill(0, base, base + wordsPerPage);
        out.push({ page: p, mask });
      }
    }
    return out;
  }

  /** Clears all write marks (after a restore: what the restored state wrote is not ours). */
  clearWrittenGranules(): void {
    if (this.writtenPagesHi < 0) return;
    this.granuleWritten.fill(0, this.writtenPagesLo * GRANULES_PER_PAGE, (this.writtenPagesHi + 1) * GRANULES_PER_PAGE);
  }

  /** Resets dirty tracking without reporting (e.g. right after a full snapshot or a restore). */
  markAllClean(): void {
    const flags = this.pageFlags;
    for (let p = 0; p < flags.length; p++) flags[p]! |= PAGE_CLEAN;
  }
}

function readLE(buf: Uint8Array, off: number, size: number): number {
  if (size === 1) return buf[off]!;
  if (size === 2) return buf[off]! | (buf[off + 1]! << 8);
  return (buf[off]! | (buf[off + 1]! << 8) | (buf[off + 2]! << 16) | (buf[off + 3]! << 24)) >>> 0;
}
