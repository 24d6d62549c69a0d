// Pages that may hold non-zero bytes: what a recorder's first keyframe must store and what a
// replay's fresh machine must restore, known without scanning all of RAM.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Machine } from '../machine/machine.js';
import { isZeroPage } from '../machine/state-hash.js';
import { PAGE_SIZE, PhysicalBus } from './bus.js';

const RAM_BASE = 0x8000_0000;
const touchedList = (bus: PhysicalBus): number[] => [...bus.touchedPages().entries()].filter(([, t]) => t).map(([p]) => p);

describe('PhysicalBus touched pages', () => {
  it('starts with none and gains the pages written by the CPU path, by DMA and by loads from outside', () => {
    const bus = new PhysicalBus(RAM_BASE, 16 * PAGE_SIZE);
    expect(touchedList(bus)).toEqual([]);
    bus.write(RAM_BASE + 3 * PAGE_SIZE + 8, 4, 0);
    bus.dmaWrite(RAM_BASE + 5 * PAGE_SIZE - 2, Uint8Array.of(1, 2, 3, 4));
    bus.noteRamLoaded(9 * PAGE_SIZE + 100, 2 * PAGE_SIZE);
    expect(touchedList(bus)).toEqual([3, 4, 5, 9, 10, 11]);
  });

  it('stays touched after dirty tracking is reset (a page once written may still hold its bytes)', () => {
    const bus = new PhysicalBus(RAM_BASE, 4 * PAGE_SIZE);
    bus.write(RAM_BASE + PAGE_SIZE, 1, 7);
    bus.takeDirtyPages();
    bus.markAllClean();
    expect(touchedList(bus)).toEqual([1]);
  });

  it('covers every non-zero page of a freshly loaded machine (ELF segments and the device tree)', () => {
    const elf = 'assets/firmware/elf/shell.elf';
    const m = Machine.create({ image: { bytes: readFileSync(elf), path: elf } });
    const touched = m.bus.touchedPages();
    const nonZero: number[] = [];
    for (let p = 0; p < touched.length; p++) if (!isZeroPage(m.bus.ram32, p)) nonZero.push(p);
    expect(nonZero.length).toBeGreaterThan(1);
    for (const p of nonZero) expect(touched[p], `page ${p}`).toBe(1);
    // Not all of RAM: the point is to skip the untouched pages.
    expect(touchedList(m.bus).length).toBeLessThan(nonZero.length + 64);
  });
});
