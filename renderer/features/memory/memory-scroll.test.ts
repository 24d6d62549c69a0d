// The memory list's scaled scroll model: every row of the 32-bit space is reachable.

import { describe, expect, it } from 'vitest';
import { MEMORY_ROW_COUNT, clampTopRow, memoryWindow } from '../../store/memory-slice.js';
import { ROW_HEIGHT, SCROLL_PX, contentHeight, maxTopRow, rowForKey, scrollTopFor, topRowAt, visibleRows, wheelRows } from './memory-scroll.js';

const VIEW = 20 * ROW_HEIGHT + 5; // 20 whole rows and a part

describe('memory scroll model', () => {
  it('spans 0x00000000 .. 0xfffffff0 with a spacer browsers accept', () => {
    expect(MEMORY_ROW_COUNT).toBe(2 ** 28);
    expect(visibleRows(VIEW)).toBe(20);
    expect(contentHeight(VIEW)).toBe(SCROLL_PX);
    expect(topRowAt(0, VIEW)).toBe(0);
    const bottom = contentHeight(VIEW) - VIEW;
    expect(topRowAt(bottom, VIEW)).toBe(maxTopRow(VIEW));
    // The last row on screen at the bottom is 0xfffffff0.
    expect((maxTopRow(VIEW) + visibleRows(VIEW) - 1) * 16).toBe(0xfffffff0);
    expect(topRowAt(bottom + 1000, VIEW)).toBe(maxTopRow(VIEW));
    expect(topRowAt(-5, VIEW)).toBe(0);
  });

  it('maps the address at a scroll offset back to that offset', () => {
    const range = SCROLL_PX - VIEW;
    for (const offset of [0, 1, 2, 777, Math.floor(range / 2), range - 1, range]) {
      const row = topRowAt(offset, VIEW);
      expect(scrollTopFor(row, VIEW)).toBe(offset);
    }
    // And an address scrolled to comes back within the rows one pixel spans (~67).
    const perPx = maxTopRow(VIEW) / range;
    expect(perPx).toBeGreaterThan(60);
    for (const addr of [0x1000, 0x80000000, 0x80001230, 0xdeadbee0]) {
      const back = topRowAt(scrollTopFor(addr / 16, VIEW), VIEW);
      expect(Math.abs(back - addr / 16)).toBeLessThanOrEqual(Math.ceil(perPx / 2));
    }
    expect(topRowAt(1, VIEW)).toBe(Math.round(perPx));
  });

  it('keeps the ends of the bar for the first and last rows', () => {
    const range = SCROLL_PX - VIEW;
    expect(scrollTopFor(1, VIEW)).toBe(1); // not 0: dragging to the top still moves
    expect(scrollTopFor(maxTopRow(VIEW) - 1, VIEW)).toBe(range - 1);
    expect(scrollTopFor(maxTopRow(VIEW), VIEW)).toBe(range);
  });

  it('uses the real height when the list is short (no scaling)', () => {
    // A viewport taller than the space cannot happen, but the model stays sane at its limits.
    expect(scrollTopFor(0, VIEW)).toBe(0);
    expect(scrollTopFor(maxTopRow(VIEW), VIEW)).toBe(SCROLL_PX - VIEW);
  });

  it('moves by rows on the wheel and by pages on the keys', () => {
    expect(wheelRows(100, 0, VIEW)).toBe(6);
    expect(wheelRows(3, 0, VIEW)).toBe(1); // a trackpad nudge still moves a row
    expect(wheelRows(-3, 1, VIEW)).toBe(-3);
    expect(wheelRows(1, 2, VIEW)).toBe(20);
    expect(rowForKey('PageDown', 100, VIEW)).toBe(119);
    expect(rowForKey('PageUp', 10, VIEW)).toBe(0);
    expect(rowForKey('Home', 1234, VIEW)).toBe(0);
    expect(rowForKey('End', 0, VIEW)).toBe(maxTopRow(VIEW));
    expect(rowForKey('PageDown', maxTopRow(VIEW) - 2, VIEW)).toBe(maxTopRow(VIEW));
    expect(rowForKey('a', 5, VIEW)).toBeNull();
  });

  it('reads the rows on screen plus a margin, within the space and 64 KiB', () => {
    expect(memoryWindow(0, 20)).toEqual({ addr: 0, len: (20 + 32) * 16 });
    expect(memoryWindow(1000, 20)).toEqual({ addr: (1000 - 32) * 16, len: (20 + 64) * 16 });
    const last = memoryWindow(MEMORY_ROW_COUNT - 20, 20);
    expect(last.addr + last.len).toBe(2 ** 32);
    expect(memoryWindow(5000, 10_000).len).toBe(64 * 1024);
    expect(clampTopRow(-3, 20)).toBe(0);
    expect(clampTopRow(MEMORY_ROW_COUNT, 20)).toBe(MEMORY_ROW_COUNT - 20);
  });
});
