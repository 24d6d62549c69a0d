// "Who last wrote this?" over a recording.
//
// Each snapshot carries the write summary of the interval that ends at it (64-byte lines written
// by the CPU or by DMA). previousWrite(range, t) walks the intervals backwards from t, skips those
// whose summary does not touch the range, and replays only the first that does, with a write
// watch on the range; the last hit before t is the answer. nextWrite walks forward the same way
// and stops at the first hit. Either way one bounded interval replay answers, whatever the
// length of the recording (plus another for each interval where the write came after t).

import type { Watchpoint, WatchHit } from '../../engine/machine/stop-reason.js';
import type { OperationControl, Timeline } from '../timeline/timeline.js';
import { OperationCancelledError } from '../timeline/timeline.js';
import { summaryOverlaps } from './write-summary.js';

export interface WriteAnswer {
  readonly found: true;
  /** The position just before the writing instruction. */
  readonly icount: number;
  /** Address of the writing instruction (for DMA: the pc at the time). */
  readonly pc: number;
  /** The queried range before and after the write, in address order. */
  readonly old: Uint8Array;
  readonly new: Uint8Array;
  readonly writer: 'cpu' | 'dma';
}

export type WriteQueryResult = WriteAnswer | { readonly found: false };

export class WriteIndex {
  private readonly summaries = new Map<number, Uint8Array>();

  constructor(private readonly timeline: Timeline) {}

  /** Summary of interval i (from snapshot i to snapshot i + 1), from snapshot i + 1's record. */
  private summary(i: number): Uint8Array | null {
    const next = this.timeline.snapshots[i + 1];
    if (!next) return null; // the tail after the last snapshot has no summary: always replay it
    let s = this.summaries.get(next.id);
    if (!s) {
      s = this.timeline.reader.writeSummary(next.id);
      this.summaries.set(next.id, s);
    }
    return s;
  }

  /** Whether interval i may contain a write to [addr, addr + len). */
  intervalMayWrite(i: number, addr: number, len: number): boolean {
    const s = this.summary(i);
    if (s === null) return true;
    const off = (addr >>> 0) - this.timeline.machine.bus.ramBase;
    if (off < 0 || off + len > this.timeline.machine.bus.ramSize) return true; // not RAM: no summary covers it
    return summaryOverlaps(s, off, len);
  }

  private readRange(addr: number, len: number): Uint8Array {
    const bus = this.timeline.machine.bus;
    const off = (addr >>> 0) - bus.ramBase;
    return bus.ram.slice(off, off + len);
  }

  private checkRange(addr: number, len: number): void {
    if (!(len > 0) || !this.timeline.machine.bus.isRam(addr, len)) {
      throw new RangeError(`range 0x${(addr >>> 0).toString(16)}:${len} is not in RAM`);
    }
  }

  /** The last write to [addr, addr + len) by an instruction before position `at`. Leaves the timeline at `at`. */
  previousWrite(addr: number, len: number, at: number, control: OperationControl = {}): WriteQueryResult {
    this.checkRange(addr, len);
    const tl = this.timeline;
    const m = tl.machine;
    if (at <= 0) return { found: false };
    const first = tl.snapshotIndexAt(at - 1);
    try {
      for (let i = first; i >= 0; i--) {
        if (control.signal?.aborted) throw new OperationCancelledError();
        control.onProgress?.(first - i, first + 1);
        if (!this.intervalMayWrite(i, addr, len)) continue;
        const end = Math.min(at, tl.snapshots[i + 1]?.icount ?? tl.end);
        tl.restore(i);
        let last: { hit: WatchHit; old: Uint8Array } | null = null;
        m.setWatchpoints([{ addr, len, kind: 'write' }], (hit) => {
          last = { hit, old: this.readRange(addr, len) };
          return 'continue';
        });
        tl.replayTo(end, { skipBreakpointAtStart: false });
        m.setWatchpoints([]);
        const found = last as { hit: WatchHit; old: Uint8Array } | null;
        if (found) {
          // Nothing wrote the range after the last hit, so its contents now are the new value.
          const answer: WriteAnswer = {
            found: true, icount: found.hit.icount, pc: found.hit.pc, old: found.old, new: this.readRange(addr, len), writer: found.hit.writer,
          };
          tl.seek(at);
          return answer;
        }
      }
    } finally {
      m.setWatchpoints([]);
    }
    tl.seek(at);
    return { found: false };
  }

  /** The first write to [addr, addr + len) by an instruction at or after position `at`. Leaves the timeline at `at`. */
  nextWrite(addr: number, len: number, at: number, control: OperationControl = {}): WriteQueryResult {
    this.checkRange(addr, len);
    const tl = this.timeline;
    const m = tl.machine;
    const first = tl.snapshotIndexAt(at);
    const total = tl.snapshots.length;
    try {
      for (let i = first; i < total; i++) {
        if (control.signal?.aborted) throw new OperationCancelledError();
        control.onProgress?.(i - first, total - first);
        if (!this.intervalMayWrite(i, addr, len)) continue;
        const end = tl.snapshots[i + 1]?.icount ?? tl.end;
        if (i === first) tl.seek(at); else tl.restore(i);
        let hit: { hit: WatchHit; old: Uint8Array } | null = null;
        m.setWatchpoints([{ addr, len, kind: 'write' }], (h) => {
          hit ??= { hit: h, old: this.readRange(addr, len) };
          return 'stop';
        });
        tl.replayTo(end, { skipBreakpointAtStart: false });
        m.setWatchpoints([]);
        const found = hit as { hit: WatchHit; old: Uint8Array } | null;
        if (found) {
          const answer: WriteAnswer = {
            found: true, icount: found.hit.icount, pc: found.hit.pc, old: found.old, new: this.readRange(addr, len), writer: found.hit.writer,
          };
          tl.seek(at);
          return answer;
        }
      }
    } finally {
      m.setWatchpoints([]);
    }
    tl.seek(at);
    return { found: false };
  }
}

/**
 * For Timeline.reverseContinue: an interval may be skipped when nothing but write watchpoints is
 * armed and the write summary shows no write to any of their ranges. This is what makes
 * reverse-continue to a watched variable cost one interval replay, not a replay of everything.
 */
export function intervalSkipper(index: WriteIndex, breakpoints: readonly number[], watches: readonly Watchpoint[]): (i: number) => boolean {
  if (breakpoints.length > 0 || watches.length === 0 || watches.some((w) => w.kind !== 'write')) return () => false;
  return (i) => watches.every((w) => !index.intervalMayWrite(i, w.addr, w.len));
}
