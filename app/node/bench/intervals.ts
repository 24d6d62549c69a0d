// D. The snapshot policy experiment behind DEFAULT_CHECKPOINT_POLICY (checkpoint-policy.ts):
// for each candidate policy, on workload.elf (0.64 G instructions), a recording through
// RecordSession (twice; the faster counts) against the same slice loop on a bare machine (run
// between candidates; the best of those runs is the baseline), then
// 200 seeded random seeks and 50 previous-write queries in a fresh process.
// `npm run bench -- intervals` runs just this.

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

/** The candidates: the interval sweep, then keyframe spacing and a budget small enough to thin. */
function experiments(): { label: string; policy: CheckpointPolicy }[] {
  const d = DEFAULT_CHECKPOINT_POLICY;
  const out = [5, 10, 15, 20, 50].map((i) => ({ label: `interval ${i}M`, policy: { ...d, interval: i * M } }));
  out.push({ label: `interval ${d.interval / M}M, keyframe every 4`, policy: { ...d, keyframeEvery: 4 } });
  out.push({ label: `interval ${d.interval / M}M, keyframe every 64`, policy: { ...d, keyframeEvery: 64 } });
  out.push({ label: `interval ${d.interval / M}M, budget 24 (thins)`, policy: { ...d, budget: 24 } });
  return out;
}

export async function benchIntervals(ctx: BenchContext): Promise<BenchRow[]> {
  const elf = elfPath('workload.elf');
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
    for (const { label, policy } of experiments()) {
      const file = path.join(dir, `${label.replace(/[^a-z0-9]+/gi, '-')}.hsrec`);
      const recs: PolicyRecordResult[] = [];
      for (let i = 0; i < 2; i++) recs.push(await runChild<PolicyRecordResult>('policy-record', { elf, out: file, policy }));
      await bare(); // one bare run per candidate: the baseline is the best of all of them
      const rec = recs.reduce((a, b) => (b.cost.wallMs < a.cost.wallMs ? b : a));
      const seek = await runChild<SeekResult>('seek', { file, seeks: 200, prevWrites: 50, seed: SEEK_SEED });
      log(`${label}: record ${(rec.cost.wallMs / 1000).toFixed(2)} s, ${rec.info!.snapshots} snapshots, seek p99 ${fmtMs(seek.seeks.ms.p99)}, prev-write p99 ${fmtMs(seek.prevWrites!.ms.p99)}`);
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
    ctx.details['intervals'] = {
      elf: 'workload.elf', insns, baseline: baseline.map((b) => b.cost),
      results: results.map((r) => ({ label: r.label, policy: r.policy, record: r.rec.cost, engineMs: r.rec.engineMs, split: r.split, info: r.rec.info, seek: r.seek })),
    };
    const rows: BenchRow[] = [{
      name: 'D bare machine (slice loop)', value: insns / (base / 1000) / 1e6, unit: 'MIPS',
      note: `workload.elf ${(insns / 1e9).toFixed(2)} G insns; best of ${baseline.length}, ${(base / 1000).toFixed(2)} s; the baseline for the overheads below`,
    }];
    for (const r of results) {
      const info = r.rec.info!;
      const over = r.rec.cost.wallMs / base - 1;
      const overSplit = r.split / baseSplit - 1;
      const overCpu = r.recCpu / baseCpu - 1;
      const s = r.seek.seeks, pw = r.seek.prevWrites!;
      rows.push({
        name: `D ${r.label}: record overhead`, value: overSplit * 100, unit: '%',
        note: `split (time outside Machine.run); wall best vs best ${(over * 100).toFixed(1)} %, CPU ${(overCpu * 100).toFixed(1)} %; ${info.snapshots} snapshots, ${(info.fileBytes / 1e6 / (insns / 1e9)).toFixed(0)} MB/G, max gap ${(info.maxGap / M).toFixed(0)} M; peak RSS ${r.rec.cost.maxRssMB.toFixed(0)} MB`,
      });
      rows.push({
        name: `D ${r.label}: seek p99`, value: s.ms.p99, unit: 'ms',
        note: `p50 ${fmtMs(s.ms.p50)}, max ${fmtMs(s.ms.max)}, restore p99 ${fmtMs(s.restoreMs.p99)}; prev-write p50 ${fmtMs(pw.ms.p50)} p99 ${fmtMs(pw.ms.p99)}; seek RSS ${r.seek.cost.maxRssMB.toFixed(0)} MB`,
      });
    }
    return rows;
  } finally {
    if (!ctx.keep) rmSync(dir, { recursive: true, force: true });
  }
}
