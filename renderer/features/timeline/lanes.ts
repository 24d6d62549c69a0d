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

/** A run of consecutive markers that land in the same pixel bucket: markers[from, to). */
export interface PixelRun {
  /** Bucket number: the run draws at x = key * BUCKET_PX. */
  readonly key: number;
  readonly from: number;
  readonly to: number;
}

/**
 * The markers of the window [start, end] grouped by pixel bucket (one group per BUCKET_PX pixels);
 * markers outside the window are skipped, so a zoomed lane regroups at the finer scale. Each lane
 * folds a run into what it draws (plain lanes: the first marker and a count; USB: the worst status).
 */
export function pixelRuns(markers: readonly { readonly icount: number }[], end: number, width: number, start = 0): PixelRun[] {
  const out: PixelRun[] = [];
  if (width <= 0) return out;
  let key = -1, from = -1;
  let i = firstAtOrAfter(markers, start);
  for (; i < markers.length; i++) {
    const m = markers[i]!;
    if (m.icount > end) break;
    const k = Math.floor(xOf(m.icount, start, end, width) / BUCKET_PX);
    if (from >= 0 && k === key) continue;
    if (from >= 0) out.push({ key, from, to: i });
    key = k;
    from = i;
  }
  if (from >= 0) out.push({ key, from, to: i });
  return out;
}

/** Markers of the window [start, end] (default: the whole recording, start 0) in pixel buckets. */
export function bucketize(markers: readonly Marker[], end: number, width: number, start = 0): Bucket[] {
  return pixelRuns(markers, end, width, start).map((r) => {
    const first = markers[r.from]!;
    return { icount: first.icount, count: r.to - r.from, title: first.title, x: r.key * BUCKET_PX };
  });
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
