import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryTrace } from '../../replay/trace/memory-trace.js';
import {
  TRACE_FORMAT_VERSION, type SnapshotRecord, type TraceEnd, type TraceReader, type TraceWriter,
} from '../../replay/trace/trace.js';
import { APPLICATION_ID } from './schema.js';
import { READER_SQL, openTraceReader } from './sqlite-trace-reader.js';
import { TraceExistsError, createTraceWriter as createInThreadWriter, type NewTraceHeader, type TraceWriterOptions } from './sqlite-trace-writer.js';
import { createThreadedTraceWriter } from './threaded-trace-writer.js';
import { ramPage, testHeader } from './test-support.js';

const dir = mkdtempSync(join(tmpdir(), 'hsrec-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const fresh = (): string => join(dir, `t${n++}.hsrec`);
const bytes = (...b: number[]): Uint8Array => Uint8Array.from(b);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function snapshot(icount: number, keyframe: boolean, pages: number[], seed: number): SnapshotRecord {
  return {
    icount, keyframe, pages: pages.map((p) => ramPage(p, seed)),
    state: bytes(seed, 1, 2, 3), stateHash: `hash-${seed}`, writeSummary: bytes(seed, 0xaa),
  };
}

// Both writers keep the same contract: SQLite on the caller's thread, and SQLite on a worker thread.
const WRITERS: [string, (path: string, header: NewTraceHeader, options?: TraceWriterOptions) => TraceWriter][] = [
  ['in-thread writer', createInThreadWriter],
  ['threaded writer', createThreadedTraceWriter],
];

describe.each(WRITERS)('%s', (_name, createTraceWriter) => {
describe('SQLite trace store: round trip', () => {
    it('reads back every record type as written', () => {
      const path = fresh();
      const header = testHeader();
      const w = createTraceWriter(path, header);
      expect(w.header.formatVersion).toBe(TRACE_FORMAT_VERSION);
      expect(w.header.guestImageSha256).toBe(createHash('sha256').update(header.guestImage).digest('hex'));

      const big = new Uint8Array(100_000).map((_, i) => i & 0xff);
      w.appendInput({ icount: 0, ticks: 0, kind: 'uart-rx', data: bytes(0x41) });
      w.appendInput({ icount: 10, ticks: 10, kind: 'uart-rx', data: bytes(0x42) });
      w.appendInput({ icount: 10, ticks: 10, kind: 'usb', data: big }); // same icount: append order is kept
      w.appendInput({ icount: 10, ticks: 10, kind: 'uart-rx', data: new Uint8Array(0) });
      w.appendInput({ icount: 25, ticks: 25, kind: 'rtc', data: bytes(1, 2, 3, 4, 5, 6, 7, 8).subarray(2, 5) });
      w.appendDerived({ icount: 3, kind: 'uart-tx', data: bytes(0x68, 0x69) });
      w.appendDerived({ icount: 5, kind: 'trap', data: bytes(9) });
      w.appendDerived({ icount: 20, kind: 'uart-tx', data: bytes(0x21) });
      const s1 = w.appendSnapshot(snapshot(0, true, [0, 1, 7], 1));
      const s2 = w.appendSnapshot(snapshot(20, false, [1], 2));
      const s3 = w.appendSnapshot(snapshot(30, false, [], 3));
      w.markProgress(26);
      w.markProgress(12); // marks only move forward
      const end: TraceEnd = { icount: 40, reason: { kind: 'exit', code: 3, source: 'sifive-test' } };
      w.setEnd(end);
      w.close();
      w.close(); // idempotent

      const r = openTraceReader(path);
      try {
        expect(r.header).toEqual({ ...header, formatVersion: TRACE_FORMAT_VERSION, guestImageSha256: w.header.guestImageSha256 });
        expect(r.end).toEqual(end);
        expect(r.completeUpTo).toBe(40);
        const all = r.inputs(0, 100);
        expect(all.map((e) => [e.icount, e.kind, [...e.data].length])).toEqual([
          [0, 'uart-rx', 1], [10, 'uart-rx', 1], [10, 'usb', 100_000], [10, 'uart-rx', 0], [25, 'rtc', 3],
        ]);
        expect(all[2]!.data).toEqual(big);
        expect([...all[4]!.data]).toEqual([3, 4, 5]);
        expect(r.inputs(10, 25).map((e) => e.icount)).toEqual([10, 10, 10]); // [from, to)
        expect(r.inputs(11, 25)).toEqual([]);
        expect(r.countInputs()).toBe(5);
        expect(r.derived(0, 100, 'uart-tx').map((e) => e.icount)).toEqual([3, 20]);
        expect(r.derived(0, 100, 'trap').map((e) => e.icount)).toEqual([5]);
        expect(r.derived(0, 20, 'uart-tx').map((e) => [...e.data])).toEqual([[0x68, 0x69]]);
        expect(r.derived(0, 100, 'nope')).toEqual([]);
        expect(r.countDerived()).toBe(3);
        expect(r.countDerived('uart-tx')).toBe(2);
        expect(r.countDerived('nope')).toBe(0);

        expect(r.snapshots()).toEqual([
          { id: s1, icount: 0, keyframe: true, stateHash: 'hash-1', pageCount: 3 },
          { id: s2, icount: 20, keyframe: false, stateHash: 'hash-2', pageCount: 1 },
          { id: s3, icount: 30, keyframe: false, stateHash: 'hash-3', pageCount: 0 },
        ]);
        expect(r.snapshotPages(s1)).toEqual([ramPage(0, 1), ramPage(1, 1), ramPage(7, 1)]);
        expect(r.snapshotPages(s3)).toEqual([]);
        expect([...r.snapshotState(s2)]).toEqual([2, 1, 2, 3]);
        expect([...r.writeSummary(s2)]).toEqual([2, 0xaa]);
        expect(() => r.snapshotPages(99)).toThrow(RangeError);
        expect(() => r.snapshotState(99)).toThrow(RangeError);
        expect(r.sizeBytes()).toBeGreaterThan(100_000);
      } finally {
        r.close();
      }
    });

    it('round-trips every end reason, and a recording without one', () => {
      const reasons: TraceEnd['reason'][] = [{ kind: 'limit' }, { kind: 'stopped' }, { kind: 'idle' }, { kind: 'exit', code: 0, source: 'x' }];
      for (const reason of reasons) {
        const path = fresh();
        const w = createTraceWriter(path, testHeader());
        w.setEnd({ icount: 7, reason });
        w.close();
        const r = openTraceReader(path);
        expect(r.end).toEqual({ icount: 7, reason });
        r.close();
      }
      const path = fresh();
      const w = createTraceWriter(path, testHeader());
      w.markProgress(1234);
      w.close();
      const r = openTraceReader(path);
      expect(r.end).toBeNull();
      expect(r.completeUpTo).toBe(1234);
      r.close();
    });

    it('folds snapshots exactly as MemoryTrace does', () => {
      const path = fresh();
      const header = testHeader();
      const w = createTraceWriter(path, header);
      const mem = new MemoryTrace(w.header);
      const both = <T>(f: (t: TraceWriter) => T): T => { f(mem); return f(w); };
      const a = both((t) => t.appendSnapshot(snapshot(0, true, [1, 2, 3], 1)));
      const b = both((t) => t.appendSnapshot(snapshot(10, false, [2, 4], 2)));
      const c = both((t) => t.appendSnapshot(snapshot(20, false, [4, 5], 3)));
      const d = both((t) => t.appendSnapshot(snapshot(30, true, [1, 2, 3, 4, 5], 4)));
      const e = both((t) => t.appendSnapshot(snapshot(40, false, [6], 5)));
      both((t) => t.foldSnapshot(b, c, bytes(0xbc)));   // incremental into incremental: c gains page 2
      both((t) => t.foldSnapshot(a, c, bytes(0xac)));   // keyframe into incremental: c becomes a keyframe
      both((t) => t.foldSnapshot(d, e, bytes(0xde)));   // e becomes a keyframe with d's pages + its own
      expect(() => w.foldSnapshot(a, c, bytes(0))).toThrow(RangeError);
      expect(() => w.foldSnapshot(c, c, bytes(0))).toThrow(RangeError);
      w.close();

      const r = openTraceReader(path);
      const same = (x: TraceReader, y: TraceReader): void => {
        expect(x.snapshots()).toEqual(y.snapshots());
        for (const s of y.snapshots()) {
          expect(x.snapshotPages(s.id).map((p) => [p.page, Buffer.from(p.data).toString('hex')]))
            .toEqual(y.snapshotPages(s.id).map((p) => [p.page, Buffer.from(p.data).toString('hex')]));
          expect([...x.writeSummary(s.id)]).toEqual([...y.writeSummary(s.id)]);
          expect([...x.snapshotState(s.id)]).toEqual([...y.snapshotState(s.id)]);
        }
      };
      same(r, mem);
      expect(r.snapshots().map((s) => [s.id, s.keyframe, s.pageCount])).toEqual([[c, true, 5], [e, true, 6]]);
      r.close();
    });

    it('checks what it is given', () => {
      const w = createTraceWriter(fresh(), testHeader());
      w.markProgress(100);
      expect(() => w.appendInput({ icount: 99, ticks: 99, kind: 'uart-rx', data: bytes(1) })).toThrow(/before the progress mark/);
      w.appendInput({ icount: 100, ticks: 100, kind: 'uart-rx', data: bytes(1) });
      expect(() => w.appendDerived({ icount: -1, kind: 'x', data: bytes() })).toThrow(RangeError);
      expect(() => w.markProgress(1.5)).toThrow(RangeError);
      expect(() => w.appendSnapshot(snapshot(5, true, [1, 2, 1], 1))).toThrow(/page 1 appears twice/);
      w.appendSnapshot(snapshot(5, true, [1, 2], 1)); // the writer is still usable
      w.close();
      expect(() => w.appendInput({ icount: 200, ticks: 200, kind: 'uart-rx', data: bytes(1) })).toThrow(/closed/);
    });
  });

  describe('SQLite trace store: the file', () => {
    it('refuses to overwrite unless told to, and then replaces the file and its stale WAL', () => {
      const path = fresh();
      createTraceWriter(path, testHeader()).close();
      expect(() => createTraceWriter(path, testHeader())).toThrow(TraceExistsError);
      writeFileSync(`${path}-wal`, 'stale');
      const w = createTraceWriter(path, testHeader(10), { overwrite: true });
      w.close();
      const r = openTraceReader(path);
      expect(r.header.guestImage.length).toBe(10);
      r.close();
    });

    it('never replaces a folder, even when told to overwrite, and leaves it as it was', () => {
      const folder = fresh();
      mkdirSync(folder);
      writeFileSync(join(folder, 'keep.txt'), 'mine');
      for (const overwrite of [false, true]) {
        expect(() => createTraceWriter(folder, testHeader(), { overwrite })).toThrow(/is a folder, not a recording file/);
      }
      expect(readFileSync(join(folder, 'keep.txt'), 'utf8')).toBe('mine');
      expect(readdirSync(dir).filter((f) => f.startsWith(folder.split('/').pop()!))).toEqual([folder.split('/').pop()]);
    });

    it('is identified by application_id and user_version, and closes into one rollback-journal file', () => {
      const path = fresh();
      const w = createTraceWriter(path, testHeader());
      w.appendInput({ icount: 1, ticks: 1, kind: 'uart-rx', data: bytes(1) });
      w.flush();
      expect(existsSync(`${path}-wal`)).toBe(true); // recording in WAL mode
      w.close();
      expect(existsSync(`${path}-wal`)).toBe(false);
      expect(existsSync(`${path}-shm`)).toBe(false);
      const db = new Database(path, { readonly: true });
      expect(db.pragma('application_id', { simple: true })).toBe(APPLICATION_ID);
      expect(db.pragma('user_version', { simple: true })).toBe(TRACE_FORMAT_VERSION);
      expect(db.pragma('journal_mode', { simple: true })).toBe('delete');
      db.close();
    });

    it('closes into a self-contained file even while a reader keeps it open', () => {
      const path = fresh();
      const w = createTraceWriter(path, testHeader());
      w.flush(); // the threaded writer's file exists once its thread has created it
      const r = openTraceReader(path);
      w.appendInput({ icount: 5, ticks: 5, kind: 'uart-rx', data: bytes(1) });
      w.appendSnapshot(snapshot(5, true, [3], 1));
      w.setEnd({ icount: 9, reason: { kind: 'stopped' } });
      w.close();
      expect(r.countInputs()).toBe(1);
      const alone = fresh();
      copyFileSync(path, alone); // without its -wal
      r.close();
      const c = openTraceReader(alone);
      expect(c.end).toEqual({ icount: 9, reason: { kind: 'stopped' } });
      expect(c.countInputs()).toBe(1);
      expect(c.snapshotPages(c.snapshots()[0]!.id)).toEqual([ramPage(3, 1)]);
      c.close();
    });

    it('lets a reader follow a live recording: committed on flush, and by the idle timer', async () => {
      const path = fresh();
      const w = createTraceWriter(path, testHeader());
      w.appendInput({ icount: 5, ticks: 5, kind: 'uart-rx', data: bytes(1) });
      w.markProgress(6);
      w.flush();
      let r = openTraceReader(path);
      expect(r.end).toBeNull();
      expect(r.completeUpTo).toBe(6);
      expect(r.countInputs()).toBe(1);
      w.appendInput({ icount: 7, ticks: 7, kind: 'uart-rx', data: bytes(2) });
      w.markProgress(8);
      expect(r.countInputs()).toBe(1); // still in the writer's open transaction
      await sleep(600); // the event loop turns: the idle timer commits
      expect(r.countInputs()).toBe(2);
      r.close();
      r = openTraceReader(path);
      expect(r.completeUpTo).toBe(8);
      r.close();
      w.close();
    });

    it('commits on its own about every 250 ms while appends keep coming', () => {
      const path = fresh();
      const w = createTraceWriter(path, testHeader());
      w.flush();
      const r = openTraceReader(path);
      const t0 = performance.now();
      let i = 0;
      // 1 s: the threaded writer's thread may trail the recorder by up to ~0.6 s (threaded-trace-writer.ts).
      while (performance.now() - t0 < 1000) w.appendInput({ icount: i++, ticks: i++, kind: 'uart-rx', data: bytes(i & 0xff) });
      const seen = r.countInputs();
      expect(seen).toBeGreaterThan(0);
      expect(seen).toBeLessThan(i);
      r.close();
      w.close();
    });

    it('serves every read from an index, without sorting', () => {
      const path = fresh();
      createTraceWriter(path, testHeader()).close();
      const db = new Database(path, { readonly: true });
      for (const [name, sql] of Object.entries(READER_SQL)) {
        const params = (sql.match(/\?/g) ?? []).map(() => 1);
        const plan = (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((p) => p.detail).join('; ');
        expect(plan, name).not.toMatch(/TEMP B-TREE/);
        if (!name.startsWith('count') && name !== 'kinds' && name !== 'snapshots') expect(plan, name).not.toMatch(/^SCAN|; SCAN/);
      }
      db.close();
    });
  });
});
