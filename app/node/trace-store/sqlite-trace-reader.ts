// Reads a recording (.hsrec): the TraceReader of app/replay/trace/trace.ts.
//
// Validation on open, cheapest first, each failure a TraceFormatError naming the file:
//   1. the file itself (exists, not empty, SQLite magic, whole number of SQLite pages),
//   2. application_id and user_version (SQLite file header: no table is touched),
//   3. the schema (every statement is prepared up front, so a missing table is known now),
//   4. the header row, its machine JSON and the guest image's SHA-256, the kinds, progress and end.
// Event and snapshot data are checked lazily: every read path runs under guard(), which turns SQLite
// errors into TraceFormatError, and rows are checked for the types the schema promises.
// PRAGMA quick_check is not run on open: it reads every page, 43-84 ms per 100 MB with the file in
// the page cache (trace-store-bench), so seconds for a large recording from disk, while opening
// takes ~1-10 ms. SQLite detects a damaged b-tree page anyway when a read reaches it.
//
// A recorder killed with SIGKILL leaves a -wal (and -shm) beside the file. A read-only connection
// replays that WAL into the shared-memory index without writing the database, so the reader opens
// read-only and never modifies a recording (opening read-write "just to recover" would checkpoint
// into a file that may be a colleague's original, on read-only media, or still being recorded).
// Only when SQLite cannot read in place (a read-only directory without the -shm, a WAL-mode file in
// a read-only directory, or a hot rollback journal, which only a writer may roll back) does the
// reader copy the file with its -wal/-journal into a private temporary directory, let SQLite recover
// the copy, and read that (removed on close). Cost: one file copy, in those rare cases only.
//
// Stored guest sources (schema.ts SOURCE_FILE_SQL) are optional: the table is looked for when they
// are asked for (it is added after the recorder closed the file, possibly after this reader opened),
// and a copy that fails its checks (SHA-256, UTF-8, size) is answered with why, never thrown.

import { createHash } from 'node:crypto';
import { closeSync, copyFileSync, existsSync, mkdtempSync, openSync, readSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import Database from 'better-sqlite3';
import { openDatabase } from './sqlite-open.js';
import {
  TRACE_FORMAT_VERSION, TraceFormatError,
  type DerivedEvent, type InputEvent, type MachineConfigRecord, type SnapshotInfo, type SnapshotPage,
  type StoredSourceInfo, type StoredSourceRead, type TraceEnd, type TraceEndReason, type TraceHeader, type TraceReader,
} from '../../replay/trace/trace.js';
import { MAX_SOURCE_BYTES } from '../../session/source-files.js';
import { APPLICATION_ID, SOURCE_FILE_TABLE, SQLITE_MAGIC, hex32, sidecarPaths } from './schema.js';
import { guard, isSqliteError, malformed, toTraceFormatError } from './sqlite-errors.js';

export function openTraceReader(path: string): TraceReader {
  return SqliteTraceReader.open(path);
}

type Row = unknown[];

/** Checks the file before SQLite sees it, for clear messages. */
function checkFile(path: string): void {
  const head = Buffer.alloc(100);
  let size: number;
  let n: number;
  try {
    const st = statSync(path);
    if (st.isDirectory()) throw new TraceFormatError(`${path}: is a directory, not a recording`);
    size = st.size;
    const fd = openSync(path, 'r');
    try {
      n = readSync(fd, head, 0, 100, 0);
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    if (e instanceof TraceFormatError) throw e;
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ENOENT' ? 'no such file' : err.code === 'EACCES' ? 'permission denied' : err.message;
    throw new TraceFormatError(`${path}: cannot open the recording: ${why}`, { cause: e });
  }
  if (size === 0) throw new TraceFormatError(`${path}: is an empty file, not a Hindsight recording`);
  if (n < 100 || head.toString('latin1', 0, 16) !== SQLITE_MAGIC) {
    throw new TraceFormatError(`${path}: is not a Hindsight recording (not a SQLite database)`);
  }
  const raw = head.readUInt16BE(16);
  const pageSize = raw === 1 ? 65536 : raw;
  if (pageSize < 512 || (pageSize & (pageSize - 1)) !== 0) {
    throw new TraceFormatError(`${path}: the SQLite header is damaged (page size ${raw}); the file is corrupt`);
  }
  // SQLite only ever writes whole pages: anything else is a cut-off copy or download.
  if (size % pageSize !== 0) {
    throw new TraceFormatError(`${path}: the recording is truncated (${size} bytes is not a whole number of ${pageSize}-byte pages)`);
  }
  // The database size in the header is valid when the "version-valid-for" number matches the change
  // counter. With a -wal beside the file the newest pages may be there instead, so only without one.
  const pages = head.readUInt32BE(28);
  if (head.readUInt32BE(92) === head.readUInt32BE(24) && pages * pageSize > size && !hasWal(path)) {
    throw new TraceFormatError(`${path}: the recording is truncated (${size} bytes; its header says ${pages * pageSize})`);
  }
}

function hasWal(path: string): boolean {
  try {
    return statSync(sidecarPaths(path).wal).size > 0;
  } catch {
    return false;
  }
}

/**
 * SQLite cannot read the file read-only in place: a read-only directory without the -shm (or a
 * WAL-mode file there), or a hot rollback journal (a writer killed mid-transaction outside WAL mode,
 * e.g. while creating the file) that only a writer may roll back. See the file comment.
 */
function needsPrivateCopy(e: unknown): boolean {
  return isSqliteError(e) && (e.code === 'SQLITE_CANTOPEN' || e.code.startsWith('SQLITE_READONLY'));
}

/** Copies the file with its -wal and -journal into a private directory, where SQLite may recover it. */
function copyAside(path: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'hindsight-trace-'));
  const copy = join(dir, basename(path));
  copyFileSync(path, copy);
  const from = sidecarPaths(path);
  const to = sidecarPaths(copy);
  if (existsSync(from.wal)) copyFileSync(from.wal, to.wal);
  if (existsSync(from.journal)) copyFileSync(from.journal, to.journal);
  return copy;
}

