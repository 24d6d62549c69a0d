// The `.hsrec` file: one SQLite database. Shared by the writer and the reader.
//
// Identification lives in the SQLite file header, not in a table, so "not a recording" and "another
// format version" are known before any table is touched:
//   application_id  0x48535243 ("HSRC")
//   user_version    TRACE_FORMAT_VERSION
//
// Journal mode: WAL while recording (readers can follow a live recording, and a SIGKILLed recorder
// loses only its open transaction). A cleanly closed recording is switched back to a rollback journal
// so that it is exactly one self-contained file that opens read-only anywhere: SQLite cannot open a
// WAL-mode database in a read-only directory (it must create the -shm), a rollback-mode one it can.

export const APPLICATION_ID = 0x48535243;

/** Recommended file extension. */
export const TRACE_FILE_EXTENSION = '.hsrec';

/**
 * SQLite page size. Snapshot pages are 4 KiB blobs. With 4 KiB SQLite pages each one spills into an
 * overflow page; with 8-32 KiB pages whole rows fit but leave a large tail of every page unused; at
 * 64 KiB fifteen rows fill a page. Measured on 100 snapshots x 2,000 pages (819 MB of RAM pages):
 *   4 KiB: 929 MB file, 8.9 s to write     16 KiB: 1,100 MB     64 KiB: 885 MB, 5.4 s (same run)
 * The price: every table and index has at least one page (an empty recording is ~1 MB), and a
 * small commit writes ~100-150 us of whole pages into the WAL instead of ~50 us.
 */
export const PAGE_SIZE = 65536;

/**
 * Table layout. Kinds are interned (a small integer per distinct kind string): a uart byte is one
 * row, and repeating "uart-rx" in every row and in the (kind, icount) index would more than double
 * the size of those tables. Row ids give the append order among events at the same icount. Blobs
 * come last in each row so that reading the small columns never touches their overflow pages.
 */
export const SCHEMA_SQL = `
CREATE TABLE header (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  format_version INTEGER NOT NULL,
  created_by TEXT NOT NULL,
  machine TEXT NOT NULL,
  guest_image_name TEXT NOT NULL,
  guest_image_sha256 TEXT NOT NULL,
  snapshot_interval INTEGER NOT NULL,
  guest_image BLOB NOT NULL
);
CREATE TABLE kind (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE
);
CREATE TABLE input (
  id INTEGER PRIMARY KEY,
  icount INTEGER NOT NULL,
  ticks INTEGER NOT NULL,
  kind INTEGER NOT NULL,
  data BLOB NOT NULL
);
CREATE INDEX input_by_icount ON input (icount);
CREATE TABLE derived (
  id INTEGER PRIMARY KEY,
  icount INTEGER NOT NULL,
  kind INTEGER NOT NULL,
  data BLOB NOT NULL
);
CREATE INDEX derived_by_kind ON derived (kind, icount);
-- No index on derived (icount) alone (recordings before 2026-11-21 have one): every reader asks by
-- kind, and the index cost ~7 % of a USB recording's bytes and of its writer's inserts.
CREATE TABLE snapshot (
  id INTEGER PRIMARY KEY,
  icount INTEGER NOT NULL,
  keyframe INTEGER NOT NULL,
  page_count INTEGER NOT NULL,
  state_hash TEXT NOT NULL,
  state BLOB NOT NULL,
  write_summary BLOB NOT NULL
);
CREATE INDEX snapshot_by_icount ON snapshot (icount);
CREATE TABLE snapshot_page (
  snapshot_id INTEGER NOT NULL,
  page INTEGER NOT NULL,
  data BLOB NOT NULL
);
CREATE UNIQUE INDEX snapshot_page_key ON snapshot_page (snapshot_id, page);
CREATE TABLE progress (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  icount INTEGER NOT NULL
);
CREATE TABLE trace_end (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  icount INTEGER NOT NULL,
  reason TEXT NOT NULL
);
`;

/**
 * The guest's source files, stored after the recording is finished and its writer closed
 * (app/node/guest-sources.ts), so that the Source panel shows them on any machine. Keyed by the path
 * exactly as the DWARF line table names it (what the Source panel asks for); `data` is UTF-8 text,
 * `sha256` its hash (hex), checked on every read.
 *
 * No format version bump: the table is optional. It is not part of SCHEMA_SQL (the recorder never
 * touches it) and readers treat it as absent = no stored sources, so a reader of version 1 opens a
 * recording with or without it, and an older reader of the same version ignores it. Nothing about
 * replay depends on it; existing tables are unchanged.
 */
export const SOURCE_FILE_TABLE = 'source_file';
export const SOURCE_FILE_SQL = `
CREATE TABLE IF NOT EXISTS source_file (
  path TEXT PRIMARY KEY,
  sha256 TEXT NOT NULL,
  data BLOB NOT NULL
);
`;

/** The 16-byte magic string at the start of every SQLite database file. */
export const SQLITE_MAGIC = 'SQLite format 3\0';

/** Paths of the files SQLite may keep beside a database. */
export function sidecarPaths(path: string): { wal: string; shm: string; journal: string } {
  return { wal: `${path}-wal`, shm: `${path}-shm`, journal: `${path}-journal` };
}

export function hex32(n: number): string {
  return `0x${(n >>> 0).toString(16).padStart(8, '0')}`;
}
