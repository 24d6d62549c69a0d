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
import { TraceFormatError } from '../trace/trace.js';
import { summaryOverlaps, WRITE_SUMMARY_RECORD } from './write-summary.js';

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
      // Read as "no write here", a damaged summary would give wrong answers instead of an error.
      if (s.length % WRITE_SUMMARY_RECORD !== 0) {
        throw new TraceFormatError(`the write summary of snapshot ${next.id} (icount ${next.icount}) is corrupt: ${s.length} bytes, not whole ${WRITE_SUMMARY_RECORD}-byte records`);
      }
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
    if (at <= 0) {
      tl.seek(0);
      return { found: false };
    }
    const first = tl.snapshotIndexAt(at - 1);
    const intervals = Array.from({ length: first + 1 }, (_, k) => first - k);
    return this.search(addr, len, at, intervals, 'last', control);
  }

  /** The first write to [addr, addr + len) by an instruction at or after position `at`. Leaves the timeline at `at`. */
  nextWrite(addr: number, len: number, at: number, control: OperationControl = {}): WriteQueryResult {
    this.checkRange(addr, len);
    const first = this.timeline.snapshotIndexAt(at);
    const intervals = Array.from({ length: this.timeline.snapshots.length - first }, (_, k) => first + k);
    return this.search(addr, len, at, intervals, 'first', control);
  }

  /**
   * Replays the given intervals in order, skipping those whose summary rules out a write, until
   * one has a write to the range before (mode 'last': the last one before `at`) or after
   * (mode 'first': the first one at or after `at`) the position.
   */
  private search(addr: number, len: number, at: number, intervals: number[], mode: 'first' | 'last', control: OperationControl): WriteQueryResult {
    const tl = this.timeline;
    const m = tl.machine;
    try {
      for (const [done, i] of intervals.entries()) {
        if (control.signal?.aborted) throw new OperationCancelledError();
        control.onProgress?.(done, intervals.length);
        if (!this.intervalMayWrite(i, addr, len)) continue;
        const intervalEnd = tl.snapshots[i + 1]?.icount ?? tl.end;
        // Backwards: from the interval's start up to `at` at most. Forwards: from `at` (or the start).
        const end = mode === 'last' ? Math.min(at, intervalEnd) : intervalEnd;
        if (mode === 'first' && tl.snapshots[i]!.icount <= at) tl.seek(at); else tl.restore(i);
        let found: { hit: WatchHit; old: Uint8Array } | null = null;
        m.setWatchpoints([{ addr, len, kind: 'write' }], (hit) => {
          // A misaligned store lands byte by byte, one hit per byte at the same icount: the old
          // bytes are those before its first byte, not before its last.
          const prev = found as { hit: WatchHit } | null;
          if (!prev || (mode === 'last' && prev.hit.icount !== hit.icount)) found = { hit, old: this.readRange(addr, len) };
          return mode === 'first' ? 'stop' : 'continue';
        });
        tl.replayTo(end, { skipBreakpointAtStart: false });
        m.setWatchpoints([]);
        const f = found as { hit: WatchHit; old: Uint8Array } | null;
        if (f) {
          // 'last': nothing wrote the range after the hit, so its contents now are the new value.
          // 'first': the replay stopped right after the writing instruction.
          const answer: WriteAnswer = { found: true, icount: f.hit.icount, pc: f.hit.pc, old: f.old, new: this.readRange(addr, len), writer: f.hit.writer };
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
