// Throughput of the SQLite trace store. Not part of the unit run (it writes ~1 GB):
//   HINDSIGHT_BENCH=1 npx vitest run app/node/trace-store/trace-store-bench
// Optional: HINDSIGHT_BENCH_DIR (default: the OS temp dir), HINDSIGHT_BENCH_PAGE_SIZE.
//
// Measured (Node 20, ext4 on virtio, 2 cores shared with other jobs: load 2.4 / 4.4):
//   1,000,000 appendInput (1-byte data)             0.97-1.25 s / 1.9 s   (~1 us each, as raw SQLite)
//   1,000,000 appendDerived (two indexes)           1.5-1.6 s / 2.9 s
//   100 snapshots x 2,000 x 4 KiB pages (819 MB)    4.4-5.9 s / 8.5 s, worst single snapshot 130-330 ms
//                                                   (1.9-3.0 s when run alone, page cache not full)
//   a commit (what markProgress would cost if it always committed): ~90-200 us
//   files: 3 M small events 107 MB (~36 B each); the 100 snapshots 885 MB
//   openTraceReader: 1-10 ms at any size; snapshots() 1-2 ms; snapshotPages (2,000) 11-35 ms;
//   inputs(10,000 in range) 23-65 ms; quick_check 43-84 ms per 100 MB (page cache)

import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import type { SnapshotPage } from '../../replay/trace/trace.js';
import { createTraceWriter, type NewTraceHeader } from './sqlite-trace-writer.js';
import { openTraceReader } from './sqlite-trace-reader.js';

const enabled = process.env['HINDSIGHT_BENCH'] === '1';
const pageSize = process.env['HINDSIGHT_BENCH_PAGE_SIZE'] ? Number(process.env['HINDSIGHT_BENCH_PAGE_SIZE']) : undefined;

const header: NewTraceHeader = {
  createdBy: 'bench', machine: { board: 'virt', ramSize: 128 << 20, ticksPerMtime: 100 },
  guestImage: new Uint8Array(200_000).fill(7), guestImageName: 'bench.elf', snapshotInterval: 10_000_000,
};

function ms(t0: number): string {
  return `${(performance.now() - t0).toFixed(0)} ms`;
}

function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

function fileSize(p: string): number {
  let n = 0;
  for (const f of [p, `${p}-wal`]) try { n += statSync(f).size; } catch { /* absent */ }
  return n;
}

/** Pages with varied contents (a per-page pattern), as a RAM image would have. */
function pages(n: number, seed: number): SnapshotPage[] {
  const out: SnapshotPage[] = [];
  for (let i = 0; i < n; i++) {
    const data = new Uint8Array(4096);
    const v = new Uint32Array(data.buffer);
    let x = (seed * 2654435761 + i * 40503) >>> 0;
    for (let j = 0; j < v.length; j++) { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; v[j] = x >>> 0; }
    out.push({ page: i * 3, data });
  }
  return out;
}

