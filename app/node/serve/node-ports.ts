// The session's ports on Node: recordings through the SQLite store, files from disk, scratch
// recordings in a temporary folder that the host removes when it stops, the guest's sources added
// to the recordings it makes.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SessionError } from '../../session/errors.js';
import type { SessionPorts } from '../../session/session.js';
import { createTraceWriter, openTraceReader } from '../trace-store/index.js';
import { copyTrace, SaveTargetError } from '../trace-store/copy-trace.js';
import { HINDSIGHT_VERSION } from '../version.js';
import { nodeRecordingPorts } from './recording-ports.js';
import { findSourceFile, hostSourceDirs } from './source-lookup.js';
import { addGuestSources } from '../guest-sources.js';

export function nodeSessionPorts(scratchDir: string): SessionPorts {
  let n = 0;
  return {
    createdBy: `hindsight ${HINDSIGHT_VERSION}`,
    // Guest sources: near the ELF, else the bundled sample firmware's sources, else the working directory.
    readSourceFile: (r) => findSourceFile(r, hostSourceDirs()),
    // A recording made here from an ELF on this machine carries the sources found for it (guest-sources.ts).
    storeGuestSources: (file, guest) => addGuestSources(file, guest).warning,
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
    recording: nodeRecordingPorts(),
    copyRecording(from, to, overwrite) {
      try {
        copyTrace(from, to, { overwrite });
      } catch (e) {
        if (e instanceof SaveTargetError) throw new SessionError('bad-file', e.message);
        throw e;
      }
    },
  };
}

/** A temporary folder for scratch recordings, and how to remove it. */
export function makeScratchDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hindsight-serve-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