function num(path: string, what: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw malformed(path, what, `expected a number, got ${typeof v}`);
  return v;
}

function str(path: string, what: string, v: unknown): string {
  if (typeof v !== 'string') throw malformed(path, what, `expected text, got ${typeof v}`);
  return v;
}

/** A blob column as a plain Uint8Array (a view on better-sqlite3's Buffer: no copy), as MemoryTrace gives. */
function blob(path: string, what: string, v: unknown): Uint8Array {
  if (!Buffer.isBuffer(v)) throw malformed(path, what, `expected a blob, got ${v === null ? 'null' : typeof v}`);
  return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
}

function parseJson(path: string, what: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw malformed(path, what, 'invalid JSON');
  }
}

function parseMachine(path: string, text: string): MachineConfigRecord {
  const m = parseJson(path, 'the machine configuration', text) as Record<string, unknown> | null;
  if (typeof m !== 'object' || m === null || m['board'] !== 'virt' || typeof m['ramSize'] !== 'number'
    || typeof m['ticksPerMtime'] !== 'number') {
    throw malformed(path, 'the machine configuration', text.slice(0, 200));
  }
  return m as unknown as MachineConfigRecord;
}

function parseEndReason(path: string, text: string): TraceEndReason {
  const r = parseJson(path, 'the end record', text) as Record<string, unknown> | null;
  const kind = typeof r === 'object' && r !== null ? r['kind'] : undefined;
  const ok = kind === 'limit' || kind === 'stopped' || kind === 'idle'
    || (kind === 'exit' && typeof r!['code'] === 'number' && typeof r!['source'] === 'string');
  if (!ok) throw malformed(path, 'the end record', text.slice(0, 200));
  return r as unknown as TraceEndReason;
}

class SqliteTraceReader implements TraceReader {
  readonly header: TraceHeader;
  readonly end: TraceEnd | null;
  readonly completeUpTo: number;

  private kindNames = new Map<number, string>();
  /** The stored-source statements, once the optional table has been seen. */
  private sourceStmts: SourceStatements | null = null;
  private kindIds = new Map<string, number>();
  private readonly stmts: ReaderStatements;

  private constructor(
    readonly path: string,
    private readonly db: Database.Database,
    /** The private copy being read instead of `path`, if any. */
    private readonly copyPath: string | null,
  ) {
    this.checkIdentity();
    this.stmts = guard(path, 'the schema', () => prepareReaderStatements(db));
    this.header = guard(path, 'the header', () => this.readHeader());
    guard(path, 'the event kinds', () => this.loadKinds());
    const progress = guard(path, 'the progress mark', () => this.stmts.progress.get() as Row | undefined);
    this.end = guard(path, 'the end record', () => this.readEnd());
    this.completeUpTo = this.end?.icount ?? (progress ? num(path, 'the progress mark', progress[0]) : 0);
  }

