// A recorder killed with SIGKILL: the file opens, has no end, and is complete up to a progress mark
// made less than ~1 s before the kill, with every input below that mark present.
//
// The child is app/node/trace-store/killed-recorder-child.ts, bundled with esbuild (the project's
// own bundler) so that it runs the real writer under plain node; better-sqlite3 stays external and
// is loaded from this project's node_modules by absolute path. The threaded writer's thread entry is
// bundled beside it, where the writer looks for it. Both writers are killed: the in-thread one, and
// the threaded one that `record` uses (whose batches and thread add to what a kill can lose).

import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTraceReader } from './sqlite-trace-reader.js';
import { createTraceWriter } from './sqlite-trace-writer.js';
import { inputData, ramPage, testHeader } from './test-support.js';

const dir = mkdtempSync(join(tmpdir(), 'hsrec-kill-'));
const childJs = join(dir, 'killed-recorder-child.mjs');
afterAll(() => {
  chmodSync(dir, 0o755);
  rmSync(dir, { recursive: true, force: true });
});

beforeAll(async () => {
  const sqlite = createRequire(import.meta.url).resolve('better-sqlite3');
  await build({
    entryPoints: {
      'killed-recorder-child': fileURLToPath(new URL('./killed-recorder-child.ts', import.meta.url)),
      'trace-writer-thread': fileURLToPath(new URL('./trace-writer-thread.ts', import.meta.url)),
    },
    outdir: dir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'silent',
    plugins: [{
      name: 'better-sqlite3-from-this-project',
      setup(b) { b.onResolve({ filter: /^better-sqlite3$/ }, () => ({ path: sqlite, external: true })); },
    }],
  });
});

interface Killed {
  readonly path: string;
  /** (progress mark, wall time it was made) as reported by the child. */
  readonly marks: ReadonlyArray<readonly [number, number]>;
  readonly killedAt: number;
}

/** Runs the child recorder for `ms` after it is ready, then SIGKILLs it. */
function recordAndKill(path: string, ms: number, threaded = false): Promise<Killed> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [childJs, path, ...(threaded ? ['threaded'] : [])], { stdio: ['ignore', 'pipe', 'pipe'] });
    const marks: Array<[number, number]> = [];
    let buffered = '';
    let stderr = '';
    let killedAt = 0;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        const [a, b] = line.split(' ');
        if (a === 'ready') {
          setTimeout(() => { killedAt = Date.now(); child.kill('SIGKILL'); }, ms);
        } else {
          marks.push([Number(a), Number(b)]);
        }
      }
    });
    child.stderr.setEncoding('utf8').on('data', (c: string) => { stderr += c; });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`child exited with ${code ?? signal}: ${stderr}`));
      else resolve({ path, marks, killedAt });
    });
  });
}

/** The file opens, has no end, and is complete up to a mark made < ~1 s before the kill. */
function expectDurableUpToASecondBeforeTheKill(killed: Killed): void {
  const { path, marks, killedAt } = killed;
  expect(existsSync(`${path}-wal`)).toBe(true); // the WAL the reader has to cope with
  expect(marks.length).toBeGreaterThan(10);
  const r = openTraceReader(path);
  try {
    expect(r.end).toBeNull();
    const due = Math.max(0, ...marks.filter(([, t]) => t <= killedAt - 1000).map(([m]) => m));
    const lastReported = marks[marks.length - 1]![0];
    const durableAt = marks.filter(([m]) => m <= r.completeUpTo).pop()?.[1] ?? 0;
    console.log(`killed after marks up to ${lastReported}; durable up to ${r.completeUpTo} (reported ${killedAt - durableAt} ms before the kill); required >= ${due}`);
    expect(r.completeUpTo).toBeGreaterThanOrEqual(due);
    expect(r.completeUpTo).toBeGreaterThan(0);
    expect((r.completeUpTo - 1) % 700).toBe(0); // one of the marks the child made

    // Every input below the mark, exactly.
    const inputs = r.inputs(0, r.completeUpTo);
    expect(inputs.length).toBe(Math.floor((r.completeUpTo - 1) / 7));
    inputs.forEach((e, i) => {
      const icount = 7 * (i + 1);
      if (e.icount !== icount || e.kind !== 'uart-rx' || Buffer.compare(e.data, inputData(icount)) !== 0) {
        throw new Error(`input ${i}: ${e.icount} ${e.kind} ${Buffer.from(e.data).toString('hex')}, expected icount ${icount}`);
      }
    });

    // Snapshots that made it are whole.
    const snaps = r.snapshots();
    expect(snaps.length).toBeGreaterThan(0);
    for (const s of [snaps[0]!, snaps[snaps.length >> 1]!, snaps[snaps.length - 1]!]) {
      const batch = Number(s.stateHash.slice(1));
      const pages = r.snapshotPages(s.id);
      expect(s.pageCount).toBe(200);
      expect(pages.length).toBe(200);
      expect(pages[123]).toEqual(ramPage(123, batch));
      expect(r.snapshotState(s.id)).toEqual(inputData(batch));
    }
    expect(r.derived(0, r.completeUpTo, 'uart-tx').length).toBe((r.completeUpTo - 1) / 700);
  } finally {
    r.close();
  }
}

