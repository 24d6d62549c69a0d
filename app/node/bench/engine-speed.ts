// A. Guest MIPS of the engine on the CPU + memory workload, and of QEMU on the same ELF.
//
// Each engine run is a fresh child process (cold JIT, as a user's `hindsight run` is), timed inside
// around Machine.run only. QEMU is timed around the whole process; its start-up (measured with
// hello.elf, a few thousand instructions) is subtracted. The host is shared with other work, so
// every figure is the best of N and the median, and CPU time (user + system) sits next to wall
// time: CPU time is what preemption by other processes does not inflate.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { projectRoot } from '../io.js';
import { qemuAvailable, runUnderQemu } from '../qemu-reference.js';
import type { BenchRow, BenchContext } from './main.js';
import type { EngineRunResult } from './children.js';
import { fmtS, log, median, runChild } from './util.js';

export function elfPath(name: string): string {
  return path.join(projectRoot(), 'assets', 'firmware', 'elf', name);
}

let clkTck: number | undefined;

/** CPU time (ms) of reaped child processes so far (Linux: /proc/self/stat cutime + cstime), or NaN. */
function childrenCpuMs(): number {
  try {
    clkTck ??= Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After the command name: state is field 3; cutime and cstime are fields 16 and 17.
    return ((Number(f[13]) + Number(f[14])) * 1000) / clkTck;
  } catch {
    return NaN;
  }
}

interface QemuTiming { wallMs: number; cpuMs: number; minstret: number | null }

async function timeQemu(elf: string, icount: boolean): Promise<QemuTiming> {
  const c0 = childrenCpuMs();
  const r = await runUnderQemu(elf, { icount, timeoutMs: 600_000 });
  const cpuMs = childrenCpuMs() - c0;
  if (r.exitCode !== 0) throw new Error(`QEMU run of ${elf} failed (exit ${r.exitCode}): ${r.stderr}`);
  const m = /minstret=(\d+)/.exec(r.stdout.toString('latin1'));
  return { wallMs: r.wallMs, cpuMs, minstret: m ? Number(m[1]) : null };
}

export async function benchEngineSpeed(ctx: BenchContext): Promise<BenchRow[]> {
  const elf = elfPath('workload.elf');
  const n = ctx.quick ? 3 : 5;
  const runs: EngineRunResult[] = [];
  for (let i = 0; i < n; i++) {
    const r = await runChild<EngineRunResult>('engine-run', { elf });
    if (r.exitCode !== 0) throw new Error(`workload exited ${r.exitCode}`);
    runs.push(r);
    log(`engine run ${i + 1}/${n}: ${fmtS(r.cost.wallMs)} wall, ${fmtS(r.cost.userMs)} user`);
  }
  const insns = runs[0]!.insns;
  const walls = runs.map((r) => r.cost.wallMs);
  const cpus = runs.map((r) => r.cost.userMs + r.cost.sysMs);
  const best = Math.min(...walls);
  const mips = (ms: number): number => insns / (ms / 1000) / 1e6;
  const bestMips = mips(best);
  ctx.details['engine'] = { elf: path.basename(elf), insns, runs: runs.map((r) => r.cost) };
  const rows: BenchRow[] = [
    { name: 'A workload instructions', value: insns / 1e6, unit: 'M', note: 'workload.elf' },
    {
      name: `A hindsight run, best of ${n}`, value: bestMips, unit: 'MIPS', target: '>= 150', pass: bestMips >= 150,
      note: `wall ${fmtS(best)}; user CPU ${fmtS(runs[walls.indexOf(best)]!.cost.userMs)}`,
    },
    {
      name: `A hindsight run, median of ${n}`, value: mips(median(walls)), unit: 'MIPS',
      note: `wall ${fmtS(median(walls))}; user+sys CPU ${fmtS(median(cpus))} = ${mips(median(cpus)).toFixed(0)} MIPS of CPU`,
    },
  ];
  if (!qemuAvailable()) {
    rows.push({ name: 'A qemu', value: NaN, unit: 'MIPS', note: 'qemu-system-riscv32 not installed' });
    return rows;
  }
  const hello = elfPath('hello.elf');
  const qemuDetails: Record<string, unknown> = {};
  for (const icount of [false, true]) {
    const label = icount ? 'qemu -icount shift=0,sleep=off' : 'qemu TCG';
    const startup: QemuTiming[] = [];
    const work: QemuTiming[] = [];
    for (let i = 0; i < n; i++) {
      startup.push(await timeQemu(hello, icount));
      work.push(await timeQemu(elf, icount));
    }
    const start = median(startup.map((t) => t.wallMs));
    const startCpu = median(startup.map((t) => t.cpuMs));
    const qWalls = work.map((t) => t.wallMs - start);
    const qCpus = work.map((t) => t.cpuMs - startCpu);
    const qBest = Math.min(...qWalls);
    const qMips = mips(qBest);
    const mi = work.find((t) => t.minstret !== null)?.minstret;
    qemuDetails[label] = { startupMs: startup.map((t) => t.wallMs), workMs: work.map((t) => t.wallMs), cpuMs: work.map((t) => t.cpuMs), minstret: mi };
    log(`${label}: start-up ${start.toFixed(0)} ms, workload best ${fmtS(qBest)} after start-up`);
    rows.push({
      name: `A ${label}, best of ${n}`, value: qMips, unit: 'MIPS',
      note: `wall ${fmtS(qBest)} minus start-up ${start.toFixed(0)} ms (hello.elf median); median ${mips(median(qWalls)).toFixed(0)} MIPS; `
        + `CPU ${fmtS(median(qCpus))} median${icount && mi ? `; guest minstret ${mi}` : ''}`,
    });
    rows.push({
      name: `A hindsight / ${label}`, value: bestMips / qMips, unit: 'ratio',
      note: `best vs best; medians ${(mips(median(walls)) / mips(median(qWalls))).toFixed(2)}; CPU time ${(median(qCpus) / median(cpus)).toFixed(2)}`,
    });
  }
  ctx.details['qemu'] = qemuDetails;
  return rows;
}
