// `hindsight info FILE --json`: the fields a user (and the UI) relies on, for recordings whose
// contents are known: how long, how they ended, how many inputs, traps and snapshots, how big.

import { statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRACE_FORMAT_VERSION } from '../../replay/trace/trace.js';
import { cliJson, firmware, runCli, scratchDir } from '../testing/cli-harness.js';
import { referenceRun } from '../testing/reference-run.js';
import { DEFAULT_CHECKPOINT_POLICY } from '../../replay/timeline/checkpoint-policy.js';

interface Info {
  file: string;
  formatVersion: number;
  createdBy: string;
  guest: { name: string; sha256: string; bytes: number };
  machine: { board: string; ramSize: number; ticksPerMtime: number };
  icountEnd: number;
  complete: boolean;
  ended: { kind: string; code?: number; source?: string } | null;
  events: { inputs: number; derived: number; uartTxChunks: number; traps: number };
  snapshots: { count: number; keyframes: number; interval: number };
  fileSizeBytes: number;
  fileSizeOnDisk: number;
}

const scratch = scratchDir('info');
afterAll(() => scratch.remove());

/** Snapshots a recording of `end` instructions holds: one every `every` from 0, and one at the end. */
function expectedSnapshots(end: number, every: number): { count: number; keyframes: number } {
  const count = Math.floor(end / every) + 1 + (end % every === 0 ? 0 : 1);
  return { count, keyframes: Math.ceil(count / 16) }; // a keyframe every 16 snapshots (the default policy)
}

describe('info --json', () => {
  const timerRec = scratch.file('timer.hsrec');
  beforeAll(async () => {
    expect((await runCli(['record', firmware('timer'), '-o', timerRec, '--snapshot-every', '500'])).code).toBe(0);
  });

  it('timer.elf: format version, length, exit, 10 timer interrupts, no inputs, snapshots, size', async () => {
    const rec = timerRec;
    const info = await cliJson<Info>(['info', rec, '--json']);
    const end = referenceRun(firmware('timer'), new Uint8Array()).icount;
    expect(info.file).toBe(rec);
    expect(info.formatVersion).toBe(TRACE_FORMAT_VERSION);
    expect(info.createdBy).toMatch(/^hindsight \d+\.\d+\.\d+/);
    expect(info.guest).toMatchObject({ name: 'timer.elf', bytes: statSync(firmware('timer')).size });
    expect(info.guest.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(info.machine).toEqual({ board: 'virt', ramSize: 128 << 20, ticksPerMtime: 100 });
    expect(info.icountEnd).toBe(end);
    expect(info.complete).toBe(true);
    expect(info.ended).toEqual({ kind: 'exit', code: 0, source: expect.stringMatching(/sifive-test/) });
    expect(info.events.inputs).toBe(0);
    expect(info.events.traps).toBe(10); // the firmware takes exactly 10 timer interrupts
    expect(info.events.uartTxChunks).toBeGreaterThan(0);
    expect(info.events.derived).toBe(info.events.uartTxChunks + info.events.traps);
    expect(info.snapshots).toEqual({ ...expectedSnapshots(end, 500), interval: 500 });
    // A cleanly closed recording is one file: no -wal beside it.
    expect(info.fileSizeBytes).toBe(statSync(rec).size);
    expect(info.fileSizeOnDisk).toBe(statSync(rec).size);
    expect(info.fileSizeBytes % 65536).toBe(0);
  });

  it('uart-echo.elf with --serial-in: one input event per byte', async () => {
    const input = 'hello, world q';
    const rec = scratch.file('echo.hsrec');
    const r = await runCli(['record', firmware('uart-echo'), '--serial-in', scratch.file('echo.in', input), '-o', rec]);
    expect(r.code).toBe(0);
    const info = await cliJson<Info>(['info', rec, '--json']);
    expect(info.events.inputs).toBe(input.length);
    expect(info.events.traps).toBeGreaterThan(0); // UART receive interrupts
    expect(info.ended).toMatchObject({ kind: 'exit', code: 0 });
    // The default interval is longer than the run: the initial snapshot and the final one.
    expect(info.snapshots).toEqual({ count: 2, keyframes: 1, interval: DEFAULT_CHECKPOINT_POLICY.interval });
  });

  it('a recording stopped by --max-insns: complete, ended "limit" at exactly that icount', async () => {
    const rec = scratch.file('limit.hsrec');
    const r = await runCli(['record', firmware('timer'), '-o', rec, '--max-insns', '5000', '--snapshot-every', '1000']);
    expect(r.code).toBe(124);
    const info = await cliJson<Info>(['info', rec, '--json']);
    expect(info).toMatchObject({ icountEnd: 5000, complete: true, ended: { kind: 'limit' } });
    expect(info.snapshots.count).toBe(6); // 0, 1000, ..., 5000
  });

  it('a guest exit code other than 0 is recorded, shown by info and returned by replay', async () => {
    const rec = scratch.file('exit7.hsrec');
    const r = await runCli(['record', firmware('shell'), '--serial-in', scratch.file('exit7.in', 'echo bye\nexit 7\n'), '-o', rec]);
    expect(r.code).toBe(7);
    const info = await cliJson<Info>(['info', rec, '--json']);
    expect(info.ended).toMatchObject({ kind: 'exit', code: 7 });
    expect(info.events.inputs).toBe('echo bye\nexit 7\n'.length);
    const replay = await runCli(['replay', rec]);
    expect(replay.code).toBe(7);
    expect(replay.stdout.toString('latin1')).toBe(r.stdout.toString('latin1'));
  });

  it('the text form names the same facts', async () => {
    const r = await runCli(['info', timerRec]);
    expect(r.code).toBe(0);
    const text = r.stdout.toString('utf8');
    expect(text).toContain(`format ${TRACE_FORMAT_VERSION}`);
    expect(text).toMatch(/ended: guest exit code 0/);
    expect(text).toMatch(/0 inputs, 10 traps/);
  });
});
