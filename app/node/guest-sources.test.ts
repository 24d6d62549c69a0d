// Recordings carry the guest's source files: `record` stores those the DWARF names and this machine
// has, `info --json` counts them, Save As keeps them, and the session shows them from the recording
// when the disk has none; a stored copy that fails its checks falls back to disk and says why; a
// recording without the table (made before recordings carried sources) opens and looks on disk; the
// bounds are kept; and a failure to store them never costs the recording.

import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import type { SourceFileDto } from '../protocol/source-dto.js';
import { DebugSession, type SessionPorts } from '../session/session.js';
import { SessionError } from '../session/errors.js';
import { makeScratchDir, nodeSessionPorts } from './serve/node-ports.js';
import { findSourceFile } from './serve/source-lookup.js';
import { cliJson, firmware, PROJECT_ROOT, runCli, scratchDir } from './testing/cli-harness.js';
import { copyTrace } from './trace-store/copy-trace.js';
import { createTraceWriter, openTraceReader } from './trace-store/index.js';
import { testHeader } from './trace-store/test-support.js';
import { addGuestSources, collectGuestSources } from './guest-sources.js';

const FIRMWARE = path.join(PROJECT_ROOT, 'assets', 'firmware');
const SHELL = firmware('shell');
const MAIN = 'main-shell.c';
const scratch = scratchDir('sources');
afterAll(() => scratch.remove());

/** Session ports that read recordings from disk and look for sources only in `sourceDirs` (no ELF: an opened recording has none). */
function ports(sourceDirs: readonly string[]): SessionPorts {
  return {
    createdBy: 'hindsight-test',
    openTrace: (p) => openTraceReader(p),
    readFile: (p) => readFileSync(p),
    scratchRecording() { throw new SessionError('bad-request', 'not in this test'); },
    copyRecording() { throw new SessionError('bad-request', 'not in this test'); },
    readSourceFile: (r) => findSourceFile(r, sourceDirs),
  };
}

/** The Source panel's answer for `file` in the recording `rec`, with sources on disk only in `sourceDirs`. */
function sourceFile(rec: string, file: string, sourceDirs: readonly string[]): SourceFileDto {
  const session = new DebugSession(ports(sourceDirs));
  try {
    session.openRecording(rec);
    return session.handle('sourceFile', { path: file });
  } finally {
    session.close();
  }
}

function copy(rec: string, name: string): string {
  const to = scratch.file(name);
  copyFileSync(rec, to);
  return to;
}

function edit(rec: string, sql: string, ...params: unknown[]): void {
  const db = new Database(rec);
  try {
    db.prepare(sql).run(...params);
  } finally {
    db.close();
  }
}

const disk = (file: string): string => readFileSync(path.join(FIRMWARE, file), 'utf8');

