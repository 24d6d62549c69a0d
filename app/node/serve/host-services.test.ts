// The host's own services in front of the session: the file dialog's listings, the Recent list
// (in a temporary config folder, never the user's), Save Recording As through the session, and the
// gdb server for the recording on screen, driven by the real gdb-multiarch where it is installed.

import { execFile, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DirectoryListing, GdbServerStatus, RecentFile } from '../../protocol/host-dto.js';
import type { RecordingInfo } from '../../protocol/dto.js';
import { parseElf } from '../../engine/loader/elf.js';
import { configDir, RecentFiles } from './recent-files.js';
import { HostServices } from './host-services.js';
import { makeScratchDir } from './node-ports.js';
import { InlineSessionHost, type HostResult } from './session-host.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const SHELL = path.join(ROOT, 'assets/firmware/elf/shell.elf');
const TIMER = path.join(ROOT, 'assets/firmware/elf/timer.elf');
const GDB_WORKER = path.join(ROOT, 'dist/gdb-worker.mjs');
const GDB = process.env.HINDSIGHT_GDB ?? 'gdb-multiarch';
const haveGdb = spawnSync(GDB, ['--version'], { encoding: 'utf8' }).status === 0;
if (!haveGdb) console.warn(`gdb-from-the-UI test skipped: cannot run ${GDB} (install Debian's gdb-multiarch)`);
if (!existsSync(GDB_WORKER)) console.warn(`gdb-from-the-UI tests skipped: ${GDB_WORKER} is not built (npm run build)`);

const tmp = mkdtempSync(path.join(os.tmpdir(), 'hindsight-host-'));
const scratch = makeScratchDir();
let host: HostServices;
const events: { event: string; data: unknown }[] = [];

function ok<T>(r: HostResult): T {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.result as T;
}

beforeAll(() => {
  host = new HostServices(new InlineSessionHost(scratch.dir), {
    startDir: tmp, recent: new RecentFiles(path.join(tmp, 'config', 'recent.json')), gdbWorkerUrl: new URL(`file://${GDB_WORKER}`), scratchDir: scratch.dir,
  });
  host.onEvent((event, data) => events.push({ event, data }));
});
afterAll(async () => {
  await host.close();
  scratch.remove();
  rmSync(tmp, { recursive: true, force: true });
});

