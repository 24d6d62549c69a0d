// Turns SQLite's errors into the contract's TraceFormatError, naming the file and what was being read.

import Database from 'better-sqlite3';
import { TraceFormatError } from '../../replay/trace/trace.js';

/** Errors that say nothing about the file's contents: they are passed on as they are. */
const TRANSIENT = new Set(['SQLITE_BUSY', 'SQLITE_LOCKED', 'SQLITE_NOMEM', 'SQLITE_INTERRUPT']);

export function isSqliteError(e: unknown): e is InstanceType<typeof Database.SqliteError> {
  return e instanceof Database.SqliteError;
}

function describe(code: string, message: string): string {
  if (code.startsWith('SQLITE_CORRUPT')) return `the file is corrupt (${message})`;
  if (code === 'SQLITE_NOTADB') return 'the file is not a SQLite database or its header is damaged';
  if (code.startsWith('SQLITE_IOERR')) return `read error, the file is probably truncated (${code}: ${message})`;
  if (code === 'SQLITE_ERROR' && /no such (table|column)/.test(message)) {
    return `the file lacks part of the recording schema (${message})`;
  }
  return `${code}: ${message}`;
}

/**
 * Runs `fn`; a SQLite error (other than a transient one) or a TypeError from a malformed row becomes a
 * TraceFormatError "<path>: cannot read <what>: <why>". A TraceFormatError passes through unchanged.
 */
export function guard<T>(path: string, what: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw toTraceFormatError(path, what, e);
  }
}

export function toTraceFormatError(path: string, what: string, e: unknown): unknown {
  if (e instanceof TraceFormatError) return e;
  if (isSqliteError(e) && !TRANSIENT.has(e.code)) {
    return new TraceFormatError(`${path}: cannot read ${what}: ${describe(e.code, e.message)}`, { cause: e });
  }
  return e;
}

/** A row that does not have the shape the schema promises: the file was damaged or hand-edited. */
export function malformed(path: string, what: string, detail: string): TraceFormatError {
  return new TraceFormatError(`${path}: ${what} is malformed (${detail}); the file is corrupt`);
}
