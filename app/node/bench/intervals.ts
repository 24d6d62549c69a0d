// D. The snapshot policy experiment behind DEFAULT_CHECKPOINT_POLICY (checkpoint-policy.ts):
// for each candidate policy, on workload.elf (0.64 G instructions), a recording through
// RecordSession (twice; the faster counts) against the same slice loop on a bare machine (run
// between candidates; the best of those runs is the baseline), then
// 200 seeded random seeks and 50 previous-write queries in a fresh process.
// `npm run bench -- intervals` runs just this.
//
// `npm run bench -- intervals-long` (not part of the default run: ~1.5 min more): the same for
// 10/20/50 M on workload-long.elf (2.17 G instructions, one recording each, seeks only), where the
// recorder's fixed start-up cost is amortised as in real use.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEFAULT_CHECKPOINT_POLICY, type CheckpointPolicy } from '../../replay/timeline/checkpoint-policy.js';
import type { BenchContext, BenchRow } from './main.js';
import type { RecordInfo, SeekResult } from './children.js';
import type { ProcessCost } from './util.js';
import { elfPath } from './engine-speed.js';
import { SEEK_SEED } from './recording.js';
import { fmtMs, log, runChild } from './util.js';

interface PolicyRecordResult { cost: ProcessCost; engineMs: number; insns: number; info: RecordInfo | null }

const M = 1_000_000;

interface Experiment { label: string; policy: CheckpointPolicy }

interface Sweep {
  /** Row prefix and details key. */
  readonly name: string;
  readonly elf: string;
  readonly experiments: Experiment[];
  readonly recordReps: number;
  readonly prevWrites: number;
}

/** The candidates: the interval sweep, then keyframe spacing and a budget small enough to thin. */
function experiments(): Experiment[] {
  const d = DEFAULT_CHECKPOINT_POLICY;
  const out = [5, 10, 20, 50].map((i) => ({ label: `interval ${i}M`, policy: { ...d, interval: i * M } }));
  out.push({ label: `interval ${d.interval / M}M, keyframe every 4`, policy: { ...d, keyframeEvery: 4 } });
  out.push({ label: `interval ${d.interval / M}M, keyframe every 64`, policy: { ...d, keyframeEvery: 64 } });
  // Half the snapshots the default interval takes on this run, so the older half is thinned.
  const half = Math.ceil(635e6 / d.interval / 2);
  out.push({ label: `interval ${d.interval / M}M, budget ${half} (thins)`, policy: { ...d, budget: half } });
  return out;
}

export function benchIntervals(ctx: BenchContext): Promise<BenchRow[]> {
  return sweep(ctx, { name: 'D', elf: 'workload.elf', experiments: experiments(), recordReps: 2, prevWrites: 50 });
}

export function benchIntervalsLong(ctx: BenchContext): Promise<BenchRow[]> {
  const d = DEFAULT_CHECKPOINT_POLICY;
  return sweep(ctx, {
    name: 'D-long', elf: 'workload-long.elf', recordReps: 1, prevWrites: 0,
    experiments: [10, 20, 50].map((i) => ({ label: `interval ${i}M`, policy: { ...d, interval: i * M } })),
  });
}

