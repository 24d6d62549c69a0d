// Writes a recording (.hsrec) with better-sqlite3: the TraceWriter of app/replay/trace/trace.ts.
//
// Durability: the writer keeps one transaction open and commits it once it is ~250 ms old. The clock
// is read on every append and progress mark (RecordSession marks after every run slice, so a busy
// recorder commits on time); a timer commits the tail when the recorder goes quiet and the event
// loop turns; flush, setEnd and close commit at once. WAL with synchronous=NORMAL: a commit is a
// write() into the -wal with no fsync, which survives the death of the process (SIGKILL, a crash)
// but not of the machine (power loss), as the design asks. A progress mark is written in the same
// transaction as, or a later one than, every input appended before it, so a durable mark P implies
// every input below P is durable.
//
// markProgress does not commit by itself: a commit costs ~100-150 us (it writes whole 64 KiB SQLite
// pages into the -wal), and RecordSession marks after every run slice and every snapshot, which can
// be hundreds of times a second. `commitIntervalMs: 0` commits on every call, for callers that want
// that.
//
// Speed: prepared statements and long transactions; the only fsyncs are those of SQLite's WAL
// checkpoints (see WAL_AUTOCHECKPOINT_BYTES). Figures: trace-store-bench.test.ts.

import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, rmSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { openDatabase } from './sqlite-open.js';
import {
  TRACE_FORMAT_VERSION,
  type DerivedEvent, type InputEvent, type SnapshotPage, type SnapshotRecord, type TraceEnd,
  type TraceHeader, type TraceWriter,
} from '../../replay/trace/trace.js';
import { APPLICATION_ID, PAGE_SIZE, SCHEMA_SQL, sidecarPaths } from './schema.js';
import { isSqliteError } from './sqlite-errors.js';
import { assertIcount, assertNotBeforeProgress, checkPages } from './trace-writer-checks.js';

/** The header as a recorder knows it: the writer adds the format version and the image hash. */
export type NewTraceHeader = Omit<TraceHeader, 'formatVersion' | 'guestImageSha256'>;

export interface TraceWriterOptions {
  /** Replace an existing file at `path` (and its -wal/-shm). Without it an existing file is an error. */
  readonly overwrite?: boolean;
  /** Commit the open transaction once it is this old (ms). */
  readonly commitIntervalMs?: number;
  /** SQLite page size; for measurements only. */
  readonly pageSize?: number;
}

/** The file exists and `overwrite` was not given. */
export class TraceExistsError extends Error {
  override name = 'TraceExistsError';
}

export const DEFAULT_COMMIT_INTERVAL_MS = 250;

/**
 * WAL size at which SQLite checkpoints (copies the WAL into the database and fsyncs both, on this
 * thread). The stall grows with it; the total cost shrinks a little. Measured, 100 snapshots of
 * 2,000 pages back to back (trace-store-bench, 2 cores shared with other jobs, ext4 on virtio):
 *   16 MiB: 2.4-3.0 s for the 800 MB, worst single snapshot 130-195 ms
 *   64 MiB (SQLite's default of 1,000 pages at our page size): 1.9-2.5 s, worst 210-350 ms
 * The smaller stall wins: it is what a live console shows as a hiccup.
 *
 * Tried and dropped: checkpointing on a worker thread. The WAL restarts from its beginning only when
 * a write transaction starts with every frame already checkpointed, which under continuous recording
 * only the writer itself can arrange; with a worker the WAL grew to 300-460 MB and the total was no
 * better.
 */
const WAL_AUTOCHECKPOINT_BYTES = 16 << 20;

/**
 * Snapshot bytes after which the open transaction is committed even if it is younger than the
 * commit interval: keeps each commit, and so each checkpoint, small.
 */
const MAX_TX_BYTES = 16 << 20;

/** The header a recording gets: the recorder's, with the format version and the image hash. */
export function completeTraceHeader(newHeader: NewTraceHeader): TraceHeader {
  return {
    ...newHeader,
    formatVersion: TRACE_FORMAT_VERSION,
    guestImageSha256: createHash('sha256').update(newHeader.guestImage).digest('hex'),
  };
}

