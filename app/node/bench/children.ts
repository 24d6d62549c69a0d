// What the benchmark's child processes do (see util.ts for the protocol). Each task measures one
// thing in a fresh process and reports wall time, CPU time and peak RSS with its own figures.

import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseElf } from '../../engine/loader/elf.js';
import { Machine } from '../../engine/machine/machine.js';
import { RecordSession } from '../../replay/sessions/record-session.js';
import { newRecordingHeader } from '../../replay/sessions/recording-header.js';
import { Timeline } from '../../replay/timeline/timeline.js';
import { WriteIndex } from '../../replay/write-index/write-index.js';
import type { CheckpointPolicy } from '../../replay/timeline/checkpoint-policy.js';
import { createThreadedTraceWriter, openTraceReader } from '../trace-store/index.js';
import { runCommand } from '../commands/run.js';
import { recordCommand } from '../commands/record.js';
import { replayCommand } from '../commands/replay.js';
import type { Io } from '../io.js';
import { distribution, maxRssMB, measure, reportResult, seededRandom, type Distribution, type ProcessCost } from './util.js';

/** An Io that keeps the guest's output (to check it) instead of printing it. */
function captureIo(): { io: Io; stdout: () => string; stderr: () => string } {
  const out: Uint8Array[] = [];
  let err = '';
  return {
    io: {
      stdout: (d) => { out.push(typeof d === 'string' ? Buffer.from(d) : Uint8Array.from(d)); },
      stderr: (t) => { err += t; },
      stdinTty: null,
    },
    stdout: () => Buffer.concat(out).toString('latin1'),
    stderr: () => err,
  };
}

/** The workload prints `minstret=N` last: the instructions retired when it read the counter. */
function minstretOf(output: string): number | null {
  const m = /minstret=(\d+)/.exec(output);
  return m ? Number(m[1]) : null;
}

/**
 * Time spent inside Machine.run (the engine) in this process, by wrapping the prototype's method:
 * what a command spends outside it is its own overhead (recorder, replayer, CLI). Both are wall
 * time measured side by side in one process, so a burst of load on the host inflates them alike;
 * their ratio is a steadier figure than comparing two processes' wall times.
 */
const engine = { ms: 0, calls: 0 };
{
  const run = Machine.prototype.run;
  Machine.prototype.run = function (this: Machine, opts) {
    const t0 = performance.now();
    try {
      return run.call(this, opts);
    } finally {
      engine.ms += performance.now() - t0;
      engine.calls++;
    }
  };
}

export interface EngineRunResult { insns: number; exitCode: number; cost: ProcessCost }

/** The engine alone: Machine.run in 16 M-instruction slices, no recorder, no CLI. */
async function engineRun(a: { elf: string }): Promise<EngineRunResult> {
  const bytes = readFileSync(a.elf);
  const machine = Machine.create({ image: { bytes, path: a.elf } });
  let output = '';
  machine.onUartOutput = (b) => { output += String.fromCharCode(b); };
  const { value: reason, cost } = await measure(() => {
    let r;
    do r = machine.run({ maxInstructions: 1 << 24 }); while (r.kind === 'limit');
    return r;
  });
  if (reason.kind !== 'exit') throw new Error(`${a.elf} did not exit: ${JSON.stringify(reason)}\n${output}`);
  return { insns: machine.icount, exitCode: reason.code, cost };
}

export interface CliResult {
  exitCode: number;
  cost: ProcessCost;
  /** Wall time inside Machine.run. */
  engineMs: number;
  minstret: number | null;
  stderr: string;
}

/** `hindsight run ELF`, in process, output captured. */
async function cliRun(a: { elf: string }): Promise<CliResult> {
  const c = captureIo();
  const { value: exitCode, cost } = await measure(() => runCommand([a.elf], c.io));
  return { exitCode, cost, engineMs: engine.ms, minstret: minstretOf(c.stdout()), stderr: c.stderr() };
}

export interface RecordInfo {
  icount: number;
  snapshots: number;
  keyframes: number;
  pagesStored: number;
  fileBytes: number;
  /** Largest gap between consecutive snapshots (instructions): how far a seek may replay. */
  maxGap: number;
}

