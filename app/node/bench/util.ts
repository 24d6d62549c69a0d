// Shared pieces of the benchmark: statistics, a seeded PRNG, and the child-process protocol.
//
// Heavy measurements run in child processes (`node dist/bench.mjs --child TASK JSON`) so that each
// has its own peak RSS (process.resourceUsage().maxRSS is a per-process high-water mark) and its
// own CPU time, and so that one measurement's JIT state and heap do not colour the next. A child
// prints one line `@@bench-result <JSON>` on stdout; everything else it says goes to stderr.

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

export const RESULT_MARK = '@@bench-result ';

/** CPU and memory of this process, for a child's report. */
export interface ProcessCost {
  /** Wall time of the measured section. */
  readonly wallMs: number;
  /** User and system CPU time of the measured section. */
  readonly userMs: number;
  readonly sysMs: number;
  /** Peak RSS of the whole process (MB, 1e6 bytes). */
  readonly maxRssMB: number;
  /**
   * CPU time of the main thread alone (the guest's thread; not the trace writer thread, not V8's
   * helpers), or null where /proc cannot tell (not Linux). 10 ms resolution.
   */
  readonly mainThreadMs: number | null;
}

/** Measures `fn` with wall clock and process.cpuUsage. */
export async function measure<T>(fn: () => T | Promise<T>): Promise<{ value: T; cost: ProcessCost }> {
  const m0 = mainThreadCpuMs();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await fn();
  const wallMs = performance.now() - t0;
  const c = process.cpuUsage(c0);
  const m1 = mainThreadCpuMs();
  const mainThreadMs = m0 !== null && m1 !== null ? m1 - m0 : null;
  return { value, cost: { wallMs, userMs: c.user / 1000, sysMs: c.system / 1000, maxRssMB: maxRssMB(), mainThreadMs } };
}

/** User + system CPU time of this process's main thread (its task id is the pid), from /proc. */
export function mainThreadCpuMs(): number | null {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    // Fields after the command name (which is in parentheses and may hold spaces): utime is the
    // 14th field of the line, stime the 15th, in clock ticks (USER_HZ, 100 on Linux).
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    return null;
  }
}

export function maxRssMB(): number {
  return (process.resourceUsage().maxRSS * 1024) / 1e6; // maxRSS is in KiB
}

/** The bundled bench script (dist/bench.mjs) that children run. */
export function benchScript(): string {
  return fileURLToPath(import.meta.url);
}

/** Runs `node dist/bench.mjs --child task args` and returns what it reported. */
export function runChild<T>(task: string, args: unknown, nodeArgs: readonly string[] = []): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, benchScript(), '--child', task, JSON.stringify(args)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (s: string) => { out += s; });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const line = out.split('\n').find((l) => l.startsWith(RESULT_MARK));
      if (code !== 0 || !line) {
        reject(new Error(`bench child ${task} failed (exit ${code ?? signal}): ${out.slice(-2000)}`));
        return;
      }
      resolve(JSON.parse(line.slice(RESULT_MARK.length)) as T);
    });
  });
}

/** Reports a child's result to the parent (see runChild). */
export function reportResult(result: unknown): void {
  process.stdout.write(`${RESULT_MARK}${JSON.stringify(result)}\n`);
}

/** mulberry32: a small seeded PRNG, the same sequence on every machine. Returns [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Nearest-rank percentile (p in 0..100) of unsorted values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * s.length);
  return s[Math.min(s.length - 1, Math.max(0, rank - 1))]!;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export interface Distribution {
  readonly n: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

export function distribution(values: readonly number[]): Distribution {
  return {
    n: values.length,
    p50: percentile(values, 50),
    p90: percentile(values, 90),
    p99: percentile(values, 99),
    max: values.length ? Math.max(...values) : NaN,
    mean: values.length ? values.reduce((a, b) => a + b, 0) / values.length : NaN,
  };
}

export function fmtMs(ms: number): string {
  return ms >= 100 ? `${ms.toFixed(0)} ms` : `${ms.toFixed(1)} ms`;
}

export function fmtS(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

export function log(msg: string): void {
  process.stderr.write(`bench: ${msg}\n`);
}
