// E. (issue 4) Recording overhead on a USB-heavy workload: the sample shell reads the virtual
// mass-storage disk through its OHCI driver (BOT + SCSI READ(10), 512-byte blocks) and checksums it,
// under a plain `run` and under `record`; and how many recording bytes each MB transferred costs.

import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { main } from '../cli.js';
import type { Io } from '../io.js';
import { projectRoot } from '../io.js';
import type { BenchContext, BenchRow } from './main.js';
import { log, measure } from './util.js';

/** Passes over the whole 1 MiB default disk. */
const PASSES_FULL = 8;
const PASSES_QUICK = 2;

async function cli(args: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const io: Io = { stdout: (d) => { out += typeof d === 'string' ? d : Buffer.from(d).toString('latin1'); }, stderr: () => {}, stdinTty: null };
  const code = await main(args, io);
  return { code, out };
}

export async function benchUsb(ctx: BenchContext): Promise<BenchRow[]> {
  const passes = ctx.quick ? PASSES_QUICK : PASSES_FULL;
  const dir = mkdtempSync(path.join(tmpdir(), 'hindsight-bench-usb-'));
  try {
    const shell = path.join(projectRoot(), 'assets', 'firmware', 'elf', 'shell.elf');
    const input = path.join(dir, 'in.txt');
    writeFileSync(input, `${'readsum 0 2048\n'.repeat(passes)}poweroff\n`);
    const mb = (passes * 2048 * 512) / 1e6;
    const runs: number[] = [];
    const records: number[] = [];
    let size = 0;
    for (let i = 0; i < 3; i++) {
      const r = await measure(() => cli(['run', shell, '--usb', 'virtual:msc', '--serial-in', input]));
      if (r.value.code !== 0 || !r.value.out.includes('readsum: 2048 blocks')) throw new Error(`usb bench run failed:\n${r.value.out}`);
      runs.push(r.cost.userMs + r.cost.sysMs);
      const file = path.join(dir, `r${i}.hsrec`);
      const rec = await measure(() => cli(['record', shell, '--usb', 'virtual:msc', '--serial-in', input, '-o', file]));
      if (rec.value.code !== 0 || rec.value.out !== r.value.out) throw new Error('usb bench: record output differs from run');
      records.push(rec.cost.userMs + rec.cost.sysMs);
      size = statSync(file).size;
      log(`usb ${i + 1}/3: run ${runs.at(-1)!.toFixed(0)} ms CPU, record ${records.at(-1)!.toFixed(0)} ms CPU, ${(size / 1e6).toFixed(1)} MB`);
    }
    const run = Math.min(...runs);
    const rec = Math.min(...records);
    ctx.details.usb = { passes, megabytes: mb, runCpuMs: runs, recordCpuMs: records, recordingBytes: size };
    return [
      { name: 'E usb workload', value: mb, unit: 'MB', note: `shell reads the virtual disk ${passes}x through OHCI (BOT/SCSI READ(10), 512-byte blocks)` },
      { name: 'E usb run (CPU, best of 3)', value: run, unit: 'ms' },
      { name: 'E usb record (CPU, best of 3)', value: rec, unit: 'ms' },
      { name: 'E usb record slower than run', value: ((rec - run) / run) * 100, unit: '%', note: 'CPU time, best vs best' },
      { name: 'E usb recording bytes per MB transferred', value: size / mb / 1e6, unit: 'MB/MB', note: `${(size / 1e6).toFixed(2)} MB recording (incl. ~1 MB of SQLite page preallocation and snapshots) for ${mb.toFixed(1)} MB read` },
    ];
  } finally {
    if (!ctx.keep) rmSync(dir, { recursive: true, force: true });
  }
}