describe('a recorder killed with SIGKILL', () => {
  let killed: Killed;
  beforeAll(async () => {
    killed = await recordAndKill(join(dir, 'killed.hsrec'), 1500);
  }, 30_000);

  it('leaves a file that opens: no end, complete up to a mark made < ~1 s before the kill', () => {
    expectDurableUpToASecondBeforeTheKill(killed);
  });

  it('reading does not modify the file: it opens again, and the WAL is still there', () => {
    const a = openTraceReader(killed.path);
    const upTo = a.completeUpTo;
    const n = a.countInputs();
    a.close();
    expect(existsSync(`${killed.path}-wal`)).toBe(true);
    const b = openTraceReader(killed.path);
    expect(b.completeUpTo).toBe(upTo);
    expect(b.countInputs()).toBe(n);
    b.close();
  });

  it('a hot rollback journal (killed mid-transaction outside WAL mode) is rolled back in a private copy', () => {
    const path = join(dir, 'hot-journal.hsrec');
    const w = createTraceWriter(path, testHeader());
    w.appendSnapshot({ icount: 0, keyframe: true, state: inputData(1), pages: Array.from({ length: 300 }, (_, i) => ramPage(i, 1)), stateHash: 's1', writeSummary: inputData(2) });
    w.close();
    // Another SQLite client dies half-way through rewriting every page (a small cache makes it write
    // into the database file before committing).
    const sqlite = createRequire(import.meta.url).resolve('better-sqlite3');
    const script = `const D = require(${JSON.stringify(sqlite)}); const db = new D(process.argv[1]); db.pragma('cache_size = 2');
      db.exec('BEGIN'); db.prepare('UPDATE snapshot_page SET data = randomblob(4096)').run(); process.kill(process.pid, 'SIGKILL');`;
    const r0 = spawnSync(process.execPath, ['-e', script, path]);
    expect(r0.signal).toBe('SIGKILL');
    expect(existsSync(`${path}-journal`)).toBe(true);
    const r = openTraceReader(path);
    const [snap] = r.snapshots();
    const pages = r.snapshotPages(snap!.id);
    expect(pages.length).toBe(300);
    pages.forEach((p, i) => { if (Buffer.compare(p.data, ramPage(i, 1).data) !== 0) throw new Error(`page ${i} differs`); });
    r.close();
    expect(existsSync(`${path}-journal`)).toBe(true); // the original was not touched
  });

  // Root ignores file permissions, so this runs only as an ordinary user.
  it.skipIf(process.getuid?.() === 0)('opens from a read-only directory without its -shm (through a private copy)', () => {
    const ro = join(dir, 'read-only');
    mkdirSync(ro);
    const copy = join(ro, 'killed.hsrec');
    copyFileSync(killed.path, copy);
    copyFileSync(`${killed.path}-wal`, `${copy}-wal`);
    chmodSync(ro, 0o555);
    try {
      const expected = openTraceReader(killed.path);
      const r = openTraceReader(copy);
      expect(r.completeUpTo).toBe(expected.completeUpTo);
      expect(r.countInputs()).toBe(expected.countInputs());
      expect(r.sizeBytes()).toBe(expected.sizeBytes());
      r.close();
      expected.close();
      expect(readdirSync(ro).sort()).toEqual(['killed.hsrec', 'killed.hsrec-wal']);
    } finally {
      chmodSync(ro, 0o755);
    }
  });
});

describe('a recorder killed with SIGKILL, writing through the writer thread (as `record` does)', () => {
  it('leaves a file that opens: no end, complete up to a mark made < ~1 s before the kill', async () => {
    const killed = await recordAndKill(join(dir, 'killed-threaded.hsrec'), 1500, true);
    expectDurableUpToASecondBeforeTheKill(killed);
  }, 30_000);
});
