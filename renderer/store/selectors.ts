// Derived reads of the store, shared by the panels (so each panel re-renders only for what it shows).

import type { SourceLocationDto } from '../../app/protocol/index.js';
import { memoryDiffKind, shownWrites, type MemoryDiffKind } from './memory-slice.js';
import type { Store } from './types.js';

export const positionSelectors = {
  /** The position the UI shows (the playhead follows a pending seek). */
  playhead: (s: Store): number => s.pendingIcount ?? s.state?.icount ?? 0,
  icount: (s: Store): number | null => s.state?.icount ?? null,
  end: (s: Store): number => s.info?.end ?? 0,
  pc: (s: Store): number | null => s.state?.pc ?? null,
  ready: (s: Store): boolean => s.state !== null,
};

export const sessionSelectors = {
  instructionsPerSecond: (s: Store): number => s.info?.instructionsPerSecond ?? 1e9,
  isBreakpoint: (addr: number) => (s: Store): boolean => s.breakpoints.some((b) => b.addr === addr),
};

export const sourceSelectors = {
  /** The call stack and variables are of an earlier position (the scrubber is moving; they follow when it stops). */
  detailBehind: (s: Store): boolean => s.stack !== null && s.state !== null && s.stackAt !== s.state.icount,
  /** The pc's source line is of an earlier position (the scrubber is moving; it follows when it stops). */
  sourceBehind: (s: Store): boolean => s.sourceAt !== null && s.state !== null && s.sourceAtIcount !== s.state.icount,
  /** What the Source panel shows: a place the user picked, else the selected frame's line, else the pc's (objects from the store: stable). */
  shown: (s: Store): SourceLocationDto | null => {
    if (s.sourceShown) return s.sourceShown;
    const frame = s.stack?.frames[s.selectedFrame];
    if (frame && s.selectedFrame > 0) return frame.location;
    return s.sourceAt?.location ?? frame?.location ?? null;
  },
};

export const memorySelectors = {
  /** What the highlighted bytes mean (memory-slice.ts): 'written' after a step, 'changed' after other moves. */
  diffKind: (s: Store): MemoryDiffKind | null => memoryDiffKind(s),
  /** The RAM the step that reached the memory shown wrote (the store's object: stable), or null. */
  writes: (s: Store) => shownWrites(s),
  /**
   * The bytes to compare with (a byte's value before): the position shown before, except after a
   * step when that was not the position the step started from (its bytes then say nothing of "before").
   */
  before: (s: Store) => (shownWrites(s) !== null && s.prevMemIcount !== (s.memIcount ?? 0) - 1 ? null : s.prevMemory),
  /** Who wrote in that step, for the legend: 'cpu', 'dma', 'cpu+dma', or '' (nothing, or no step). */
  writers: (s: Store): '' | 'cpu' | 'dma' | 'cpu+dma' => {
    const w = shownWrites(s);
    const cpu = w?.some((x) => x.writer === 'cpu') ?? false, dma = w?.some((x) => x.writer === 'dma') ?? false;
    return cpu && dma ? 'cpu+dma' : cpu ? 'cpu' : dma ? 'dma' : '';
  },
};
