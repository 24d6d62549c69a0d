// Argument checks shared by the SQLite trace writer and its threaded front: the threaded one checks
// on the recorder's thread, so a bad call fails at once, where it was made, not later in the thread.

import type { SnapshotPage } from '../../replay/trace/trace.js';

export function assertIcount(what: string, icount: number): void {
  if (!Number.isSafeInteger(icount) || icount < 0) throw new RangeError(`${what}: icount ${icount} is not a non-negative integer`);
}

/** Checked before writing, so a bad page list fails the call, not (half-way through) the transaction. */
export function checkPages(pages: readonly SnapshotPage[]): void {
  const seen = new Set<number>();
  for (const p of pages) {
    if (!Number.isSafeInteger(p.page) || p.page < 0) throw new RangeError(`appendSnapshot: page number ${p.page} is not a non-negative integer`);
    if (seen.has(p.page)) throw new RangeError(`appendSnapshot: page ${p.page} appears twice`);
    seen.add(p.page);
  }
}

/** The contract of markProgress: nothing before a mark is still to come. */
export function assertNotBeforeProgress(icount: number, progress: number): void {
  if (icount < progress) throw new RangeError(`appendInput: icount ${icount} is before the progress mark ${progress}`);
}
