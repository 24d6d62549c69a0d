// Timeline lanes from the summary: markers grouped into pixel buckets, so a lane holds at most
// one element per few pixels however many events the recording has.

import type { TimelineSummary } from '../../../app/protocol/index.js';
import { hexAddr } from '../../components/format.js';

export interface Marker {
  readonly icount: number;
  readonly title: string;
}

export interface Bucket {
  /** Position of the first marker in the bucket (a click seeks there). */
  readonly icount: number;
  readonly count: number;
  readonly title: string;
  readonly x: number;
}

export interface Lane {
  readonly id: string;
  readonly name: string;
  readonly markers: readonly Marker[] | null;
  /** Why the lane has no data, when it has none. */
  readonly missing?: string;
  readonly truncated?: boolean;
}

export function lanesOf(s: TimelineSummary): Lane[] {
  return [
    { id: 'traps', name: 'Traps', truncated: s.truncated.traps,
      markers: s.traps.map((t) => ({ icount: t.icount, title: `${t.cause} at ${hexAddr(t.epc)} (tval ${hexAddr(t.tval)}, from ${t.fromPriv})` })) },
    { id: 'interrupts', name: 'Interrupts', truncated: s.truncated.interrupts,
      markers: s.interrupts.map((t) => ({ icount: t.icount, title: `${t.cause} at ${hexAddr(t.epc)}` })) },
    { id: 'uart', name: 'UART out', truncated: s.truncated.uart,
      markers: s.uart.map((u) => ({ icount: u.icount, title: `${u.bytes} byte${u.bytes === 1 ? '' : 's'}: ${u.preview}` })) },
    { id: 'snapshots', name: 'Snapshots', markers: s.snapshots.map((i) => ({ icount: i, title: `snapshot at icount ${i}` })) },
    // Drawn by usb-lane.ts (coloured by status); these plain markers give the lane its count.
    { id: 'usb', name: 'USB', truncated: s.truncated.usb, markers: s.usb.map((u) => ({ icount: u.icount, title: u.title })) },
  ];
}

export const BUCKET_PX = 3;

export function bucketize(markers: readonly Marker[], end: number, width: number): Bucket[] {
  const out: Bucket[] = [];
  if (width <= 0) return out;
  let cur: { icount: number; count: number; title: string; key: number } | null = null;
  for (const m of markers) {
    const x = end > 0 ? (m.icount / end) * width : 0;
    const key = Math.floor(x / BUCKET_PX);
    if (cur && cur.key === key) {
      cur.count++;
      continue;
    }
    if (cur) out.push({ icount: cur.icount, count: cur.count, title: cur.title, x: cur.key * BUCKET_PX });
    cur = { icount: m.icount, count: 1, title: m.title, key };
  }
  if (cur) out.push({ icount: cur.icount, count: cur.count, title: cur.title, x: cur.key * BUCKET_PX });
  return out;
}

/** Ruler ticks: a round step giving about `n` ticks over [0, end]. */
export function ticks(end: number, n: number): number[] {
  if (end <= 0) return [0];
  const raw = end / n;
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((k) => k * p).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let t = 0; t <= end; t += step) out.push(t);
  return out;
}

export function shortCount(n: number): string {
  if (n >= 1e9) return `${+(n / 1e9).toFixed(2)}G`;
  if (n >= 1e6) return `${+(n / 1e6).toFixed(2)}M`;
  if (n >= 1e3) return `${+(n / 1e3).toFixed(1)}k`;
  return String(n);
}
