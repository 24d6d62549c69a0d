// Copies a recording into one complete, self-contained file ("Save Recording As").
//
// A plain file copy is not enough: a recording is SQLite in WAL mode, and its newest pages may sit
// in the -wal beside it (a recorder that was killed, or one whose last checkpoint has not run yet),
// which a copy of the main file would leave behind. So SQLite copies it: `VACUUM INTO` on a
// read-only connection reads the database as SQLite sees it (main file + WAL) and writes a
// consistent snapshot into a new file in rollback-journal mode, with application_id and
// user_version kept, and every table with it (the optional stored sources too); the source is
// never written. It writes next to the target under a temporary name, the copy is opened and
// checked as a recording (header, end), and only then renamed over the target, so a failed save
// never leaves a half-written file under the name the user chose.

import { existsSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { openDatabase } from './sqlite-open.js';
import { TraceFormatError } from '../../replay/trace/trace.js';
import { sidecarPaths } from './schema.js';
import { openTraceReader } from './sqlite-trace-reader.js';

export class SaveTargetError extends Error {
  override name = 'SaveTargetError';
}

/** Copies the recording at `from` to `to`; replaces an existing `to` only with `overwrite`. */
export function copyTrace(from: string, to: string, opts: { overwrite?: boolean } = {}): void {
  const src = path.resolve(from);
  const dst = path.resolve(to);
  if (src === dst) throw new SaveTargetError(`${dst}: that is the recording's own file; choose another name`);
  const dir = path.dirname(dst);
  let dirStat;
  try {
    dirStat = statSync(dir);
  } catch {
    throw new SaveTargetError(`${dst}: the folder ${dir} does not exist`);
  }
  if (!dirStat.isDirectory()) throw new SaveTargetError(`${dst}: ${dir} is not a folder`);
  if (existsSync(dst)) {
    if (statSync(dst).isDirectory()) throw new SaveTargetError(`${dst}: is a folder; give a file name`);
    if (!opts.overwrite) throw new SaveTargetError(`${dst}: already exists (confirm replacing it, or choose another name)`);
  }

  const tmp = path.join(dir, `.${path.basename(dst)}.saving-${process.pid}-${Date.now()}`);
  let db: Database.Database | null = null;
  try {
    db = openDatabase(src, { readonly: true, fileMustExist: true });
    db.prepare('VACUUM INTO ?').run(tmp);
  } catch (e) {
    rmSync(tmp, { force: true });
    const err = e as NodeJS.ErrnoException & { code?: string };
    if (err.code === 'SQLITE_CANTOPEN' && !existsSync(tmp)) throw new SaveTargetError(`${dst}: cannot write in ${dir} (${err.message})`);
    if (err.code === 'SQLITE_FULL') throw new SaveTargetError(`${dst}: the disk is full`);
    throw new SaveTargetError(`${dst}: cannot save: ${err.message}`);
  } finally {
    db?.close();
  }

  // The copy must be a recording that opens and ends where the source ends.
  try {
    const [a, b] = [openTraceReader(src), openTraceReader(tmp)];
    try {
      const same = a.header.guestImageSha256 === b.header.guestImageSha256 && JSON.stringify(a.end) === JSON.stringify(b.end) &&
        a.snapshots().length === b.snapshots().length;
      if (!same) throw new TraceFormatError('the copy differs from the recording (header, end or snapshots)');
    } finally {
      a.close();
      b.close();
    }
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new SaveTargetError(`${dst}: the saved copy does not check out: ${(e as Error).message}`);
  }

  // A stale -wal/-shm beside the old file would be applied to the new one by SQLite: remove them.
  const side = sidecarPaths(dst);
  for (const p of [side.wal, side.shm, side.journal]) rmSync(p, { force: true });
  renameSync(tmp, dst);
}
