// Adds guest source files to a finished recording (schema.ts SOURCE_FILE_SQL): the storage half of
// app/node/guest-sources.ts, which decides which files.
//
// Runs after the recorder's writer is closed, on a connection of its own, in one transaction: either
// every file is stored or none is, and the recording itself (header, events, snapshots) is never
// touched, so the durability rules of recording (SIGKILL loses at most the last commit) are not
// affected. A file that is not a recording (application_id) is refused before anything is written.

import { createHash } from 'node:crypto';
import { TRACE_FORMAT_VERSION } from '../../replay/trace/trace.js';
import { openDatabase } from './sqlite-open.js';
import { APPLICATION_ID, SOURCE_FILE_SQL, hex32 } from './schema.js';

export interface SourceToStore {
  /** The DWARF path, exactly as the line table names it. */
  readonly path: string;
  /** The file's text as UTF-8. */
  readonly data: Uint8Array;
}

/** How long to wait for a reader that holds the file (a UI following the recording) before giving up. */
const BUSY_TIMEOUT_MS = 2000;

/** Stores `files` in the recording at `recording` (replacing stored copies of the same paths). Throws on failure. */
export function storeSourceFiles(recording: string, files: readonly SourceToStore[]): void {
  const db = openDatabase(recording, { fileMustExist: true });
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    const appId = db.pragma('application_id', { simple: true });
    const version = db.pragma('user_version', { simple: true });
    if (appId !== APPLICATION_ID || version !== TRACE_FORMAT_VERSION) {
      throw new Error(`${recording}: not a Hindsight recording of format version ${TRACE_FORMAT_VERSION} (application_id ${hex32(Number(appId))}, version ${String(version)}): no sources added`);
    }
    db.transaction(() => {
      db.exec(SOURCE_FILE_SQL);
      const insert = db.prepare('INSERT OR REPLACE INTO source_file (path, sha256, data) VALUES (?, ?, ?)');
      for (const f of files) {
        const data = Buffer.from(f.data.buffer, f.data.byteOffset, f.data.byteLength);
        insert.run(f.path, createHash('sha256').update(data).digest('hex'), data);
      }
    }).immediate();
  } finally {
    db.close();
  }
}