describe('a recording made by `record` carries its sources', () => {
  const rec = scratch.file('shell.hsrec');
  beforeAll(async () => {
    const r = await runCli(['record', SHELL, '-o', rec, '--serial-in', path.join(FIRMWARE, 'shell-demo.txt')]);
    expect(r.thrown).toBeUndefined();
    expect(r.code).toBe(0);
    // Every file the shell's line table names that is in assets/firmware went in; nothing to warn about.
    expect(r.stderr).toBe('');
  });

  it('stores the files the DWARF names, as they are on disk; info --json counts them', async () => {
    const reader = openTraceReader(rec);
    let stored;
    try {
      stored = reader.storedSources!();
      expect(stored.map((s) => s.path)).toEqual(expect.arrayContaining([MAIN, 'lib/usb.c', 'lib/ohci.c', 'lib/ohci.h', 'lib/crt0.S']));
      // The libc sources of the prebuilt toolchain are not on this machine: not stored.
      expect(stored.some((s) => s.path.includes('newlib'))).toBe(false);
      for (const s of stored) expect(s.bytes).toBe(Buffer.byteLength(disk(s.path)));
      expect(reader.readStoredSource!(MAIN)).toEqual({ text: disk(MAIN) });
      expect(reader.readStoredSource!('lib/nope.c')).toBeNull();
    } finally {
      reader.close();
    }
    const info = await cliJson<{ sources: { count: number; bytes: number } }>(['info', rec, '--json']);
    expect(info.sources).toEqual({ count: stored.length, bytes: stored.reduce((n, s) => n + s.bytes, 0) });
    expect(info.sources.count).toBeGreaterThanOrEqual(15);
  });

  it('shows the source from the recording where the disk has none, and from disk otherwise for the same file', () => {
    // Another machine: the recording alone, no sources anywhere the lookup goes.
    const elsewhere = copy(rec, 'elsewhere.hsrec');
    const f = sourceFile(elsewhere, MAIN, []);
    expect(f).toMatchObject({ found: true, origin: 'recording', text: disk(MAIN) });
    expect(f.found && f.hostPath).toBeFalsy();
    expect(sourceFile(elsewhere, 'lib/usb.c', [])).toMatchObject({ found: true, origin: 'recording', text: disk('lib/usb.c') });
    // A file the recording does not hold is still looked for on disk, and its absence said as before.
    const libc = sourceFile(elsewhere, '../../../newlib/libc/tinystdio/vfprintf.c', []);
    expect(libc).toMatchObject({ found: false, reason: expect.stringMatching(/not on this machine/) as unknown as string });
  });

  it('Save Recording As keeps them', () => {
    const saved = scratch.file('saved.hsrec');
    copyTrace(rec, saved);
    const [a, b] = [openTraceReader(rec), openTraceReader(saved)];
    try {
      expect(b.storedSources!()).toEqual(a.storedSources!());
      expect(b.readStoredSource!(MAIN)).toEqual({ text: disk(MAIN) });
    } finally {
      a.close();
      b.close();
    }
  });

  it('a stored copy that fails its checks is not shown: the disk copy is, with why; without one, the reason says both', () => {
    const corrupt = copy(rec, 'corrupt.hsrec');
    // Bytes changed under their hash.
    edit(corrupt, 'UPDATE source_file SET data = ? WHERE path = ?', Buffer.from('int main(void) { return 1; }\n'), MAIN);
    const fromDisk = sourceFile(corrupt, MAIN, [FIRMWARE]);
    expect(fromDisk).toMatchObject({ found: true, origin: 'disk', hostPath: path.join(FIRMWARE, MAIN), text: disk(MAIN) });
    expect(fromDisk.found && fromDisk.note).toMatch(/^the copy of main-shell\.c stored in the recording is corrupt \(SHA-256 [0-9a-f]{64}, recorded [0-9a-f]{64}\): read from .*main-shell\.c instead$/);
    const nowhere = sourceFile(corrupt, MAIN, []);
    expect(nowhere.found).toBe(false);
    expect(!nowhere.found && nowhere.reason).toMatch(/stored in the recording is corrupt .*; main-shell\.c is not on this machine/);

    // Not UTF-8 (with a matching hash: a recording written by something else).
    const latin1 = Buffer.from([0x2f, 0x2f, 0x20, 0xe9, 0x74, 0xe9, 0x0a]);
    edit(corrupt, 'UPDATE source_file SET data = ?, sha256 = ? WHERE path = ?', latin1, createHash('sha256').update(latin1).digest('hex'), 'lib/usb.c');
    const usb = sourceFile(corrupt, 'lib/usb.c', [FIRMWARE]);
    expect(usb).toMatchObject({ found: true, origin: 'disk', text: disk('lib/usb.c') });
    expect(usb.found && usb.note).toMatch(/^the copy of lib\/usb\.c stored in the recording is not valid UTF-8 text: read from /);
    // Text where bytes belong.
    edit(corrupt, 'UPDATE source_file SET data = ? WHERE path = ?', 'text', 'lib/ohci.c');
    expect(sourceFile(corrupt, 'lib/ohci.c', [FIRMWARE])).toMatchObject({ found: true, origin: 'disk', note: expect.stringMatching(/is malformed/) as unknown as string });
    // The other stored files are unaffected.
    expect(sourceFile(corrupt, 'lib/uart.c', [])).toMatchObject({ found: true, origin: 'recording' });
  });

  it('a recording without the table (made before recordings carried sources) opens and looks on disk', async () => {
    const old = copy(rec, 'old.hsrec');
    edit(old, 'DROP TABLE source_file');
    const reader = openTraceReader(old);
    try {
      expect(reader.storedSources!()).toEqual([]);
      expect(reader.readStoredSource!(MAIN)).toBeNull();
    } finally {
      reader.close();
    }
    expect(sourceFile(old, MAIN, [FIRMWARE])).toMatchObject({ found: true, origin: 'disk', hostPath: path.join(FIRMWARE, MAIN), text: disk(MAIN) });
    expect(sourceFile(old, MAIN, [])).toMatchObject({ found: false, reason: expect.stringMatching(/^main-shell\.c is not on this machine/) as unknown as string });
    expect((await cliJson<{ sources: unknown }>(['info', old, '--json'])).sources).toEqual({ count: 0, bytes: 0 });
  });
});

