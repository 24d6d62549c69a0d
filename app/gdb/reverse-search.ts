// Reverse-continue for gdb: the last breakpoint or watchpoint hit before a position, found by
// replaying snapshot intervals backwards from it (newest first) with breakpoints and watchpoints
// armed, as Timeline.reverseContinue does, but asynchronous: the replay runs in chunks, and between
// chunks the host gets control back (to read a Ctrl-C from the socket) and may cancel.
//
// What counts as a hit before position `from`, in gdb's terms (riscv gdb has "non-steppable"
// watchpoints: a watchpoint stop is reported *before* the access, and gdb then steps over it):
//   - a breakpoint at position q < from (the pc at q is a breakpoint): reported at q;
//   - an access to a watched range by the instruction at position q < from: reported at q + 1,
//     the state just after it, i.e. just before the access when running backwards. gdb then
//     reverse-steps over the access (watchpoints removed) to q and compares the values there.
// The latest report position wins; at equal positions a breakpoint comes first (going backwards
// the pc reaches the breakpoint at q + 1 before the access at q is undone).
//
// Intervals the caller's `skipInterval` rules out (the write index, for write-only watches) are
// not replayed, so reverse-continue to a write watchpoint costs one bounded interval replay.

import type { Watchpoint, WatchHit } from '../engine/machine/stop-reason.js';
import type { Timeline } from '../replay/timeline/timeline.js';

export type ReverseHit =
  | { readonly kind: 'breakpoint'; readonly icount: number; readonly pc: number }
  | { readonly kind: 'watch'; readonly icount: number; readonly hit: WatchHit };

export interface ReverseSearch {
  readonly breakpoints: readonly number[];
  readonly watches: readonly Watchpoint[];
  /** Whether interval i (snapshot i to i + 1) can be skipped (no hit is possible in it). */
  readonly skipInterval: (i: number) => boolean;
  /** Polled between chunks; when it returns true the search stops (cancelled). */
  readonly cancelled: () => boolean;
  /** Gives the host a turn (e.g. a macrotask), between chunks. */
  readonly yieldToHost: () => Promise<void>;
  /** Instructions replayed between two turns of the host. */
  readonly chunk: number;
}

export interface ReverseResult {
  /** The hit to stop at, or null. */
  readonly hit: ReverseHit | null;
  /** When no hit: every position in [searchedFrom, from) is known to have none (0 when all was searched). */
  readonly searchedFrom: number;
  readonly cancelled: boolean;
}

/**
 * Searches backwards from `from`. Leaves the machine somewhere in the last interval replayed,
 * with no breakpoints or watchpoints armed: the caller seeks to the answer.
 */
export async function searchBackward(tl: Timeline, from: number, s: ReverseSearch): Promise<ReverseResult> {
  const m = tl.machine;
  if (from <= 0) return { hit: null, searchedFrom: 0, cancelled: false };
  let searchedFrom = from;
  let watchHit: { icount: number; hit: WatchHit } | null = null;
  try {
    m.setBreakpoints(s.breakpoints);
    m.setWatchpoints(s.watches, (hit) => {
      // Collect, do not stop: the last access of the interval is the one wanted. A misaligned
      // store reports one hit per byte, all at the same position.
      if (hit.icount < from && (watchHit === null || hit.icount + 1 > watchHit.icount)) watchHit = { icount: hit.icount + 1, hit };
      return 'continue';
    });
    for (let i = tl.snapshotIndexAt(from - 1); i >= 0; i--) {
      if (s.cancelled()) return { hit: null, searchedFrom, cancelled: true };
      const start = tl.snapshots[i]!.icount;
      if (s.skipInterval(i)) {
        searchedFrom = start;
        continue;
      }
      const end = Math.min(from, tl.snapshots[i + 1]?.icount ?? tl.end);
      tl.restore(i);
      watchHit = null;
      let breakpoint: { icount: number; pc: number } | null = null;
      // A breakpoint at the restored position itself counts (the previous interval ends before it).
      let skip = false;
      while (m.icount < end) {
        const r = tl.replayTo(Math.min(end, m.icount + s.chunk), { skipBreakpointAtStart: skip });
        if (r.kind === 'breakpoint') {
          if (m.icount < from) breakpoint = { icount: m.icount, pc: r.pc >>> 0 };
          skip = true;
          continue;
        }
        if (r.kind === 'exit') break;
        skip = false;
        if (m.icount < end) {
          await s.yieldToHost();
          if (s.cancelled()) return { hit: null, searchedFrom, cancelled: true };
        }
      }
      const w = watchHit as { icount: number; hit: WatchHit } | null;
      if (breakpoint && (!w || breakpoint.icount >= w.icount)) {
        return { hit: { kind: 'breakpoint', icount: breakpoint.icount, pc: breakpoint.pc }, searchedFrom: start, cancelled: false };
      }
      if (w) return { hit: { kind: 'watch', icount: w.icount, hit: w.hit }, searchedFrom: start, cancelled: false };
      searchedFrom = start;
      await s.yieldToHost();
    }
    return { hit: null, searchedFrom: 0, cancelled: false };
  } finally {
    m.setWatchpoints([]);
    m.setBreakpoints([]);
  }
}
