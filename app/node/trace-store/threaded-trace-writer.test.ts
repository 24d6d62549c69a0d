// What only the threaded writer does (the contract it shares with the in-thread writer is tested for
// both in sqlite-trace-store.test.ts, and a kill in sqlite-trace-kill.test.ts): batches that keep
// their order, pages given as views of one buffer, and the thread's errors reaching the recorder.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import type { SnapshotPage } from '../../replay/trace/trace.js';
import { SnapshotStateHasher } from '../../replay/trace/snapshot-state-hasher.js';
import { openTraceReader } from './sqlite-trace-reader.js';
import { createThreadedTraceWriter } from './threaded-trace-writer.js';
import { inputData, ramPage, testHeader } from './test-support.js';

const dir = mkdtempSync(join(tmpdir(), 'hsrec-threaded-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const fresh = (): string => join(dir, `t${n++}.hsrec`);

/** Pages as RecordSession makes them: consecutive views of one buffer of their own. */
function pagesInOneBuffer(numbers: number[], seed: number): SnapshotPage[] {
  const all = new Uint8Array(numbers.length * 4096);
  return numbers.map((page, i) => {
    const data = all.subarray(i * 4096, (i + 1) * 4096);
    data.set(ramPage(page, seed).data);
    return { page, data };
  });
}

describe('threaded trace writer', () => {
  it('keeps the order of every call across many batches, and stores pages given as views of one buffer', () => {
    const path = fresh();
    const w = createThreadedTraceWriter(path, testHeader());
    let icount = 0;
    const ids: number[] = [];
    // ~2.4 MB per snapshot: batches are cut by size as well as by time.
    for (let s = 0; s < 12; s++) {
      for (let i = 0; i < 500; i++) {
        icount += 3;
        w.appendInput({ icount, ticks: icount, kind: i % 2 ? 'uart-rx' : 'usb-completion', data: inputData(icount) });
        if (i % 50 === 0) w.appendDerived({ icount, kind: 'uart-tx', data: inputData(icount + 1) });
      }
      const pages = pagesInOneBuffer(Array.from({ length: 600 }, (_, i) => i * 3 + (s % 3)), s);
      ids.push(w.appendSnapshot({ icount, keyframe: s % 4 === 0, state: inputData(s), pages, stateHash: `h${s}`, writeSummary: inputData(s + 7) }));
      w.markProgress(icount + 1);
    }
    w.foldSnapshot(ids[1]!, ids[2]!, Uint8Array.of(12));
    w.setEnd({ icount: icount + 1, reason: { kind: 'stopped' } });
    w.close();

    const r = openTraceReader(path);
    try {
      const inputs = r.inputs(0, Number.MAX_SAFE_INTEGER);
      expect(inputs.length).toBe(12 * 500);
      inputs.forEach((e, i) => {
        const at = 3 * (i + 1);
        if (e.icount !== at || e.kind !== ((i % 500) % 2 ? 'uart-rx' : 'usb-completion') || Buffer.compare(e.data, inputData(at)) !== 0) {
          throw new Error(`input ${i} is ${e.icount} ${e.kind}, expected icount ${at}`);
        }
      });
      expect(r.countDerived('uart-tx')).toBe(12 * 10);
      const snaps = r.snapshots();
      expect(snaps.map((s) => s.id)).toEqual(ids.filter((id) => id !== ids[1]));
      for (const s of [0, 5, 11]) {
        const pages = r.snapshotPages(ids[s]!);
        expect(pages.length).toBe(600);
        expect(pages[599]).toEqual(ramPage(599 * 3 + (s % 3), s));
      }
      expect(r.end).toEqual({ icount: icount + 1, reason: { kind: 'stopped' } });
    } finally {
      r.close();
    }
  });

  it('stores what each event held when appended, from a buffer the caller reuses, in batches of any size', () => {
    const path = fresh();
    const w = createThreadedTraceWriter(path, testHeader());
    const reused = new Uint8Array(1000);
    const expected: number[][] = [];
    // ~100 KB of event data in a batch (more than the batch buffer starts with), a pause that ends
    // the batch (POST_INTERVAL_MS), ~100 KB more in the next one (the buffer reused), then 1 MB at once.
    for (let i = 0; i < 300; i++) {
      if (i === 150) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 40);
      reused.fill(i & 0xff);
      reused[0] = i >> 8;
      if (i % 2) w.appendInput({ icount: i, ticks: i, kind: 'usb-completion', data: reused.subarray(0, 500 + i) });
      else w.appendDerived({ icount: i, kind: 'usb-request', data: reused.subarray(0, 500 + i) });
      expected.push([i >> 8, i & 0xff, 500 + i]);
      reused.fill(0xee); // what the writer must not see
    }
    const big = new Uint8Array(1 << 20).map((_, k) => k * 7);
    w.appendInput({ icount: 300, ticks: 300, kind: 'usb-completion', data: big });
    w.setEnd({ icount: 301, reason: { kind: 'stopped' } });
    w.close();
    const r = openTraceReader(path);
    try {
      const inputs = r.inputs(0, 300);
      const derived = r.derived(0, 300, 'usb-request');
      const got = [...derived, ...inputs].sort((a, b) => a.icount - b.icount).map((e) => [e.data[0]!, e.data[e.data.length - 1]!, e.data.length]);
      expect(got).toEqual(expected);
      expect(Buffer.compare(r.inputs(300, 301)[0]!.data, big)).toBe(0);
    } finally {
      r.close();
    }
  });

  it('reports a failure in the thread to the recorder: the file, the call that failed and why; later calls say it failed earlier', () => {
    const path = fresh();
    const w = createThreadedTraceWriter(path, testHeader());
    w.appendInput({ icount: 1, ticks: 1, kind: 'uart-rx', data: inputData(1) });
    w.markProgress(2);
    w.flush();
    // Another program takes the write lock and keeps it past SQLite's busy timeout (5 s).
    const other = new Database(path);
    other.exec('BEGIN IMMEDIATE');
    try {
      w.appendInput({ icount: 3, ticks: 3, kind: 'uart-rx', data: inputData(3) });
      let thrown: unknown = null;
      try {
        w.flush();
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(Error);
      expect((thrown as Error).message).toMatch(new RegExp(`^${path}: cannot write the recording \\(appendInput\\): database is locked`));
      expect(() => w.markProgress(4)).toThrow(/markProgress: the trace writer for .* failed earlier/);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    w.close(); // reported already: close does not throw it again
    const r = openTraceReader(path);
    expect(r.completeUpTo).toBe(2); // what was committed before the failure stays a recording
    expect(r.countInputs()).toBe(1);
    r.close();
  }, 30_000);

  it('close throws a failure that no call has reported yet', () => {
    const path = fresh();
    const w = createThreadedTraceWriter(path, testHeader());
    w.flush();
    const other = new Database(path);
    other.exec('BEGIN IMMEDIATE');
    try {
      w.appendInput({ icount: 3, ticks: 3, kind: 'uart-rx', data: inputData(3) });
      expect(() => w.close()).toThrow(/cannot write the recording \(appendInput\): database is locked/);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    expect(() => w.appendInput({ icount: 4, ticks: 4, kind: 'uart-rx', data: inputData(4) })).toThrow(/closed/);
  }, 30_000);

  it('hashes snapshots given without a hash as RecordSession would, and refuses to mix the two ways', () => {
    const path = fresh();
    const w = createThreadedTraceWriter(path, testHeader());
    const state = inputData(9);
    const pages = [ramPage(0, 1), ramPage(5, 1)];
    const hasher = new SnapshotStateHasher(testHeader().machine.ramSize);
    const expected = [hasher.next(state, pages), hasher.next(state, [ramPage(5, 2)])];
    w.appendUnhashedSnapshot!({ icount: 0, keyframe: true, state, pages, writeSummary: inputData(1) });
    w.appendUnhashedSnapshot!({ icount: 10, keyframe: false, state, pages: [ramPage(5, 2)], writeSummary: inputData(2) });
    expect(() => w.appendSnapshot({ icount: 20, keyframe: false, state, pages: [], stateHash: 'x', writeSummary: inputData(3) }))
      .toThrow(/all or none/);
    w.close();
    const r = openTraceReader(path);
    expect(r.snapshots().map((s) => s.stateHash)).toEqual(expected);
    r.close();
  });

  it('reports a file it cannot create at once, as the in-thread writer does', () => {
    expect(() => createThreadedTraceWriter(join(dir, 'no-such-dir', 'x.hsrec'), testHeader())).toThrow(/ENOENT/);
  });
});