/**
 * A recording replaces only a file: a folder (or a device, a socket) at `path` is refused even with
 * overwrite, before anything is moved or written. The error carries code EISDIR, as fs errors do.
 */
export function assertReplaceableTarget(path: string): void {
  let st;
  try {
    st = statSync(path);
  } catch {
    return; // nothing there (or unreadable: creating the file says why)
  }
  if (!st.isFile()) {
    throw Object.assign(new Error(`${path} is a ${st.isDirectory() ? 'folder' : 'special file'}, not a recording file; give a file name`), { code: 'EISDIR' });
  }
}

export function refuseToOverwrite(path: string): TraceExistsError {
  return new TraceExistsError(`${path} already exists; refusing to overwrite a recording (pass overwrite: true to replace it)`);
}

export function createTraceWriter(path: string, header: NewTraceHeader, options: TraceWriterOptions = {}): TraceWriter {
  return SqliteTraceWriter.create(path, header, options);
}

class SqliteTraceWriter implements TraceWriter {
  private readonly commitIntervalMs: number;
  private txStartedAt = 0;
  /** Snapshot bytes in the open transaction. */
  private txBytes = 0;
  private idleTimer: ReturnType<typeof setTimeout> | null = null;
  private closed = false;
  private failed: Error | null = null;
  private progress = 0;
  private nextSnapshotId = 1;
  private readonly kinds = new Map<string, number>();

  private readonly stmts: ReturnType<typeof prepareWriterStatements>;

  private constructor(
    readonly path: string,
    readonly header: TraceHeader,
    private readonly db: Database.Database,
    options: TraceWriterOptions,
  ) {
    this.commitIntervalMs = options.commitIntervalMs ?? DEFAULT_COMMIT_INTERVAL_MS;
    this.stmts = prepareWriterStatements(db);
  }

  static create(path: string, newHeader: NewTraceHeader, options: TraceWriterOptions): SqliteTraceWriter {
    const header = completeTraceHeader(newHeader);
    const side = sidecarPaths(path);
    assertReplaceableTarget(path);
    if (options.overwrite) {
      for (const p of [path, side.wal, side.shm, side.journal]) rmSync(p, { force: true });
    }
    // Create the file exclusively (no race with another recorder); then stale sidecars of an older
    // file of the same name must go, or SQLite would apply that old WAL to the new database.
    let fd: number;
    try {
      fd = openSync(path, 'wx');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') {
        throw refuseToOverwrite(path);
      }
      throw e;
    }
    closeSync(fd);
    for (const p of [side.wal, side.shm, side.journal]) if (existsSync(p)) rmSync(p, { force: true });