  static open(path: string): SqliteTraceReader {
    checkFile(path);
    let copyPath: string | null = null;
    const opened: Database.Database[] = [];
    try {
      try {
        opened.push(SqliteTraceReader.connect(path));
      } catch (e) {
        if (!needsPrivateCopy(e)) throw e;
        copyPath = copyAside(path);
        opened.push(SqliteTraceReader.connect(copyPath, false));
      }
      return new SqliteTraceReader(path, opened[0]!, copyPath);
    } catch (e) {
      for (const db of opened) db.close();
      if (copyPath) rmSync(join(copyPath, '..'), { recursive: true, force: true });
      throw toTraceFormatError(path, 'the recording', e);
    }
  }

  /** Opens and touches the database, so that recovery (and its failure) happens here. */
  private static connect(file: string, readonly = true): Database.Database {
    // Read-write only for a private copy: recovering it (WAL, hot journal) writes to it.
    const db = openDatabase(file, { readonly, fileMustExist: true });
    try {
      db.pragma('schema_version', { simple: true });
      return db;
    } catch (e) {
      db.close();
      throw e;
    }
  }

  private checkIdentity(): void {
    const { db, path } = this;
    const appId = guard(path, 'the SQLite header', () => db.pragma('application_id', { simple: true }));
    if (appId !== APPLICATION_ID) {
      throw new TraceFormatError(`${path}: is a SQLite database but not a Hindsight recording (application_id ${hex32(Number(appId))}, expected ${hex32(APPLICATION_ID)})`);
    }
    const version = guard(path, 'the SQLite header', () => db.pragma('user_version', { simple: true }));
    if (version !== TRACE_FORMAT_VERSION) {
      throw new TraceFormatError(`${path}: recording made by format version ${String(version)}; this Hindsight reads version ${TRACE_FORMAT_VERSION}`);
    }
  }

  private readHeader(): TraceHeader {
    const p = this.path;
    const row = this.stmts.header.get() as Row | undefined;
    if (!row) throw new TraceFormatError(`${p}: has no header (the recorder stopped before writing it); the file is not a usable recording`);
    const [formatVersion, createdBy, machine, guestImageName, guestImageSha256, snapshotInterval, guestImage] = row;
    const header: TraceHeader = {
      formatVersion: num(p, 'the header', formatVersion),
      createdBy: str(p, 'the header', createdBy),
      machine: parseMachine(p, str(p, 'the header', machine)),
      guestImageName: str(p, 'the header', guestImageName),
      guestImageSha256: str(p, 'the header', guestImageSha256),
      snapshotInterval: num(p, 'the header', snapshotInterval),
      guestImage: blob(p, 'the header', guestImage),
    };
    if (header.formatVersion !== TRACE_FORMAT_VERSION) {
      throw malformed(p, 'the header', `format version ${header.formatVersion} in a version ${TRACE_FORMAT_VERSION} file`);
    }
    // The image is what a replay runs; a damaged one must not pass as the recorded guest.
    const sha = createHash('sha256').update(header.guestImage).digest('hex');
    if (sha !== header.guestImageSha256) {
      throw new TraceFormatError(`${p}: the guest image in the recording is corrupt (SHA-256 ${sha}, recorded ${header.guestImageSha256})`);
    }
    return header;
  }

  private readEnd(): TraceEnd | null {
    const row = this.stmts.end.get() as Row | undefined;
    if (!row) return null;
    return {
      icount: num(this.path, 'the end record', row[0]),
      reason: parseEndReason(this.path, str(this.path, 'the end record', row[1])),
    };
  }

  private loadKinds(): void {
    for (const [id, name] of this.stmts.kinds.all() as Row[]) {
      const n = str(this.path, 'the kind table', name);
      this.kindNames.set(num(this.path, 'the kind table', id), n);
      this.kindIds.set(n, id as number);
    }
  }

  private kindName(id: unknown): string {
    let name = this.kindNames.get(id as number);
    if (name === undefined) {
      // A live recording may have gained kinds since this reader opened.
      this.loadKinds();
      name = this.kindNames.get(id as number);
      if (name === undefined) throw malformed(this.path, 'an event', `unknown kind id ${String(id)}`);
    }
    return name;
  }

  private kindId(kind: string): number | undefined {
    if (!this.kindIds.has(kind)) this.loadKinds();
    return this.kindIds.get(kind);
  }

