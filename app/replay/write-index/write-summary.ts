// The write summary of one snapshot interval: which 64-byte lines of RAM were written by anyone
// (CPU stores, device DMA). Encoded as sorted records [page u32][mask lo u32][mask hi u32], one
// per RAM page with at least one written line (bit i = line i of the page).
//
// Why 64-byte lines: page granularity (4 KiB) makes a rarely written variable that shares a page
// with busy ones (globals, stack) match nearly every interval, and each false match costs an
// interval replay. 64 bytes separates most neighbouring variables at 8 bytes per dirty page.

const RECORD = 12;
const LINE_SHIFT = 6;
const PAGE_SHIFT = 12;

export interface PageLines { readonly page: number; readonly lo: number; readonly hi: number }

export function encodeWriteSummary(pages: readonly PageLines[]): Uint8Array {
  const sorted = [...pages].sort((a, b) => a.page - b.page);
  const out = new Uint8Array(sorted.length * RECORD);
  const v = new DataView(out.buffer);
  sorted.forEach((p, i) => {
    v.setUint32(i * RECORD, p.page, true);
    v.setUint32(i * RECORD + 4, p.lo >>> 0, true);
    v.setUint32(i * RECORD + 8, p.hi >>> 0, true);
  });
  return out;
}

export function decodeWriteSummary(data: Uint8Array): PageLines[] {
  if (data.length % RECORD !== 0) throw new Error(`write summary is ${data.length} bytes, not a multiple of ${RECORD}`);
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const out: PageLines[] = [];
  for (let o = 0; o < data.length; o += RECORD) {
    out.push({ page: v.getUint32(o, true), lo: v.getUint32(o + 4, true), hi: v.getUint32(o + 8, true) });
  }
  return out;
}

/** The union of two summaries (when thinning merges two intervals). */
export function mergeWriteSummaries(a: Uint8Array, b: Uint8Array): Uint8Array {
  const m = new Map<number, { lo: number; hi: number }>();
  for (const p of [...decodeWriteSummary(a), ...decodeWriteSummary(b)]) {
    const cur = m.get(p.page) ?? { lo: 0, hi: 0 };
    m.set(p.page, { lo: cur.lo | p.lo, hi: cur.hi | p.hi });
  }
  return encodeWriteSummary([...m].map(([page, x]) => ({ page, ...x })));
}

/**
 * Whether the summary says any byte of RAM offsets [off, off + len) was written. Binary search
 * over the sorted page records, so a query costs O(log n) per page of the range.
 */
export function summaryOverlaps(data: Uint8Array, off: number, len: number): boolean {
  if (len <= 0) return false;
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const n = data.length / RECORD;
  const firstLine = off >>> LINE_SHIFT;
  const lastLine = (off + len - 1) >>> LINE_SHIFT;
  const linesPerPage = 1 << (PAGE_SHIFT - LINE_SHIFT);
  for (let line = firstLine; line <= lastLine;) {
    const page = Math.floor(line / linesPerPage);
    let lo = 0, hi = n - 1, found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const p = v.getUint32(mid * RECORD, true);
      if (p === page) { found = mid; break; }
      if (p < page) lo = mid + 1; else hi = mid - 1;
    }
    const pageEndLine = (page + 1) * linesPerPage - 1;
    if (found >= 0) {
      const mlo = v.getUint32(found * RECORD + 4, true);
      const mhi = v.getUint32(found * RECORD + 8, true);
      for (let l = line; l <= Math.min(lastLine, pageEndLine); l++) {
        const bit = l - page * linesPerPage;
        if (((bit < 32 ? mlo >>> bit : mhi >>> (bit - 32)) & 1) !== 0) return true;
      }
    }
    line = pageEndLine + 1;
  }
  return false;
}
