// The write summary of one snapshot interval: which 4-byte granules of RAM were written by anyone
// (CPU stores, device DMA). Encoded as records sorted by page: [page u32][granule bitmask, 128
// bytes (bit i = granule i of the page)], one per RAM page with at least one written granule.
//
// Why words: with 64-byte lines, a rarely written variable that shares a line with busy ones
// matched nearly every interval, and each false match costs an interval replay (measured: up to 48
// replays, previous-write p99 1.19 s). Per word, only real writes match; the summary costs 132
// bytes per dirty page, next to the 4 KiB of page data the snapshot stores for that page anyway.

import { TraceFormatError } from '../trace/trace.js';

const GRANULE_SHIFT = 2;
const PAGE_SHIFT = 12;
const GRANULES_PER_PAGE = 1 << (PAGE_SHIFT - GRANULE_SHIFT);
const MASK_BYTES = GRANULES_PER_PAGE / 8;
const RECORD = 4 + MASK_BYTES;
/** Bytes of one page record. */
export const WRITE_SUMMARY_RECORD = RECORD;

export interface PageWrites { readonly page: number; readonly mask: Uint8Array }

export function encodeWriteSummary(pages: readonly PageWrites[]): Uint8Array {
  const sorted = [...pages].sort((a, b) => a.page - b.page);
  const out = new Uint8Array(sorted.length * RECORD);
  const v = new DataView(out.buffer);
  sorted.forEach((p, i) => {
    if (p.mask.length !== MASK_BYTES) throw new RangeError(`a page write mask is ${MASK_BYTES} bytes, got ${p.mask.length}`);
    v.setUint32(i * RECORD, p.page, true);
    out.set(p.mask, i * RECORD + 4);
  });
  return out;
}

function checkLength(data: Uint8Array): void {
  if (data.length % RECORD !== 0) throw new TraceFormatError(`write summary is ${data.length} bytes, not a whole number of ${RECORD}-byte records`);
}

export function decodeWriteSummary(data: Uint8Array): PageWrites[] {
  checkLength(data);
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const out: PageWrites[] = [];
  for (let o = 0; o < data.length; o += RECORD) out.push({ page: v.getUint32(o, true), mask: data.slice(o + 4, o + RECORD) });
  return out;
}

/** The union of two summaries (when thinning merges two intervals). */
export function mergeWriteSummaries(a: Uint8Array, b: Uint8Array): Uint8Array {
  const m = new Map<number, Uint8Array>();
  for (const p of [...decodeWriteSummary(a), ...decodeWriteSummary(b)]) {
    const cur = m.get(p.page);
    if (!cur) m.set(p.page, p.mask.slice());
    else for (let i = 0; i < MASK_BYTES; i++) cur[i]! |= p.mask[i]!;
  }
  return encodeWriteSummary([...m].map(([page, mask]) => ({ page, mask })));
}

/**
 * Whether the summary says any byte of RAM offsets [off, off + len) was written. Binary search
 * over the sorted page records, so a query costs O(log n) per page of the range.
 */
export function summaryOverlaps(data: Uint8Array, off: number, len: number): boolean {
  if (len <= 0) return false;
  checkLength(data);
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const n = data.length / RECORD;
  const first = off >>> GRANULE_SHIFT;
  const last = (off + len - 1) >>> GRANULE_SHIFT;
  for (let g = first; g <= last;) {
    const page = Math.floor(g / GRANULES_PER_PAGE);
    let lo = 0, hi = n - 1, found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const p = v.getUint32(mid * RECORD, true);
      if (p === page) { found = mid; break; }
      if (p < page) lo = mid + 1; else hi = mid - 1;
    }
    const pageEnd = (page + 1) * GRANULES_PER_PAGE - 1;
    if (found >= 0) {
      const base = found * RECORD + 4;
      for (let x = g; x <= Math.min(last, pageEnd); x++) {
        const bit = x - page * GRANULES_PER_PAGE;
        if ((data[base + (bit >>> 3)]! >>> (bit & 7)) & 1) return true;
      }
    }
    g = pageEnd + 1;
  }
  return false;
}