function recordingInfo(file: string): RecordInfo {
  const reader = openTraceReader(file);
  try {
    const snaps = reader.snapshots();
    let maxGap = 0;
    for (let i = 1; i < snaps.length; i++) maxGap = Math.max(maxGap, snaps[i]!.icount - snaps[i - 1]!.icount);
    maxGap = Math.max(maxGap, reader.completeUpTo - (snaps[snaps.length - 1]?.icount ?? 0));
    return {
      icount: reader.completeUpTo,
      snapshots: snaps.length,
      keyframes: snaps.filter((s) => s.keyframe).length,
      pagesStored: snaps.reduce((n, s) => n + s.pageCount, 0),
      fileBytes: statSync(file).size,
      maxGap,
    };
  } finally {
    reader.close();
  }
}

export interface RecordResult extends CliResult { info: RecordInfo }

/** `hindsight record ELF -o FILE --force` (the default checkpoint policy), in process. */
async function cliRecord(a: { elf: string; out: string }): Promise<RecordResult> {
  const c = captureIo();
  const { value: exitCode, cost } = await measure(() => recordCommand([a.elf, '-o', a.out, '--force'], c.io));
  return { exitCode, cost, engineMs: engine.ms, minstret: minstretOf(c.stdout()), stderr: c.stderr(), info: recordingInfo(a.out) };
}

/** `hindsight replay FILE`, in process. */
async function cliReplay(a: { file: string }): Promise<CliResult> {
  const c = captureIo();
  const { value: exitCode, cost } = await measure(() => replayCommand([a.file], c.io));
  return { exitCode, cost, engineMs: engine.ms, minstret: minstretOf(c.stdout()), stderr: c.stderr() };
}

/**
 * A recording with an explicit checkpoint policy, through RecordSession as `record` drives it
 * (4 M-instruction slices), without the CLI's console. Or, with `policy: null`, the same loop on a
 * bare machine: the baseline the recorder's overhead is measured against.
 */
async function policyRecord(a: { elf: string; out: string; policy: CheckpointPolicy | null }): Promise<{ cost: ProcessCost; engineMs: number; insns: number; info: RecordInfo | null }> {
  const bytes = readFileSync(a.elf);
  const machine = Machine.create({ image: { bytes, path: a.elf } });
  const SLICE = 1 << 22;
  if (!a.policy) {
    machine.onUartOutput = () => {};
    const { cost } = await measure(() => {
      let r;
      do r = machine.run({ maxInstructions: SLICE }); while (r.kind === 'limit');
    });
    return { cost, engineMs: engine.ms, insns: machine.icount, info: null };
  }
  const policy = a.policy;
  const { cost } = await measure(() => {
    // The writer `record` uses (SQLite on its own thread).
    const writer = createThreadedTraceWriter(a.out,
      newRecordingHeader(machine, { bytes, name: path.basename(a.elf) }, { createdBy: 'hindsight bench', snapshotInterval: policy.interval }),
      { overwrite: true });
    const session = new RecordSession(machine, writer, policy);
    try {
      let r;
      do r = session.run(SLICE); while (r.kind === 'limit');
      if (r.kind !== 'exit') throw new Error(`recording stopped: ${JSON.stringify(r)}`);
      session.finish({ kind: 'exit', code: r.code, source: r.source });
    } finally {
      writer.close();
    }
  });
  return { cost, engineMs: engine.ms, insns: machine.icount, info: recordingInfo(a.out) };
}

export interface SeekResult {
  openMs: number;
  end: number;
  snapshots: number;
  seeks: {
    ms: Distribution;
    /**
     * CPU time (user + system, all threads of the process) per seek. Preemption by other jobs on
     * the shared host does not inflate it, so it bounds what a seek costs on a quiet machine; it
     * includes V8's background compiler threads (guest blocks recompiled after a restore), so on a
     * quiet host it is above the wall time. Wall time is what a user would have seen now.
     */
    cpuMs: Distribution;
    /** Time spent in Timeline.restore (page diff + state load), per seek. */
    restoreMs: Distribution;
    /** Instructions replayed after the restore, per seek. */
    replayInsns: Distribution;
    /** Replay speed inside seeks: instructions replayed / time not spent restoring. */
    replayMips: number;
    /** Guest blocks compiled per seek: a restore that rewrites a code page drops its compiled blocks. */
    compiledBlocks: Distribution;
    /** The slowest seeks: position, ms, restore ms, instructions replayed, blocks compiled. */
    slowest: { pos: number; ms: number; restoreMs: number; insns: number; compiled: number }[];
    wrong: number;
  };
  prevWrites: {
    ms: Distribution;
    cpuMs: Distribution;
    byKind: Record<string, { n: number; found: number; p99: number; max: number }>;
    /** Snapshot restores per query (each is followed by up to one interval of replay). */
    restores: Distribution;
    /** Answers whose `new` bytes are not the memory at the query position, or at/after it. */
    wrong: number;
    /** Every query: what was asked, what came back, how long it took and how many intervals it replayed. */
    queries: { kind: string; symbol: string; addr: string; at: number; found: boolean; icount?: number; ms: number; restores: number }[];
  } | null;
  cost: ProcessCost;
}

