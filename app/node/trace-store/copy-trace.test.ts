// Save Recording As: the copy is complete even when the newest pages are still in the -wal, the
// source is not written, and a bad target is refused with a clear message and no file left over.

import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { copyTrace, SaveTargetError } from './copy-trace.js';
import { createTraceWriter, openTraceReader } from './index.js';
import { sidecarPaths } from './schema.js';
import { inputData, ramPage, readEverything, testHeader } from './test-support.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'hindsight-copy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sha = (f: string): string => createHash('sha256').update(readFileSync(f)).digest('hex');

describe('copyTrace', () => {
  it('copies what is still in the -wal, leaves the source as it was, and refuses bad targets', () => {
    const src = path.join(dir, 'live.hsrec');
    const w = createTraceWriter(src, testHeader());
    for (let i = 0; i < 2000; i++) w.appendInput({ icount: i * 7, ticks: i * 7, kind: 'uart-rx', data: inputData(i * 7) });
    w.appendSnapshot({ icount: 0, keyframe: true, state: new Uint8Array(64).fill(5), pages: [ramPage(0, 1), ramPage(3, 1)], stateHash: 'ab'.repeat(32), writeSummary: new Uint8Array(0) });
    w.markProgress(14_000);
    w.setEnd({ icount: 14_000, reason: { kind: 'stopped' } });
    w.flush(); // durable, but in the -wal: the writer is still open, nothing is checkpointed yet
    try {
      expect(statSync(sidecarPaths(src).wal).size).toBeGreaterThan(0);
      const before = sha(src);
      const dst = path.join(dir, 'saved.hsrec');
      copyTrace(src, dst);
      expect(sha(src)).toBe(before);
      const [a, b] = [openTraceReader(src), openTraceReader(dst)];
      try {
        expect(b.end).toEqual({ icount: 14_000, reason: { kind: 'stopped' } });
        expect(b.countInputs()).toBe(2000);
        expect(readEverything(b)).toBe(readEverything(a) - a.sizeBytes() + b.sizeBytes());
      } finally {
        a.close();
        b.close();
      }
      // The saved file stands alone: no -wal of its own.
      expect(existsSync(sidecarPaths(dst).wal)).toBe(false);

      // An existing target only with overwrite; its stale -wal goes with it.
      expect(() => copyTrace(src, dst)).toThrow(/already exists/);
      writeFileSync(sidecarPaths(dst).wal, 'stale');
      copyTrace(src, dst, { overwrite: true });
      expect(existsSync(sidecarPaths(dst).wal)).toBe(false);
      expect(openTraceReader(dst).end?.icount).toBe(14_000);

      expect(() => copyTrace(src, src, { overwrite: true })).toThrow(/the recording's own file/);
      expect(() => copyTrace(src, path.join(dir, 'no', 'such', 'x.hsrec'))).toThrow(SaveTargetError);
      expect(() => copyTrace(src, path.join(dir, 'no', 'x.hsrec'))).toThrow(/does not exist/);
      expect(() => copyTrace(src, dir, { overwrite: true })).toThrow(/is a folder/);
      expect(() => copyTrace(path.join(dir, 'missing.hsrec'), path.join(dir, 'y.hsrec'))).toThrow(SaveTargetError);
      // Nothing half-written is left behind by the failures.
      expect(readdirSync(dir).filter((f) => f.includes('.saving-'))).toEqual([]);
      expect(existsSync(path.join(dir, 'y.hsrec'))).toBe(false);
    } finally {
      w.close();
    }
  });
});