describe.skipIf(!enabled)('trace store throughput', () => {
  const dir = mkdtempSync(join(process.env['HINDSIGHT_BENCH_DIR'] ?? tmpdir(), 'hsrec-bench-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const opts = pageSize ? { pageSize } : {};
  const log = (s: string): void => { console.log(`[bench${pageSize ? ` page ${pageSize}` : ''}] ${s}`); };

  it('appends 1,000,000 small input events', () => {
    const path = join(dir, 'inputs.hsrec');
    const w = createTraceWriter(path, header, opts);
    const data = new Uint8Array([0x41]);
    let t0 = performance.now();
    for (let i = 0; i < 1_000_000; i++) w.appendInput({ icount: i * 10, ticks: i * 10, kind: 'uart-rx', data });
    w.flush();
    log(`1,000,000 appendInput: ${ms(t0)}`);
    t0 = performance.now();
    for (let i = 0; i < 1_000_000; i++) w.appendDerived({ icount: i * 10, kind: i % 2 ? 'uart-tx' : 'trap', data });
    w.flush();
    log(`1,000,000 appendDerived: ${ms(t0)}`);
    t0 = performance.now();
    for (let i = 0; i < 100_000; i++) {
      for (let j = 0; j < 10; j++) w.appendInput({ icount: 10_000_000 + i * 100 + j, ticks: 10_000_000 + i * 100 + j, kind: 'uart-rx', data });
      w.markProgress(10_000_000 + i * 100 + 99);
    }
    log(`100,000 x (10 appendInput + markProgress): ${ms(t0)}`);
    t0 = performance.now();
    w.close();
    log(`close: ${ms(t0)}; file ${mb(fileSize(path))}`);

    t0 = performance.now();
    const r = openTraceReader(path);
    log(`open: ${ms(t0)}`);
    t0 = performance.now();
    const n = r.countInputs();
    log(`countInputs (${n}): ${ms(t0)}`);
    t0 = performance.now();
    const some = r.inputs(5_000_000, 5_100_000);
    log(`inputs(range of 10,000): ${ms(t0)}`);
    t0 = performance.now();
    const tx = r.derived(0, 10_000_000, 'uart-tx');
    log(`derived(all 500,000 uart-tx): ${ms(t0)}`);
    expect(n).toBe(2_000_000);
    expect(some.length).toBe(10_000);
    expect(tx.length).toBe(500_000);
    r.close();
  });

  it('commits: what a commit on every progress mark would cost', () => {
    const path = join(dir, 'commits.hsrec');
    const w = createTraceWriter(path, header, { ...opts, commitIntervalMs: 0 });
    const data = new Uint8Array([0x41]);
    const t0 = performance.now();
    for (let i = 0; i < 10_000; i++) {
      for (let j = 0; j < 10; j++) w.appendInput({ icount: i * 100 + j, ticks: i * 100 + j, kind: 'uart-rx', data });
      w.markProgress(i * 100 + 99);
    }
    log(`10,000 x (10 appendInput + markProgress), committing every call: ${ms(t0)} (${((performance.now() - t0) / 10).toFixed(0)} us per 11 commits)`);
    w.close();
  });

  it('writes 100 snapshots of 2,000 pages', () => {
    const path = join(dir, 'snapshots.hsrec');
    const w = createTraceWriter(path, header, opts);
    const sets = [pages(2000, 1), pages(2000, 2)];
    const state = new Uint8Array(2000).fill(3);
    const summary = new Uint8Array(32768).fill(1);
    let t0 = performance.now();
    let worst = 0;
    for (let i = 0; i < 100; i++) {
      const t = performance.now();
      w.appendSnapshot({ icount: i * 1e6, keyframe: i % 10 === 0, state, pages: sets[i % 2]!, stateHash: `h${i}`, writeSummary: summary });
      w.markProgress(i * 1e6);
      worst = Math.max(worst, performance.now() - t);
    }
    w.flush();
    log(`100 snapshots x 2,000 pages (${mb(100 * 2000 * 4096)} of pages): ${ms(t0)}, worst snapshot ${worst.toFixed(0)} ms`);
    t0 = performance.now();
    w.close();
    log(`close: ${ms(t0)}; file ${mb(fileSize(path))}`);

    t0 = performance.now();
    const r = openTraceReader(path);
    log(`open (${mb(fileSize(path))}): ${ms(t0)}`);
    t0 = performance.now();
    const infos = r.snapshots();
    log(`snapshots() (${infos.length}): ${ms(t0)}`);
    t0 = performance.now();
    const ps = r.snapshotPages(infos[50]!.id);
    log(`snapshotPages (${ps.length} pages): ${ms(t0)}`);
    expect(ps.length).toBe(2000);
    r.close();
  });

  it('quick_check on a ~100 MB recording', () => {
    const path = join(dir, 'hundred.hsrec');
    const w = createTraceWriter(path, header, opts);
    const set = pages(2000, 5);
    for (let i = 0; i < 12; i++) {
      w.appendSnapshot({ icount: i * 1e6, keyframe: true, state: new Uint8Array(100), pages: set, stateHash: 'x', writeSummary: new Uint8Array(10) });
    }
    for (let i = 0; i < 200_000; i++) w.appendInput({ icount: 2e7 + i, ticks: 2e7 + i, kind: 'uart-rx', data: new Uint8Array([i & 255]) });
    w.close();
    const db = new Database(path, { readonly: true });
    let t0 = performance.now();
    const q = db.pragma('quick_check', { simple: true });
    log(`quick_check on ${mb(fileSize(path))}: ${ms(t0)} (${String(q)})`);
    t0 = performance.now();
    db.pragma('integrity_check', { simple: true });
    log(`integrity_check on ${mb(fileSize(path))}: ${ms(t0)}`);
    db.close();
    t0 = performance.now();
    openTraceReader(path).close();
    log(`openTraceReader on ${mb(fileSize(path))}: ${ms(t0)}`);
  });
});
