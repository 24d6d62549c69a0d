// `npm run bench`: measures the engine, QEMU on the same guest, and the recorder/replayer, in one run.
// Prints a table and writes bench-results/bench.json.
//
//   npm run bench                     the full run (the figures that count): engine, record, intervals
//   npm run bench -- quick            fast iteration: fewer repetitions, recording suite on workload.elf
//   npm run bench -- intervals        only the snapshot-interval experiment (checkpoint-policy.ts)
//   npm run bench -- intervals-long   the interval experiment on workload-long.elf (not in the default run)
//   npm run bench -- engine record    only those suites (full size)
//   --keep                            keep the temporary recordings (their directory is printed)
//
// Suites:
//   engine     A. guest MIPS on workload.elf (0.64 G instructions), and QEMU's (TCG, -icount)
//   record     B. run vs record vs replay speed, seek and previous-write latency, size, peak RSS,
//                 on a recording of workload-long.elf (2.17 G instructions; quick: workload.elf)
//   intervals  D. record overhead, size and seek/previous-write latency for several snapshot
//                 intervals on workload.elf: how the defaults in checkpoint-policy.ts were chosen
//   intervals-long  the same for 10/20/50 M on workload-long.elf (optional)
//   usb        E. record overhead on a USB mass-storage workload, and recording bytes per MB read
//   scrub      F. dragging the scrubber over a 2.17 G recording in Chromium (the e2e measurement, scrub.ts)
// Heavy parts run in child processes (`node dist/bench.mjs --child ...`, see util.ts).

import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { projectRoot } from '../io.js';
import { benchEngineSpeed } from './engine-speed.js';
import { benchRecording } from './recording.js';
import { benchIntervals, benchIntervalsLong } from './intervals.js';
import { benchUsb } from './usb.js';
import { benchScrub } from './scrub.js';
import { childMain } from './children.js';
import { log } from './util.js';

export interface BenchRow {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly target?: string;
  /** Whether the target is met (rows with a target only). */
  readonly pass?: boolean;
  readonly note?: string;
}

export interface BenchContext {
  readonly quick: boolean;
  readonly keep: boolean;
  /** Raw figures behind the rows, written to the JSON under `details`. */
  readonly details: Record<string, unknown>;
}

const SUITES: Record<string, (ctx: BenchContext) => Promise<BenchRow[]>> = {
  engine: benchEngineSpeed,
  record: benchRecording,
  intervals: benchIntervals,
  'intervals-long': benchIntervalsLong,
  usb: benchUsb,
  scrub: benchScrub,
};

/** What `npm run bench` runs without suite names. */
const DEFAULT_SUITES = ['engine', 'record', 'intervals', 'usb', 'scrub'];

async function main(): Promise<void> {
  const args = process.argv.slice(2).map((a) => a.replace(/^--?/, ''));
  if (args[0] === 'child') {
    await childMain(process.argv[3]!, process.argv[4]!);
    return;
  }
  const quick = args.includes('quick');
  const keep = args.includes('keep');
  const named = args.filter((a) => a in SUITES);
  const unknown = args.filter((a) => !(a in SUITES) && a !== 'quick' && a !== 'keep');
  if (unknown.length) throw new Error(`unknown bench arguments: ${unknown.join(' ')} (suites: ${Object.keys(SUITES).join(', ')}; quick; keep)`);
  const suites = named.length ? named : quick ? ['engine', 'record'] : DEFAULT_SUITES;
  const ctx: BenchContext = { quick, keep, details: {} };
  const rows: BenchRow[] = [];
  const started = performance.now();
  log(`${quick ? 'quick' : 'full'} run: ${suites.join(', ')}; ${os.cpus().length} CPUs, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  for (const name of suites) {
    log(`${name}...`);
    const t0 = performance.now();
    rows.push(...(await SUITES[name]!(ctx)));
    log(`${name} took ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  }
  const totalS = (performance.now() - started) / 1000;
  process.stdout.write(formatTable(rows));
  const met = rows.filter((r) => r.pass === true).length;
  const missed = rows.filter((r) => r.pass === false);
  process.stdout.write(`targets: ${met} met, ${missed.length} missed${missed.length ? ` (${missed.map((r) => r.name).join('; ')})` : ''}; `
    + `${totalS.toFixed(0)} s; load average now ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);
  const dir = path.join(projectRoot(), 'bench-results');
  mkdirSync(dir, { recursive: true });
  const mode = named.length ? named.join('-') + (quick ? '-quick' : '') : quick ? 'quick' : 'full';
  const file = path.join(dir, mode === 'full' ? 'bench.json' : `bench-${mode}.json`);
  writeFileSync(file, JSON.stringify({
    date: new Date().toISOString(),
    node: process.version,
    mode,
    host: { cpus: os.cpus().length, model: os.cpus()[0]?.model, loadavg: os.loadavg(), totalMemMB: os.totalmem() / 1e6 },
    seconds: totalS,
    rows,
    details: ctx.details,
  }, null, 2));
  log(`wrote ${file}`);
}

function formatTable(rows: readonly BenchRow[]): string {
  const width = Math.max(...rows.map((r) => r.name.length), 10);
  const head = `${'benchmark'.padEnd(width)}  ${'value'.padStart(10)} ${'unit'.padEnd(6)} ${'target'.padEnd(10)} ok?   note\n`;
  const lines = rows.map((r) => {
    const status = r.pass === undefined ? '    ' : r.pass ? 'ok  ' : 'MISS';
    return `${r.name.padEnd(width)}  ${formatValue(r.value).padStart(10)} ${r.unit.padEnd(6)} ${(r.target ?? '').padEnd(10)} ${status}  ${r.note ?? ''}`.trimEnd();
  });
  return `${head}${lines.join('\n')}\n`;
}

function formatValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  return Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2);
}

await main();