const round1 = (x: number): number => Math.round(x * 10) / 10;

interface Query { kind: 'global' | 'stack' | 'heap'; symbol: string; addr: number; at: number }

/**
 * What to ask "who last wrote this word before `at`?" about: words of the workload's globals (each
 * object equally likely, so scalars like rng_state as often as the big arrays), live stack words
 * (between sp at `at` and sp + 256, i.e. the frames of the running function and its callers) and
 * heap words. Positions are uniform over the recording. Finding sp seeks the timeline (untimed).
 */
function pickQueries(tl: Timeline, n: number, rnd: () => number): Query[] {
  const bus = tl.machine.bus;
  const elf = parseElf(tl.reader.header.guestImage);
  const inRam = (addr: number, len: number): boolean => bus.isRam(addr, len);
  const globals = [...elf.symbols.values()]
    .filter((s) => s.type === 1 && s.size >= 4 && inRam(s.value >>> 0, s.size))
    .sort((x, y) => x.value - y.value);
  const sym = (name: string): number => {
    const s = elf.symbols.get(name);
    if (!s) throw new Error(`the workload has no symbol ${name}`);
    return s.value >>> 0;
  };
  const stackBottom = sym('__stack_bottom');
  const stackTop = sym('__stack_top');
  const heapStart = sym('__heap_start');
  const heapEnd = sym('__heap_end');
  const word = (lo: number, hi: number): number => (lo + Math.floor(rnd() * Math.max(1, (hi - lo) >>> 2)) * 4) >>> 0;
  const out: Query[] = [];
  for (let i = 0; i < n; i++) {
    const r = rnd();
    const at = 1 + Math.floor(rnd() * tl.end);
    if (r < 0.7) {
      const g = globals[Math.floor(rnd() * globals.length)]!;
      out.push({ kind: 'global', symbol: g.name, addr: word(g.value >>> 0, (g.value >>> 0) + g.size), at });
    } else if (r < 0.9) {
      out.push({ kind: 'stack', symbol: 'sp..sp+256', addr: 0, at });
    } else {
      out.push({ kind: 'heap', symbol: '__heap_start..__heap_end', addr: word(heapStart, heapEnd), at });
    }
  }
  // Stack words need sp at `at`: one pass in position order.
  for (const q of [...out].filter((x) => x.kind === 'stack').sort((a, b) => a.at - b.at)) {
    tl.seek(q.at);
    const sp = tl.machine.hart.x[2]! >>> 0;
    const lo = sp >= stackBottom && sp < stackTop ? sp : stackTop - 256;
    q.addr = word(lo, Math.min(lo + 256, stackTop));
  }
  return out;
}

