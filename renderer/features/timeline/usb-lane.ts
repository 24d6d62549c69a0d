// The USB lane: transfers grouped into pixel buckets like the other lanes, but a bucket takes the
// worst status of its transfers and clicks through to its first failed one, so a single STALL
// among thousands of good transfers stays visible (and reachable) at any width.

import type { UsbTransferMarker, UsbTransferStatus } from '../../../app/protocol/index.js';
import { BUCKET_PX, pixelRuns } from './lanes.js';

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
  return pixelRuns(markers, end, width, start).map((r) => {
    let marker = markers[r.from]!;
    let status = marker.status;
    let failed = 0;
    for (let i = r.from; i < r.to; i++) {
      const m = markers[i]!;
      if (m.status !== 'ok' && failed++ === 0) marker = m;
      if (SEVERITY[m.status] > SEVERITY[status]) status = m.status;
    }
    return { x: r.key * BUCKET_PX, count: r.to - r.from, marker, status, failed, first: markers[r.from]!.number, last: markers[r.to - 1]!.number };
  });
}

export function usbBucketTitle(b: UsbBucket): string {
  if (b.count === 1) return b.marker.title;
  return `${b.count} transfers${b.failed ? `, ${b.failed} not ok` : ''}; ${b.failed ? 'first not ok' : 'first'}: ${b.marker.title}`;
}