describe('host services: files', () => {
  it('lists only what can be opened, says what it left out, and why a path cannot be listed', async () => {
    const d = path.join(tmp, 'files');
    mkdirSync(path.join(d, 'sub'), { recursive: true });
    copyFileSync(SHELL, path.join(d, 'firmware')); // an ELF by its magic, without the extension
    writeFileSync(path.join(d, 'broken.hsrec'), 'not a recording'); // a recording by its name: opening says what is wrong
    writeFileSync(path.join(d, 'bad.elf'), 'nope');
    writeFileSync(path.join(d, 'notes.txt'), 'text');
    writeFileSync(path.join(d, '.hidden.hsrec'), '');
    symlinkSync(path.join(d, 'gone'), path.join(d, 'dangling'));
    const l = ok<DirectoryListing>(await host.request('listDirectory', { path: d }));
    expect(l.path).toBe(d);
    expect(l.parent).toBe(tmp);
    expect(l.entries).toEqual([
      { name: 'sub', kind: 'directory', size: null },
      { name: 'bad.elf', kind: 'elf', size: 4 },
      { name: 'broken.hsrec', kind: 'recording', size: 15 },
      { name: 'firmware', kind: 'elf', size: readFileSync(SHELL).length },
    ]);
    expect(l.omitted).toEqual({ hidden: 1, other: 1, unreadable: 1 });
    // No path: the start folder; a relative one is taken from it.
    expect(ok<DirectoryListing>(await host.request('listDirectory', {})).path).toBe(tmp);
    expect(ok<DirectoryListing>(await host.request('listDirectory', { path: 'files/sub' })).path).toBe(path.join(d, 'sub'));
    expect(ok<DirectoryListing>(await host.request('listDirectory', { path: '/' })).parent).toBeNull();
    const missing = await host.request('listDirectory', { path: path.join(d, 'nope') });
    expect(missing).toMatchObject({ ok: false, error: { code: 'bad-file', message: `cannot list ${path.join(d, 'nope')}: no such file or folder` } });
    expect(await host.request('listDirectory', { path: path.join(d, 'notes.txt') })).toMatchObject({ ok: false, error: { message: /it is a file, not a folder/ } });
    expect(await host.request('listDirectory', { path: 42 })).toMatchObject({ ok: false, error: { code: 'bad-request' } });
  });

  it('opens, keeps Recent, saves a scratch recording as a file at the same position, and keeps the open one on errors', async () => {
    const opened = ok<RecordingInfo>(await host.request('openElf', { path: SHELL, serialInput: 'echo hi\r' }));
    expect(opened.origin).toBe('recorded');
    ok(await host.request('seek', { icount: 12345, view: {} }));

    // Errors name the file and leave the recording open where it was.
    const badElf = path.join(tmp, 'bad.elf');
    writeFileSync(badElf, 'nope');
    const e1 = await host.request('openElf', { path: badElf });
    expect(e1).toMatchObject({ ok: false, error: { code: 'bad-file', message: `${badElf}: not an ELF file: bad magic at offset 0 (6e 6f 70 65; expected 7f 45 4c 46 "\\x7fELF")` } });
    const e2 = await host.request('openRecording', { path: path.join(tmp, 'missing.hsrec') });
    expect(e2).toMatchObject({ ok: false, error: { code: 'bad-file', message: `${path.join(tmp, 'missing.hsrec')}: cannot open the recording: no such file` } });
    expect(ok<RecordingInfo>(await host.request('recordingInfo', {})).path).toBe(opened.path);
    expect(ok<{ state: { icount: number } }>(await host.request('getState', { view: {} })).state.icount).toBe(12345);

    const saved = path.join(tmp, 'saved.hsrec');
    const info = ok<RecordingInfo>(await host.request('saveRecordingAs', { path: saved }));
    expect(info).toMatchObject({ path: saved, origin: 'file', end: opened.end, guestImageSha256: opened.guestImageSha256 });
    expect(ok<{ state: { icount: number } }>(await host.request('getState', { view: {} })).state.icount).toBe(12345);
    expect(await host.request('saveRecordingAs', { path: saved, overwrite: true })).toMatchObject({ ok: false, error: { message: /the recording's own file/ } });
    const other = path.join(tmp, 'other.hsrec');
    writeFileSync(other, 'an older file');
    expect(await host.request('saveRecordingAs', { path: other })).toMatchObject({ ok: false, error: { code: 'bad-file', message: /already exists/ } });
    expect(readFileSync(other, 'utf8')).toBe('an older file');
    expect(ok<RecordingInfo>(await host.request('saveRecordingAs', { path: other, overwrite: true })).path).toBe(other);
    expect(await host.request('saveRecordingAs', { path: saved, overwrite: 'yes' })).toMatchObject({ ok: false, error: { code: 'bad-request' } });

    const reopened = ok<RecordingInfo>(await host.request('openRecording', { path: saved }));
    expect(reopened).toMatchObject({ end: opened.end, endReason: opened.endReason, origin: 'file' });

    // Recent: newest first, each path once, the failures not on it; kept across restarts.
    const recent = ok<RecentFile[]>(await host.request('recentFiles', {}));
    expect(recent.map((r) => [r.path, r.kind])).toEqual([[saved, 'recording'], [other, 'recording'], [SHELL, 'elf']]);
    expect(new RecentFiles(path.join(tmp, 'config', 'recent.json')).list().map((r) => r.path)).toEqual([saved, other, SHELL]);
  });

  it('keeps Recent in the config folder the platform names (XDG_CONFIG_HOME when absolute)', () => {
    expect(configDir({ XDG_CONFIG_HOME: '/x/cfg' }, 'linux')).toBe('/x/cfg/hindsight');
    expect(configDir({ XDG_CONFIG_HOME: 'relative' }, 'linux')).toBe(path.join(os.homedir(), '.config', 'hindsight'));
    expect(configDir({}, 'linux')).toBe(path.join(os.homedir(), '.config', 'hindsight'));
    const damaged = path.join(tmp, 'damaged.json');
    writeFileSync(damaged, '{not json');
    const r = new RecentFiles(damaged);
    expect(r.problem).toMatch(/is damaged/);
    expect(r.list()).toEqual([]);
  });
});

/** Runs gdb-multiarch in batch mode against 127.0.0.1:port; returns what it printed. */
function gdbBatch(elf: string, port: number, commands: readonly string[]): Promise<string> {
  const args = ['-batch', '-nx', elf, '-ex', `target remote 127.0.0.1:${port}`, ...commands.flatMap((c) => ['-ex', c])];
  return new Promise((resolve, reject) => {
    execFile(GDB, args, { timeout: 50_000 }, (error, stdout, stderr) => {
      if (error?.killed) reject(new Error(`gdb timed out:\n${stdout}\n${stderr}`));
      else resolve(`${stdout}\n${stderr}`);
    });
  });
}

const positions = (out: string): { icount: number; pc: number }[] =>
  [...out.matchAll(/^icount (\d+), pc 0x([0-9a-f]+)/gm)].map((m) => ({ icount: Number(m[1]), pc: parseInt(m[2]!, 16) }));

describe.skipIf(!existsSync(GDB_WORKER))('host services: the gdb server for the recording on screen', () => {
  it('starts where the UI is, serves gdb (stepi, reverse-stepi, info registers pc), serves a second gdb, stops', async () => {
    const info = ok<RecordingInfo>(await host.request('openElf', { path: TIMER }));
    const at = Math.floor(info.end / 2);
    ok(await host.request('seek', { icount: at, view: {} }));
    const st = ok<GdbServerStatus>(await host.request('startGdbServer', {}));
    if (!st.running) throw new Error('not running');
    // Made from an ELF that is still on disk: gdb loads the original.
    expect(st).toMatchObject({ host: '127.0.0.1', recordingPath: info.path, elfPath: TIMER, startIcount: at, clientConnected: false });
    expect(st.commandLine).toBe(`gdb-multiarch ${TIMER} -x ${path.join(ROOT, 'assets/gdb/hindsight.gdb')} -ex 'target remote 127.0.0.1:${st.port}'`);
    expect(ok<GdbServerStatus>(await host.request('gdbServerStatus', {}))).toEqual(st);
    // The UI moves on its own: gdb still starts where the server was started.
    ok(await host.request('seek', { icount: 10, view: {} }));

    if (haveGdb) {
      const out = await gdbBatch(st.elfPath, st.port, ['monitor icount', 'stepi', 'monitor icount', 'reverse-stepi', 'monitor icount', 'info registers pc']);
      const [p0, p1, p2] = positions(out);
      expect(p0!.icount, out).toBe(at);
      expect(p1!.icount).toBe(at + 1);
      expect(p2).toEqual(p0);
      expect(out).toMatch(new RegExp(`^pc +0x${p0!.pc.toString(16)}\\b`, 'm'));
      expect(events.some((e) => e.event === 'gdbServerChanged' && (e.data as { status: GdbServerStatus }).status.running
        && ((e.data as { status: { clientConnected: boolean } }).status.clientConnected))).toBe(true);
      // gdb left; the server goes on listening for the next one, which starts where the first left off.
      const again = await gdbBatch(st.elfPath, st.port, ['monitor icount']);
      expect(positions(again)[0]).toEqual(p0);
    }
    // The UI's session was not moved by gdb.
    expect(ok<{ state: { icount: number } }>(await host.request('getState', { view: {} })).state.icount).toBe(10);

    expect(ok<GdbServerStatus>(await host.request('stopGdbServer', {}))).toEqual({ running: false, lastError: null });
    const refused = await new Promise<boolean>((resolve) => {
      const s = net.connect(st.port, '127.0.0.1');
      s.on('connect', () => { s.destroy(); resolve(false); });
      s.on('error', () => resolve(true));
    });
    expect(refused).toBe(true);
  });

  it('writes the guest image for gdb when the original ELF is not known, and refuses a port in use clearly', async () => {
    const rec = path.join(tmp, 'timer-saved.hsrec');
    ok(await host.request('openElf', { path: TIMER }));
    ok(await host.request('saveRecordingAs', { path: rec, overwrite: true }));
    // A fresh host knows only the recording, not the ELF it came from.
    const other = new HostServices(new InlineSessionHost(scratch.dir), { startDir: tmp, recent: null, gdbWorkerUrl: new URL(`file://${GDB_WORKER}`), scratchDir: scratch.dir });
    try {
      expect(await other.request('startGdbServer', {})).toMatchObject({ ok: false, error: { code: 'no-recording' } });
      ok(await other.request('openRecording', { path: rec }));
      const st = ok<GdbServerStatus>(await other.request('startGdbServer', { port: 0 }));
      if (!st.running) throw new Error('not running');
      expect(st.elfPath.startsWith(scratch.dir)).toBe(true);
      expect(parseElf(readFileSync(st.elfPath)).symbols.has('handle_trap')).toBe(true);
      expect(st.commandLine).toContain(`target remote 127.0.0.1:${st.port}`);
      const inUse = await host.request('startGdbServer', { port: st.port });
      expect(inUse).toMatchObject({ ok: false, error: { code: 'bad-request', message: `cannot listen on 127.0.0.1:${st.port}: the port is in use (choose another, or 0 for a free one)` } });
      expect(await host.request('startGdbServer', { port: 70000 })).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    } finally {
      await other.close();
    }
  });
});