    const db = openDatabase(path, { fileMustExist: true });
    try {
      const pageSize = options.pageSize ?? PAGE_SIZE;
      db.pragma(`page_size = ${pageSize}`);
      // Identification, schema and header in one rollback-journal transaction, before WAL: the main
      // file is then a complete (empty) recording from the start, even if its -wal is later lost.
      db.transaction(() => {
        db.pragma(`application_id = ${APPLICATION_ID}`);
        db.pragma(`user_version = ${TRACE_FORMAT_VERSION}`);
        db.exec(SCHEMA_SQL);
        db.prepare(`INSERT INTO header (id, format_version, created_by, machine, guest_image_name,
            guest_image_sha256, snapshot_interval, guest_image) VALUES (1, ?, ?, ?, ?, ?, ?, ?)`)
          .run(header.formatVersion, header.createdBy, JSON.stringify(header.machine), header.guestImageName,
            header.guestImageSha256, header.snapshotInterval, header.guestImage);
        db.prepare('INSERT INTO progress (id, icount) VALUES (1, 0)').run();
      })();
      const mode = db.pragma('journal_mode = WAL', { simple: true });
      if (mode !== 'wal') throw new Error(`${path}: cannot switch to WAL mode (got ${String(mode)})`);
      db.pragma('synchronous = NORMAL');
      db.pragma(`wal_autocheckpoint = ${Math.max(1, Math.floor(WAL_AUTOCHECKPOINT_BYTES / pageSize))}`);
      // After a checkpoint the -wal is rewound, not shrunk; cap what it keeps on disk.
      db.pragma(`journal_size_limit = ${WAL_AUTOCHECKPOINT_BYTES}`);
      return new SqliteTraceWriter(path, header, db, options);
    } catch (e) {
      db.close();
      throw e;
    }
  }

  appendInput(e: InputEvent): void {
    this.write('appendInput', () => {
      assertIcount('appendInput', e.icount);
      assertNotBeforeProgress(e.icount, this.progress);
      this.begin();
      this.stmts.insertInput.run(e.icount, e.ticks, this.kindId(e.kind), e.data);
      this.maybeCommit();
    });
  }

  appendDerived(e: DerivedEvent): void {
    this.write('appendDerived', () => {
      assertIcount('appendDerived', e.icount);
      this.begin();
      this.stmts.insertDerived.run(e.icount, this.kindId(e.kind), e.data);
      this.maybeCommit();
    });
  }

  appendSnapshot(s: SnapshotRecord): number {
    return this.write('appendSnapshot', () => {
      assertIcount('appendSnapshot', s.icount);
      checkPages(s.pages);
      this.begin();
      const id = this.nextSnapshotId++;
      this.stmts.insertSnapshot.run(id, s.icount, s.keyframe ? 1 : 0, s.pages.length, s.stateHash, s.state, s.writeSummary);
      this.insertPages(id, s.pages);
      this.maybeCommit();
      return id;
    });
  }

  foldSnapshot(id: number, intoId: number, mergedSummary: Uint8Array): void {
    this.write('foldSnapshot', () => {
      if (id === intoId) throw new RangeError(`foldSnapshot: cannot fold snapshot ${id} into itself`);
      const from = this.stmts.snapshotKeyframe.get(id) as [number] | undefined;
      const into = this.stmts.snapshotKeyframe.get(intoId) as [number] | undefined;
      if (!from || !into) throw new RangeError(`foldSnapshot: no snapshot ${from ? intoId : id}`);
      this.begin();
      // A keyframe already holds every page; otherwise the older pages it lacks move to it, in SQL
      // (no page crosses into JavaScript).
      if (!into[0]) this.stmts.movePages.run(intoId, id, intoId);
      this.stmts.deletePages.run(id);
      this.stmts.foldInto.run(from[0], mergedSummary, intoId, intoId);
      this.stmts.deleteSnapshot.run(id);
      this.maybeCommit();
    });
  }

  markProgress(icount: number): void {
    this.write('markProgress', () => {
      assertIcount('markProgress', icount);
      // Marks only move forward (as in MemoryTrace): an older mark says nothing new.
      if (icount > this.progress) {
        this.begin();
        this.stmts.setProgress.run(icount);
        this.progress = icount;
      }
      this.maybeCommit();
    });
  }

  setEnd(end: TraceEnd): void {
    this.write('setEnd', () => {
      assertIcount('setEnd', end.icount);
      this.begin();
      this.stmts.setEnd.run(end.icount, JSON.stringify(end.reason));
      this.commit();
    });
  }

  flush(): void {
    this.write('flush', () => { this.commit(); });
  }

  close(): void {
    if (this.closed) return;
    try {
      if (!this.failed) this.write('close', () => { this.commit(); });
      // Back to a rollback journal: removes the -wal and -shm, leaving one file that opens read-only
      // anywhere. That needs the only connection; with a reader still open (a UI following the
      // recording) the file stays in WAL mode, but the checkpoint first copies everything into the
      // main file, so the file alone is still the whole recording.
      try {
        this.db.pragma('busy_timeout = 200');
        this.db.pragma('wal_checkpoint(TRUNCATE)');
        this.db.pragma('busy_timeout = 0');
        this.db.pragma('journal_mode = DELETE');
      } catch {
        // stays in WAL mode
      }
    } finally {
      this.closed = true;
      if (this.idleTimer) clearTimeout(this.idleTimer);
      this.db.close();
    }
  }

  private open(what: string): void {
    if (this.failed) throw new Error(`${what}: the trace writer for ${this.path} failed earlier`, { cause: this.failed });
    if (this.closed) throw new Error(`${what}: the trace writer for ${this.path} is closed`);
  }

  /**
   * Runs one write. A SQLite error (disk full, I/O error) may have rolled back the open transaction,
   * and with it kinds this writer believes exist; rather than write rows that point at nothing, the
   * writer stops: everything committed before stays a valid recording.
   */
  private write<T>(what: string, fn: () => T): T {
    this.open(what);
    try {
      return fn();
    } catch (e) {
      if (!isSqliteError(e)) throw e;
      this.failed = e;
      try {
        if (this.db.inTransaction) this.stmts.rollback.run();
      } catch {
        // the error is reported below
      }
      throw new Error(`${this.path}: cannot write the recording (${what}): ${e.message}`, { cause: e });
    }
  }

  private begin(): void {
    if (!this.db.inTransaction) {
      this.stmts.begin.run();
      this.txStartedAt = performance.now();
      if (this.commitIntervalMs > 0) {
        this.idleTimer = setTimeout(() => { this.onIdle(); }, this.commitIntervalMs);
        // A recording must not keep the process alive.
        this.idleTimer.unref();
      }
    }
  }

  private maybeCommit(): void {
    if (performance.now() - this.txStartedAt >= this.commitIntervalMs || this.txBytes >= MAX_TX_BYTES) this.commit();
  }

  private commit(): void {
    if (this.idleTimer) {
      clearTimeout(this.idleTimer);
      this.idleTimer = null;
    }
    if (this.db.inTransaction) {
      this.stmts.commit.run();
      this.txBytes = 0;
    }
  }

  /** The recorder went quiet with a transaction open: commit it (errors surface on the next call). */
  private onIdle(): void {
    this.idleTimer = null;
    if (this.closed || this.failed) return;
    try {
      this.write('commit', () => { this.commit(); });
    } catch {
      // `failed` is set; the recorder's next call reports it
    }
  }

  private insertPages(id: number, pages: readonly SnapshotPage[]): void {
    const insert = this.stmts.insertPage;
    for (const p of pages) {
      insert.run(id, p.page, p.data);
      this.txBytes += p.data.length;
    }
  }

  private kindId(kind: string): number {
    let id = this.kinds.get(kind);
    if (id === undefined) {
      id = this.kinds.size + 1;
      this.stmts.insertKind.run(id, kind);
      this.kinds.set(kind, id);
    }
    return id;
  }
}