/** Random seeks and previous-write queries over a recording, through Timeline and WriteIndex. */
async function seekTask(a: { file: string; seeks: number; prevWrites: number; seed: number }): Promise<SeekResult> {
  const { value, cost } = await measure(() => {
    const t0 = performance.now();
    const reader = openTraceReader(a.file);
    const tl = new Timeline(reader);
    const openMs = performance.now() - t0;
    const end = tl.end;
    // Instrument restore (an own property shadows the method; seek and previousWrite call this.restore).
    let restoreMs = 0;
    let restores = 0;
    const restore = tl.restore.bind(tl);
    tl.restore = (i: number): void => {
      const r0 = performance.now();
      restore(i);
      restoreMs += performance.now() - r0;
      restores++;
    };
    const rnd = seededRandom(a.seed);
    const cpuMs = (c: NodeJS.CpuUsage): number => (c.user + c.system) / 1000;
    const seekCpu: number[] = [];
    const seekMs: number[] = [], seekRestoreMs: number[] = [], replayInsns: number[] = [], compiled: number[] = [];
    const all: SeekResult['seeks']['slowest'] = [];
    const ex = tl.machine.executor;
    let wrongSeeks = 0;
    let replayTime = 0, replayed = 0;
    for (let i = 0; i < a.seeks; i++) {
      const pos = Math.floor(rnd() * (end + 1));
      const from = tl.position;
      const restored0 = restores, rms0 = restoreMs;
      const c0 = ex.compiled;
      const u0 = process.cpuUsage();
      const s0 = performance.now();
      tl.seek(pos);
      const ms = performance.now() - s0;
      seekCpu.push(cpuMs(process.cpuUsage(u0)));
      if (tl.position !== pos) wrongSeeks++;
      const didRestore = restores > restored0;
      const insns = didRestore ? pos - tl.snapshots[tl.snapshotIndexAt(pos)]!.icount : pos - from;
      seekMs.push(ms);
      compiled.push(ex.compiled - c0);
      all.push({ pos, ms: round1(ms), restoreMs: round1(restoreMs - rms0), insns, compiled: ex.compiled - c0 });
      seekRestoreMs.push(restoreMs - rms0);
      replayInsns.push(insns);
      replayTime += ms - (restoreMs - rms0);
      replayed += insns;
    }
    const seeks = {
      ms: distribution(seekMs), cpuMs: distribution(seekCpu), restoreMs: distribution(seekRestoreMs), replayInsns: distribution(replayInsns),
      replayMips: replayed / (replayTime / 1000) / 1e6, wrong: wrongSeeks,
      compiledBlocks: distribution(compiled), slowest: all.sort((x, y) => y.ms - x.ms).slice(0, 10),
    };
    let prevWrites: SeekResult['prevWrites'] = null;
    if (a.prevWrites > 0) {
      const wi = new WriteIndex(tl);
      const bus = tl.machine.bus;
      const picks = pickQueries(tl, a.prevWrites, seededRandom(a.seed ^ 0x5eed));
      const qCpu: number[] = [];
      const ms: number[] = [], restoresPer: number[] = [];
      const kinds: Record<string, number[]> = {};
      const found: Record<string, number> = {};
      const queries: NonNullable<SeekResult['prevWrites']>['queries'] = [];
      let wrong = 0;
      for (const p of picks) {
        const at = p.at;
        const r0 = restores;
        const u0 = process.cpuUsage();
        const q0 = performance.now();
        const ans = wi.previousWrite(p.addr, 4, at);
        const dt = performance.now() - q0;
        ms.push(dt);
        qCpu.push(cpuMs(process.cpuUsage(u0)));
        restoresPer.push(restores - r0);
        (kinds[p.kind] ??= []).push(dt);
        found[p.kind] = (found[p.kind] ?? 0) + (ans.found ? 1 : 0);
        // The timeline is left at `at`; nothing wrote the word after the answer, so RAM holds `new`.
        if (tl.position !== at) wrong++;
        else if (ans.found) {
          const off = p.addr - bus.ramBase;
          const now = bus.ram.subarray(off, off + 4);
          if (ans.icount >= at || now.some((b, k) => b !== ans.new[k])) wrong++;
        }
        queries.push({
          kind: p.kind, symbol: p.symbol, addr: `0x${p.addr.toString(16)}`, at, found: ans.found,
          ...(ans.found ? { icount: ans.icount } : {}), ms: Math.round(dt * 10) / 10, restores: restores - r0,
        });
      }
      const byKind: NonNullable<SeekResult['prevWrites']>['byKind'] = {};
      for (const [k, v] of Object.entries(kinds)) {
        const d = distribution(v);
        byKind[k] = { n: v.length, found: found[k] ?? 0, p99: d.p99, max: d.max };
      }
      prevWrites = { ms: distribution(ms), cpuMs: distribution(qCpu), byKind, restores: distribution(restoresPer), wrong, queries };
    }
    const snapshots = tl.snapshots.length;
    reader.close();
    return { openMs, end, snapshots, seeks, prevWrites };
  });
  return { ...value, cost };
}

const TASKS: Record<string, (args: never) => Promise<unknown>> = {
  'engine-run': engineRun,
  'cli-run': cliRun,
  'cli-record': cliRecord,
  'cli-replay': cliReplay,
  'policy-record': policyRecord,
  seek: seekTask,
};

/** Entry of a child: `--child TASK JSON`. */
export async function childMain(task: string, json: string): Promise<void> {
  const fn = TASKS[task];
  if (!fn) throw new Error(`unknown bench child task ${task}`);
  const result = await fn(JSON.parse(json) as never);
  reportResult({ ...(result as object), processMaxRssMB: maxRssMB() });
}