  private events(what: string, rows: Row[]): DerivedEvent[] {
    const p = this.path;
    const out = new Array<DerivedEvent>(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i]!;
      out[i] = { icount: num(p, what, r[0]), kind: this.kindName(r[1]), data: blob(p, what, r[2]) };
    }
    return out;
  }

  inputs(from: number, to: number): InputEvent[] {
    return guard(this.path, 'input events', () => {
      const rows = this.stmts.inputs.all(from, to) as Row[];
      return this.events('an input event', rows).map((e, i) => ({ ...e, ticks: num(this.path, 'an input event', rows[i]![3]) }));
    });
  }

  derived(from: number, to: number, kind: string): DerivedEvent[] {
    return guard(this.path, 'derived events', () => {
      const id = this.kindId(kind);
      if (id === undefined) return [];
      return this.events('a derived event', this.stmts.derivedOfKind.all(id, from, to) as Row[]);
    });
  }

  countInputs(): number {
    return guard(this.path, 'input events', () => num(this.path, 'the input count', (this.stmts.countInputs.get() as Row)[0]));
  }

  countDerived(kind?: string): number {
    return guard(this.path, 'derived events', () => {
      if (kind === undefined) return num(this.path, 'the derived count', (this.stmts.countDerived.get() as Row)[0]);
      const id = this.kindId(kind);
      if (id === undefined) return 0;
      return num(this.path, 'the derived count', (this.stmts.countDerivedOfKind.get(id) as Row)[0]);
    });
  }

  snapshots(): SnapshotInfo[] {
    const p = this.path;
    return guard(p, 'the snapshot list', () => (this.stmts.snapshots.all() as Row[]).map((r) => ({
      id: num(p, 'a snapshot', r[0]),
      icount: num(p, 'a snapshot', r[1]),
      keyframe: num(p, 'a snapshot', r[2]) !== 0,
      pageCount: num(p, 'a snapshot', r[3]),
      stateHash: str(p, 'a snapshot', r[4]),
    })));
  }

  snapshotState(id: number): Uint8Array {
    return guard(this.path, `snapshot ${id}`, () => blob(this.path, `snapshot ${id}`, this.snapshotColumn(this.stmts.snapshotState, id)));
  }

  writeSummary(id: number): Uint8Array {
    return guard(this.path, `snapshot ${id}`, () => blob(this.path, `snapshot ${id}`, this.snapshotColumn(this.stmts.writeSummary, id)));
  }

  snapshotPages(id: number): SnapshotPage[] {
    const p = this.path;
    return guard(p, `the pages of snapshot ${id}`, () => {
      const rows = this.stmts.snapshotPages.all(id) as Row[];
      // An empty result is either an incremental snapshot with no dirty page or an unknown id.
      if (rows.length === 0) this.snapshotColumn(this.stmts.snapshotExists, id);
      return rows.map((r) => ({ page: num(p, 'a snapshot page', r[0]), data: blob(p, 'a snapshot page', r[1]) }));
    });
  }

  sizeBytes(): number {
    let total = 0;
    for (const f of [this.path, sidecarPaths(this.path).wal]) {
      try {
        total += statSync(f).size;
      } catch {
        // no -wal: a cleanly closed recording
      }
    }
    return total;
  }

  storedSources(): StoredSourceInfo[] {
    const p = this.path;
    return guard(p, 'the stored source files', () => {
      const s = this.sourceStatements();
      if (!s) return [];
      return (s.list.all() as Row[]).map((r) => ({ path: str(p, 'a stored source file', r[0]), bytes: num(p, 'a stored source file', r[1]) }));
    });
  }

  readStoredSource(file: string): StoredSourceRead | null {
    const unusable = (why: string): StoredSourceRead => ({ unusable: `the copy of ${file} stored in the recording ${why}` });
    try {
      return guard(this.path, `the stored source file ${file}`, () => {
        const s = this.sourceStatements();
        const meta = s?.meta.get(file) as Row | undefined;
        if (!s || !meta) return null;
        const [type, length, sha256] = meta;
        if (type !== 'blob') return unusable(`is malformed (${String(type)} where bytes belong)`);
        if (typeof length !== 'number' || length > MAX_SOURCE_BYTES) return unusable(`is ${String(length)} bytes, more than a source file should be (${MAX_SOURCE_BYTES})`);
        if (typeof sha256 !== 'string') return unusable('is malformed (no SHA-256)');
        const data = blob(this.path, 'a stored source file', (s.data.get(file) as Row)[0]);
        const actual = createHash('sha256').update(data).digest('hex');
        if (actual !== sha256.toLowerCase()) return unusable(`is corrupt (SHA-256 ${actual}, recorded ${sha256})`);
        try {
          return { text: UTF8.decode(data) };
        } catch {
          return unusable('is not valid UTF-8 text');
        }
      });
    } catch (e) {
      // A damaged table (or file) spoils only the stored copies: the caller looks on disk.
      if (e instanceof TraceFormatError) return unusable(`cannot be read (${e.message})`);
      throw e;
    }
  }

  /** The source_file statements, or null while the recording has no such table. */
  private sourceStatements(): SourceStatements | null {
    if (this.sourceStmts) return this.sourceStmts;
    const exists = this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").raw(true).get(SOURCE_FILE_TABLE);
    if (!exists) return null;
    const out: Partial<SourceStatements> = {};
    for (const [name, sql] of Object.entries(SOURCE_SQL)) out[name as keyof SourceStatements] = this.db.prepare(sql).raw(true);
    return (this.sourceStmts = out as SourceStatements);
  }

  close(): void {
    if (!this.db.open) return;
    this.db.close();
    if (this.copyPath) rmSync(join(this.copyPath, '..'), { recursive: true, force: true });
  }

  private snapshotColumn(stmt: Database.Statement, id: number): unknown {
    const row = stmt.get(id) as Row | undefined;
    if (!row) throw new RangeError(`${this.path}: has no snapshot ${id}`);
    return row[0];
  }
}

