// The USB lane: transfers grouped into pixel buckets like the other lanes, but a bucket takes the
// worst status of its transfers and clicks through to its first failed one, so a single STALL
// among thousands of good transfers stays visible (and reachable) at any width.

import type { UsbTransferMarker, UsbTransferStatus } from '../../../app/protocol/index.js';
import { BUCKET_PX, firstAtOrAfter, xOf } from './lanes.js';

export interface UsbBucket {
  readonly x: number;
  readonly count: number;
  /** The transfer a click selects: the first that did not end ok, else the first. */
  readonly marker: UsbTransferMarker;
  /** The worst status in the bucket (what its colour says). */
  readonly status: UsbTransferStatus;
  readonly failed: number;
  /** Numbers of the first and last transfer in the bucket (to highlight the selected one's bucket). */
  readonly first: number;
  readonly last: number;
}

/** Worse first: what a driver developer most needs to see. */
const SEVERITY: Record<UsbTransferStatus, number> = { ok: 0, pending: 1, cancelled: 2, timeout: 3, nodev: 4, babble: 5, error: 6, stall: 7 };

/** Transfers of the window [start, end] (default start 0: the whole recording) in pixel buckets. */
export function usbBuckets(markers: readonly UsbTransferMarker[], end: number, width: number, start = 0): UsbBucket[] {
  const out: UsbBucket[] = [];
  if (width <= 0) return out;
  let cur: { key: number; count: number; marker: UsbTransferMarker; status: UsbTransferStatus; failed: number; first: number; last: number } | null = null;
  const flush = () => { if (cur) out.push({ x: cur.key * BUCKET_PX, count: cur.count, marker: cur.marker, status: cur.status, failed: cur.failed, first: cur.first, last: cur.last }); };
  for (let i = firstAtOrAfter(markers, start); i < markers.length; i++) {
    const m = markers[i]!;
    if (m.icount > end) break;
    const key = Math.floor(xOf(m.icount, start, end, width) / BUCKET_PX);
    if (cur && cur.key === key) {
      cur.count++;
      cur.last = m.number;
      if (m.status !== 'ok') {
        if (cur.failed === 0) cur.marker = m;
        cur.failed++;
      }
      if (SEVERITY[m.status] > SEVERITY[cur.status]) cur.status = m.status;
      continue;
    }
    flush();
    cur = { key, count: 1, marker: m, status: m.status, failed: m.status === 'ok' ? 0 : 1, first: m.number, last: m.number };
  }
  flush();
  return out;
}

export function usbBucketTitle(b: UsbBucket): string {
  if (b.count === 1) return b.marker.title;
  return `${b.count} transfers${b.failed ? `, ${b.failed} not ok` : ''}; ${b.failed ? 'first not ok' : 'first'}: ${b.marker.title}`;
}