async function sweep(ctx: BenchContext, sw: Sweep): Promise<BenchRow[]> {
  const elf = elfPath(sw.elf);
  const dir = mkdtempSync(path.join(tmpdir(), 'hindsight-bench-intervals-'));
  try {
    const baseline: PolicyRecordResult[] = [];
    const bare = async (): Promise<void> => {
      const r = await runChild<PolicyRecordResult>('policy-record', { elf, out: '', policy: null });
      baseline.push(r);
      log(`bare machine: ${(r.cost.wallMs / 1000).toFixed(2)} s`);
    };
    await bare();
    const results: { label: string; policy: CheckpointPolicy; rec: PolicyRecordResult; recCpu: number; split: number; seek: SeekResult }[] = [];
    for (const { label, policy } of sw.experiments) {
      const file = path.join(dir, `${label.replace(/[^a-z0-9]+/gi, '-')}.hsrec`);
      const recs: PolicyRecordResult[] = [];
      for (let i = 0; i < sw.recordReps; i++) recs.push(await runChild<PolicyRecordResult>('policy-record', { elf, out: file, policy }));
      await bare(); // one bare run per candidate: the baseline is the best of all of them
      const rec = recs.reduce((a, b) => (b.cost.wallMs < a.cost.wallMs ? b : a));
      const seek = await runChild<SeekResult>('seek', { file, seeks: 200, prevWrites: sw.prevWrites, seed: SEEK_SEED });
      log(`${label}: record ${(rec.cost.wallMs / 1000).toFixed(2)} s, ${rec.info!.snapshots} snapshots, seek p99 ${fmtMs(seek.seeks.ms.p99)}`
        + `${seek.prevWrites ? `, prev-write p99 ${fmtMs(seek.prevWrites.ms.p99)}` : ''}`);
      results.push({
        label, policy, rec, seek,
        recCpu: Math.min(...recs.map((x) => x.cost.userMs + x.cost.sysMs)),
        split: Math.min(...recs.map((x) => x.cost.wallMs / x.engineMs)),
      });
      if (!ctx.keep) rmSync(file, { force: true });
    }
    const base = Math.min(...baseline.map((b) => b.cost.wallMs));
    const baseCpu = Math.min(...baseline.map((b) => b.cost.userMs + b.cost.sysMs));
    const insns = baseline[0]!.insns;
    const baseSplit = Math.min(...baseline.map((b) => b.cost.wallMs / b.engineMs));
    ctx.details[sw.name === 'D' ? 'intervals' : 'intervalsLong'] = {
      elf: sw.elf, insns, baseline: baseline.map((b) => b.cost),
      results: results.map((r) => ({ label: r.label, policy: r.policy, record: r.rec.cost, engineMs: r.rec.engineMs, split: r.split, info: r.rec.info, seek: r.seek })),
    };
    const rows: BenchRow[] = [{
      name: `${sw.name} bare machine (slice loop)`, value: insns / (base / 1000) / 1e6, unit: 'MIPS',
      note: `${sw.elf} ${(insns / 1e9).toFixed(2)} G insns; best of ${baseline.length}, ${(base / 1000).toFixed(2)} s; the baseline for the overheads below`,
    }];
    for (const r of results) {
      const info = r.rec.info!;
      const over = r.rec.cost.wallMs / base - 1;
      const overSplit = r.split / baseSplit - 1;
      const overCpu = r.recCpu / baseCpu - 1;
      const s = r.seek.seeks, pw = r.seek.prevWrites;
      rows.push({
        name: `${sw.name} ${r.label}: record overhead`, value: overSplit * 100, unit: '%',
        note: `split (time outside Machine.run); wall best vs best ${(over * 100).toFixed(1)} %, CPU ${(overCpu * 100).toFixed(1)} %; ${info.snapshots} snapshots, ${(info.fileBytes / 1e6 / (insns / 1e9)).toFixed(0)} MB/G, max gap ${(info.maxGap / M).toFixed(0)} M; peak RSS ${r.rec.cost.maxRssMB.toFixed(0)} MB`,
      });
      rows.push({
        name: `${sw.name} ${r.label}: seek p99`, value: s.ms.p99, unit: 'ms',
        note: `CPU p99 ${fmtMs(s.cpuMs.p99)}; p50 ${fmtMs(s.ms.p50)}, max ${fmtMs(s.ms.max)}, restore p99 ${fmtMs(s.restoreMs.p99)}`
          + `${pw ? `; prev-write p50 ${fmtMs(pw.ms.p50)} p99 ${fmtMs(pw.ms.p99)} (CPU ${fmtMs(pw.cpuMs.p99)})` : ''}; seek RSS ${r.seek.cost.maxRssMB.toFixed(0)} MB`,
      });
    }
    return rows;
  } finally {
    if (!ctx.keep) rmSync(dir, { recursive: true, force: true });
  }
}