function prepareWriterStatements(db: Database.Database) {
  return {
    begin: db.prepare('BEGIN'),
    commit: db.prepare('COMMIT'),
    rollback: db.prepare('ROLLBACK'),
    insertKind: db.prepare('INSERT INTO kind (id, name) VALUES (?, ?)'),
    insertInput: db.prepare('INSERT INTO input (icount, ticks, kind, data) VALUES (?, ?, ?, ?)'),
    insertDerived: db.prepare('INSERT INTO derived (icount, kind, data) VALUES (?, ?, ?)'),
    insertSnapshot: db.prepare(`INSERT INTO snapshot (id, icount, keyframe, page_count, state_hash, state, write_summary)
      VALUES (?, ?, ?, ?, ?, ?, ?)`),
    insertPage: db.prepare('INSERT INTO snapshot_page (snapshot_id, page, data) VALUES (?, ?, ?)'),
    snapshotKeyframe: db.prepare('SELECT keyframe FROM snapshot WHERE id = ?').raw(true),
    movePages: db.prepare(`UPDATE snapshot_page SET snapshot_id = ? WHERE snapshot_id = ?
      AND page NOT IN (SELECT page FROM snapshot_page WHERE snapshot_id = ?)`),
    deletePages: db.prepare('DELETE FROM snapshot_page WHERE snapshot_id = ?'),
    foldInto: db.prepare(`UPDATE snapshot SET keyframe = (keyframe OR ?), write_summary = ?,
      page_count = (SELECT count(*) FROM snapshot_page WHERE snapshot_id = ?) WHERE id = ?`),
    deleteSnapshot: db.prepare('DELETE FROM snapshot WHERE id = ?'),
    setProgress: db.prepare('UPDATE progress SET icount = ? WHERE id = 1'),
    setEnd: db.prepare('INSERT OR REPLACE INTO trace_end (id, icount, reason) VALUES (1, ?, ?)'),
  };
}
