// The session's ports on Node: recordings through the SQLite store, files from disk, scratch
// recordings in a temporary folder that the host removes when it stops.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SessionError } from '../../session/errors.js';
import type { SessionPorts } from '../../session/session.js';
import { createTraceWriter, openTraceReader } from '../trace-store/index.js';
import { HINDSIGHT_VERSION } from '../version.js';

export function nodeSessionPorts(scratchDir: string): SessionPorts {
  let n = 0;
  return {
    createdBy: `hindsight ${HINDSIGHT_VERSION}`,
    openTrace: (file) => openTraceReader(file),
    readFile(file) {
      try {
        return readFileSync(file);
      } catch (e) {
        const err = e as NodeJS.ErrnoException;
        const why = err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'it is a directory' : err.message;
        throw new SessionError('bad-file', `cannot read ${file}: ${why}`);
      }
    },
    scratchRecording() {
      const file = path.join(scratchDir, `recording-${++n}.hsrec`);
      return { path: file, create: (h) => createTraceWriter(file, h, { overwrite: true }) };
    },
  };
}

/** A temporary folder for scratch recordings, and how to remove it. */
export function makeScratchDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hindsight-serve-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
