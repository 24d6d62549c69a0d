// Timeline lanes from the summary: markers grouped into pixel buckets, so a lane holds at most
// one element per few pixels however many events the recording has. With the timeline zoomed,
// only the window's markers are bucketed (at the window's scale).

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

/** First index whose icount is >= `at` (markers are in position order, as the summary lists them). */
export function firstAtOrAfter(markers: readonly { readonly icount: number }[], at: number): number {
  let lo = 0, hi = markers.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (markers[mid]!.icount < at) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Pixel of `icount` on a track `width` wide showing the window [start, end]. */
export const xOf = (icount: number, start: number, end: number, width: number): number =>
  end > start ? ((icount - start) / (end - start)) * width : 0;

/**
 * Markers of the window [start, end] (default: the whole recording, start 0) in pixel buckets;
 * markers outside it are skipped, so a zoomed lane regroups what it shows at the finer scale.
 */
export function bucketize(markers: readonly Marker[], end: number, width: number, start = 0): Bucket[] {
  const out: Bucket[] = [];
  if (width <= 0) return out;
  let cur: { icount: number; count: number; title: string; key: number } | null = null;
  for (let i = firstAtOrAfter(markers, start); i < markers.length; i++) {
    const m = markers[i]!;
    if (m.icount > end) break;
    const key = Math.floor(xOf(m.icount, start, end, width) / BUCKET_PX);
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
  return ticksIn(0, end, n);
}

/** Ruler ticks of the window [start, end]: whole multiples of a round step (1, 2 or 5 x 10^k, at least 1). */
export function ticksIn(start: number, end: number, n: number): number[] {
  const span = end - start;
  if (span <= 0) return [Math.round(start)];
  const raw = span / n;
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = Math.max(1, [1, 2, 5, 10].map((k) => k * p).find((s) => s >= raw) ?? raw);
  const out: number[] = [];
  for (let t = Math.ceil(start / step) * step; t <= end; t += step) out.push(t);
  return out;
}

/** Tick labels: short (25.2k) when that is exact for every tick, else grouped digits (a deep zoom). */
export function tickLabels(ts: readonly number[]): string[] {
  const short = ts.map(shortCount);
  const exact = ts.every((t, i) => parseShort(short[i]!) === t);
  return exact ? short : ts.map((t) => t.toLocaleString('en-US'));
}

function parseShort(s: string): number {
  const k = { G: 1e9, M: 1e6, k: 1e3 }[s.slice(-1)];
  return k ? Math.round(Number(s.slice(0, -1)) * k) : Number(s);
}

export function shortCount(n: number): string {
  if (n >= 1e9) return `${+(n / 1e9).toFixed(2)}G`;
  if (n >= 1e6) return `${+(n / 1e6).toFixed(2)}M`;
  if (n >= 1e3) return `${+(n / 1e3).toFixed(1)}k`;
  return String(n);
}