/**
 * Every query the reader runs. ORDER BY icount, id is served by the icount indexes (an index entry
 * holds the rowid), so no query sorts; the test checks each plan.
 */
export const READER_SQL = {
  header: `SELECT format_version, created_by, machine, guest_image_name, guest_image_sha256, snapshot_interval,
    guest_image FROM header WHERE id = 1`,
  kinds: 'SELECT id, name FROM kind',
  progress: 'SELECT icount FROM progress WHERE id = 1',
  end: 'SELECT icount, reason FROM trace_end WHERE id = 1',
  inputs: 'SELECT icount, kind, data, ticks FROM input WHERE icount >= ? AND icount < ? ORDER BY icount, id',
  derivedOfKind: 'SELECT icount, kind, data FROM derived WHERE kind = ? AND icount >= ? AND icount < ? ORDER BY icount, id',
  countInputs: 'SELECT count(*) FROM input',
  countDerived: 'SELECT count(*) FROM derived',
  countDerivedOfKind: 'SELECT count(*) FROM derived WHERE kind = ?',
  // Metadata only: the blobs are the last columns, so their overflow pages are not read.
  snapshots: 'SELECT id, icount, keyframe, page_count, state_hash FROM snapshot ORDER BY icount, id',
  snapshotState: 'SELECT state FROM snapshot WHERE id = ?',
  writeSummary: 'SELECT write_summary FROM snapshot WHERE id = ?',
  snapshotExists: 'SELECT id FROM snapshot WHERE id = ?',
  snapshotPages: 'SELECT page, data FROM snapshot_page WHERE snapshot_id = ? ORDER BY page',
} as const;

/**
 * The optional stored sources (schema.ts SOURCE_FILE_SQL). length() and typeof() of a blob do not
 * read its overflow pages, so listing and checking sizes stays cheap.
 */
export const SOURCE_SQL = {
  list: 'SELECT path, length(data) FROM source_file ORDER BY path',
  meta: 'SELECT typeof(data), length(data), sha256 FROM source_file WHERE path = ?',
  data: 'SELECT data FROM source_file WHERE path = ?',
} as const;

type SourceStatements = { -readonly [K in keyof typeof SOURCE_SQL]: Database.Statement };

/** Strict: a stored source that is not UTF-8 is damaged, not shown with replacement characters. A BOM is kept, as a file read gives it. */
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

type ReaderStatements = { -readonly [K in keyof typeof READER_SQL]: Database.Statement };

function prepareReaderStatements(db: Database.Database): ReaderStatements {
  // raw(): rows as arrays, cheaper than objects.
  const out: Partial<ReaderStatements> = {};
  for (const [name, sql] of Object.entries(READER_SQL)) out[name as keyof ReaderStatements] = db.prepare(sql).raw(true);
  return out as ReaderStatements;
}
