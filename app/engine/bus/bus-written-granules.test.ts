// The write marks behind the write index: every written 4-byte granule comes back, as a bitmask per
// page, exactly once (the packed four-at-a-time scan against a plain reading of the marks).

import { describe, expect, it } from 'vitest';
import { GRANULES_PER_PAGE, GRANULE_MASK_BYTES, PAGE_SIZE, PhysicalBus } from './bus.js';

const RAM_BASE = 0x8000_0000;

/** The mask the marks should give, granule by granule. */
function expectedMask(written: Set<number>, page: number): Uint8Array | null {
  const mask = new Uint8Array(GRANULE_MASK_BYTES);
  let any = false;
  for (let i = 0; i < GRANULES_PER_PAGE; i++) {
    if (written.has(page * GRANULES_PER_PAGE + i)) {
      mask[i >>> 3]! |= 1 << (i & 7);
      any = true;
    }
  }
  return any ? mask : null;
}

describe('PhysicalBus written granules', () => {
  it('reports every written granule of the given pages once, as a bitmask per page', () => {
    const bus = new PhysicalBus(RAM_BASE, 16 * PAGE_SIZE);
    const written = new Set<number>();
    let x = 12345;
    const rnd = (n: number): number => {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      return x % n;
    };
    // Sparse and dense pages, every access size, writes that straddle granules and pages.
    for (let i = 0; i < 3000; i++) {
      const page = i < 2500 ? rnd(3) : 3 + rnd(10);
      const size = [1, 2, 4, 8][rnd(4)]!;
      const off = Math.min(page * PAGE_SIZE + rnd(PAGE_SIZE), 16 * PAGE_SIZE - size);
      bus.noteRamWrite(off, size, 'cpu');
      for (let g = off >>> 2; g <= (off + size - 1) >>> 2; g++) written.add(g);
    }
    const pages = bus.takeDirtyPages();
    const got = bus.takeWrittenGranules(pages);
    const want = pages.map((p) => ({ page: p, mask: expectedMask(written, p) })).filter((m) => m.mask !== null);
    expect(got).toEqual(want);
    expect(bus.takeWrittenGranules(pages)).toEqual([]); // taken: the marks are cleared
  });

  it('sees the first and the last granule of a page', () => {
    const bus = new PhysicalBus(RAM_BASE, 4 * PAGE_SIZE);
    bus.noteRamWrite(PAGE_SIZE, 1, 'dma');
    bus.noteRamWrite(2 * PAGE_SIZE - 4, 4, 'cpu');
    const [m] = bus.takeWrittenGranules([1]);
    expect(m!.page).toBe(1);
    expect(m!.mask[0]).toBe(1);
    expect(m!.mask[GRANULE_MASK_BYTES - 1]).toBe(0x80);
    expect(m!.mask.slice(1, GRANULE_MASK_BYTES - 1).every((b) => b === 0)).toBe(true);
  });
});

describe('PhysicalBus dirty pages', () => {
  it('reports each page written since the last call once, in order, with RAM not a multiple of 4 pages', () => {
    const bus = new PhysicalBus(RAM_BASE, 11 * PAGE_SIZE);
    expect(bus.takeDirtyPages()).toEqual([]);
    for (const p of [10, 0, 5, 3, 3, 9]) bus.noteRamWrite(p * PAGE_SIZE + 8, 4, 'cpu');
    bus.noteRamWrite(7 * PAGE_SIZE - 2, 4, 'dma'); // straddles pages 6 and 7
    expect(bus.takeDirtyPages()).toEqual([0, 3, 5, 6, 7, 9, 10]);
    expect(bus.takeDirtyPages()).toEqual([]);
    bus.noteRamWrite(10 * PAGE_SIZE, 1, 'cpu');
    expect(bus.takeDirtyPages()).toEqual([10]);
  });

  it('clearWrittenGranules clears every mark, wherever it was made', () => {
    const bus = new PhysicalBus(RAM_BASE, 64 * PAGE_SIZE);
    bus.noteRamWrite(5 * PAGE_SIZE, 4, 'cpu');
    bus.noteRamWrite(40 * PAGE_SIZE + 100, 8, 'dma');
    bus.markAllClean(); // marks left behind in clean pages (as after a restore)
    bus.clearWrittenGranules();
    expect(bus.granuleWritten.every((g) => g === 0)).toBe(true);
    bus.noteRamWrite(63 * PAGE_SIZE + 4092, 4, 'cpu');
    bus.clearWrittenGranules();
    expect(bus.granuleWritten.every((g) => g === 0)).toBe(true);
  });
});
