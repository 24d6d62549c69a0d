// A recording held in memory: for tests, and for sessions that are not (yet) saved to a file.
// Implements both sides of the contract over the same arrays.

import {
  TRACE_FORMAT_VERSION, type DerivedEvent, type InputEvent, type SnapshotInfo, type SnapshotPage,
  type SnapshotRecord, type TraceEnd, type TraceHeader, type TraceReader, type TraceWriter,
} from './trace.js';

interface StoredSnapshot { id: number; rec: SnapshotRecord; pages: SnapshotPage[]; keyframe: boolean; summary: Uint8Array }

function lowerBound<T>(a: readonly T[], icount: number, key: (t: T) => number): number {
  let lo = 0, hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (key(a[mid]!) < icount) lo = mid + 1; else hi = mid;
  }
  return lo;
}

export class MemoryTrace implements TraceWriter, TraceReader {
  private readonly inputList: InputEvent[] = [];
  private readonly derivedList: DerivedEvent[] = [];
  private readonly snaps: StoredSnapshot[] = [];
  private nextId = 1;
  private progress = 0;
  end: TraceEnd | null = null;

  constructor(readonly header: TraceHeader) {
    if (header.formatVersion !== TRACE_FORMAT_VERSION) throw new Error(`format version ${header.formatVersion} is not ${TRACE_FORMAT_VERSION}`);
  }

  appendInput(e: InputEvent): void { this.inputList.push(e); }
  appendDerived(e: DerivedEvent): void { this.derivedList.push(e); }
  appendSnapshot(s: SnapshotRecord): number {
    const id = this.nextId++;
    this.snaps.push({ id, rec: s, pages: [...s.pages], keyframe: s.keyframe, summary: s.writeSummary });
    return id;
  }
  foldSnapshot(id: number, intoId: number, mergedSummary: Uint8Array): void {
    const i = this.snaps.findIndex((s) => s.id === id);
    const into = this.snaps.find((s) => s.id === intoId);
    if (i < 0 || !into) throw new Error(`foldSnapshot: no snapshot ${i < 0 ? id : intoId}`);
    const from = this.snaps[i]!;
    if (!into.keyframe) {
      const have = new Set(into.pages.map((p) => p.page));
      into.pages.push(...from.pages.filter((p) => !have.has(p.page)));
      into.pages.sort((a, b) => a.page - b.page);
    }
    into.keyframe ||= from.keyframe;
    into.summary = mergedSummary;
    this.snaps.splice(i, 1);
  }
  markProgress(icount: number): void { this.progress = Math.max(this.progress, icount); }
  setEnd(end: TraceEnd): void { this.end = end; }
  flush(): void {}
  close(): void {}

  get completeUpTo(): number { return this.end ? this.end.icount : this.progress; }
  inputs(from: number, to: number): InputEvent[] {
    return this.inputList.slice(lowerBound(this.inputList, from, (e) => e.icount), lowerBound(this.inputList, to, (e) => e.icount));
  }
  derived(from: number, to: number, kind: string): DerivedEvent[] {
    return this.derivedList
      .slice(lowerBound(this.derivedList, from, (e) => e.icount), lowerBound(this.derivedList, to, (e) => e.icount))
      .filter((e) => e.kind === kind);
  }
  countInputs(): number { return this.inputList.length; }
  countDerived(kind?: string): number { return kind ? this.derivedList.filter((e) => e.kind === kind).length : this.derivedList.length; }
  snapshots(): SnapshotInfo[] {
    return this.snaps.map((s) => ({ id: s.id, icount: s.rec.icount, keyframe: s.keyframe, stateHash: s.rec.stateHash, pageCount: s.pages.length }));
  }
  private snap(id: number): StoredSnapshot {
    const s = this.snaps.find((x) => x.id === id);
    if (!s) throw new Error(`no snapshot ${id}`);
    return s;
  }
  snapshotState(id: number): Uint8Array { return this.snap(id).rec.state; }
  snapshotPages(id: number): SnapshotPage[] { return this.snap(id).pages; }
  writeSummary(id: number): Uint8Array { return this.snap(id).summary; }
  sizeBytes(): number {
    let n = 0;
    for (const s of this.snaps) for (const p of s.pages) n += p.data.length;
    return n + this.inputList.length * 16 + this.derivedList.reduce((a, e) => a + e.data.length + 16, 0);
  }
}