describe('bounds and failures', () => {
  it('skips a file over 4 MiB and stops at the total limit, and says so', () => {
    // The ELF in a folder of its own, with a main-shell.c beside it that is far too big.
    const dir = scratchDir('sources-bounds');
    try {
      const elf = dir.file('shell.elf', readFileSync(SHELL));
      dir.file(MAIN, Buffer.alloc((4 << 20) + 1, 0x20));
      const big = collectGuestSources({ image: readFileSync(elf), imagePath: elf }, []);
      expect(big.files).toEqual([]);
      expect(big.skipped).toEqual([`${path.join(dir.dir, MAIN)} (${(4 << 20) + 1} bytes, over ${4 << 20})`]);
      // The sample's own sources, with a total limit that holds only some of them.
      const some = collectGuestSources({ image: readFileSync(SHELL), imagePath: SHELL }, [], 20_000);
      expect(some.files.length).toBeGreaterThan(0);
      expect(some.bytes).toBeLessThanOrEqual(20_000);
      expect(some.skipped.length).toBeGreaterThan(0);
      const rec = scratch.file('bounded.hsrec');
      createTraceWriter(rec, testHeader()).close();
      const r = addGuestSources(rec, { image: readFileSync(elf), imagePath: elf }, []);
      expect(r).toMatchObject({ stored: 0, bytes: 0, warning: expect.stringMatching(/^1 source file not stored in the recording \(at most 4 MiB a file, 64 MiB in all/) as unknown as string });
    } finally {
      dir.remove();
    }
  });

  it('a failure to store them is a warning, and the file is left as it was', () => {
    const notRecording = scratch.file('other.sqlite');
    const db = new Database(notRecording);
    db.exec('CREATE TABLE t (x)');
    db.close();
    const before = readFileSync(notRecording);
    const r = addGuestSources(notRecording, { image: readFileSync(SHELL), imagePath: SHELL });
    expect(r).toMatchObject({ stored: 0, warning: expect.stringMatching(/^the recording is kept, but the guest's source files could not be stored in it: .*not a Hindsight recording/) as unknown as string });
    expect(readFileSync(notRecording).equals(before)).toBe(true);
    // A guest image that is not an ELF: nothing to list, nothing stored, no crash.
    const rec = scratch.file('bad-elf.hsrec');
    createTraceWriter(rec, testHeader()).close();
    writeFileSync(scratch.file('bad.elf'), 'not an elf');
    expect(addGuestSources(rec, { image: new Uint8Array(16), imagePath: scratch.file('bad.elf') }).stored).toBe(0);
    const reader = openTraceReader(rec);
    expect(reader.storedSources!()).toEqual([]);
    reader.close();
  });
});

describe('recordings the session makes (Open ELF, Record)', () => {
  const dir = makeScratchDir();
  afterAll(() => dir.remove());

  it('Open ELF stores the sources in its scratch recording; the Source panel reads them from there', async () => {
    const session = new DebugSession(nodeSessionPorts(dir.dir));
    try {
      const info = await session.handleAsync('openElf', { path: SHELL, serialInput: readFileSync(path.join(FIRMWARE, 'shell-demo.txt'), 'latin1') });
      const reader = openTraceReader(info.path);
      try {
        expect(reader.storedSources!().map((s) => s.path)).toContain(MAIN);
      } finally {
        reader.close();
      }
      expect(session.handle('sourceFile', { path: MAIN })).toMatchObject({ found: true, origin: 'recording', text: disk(MAIN) });
    } finally {
      await session.shutdown();
    }
  });

  it('interactive Record stores them once stopped', async () => {
    const session = new DebugSession(nodeSessionPorts(dir.dir));
    try {
      await session.handleAsync('startRecording', { guest: SHELL, usb: [] });
      const info = await session.handleAsync('stopRecording', {});
      expect(session.handle('sourceFile', { path: 'lib/uart.c' })).toMatchObject({ found: true, origin: 'recording', text: disk('lib/uart.c') });
      expect(info.origin).toBe('recorded');
    } finally {
      await session.shutdown();
    }
  });

  it('a host whose storing fails: the recording opens all the same, and the warning is an error event', async () => {
    const events: { event: string; data: unknown }[] = [];
    const failing: SessionPorts = { ...nodeSessionPorts(dir.dir), storeGuestSources: () => { throw new Error('disk full'); } };
    const session = new DebugSession(failing, (event, data) => events.push({ event, data }));
    try {
      const info = await session.handleAsync('openElf', { path: SHELL, maxInsns: 20_000 });
      expect(info).toMatchObject({ guestImageName: 'shell.elf', origin: 'recorded' });
      expect(events).toContainEqual({ event: 'error', data: { error: { code: 'bad-file', message: "the recording is kept, but the guest's source files could not be stored in it: disk full" } } });
      // No stored copy: the disk, as before.
      expect(session.handle('sourceFile', { path: MAIN })).toMatchObject({ found: true, origin: 'disk' });
    } finally {
      await session.shutdown();
    }
  });
});
