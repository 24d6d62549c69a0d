// The memory list's scroll model. 2^28 rows of 17 px would be 4.5 G px: far beyond what a browser
// lets an element be (Chrome ~33 M px, Firefox ~17 M px). So the scrollbar is scaled: the spacer is
// SCROLL_PX tall and its scroll offset maps linearly onto the top row. The top row itself is the
// state (kept in the store); the scrollbar only shows and sets it, since one pixel spans ~70 rows.

import { MEMORY_ROW_COUNT } from '../../store/memory-slice.js';

export const ROW_HEIGHT = 17;
/** The spacer's height: well below every browser's element-height cap. */
export const SCROLL_PX = 4_000_000;

/** Rows fully visible in a viewport `viewH` px tall (at least one). */
export function visibleRows(viewH: number): number {
  return Math.max(1, Math.floor(viewH / ROW_HEIGHT));
}

/** The largest top row: the last screenful ends at the last row (0xfffffff0). */
export function maxTopRow(viewH: number): number {
  return Math.max(0, MEMORY_ROW_COUNT - visibleRows(viewH));
}

/** The spacer's height: the real height when it fits, SCROLL_PX otherwise. */
export function contentHeight(viewH: number): number {
  return Math.min(SCROLL_PX, (maxTopRow(viewH) + visibleRows(viewH)) * ROW_HEIGHT + (viewH % ROW_HEIGHT));
}

/** The top row shown at scroll offset `scrollTop`. */
export function topRowAt(scrollTop: number, viewH: number): number {
  const range = Math.floor(contentHeight(viewH) - viewH);
  if (range <= 0) return 0;
  const f = Math.max(0, Math.min(1, scrollTop / range));
  return Math.round(f * maxTopRow(viewH));
}

/**
 * The scroll offset (whole pixels) for `topRow`. Offset 0 and the last offset are kept for the
 * first and last rows only, so dragging the thumb to an end always moves there (one pixel spans
 * ~70 rows: without this the thumb could already sit at the end while the list does not).
 */
export function scrollTopFor(topRow: number, viewH: number): number {
  const max = maxTopRow(viewH);
  const range = Math.max(0, Math.floor(contentHeight(viewH) - viewH));
  if (max === 0 || range === 0) return 0;
  const row = Math.max(0, Math.min(max, topRow));
  if (row === 0) return 0;
  if (row === max) return range;
  return Math.max(1, Math.min(range - 1, Math.round((row / max) * range)));
}

/** Rows to move for a wheel event (pixels, lines or pages), at least one row per notch. */
export function wheelRows(deltaY: number, deltaMode: number, viewH: number): number {
  const rows = deltaMode === 1 ? deltaY : deltaMode === 2 ? deltaY * visibleRows(viewH) : deltaY / ROW_HEIGHT;
  return rows > 0 ? Math.max(1, Math.round(rows)) : rows < 0 ? Math.min(-1, Math.round(rows)) : 0;
}

/** The top row after a navigation key, or null when the key is not one of ours. */
export function rowForKey(key: string, top: number, viewH: number): number | null {
  const page = Math.max(1, visibleRows(viewH) - 1);
  switch (key) {
    case 'PageUp': return Math.max(0, top - page);
    case 'PageDown': return Math.min(maxTopRow(viewH), top + page);
    case 'ArrowUp': return Math.max(0, top - 1);
    case 'ArrowDown': return Math.min(maxTopRow(viewH), top + 1);
    case 'Home': return 0;
    case 'End': return maxTopRow(viewH);
    default: return null;
  }
}
