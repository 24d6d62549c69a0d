// The CLI as a real process (`node bin/hindsight.mjs`, the bundled dist/cli.mjs), where only a
// real process will do:
//   - a recorder killed with SIGKILL mid-run leaves a recording that opens (complete:false, its
//     length so far), replays to that point with a clear "incomplete" message, and verifies;
//   - bad recordings end the process with exit code 2 and one line on stderr, not a stack trace.

import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Prng } from '../../replay/testing/prng.js';
import { PROJECT_ROOT, firmware, runCli, scratchDir } from '../testing/cli-harness.js';

const BIN = path.join(PROJECT_ROOT, 'bin', 'hindsight.mjs');
const scratch = scratchDir('cli-process');
afterAll(() => scratch.remove());

beforeAll(() => {
  // Bundle the CLI from the current sources (what `npm run build` does).
  const r = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: PROJECT_ROOT, encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`node scripts/build.mjs failed (${r.status ?? r.signal}): ${r.stderr}`);
  expect(existsSync(path.join(PROJECT_ROOT, 'dist', 'cli.mjs'))).toBe(true);
}, 90_000);

function hindsight(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: PROJECT_ROOT, encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Starts `hindsight record ELF -o file`, SIGKILLs it `ms` after its first output. */
function recordAndKill(elf: string, file: string, ms: number): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'record', elf, '-o', file], { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let armed = false;
    const kill = (): void => { child.kill('SIGKILL'); };
    const guard = setTimeout(kill, 30_000); // never leave a recorder running
    child.stdout.setEncoding('latin1').on('data', (c: string) => {
      stdout += c;
      if (!armed) { armed = true; setTimeout(kill, ms); }
    });
    child.stderr.setEncoding('utf8').on('data', (c: string) => { stderr += c; });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(guard);
      if (signal === 'SIGKILL' && armed) resolve({ stdout, stderr });
      else reject(new Error(`recorder ended by itself (${code ?? signal}) before the kill: ${stderr}`));
    });
  });
}

describe('a recorder killed with SIGKILL', () => {
  const file = scratch.file('killed.hsrec');
  let child: { stdout: string; stderr: string };
  let info: { icountEnd: number; complete: boolean; ended: unknown; snapshots: { count: number; interval: number }; fileSizeBytes: number };

  beforeAll(async () => {
    // workload-long runs > 2 G instructions: it is always still running when killed.
    child = await recordAndKill(firmware('workload-long'), file, 2000);
  }, 40_000);

  it('leaves a recording that info opens: complete:false, no end, its length so far', () => {
    expect(child.stdout).toBe('workload: 48 rounds\n');
    expect(existsSync(file)).toBe(true);
    const r = hindsight(['info', file, '--json']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    info = JSON.parse(r.stdout) as typeof info;
    expect(info.complete).toBe(false);
    expect(info.ended).toBeNull();
    expect(info.icountEnd).toBeGreaterThan(0);
    expect(info.snapshots.count).toBeGreaterThanOrEqual(1);
    // The recorder's write-ahead log is part of the recording until it is checkpointed.
    const wal = `${file}-wal`;
    expect(info.fileSizeBytes).toBe(statSync(file).size + (existsSync(wal) ? statSync(wal).size : 0));
  });

  it('replays to that point: the output so far, exit 0, and a clear "incomplete" message', async () => {
    const r = await runCli(['replay', file]);
    expect(r.thrown).toBeUndefined();
    expect(r.code).toBe(0);
    expect(r.stdout.toString('latin1')).toBe(child.stdout);
    expect(r.stderr).toBe(`hindsight: the recording is incomplete (the recorder stopped without finishing it); replayed up to icount ${info.icountEnd}\n`);
  }, 30_000);

  it('replay --verify passes up to that point', async () => {
    const r = await runCli(['replay', '--verify', file]);
    expect(r.thrown).toBeUndefined();
    expect(r.code).toBe(0);
    const lines = r.stderr.split('\n').filter(Boolean);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^hindsight: verified \d+ snapshots, all identical$/);
    expect(lines[1]).toMatch(/incomplete/);
    // Every snapshot inside the complete part was compared.
    expect(Number(/verified (\d+)/.exec(lines[0]!)![1])).toBeGreaterThanOrEqual(info.snapshots.count - 2);
  }, 30_000);

  it('query state --at end is at that point', async () => {
    const r = await runCli(['query', file, 'state', '--at', 'end', '--json']);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout.toString()) as { icount: number }).icount).toBe(info.icountEnd);
  }, 30_000);
});

describe('bad recordings end the real process cleanly', () => {
  it('exit code 2 and one line on stderr, no stack trace', async () => {
    const good = scratch.file('good.hsrec');
    const rec = hindsight(['record', firmware('shell'), '--serial-in', scratch.file('in.txt', 'echo x\npoweroff\n'), '-o', good]);
    expect(rec.status).toBe(0);
    const version = scratch.file('v2.hsrec');
    copyFileSync(good, version);
    let db = new Database(version);
    db.pragma('user_version = 2');
    db.close();
    const badInput = scratch.file('bad-input.hsrec');
    copyFileSync(good, badInput);
    db = new Database(badInput);
    db.exec("UPDATE input SET data = x'0102' WHERE id = (SELECT min(id) FROM input)");
    db.close();
    const cases: [string[], RegExp][] = [
      [['info', scratch.file('random.hsrec', new Prng(3).bytes(3000)), '--json'], /not a Hindsight recording/],
      [['replay', version], /made by format version 2; this Hindsight reads version 1/],
      [['query', version, 'state', '--at', 'end', '--json'], /made by format version 2/],
      [['replay', badInput], /the input event at icount \d+: uart-rx event has 2 bytes of data, expected 1/],
      [['replay', scratch.file('missing.hsrec')], /no such file/],
      // Where the recording cannot go: a missing folder; a folder named as the file (never replaced).
      [['record', firmware('hello'), '-o', path.join(scratch.file('no-such-dir'), 'x.hsrec')], /cannot create the recording .*no such file/],
      [['record', firmware('hello'), '-o', scratch.dir, '--force'], /is a folder, not a recording file/],
    ];
    for (const [args, message] of cases) {
      const r = hindsight(args);
      const what = `hindsight ${args.join(' ')}`;
      expect(r.status, `${what}: ${r.stderr}`).toBe(2);
      expect(r.stderr.split('\n').filter(Boolean), what).toHaveLength(1);
      expect(r.stderr, what).toMatch(/^hindsight: /);
      expect(r.stderr, what).toMatch(message);
      expect(r.stderr, what).not.toMatch(/\n\s+at /);
    }
  }, 30_000);
});
