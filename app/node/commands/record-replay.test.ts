// record -> replay through the CLI, for guests with timer interrupts and WFI (timer), UART input
// with interrupts (uart-echo) and an interactive shell fed several commands (shell):
//   - `record` prints what `run` prints and exits with its code (recording changes nothing the guest sees),
//   - `replay` prints what `record` printed and exits with its code,
//   - `replay --verify` finds every snapshot identical,
//   - `query state` at the end and at positions N is the state `run` reaches (after N instructions).
// Snapshot intervals are small so that each recording has many snapshots and inputs that arrive
// between them.

import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliJson, firmware, pcFromMaxInsnsMessage, runCli, scratchDir, type CliResult } from '../testing/cli-harness.js';
import { COMPARED_CSRS, referenceRun } from '../testing/reference-run.js';

interface QueryState { icount: number; pc: number; x: number[]; csr: Record<string, number> }
interface Info { icountEnd: number; complete: boolean; snapshots: { count: number } }

const scratch = scratchDir('record-replay');
afterAll(() => scratch.remove());

const cases: { name: string; input?: string; snapshotEvery: number; expect: RegExp }[] = [
  { name: 'timer', snapshotEvery: 700, expect: /done: 10 ticks, 10 wfi wake-ups/ },
  { name: 'uart-echo', input: 'hello, world q', snapshotEvery: 400, expect: /HELLO, WORLD Q/ },
  {
    name: 'shell',
    // More than the UART's 16-byte FIFO takes at once, so input keeps arriving while the guest runs;
    // `minstret` prints an instruction count, which shows any change in when input arrived.
    input: 'help\necho time travel\npoke 0x80100000 1234abcd\npeek 0x80100000\nminstret\necho done\npoweroff\n',
    snapshotEvery: 500,
    expect: /minstret=\d+[\s\S]*power off/,
  },
];

/** The same fields of `query state` and of the reference machine. */
function comparable(s: QueryState): QueryState {
  return { icount: s.icount, pc: s.pc, x: s.x, csr: Object.fromEntries(COMPARED_CSRS.filter((n) => n in s.csr).map((n) => [n, s.csr[n]!])) };
}

for (const c of cases) {
  describe(`${c.name}: record -> replay through the CLI`, () => {
    const elf = firmware(c.name);
    const inputFile = c.input !== undefined ? scratch.file(`${c.name}.in`, c.input) : undefined;
    const serial = inputFile ? ['--serial-in', inputFile] : [];
    const rec = scratch.file(`${c.name}.hsrec`);
    let run: CliResult;
    let record: CliResult;
    let info: Info;

    beforeAll(async () => {
      run = await runCli(['run', elf, ...serial]);
      record = await runCli(['record', elf, ...serial, '-o', rec, '--snapshot-every', String(c.snapshotEvery)]);
      expect(record.stderr).toBe('');
      info = await cliJson<Info>(['info', rec, '--json']);
    });

    it('record prints exactly what run prints and exits with its code', () => {
      expect(run.stdout.toString('latin1')).toMatch(c.expect);
      expect(run.code).toBe(0);
      expect(record.stdout.toString('latin1')).toBe(run.stdout.toString('latin1'));
      expect(record.code).toBe(run.code);
      expect(info.complete).toBe(true);
      expect(info.snapshots.count).toBeGreaterThanOrEqual(5);
    });

    it('replay prints exactly what record printed and exits with its code', async () => {
      const replay = await runCli(['replay', rec]);
      expect(replay.thrown).toBeUndefined();
      expect(replay.stderr).toBe('');
      expect(replay.stdout.toString('latin1')).toBe(record.stdout.toString('latin1'));
      expect(replay.code).toBe(record.code);
    });

    it('replay --verify finds the machine state identical at every snapshot', async () => {
      const verify = await runCli(['replay', '--verify', rec]);
      expect(verify.thrown).toBeUndefined();
      expect(verify.code).toBe(record.code);
      expect(verify.stdout.toString('latin1')).toBe(record.stdout.toString('latin1'));
      // Every snapshot but the initial one is replayed to and compared.
      expect(verify.stderr).toBe(`hindsight: verified ${info.snapshots.count - 1} snapshots, all identical\n`);
    });

    it('query state --at end is the state run ends in (pc, registers, CSRs)', async () => {
      const ref = referenceRun(elf, Buffer.from(c.input ?? ''));
      expect(ref.stopped).toBe('exit');
      expect(ref.icount).toBe(info.icountEnd);
      const q = await cliJson<QueryState>(['query', rec, 'state', '--at', 'end', '--json']);
      expect(comparable(q)).toEqual(comparable(ref));
    });

    it('query state --at N is the state after N instructions of run (pc as run --max-insns N reports it)', async () => {
      const end = info.icountEnd;
      const k = c.snapshotEvery;
      const positions = [0, 1, k, k + 1, Math.floor(end / 2) + 5, end - 1];
      for (const n of positions) {
        const ref = referenceRun(elf, Buffer.from(c.input ?? ''), n);
        expect(ref.stopped, `at ${n}`).toBe('limit');
        const q = await cliJson<QueryState>(['query', rec, 'state', '--at', String(n), '--json']);
        expect(comparable(q), `state at ${n}`).toEqual(comparable(ref));
        if (n > 0) {
          const r = await runCli(['run', elf, ...serial, '--max-insns', String(n)]);
          expect(r.code, `run --max-insns ${n}`).toBe(124);
          expect(pcFromMaxInsnsMessage(r.stderr), `run --max-insns ${n}: ${r.stderr}`).toBe(q.pc);
          // Output up to N is a prefix of the whole run's output.
          expect(run.stdout.toString('latin1').startsWith(r.stdout.toString('latin1'))).toBe(true);
        }
      }
    });
  });
}

describe('record: the snapshot interval is invisible to the guest', () => {
  it('records of the shell with different --snapshot-every print the same output', async () => {
    const elf = firmware('shell');
    const input = scratch.file('shell-intervals.in', readFileSync(scratch.file('shell.in')));
    const outputs = new Set<string>();
    for (const every of [97, 500, 20_000_000]) {
      const r = await runCli(['record', elf, '--serial-in', input, '-o', scratch.file(`shell-${every}.hsrec`), '--snapshot-every', String(every)]);
      expect(r.code).toBe(0);
      outputs.add(r.stdout.toString('latin1'));
    }
    expect(outputs.size).toBe(1);
  });
});
