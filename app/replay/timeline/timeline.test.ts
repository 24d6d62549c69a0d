import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Machine } from '../../engine/machine/machine.js';
import { MemoryTrace } from '../trace/memory-trace.js';
import { TRACE_FORMAT_VERSION } from '../trace/trace.js';
import { RecordSession } from '../sessions/record-session.js';
import { uartRx } from '../inputs/uart-rx.js';
import { Timeline } from './timeline.js';
import { WriteIndex, intervalSkipper } from '../write-index/write-index.js';

const elf = (name: string): Uint8Array =>
  readFileSync(path.resolve(import.meta.dirname, '../../../assets/firmware/elf', `${name}.elf`));

function record(name: string, interval: number, input = '', budget = 1000): { trace: MemoryTrace; output: string } {
  const bytes = elf(name);
  // 8 MiB of RAM keeps whole-state hashing cheap in tests; the firmware needs far less.
  const machine = Machine.create({ image: { bytes }, ramSize: 8 << 20 });
  const trace = new MemoryTrace({
    formatVersion: TRACE_FORMAT_VERSION, createdBy: 'test', machine: { board: 'virt', ramSize: machine.bus.ramSize, ticksPerMtime: 100 },
    guestImage: bytes, guestImageSha256: '', guestImageName: name, snapshotInterval: interval,
  });
  const session = new RecordSession(machine, trace, { interval, keyframeEvery: 4, budget });
  let output = '';
  session.onUartOutput = (b) => { output += String.fromCharCode(b); };
  let i = 0;
  let idle = false;
  for (;;) {
    // Offer input a byte at a time at irregular points (or when the guest waits), as a terminal would.
    if (i < input.length && (idle || session.icount > 20_000 * (i + 1))) session.inputs.offer(uartRx, input.charCodeAt(i++));
    const r = session.run(7_919);
    if (r.kind === 'exit') { session.finish(r); break; }
    idle = r.kind === 'idle';
    if (idle && i >= input.length) throw new Error('guest idle without input');
  }
  return { trace, output };
}

/** Linear replay hashes at the given positions (ascending). */
function linearHashes(trace: MemoryTrace, positions: number[]): string[] {
  const tl = new Timeline(trace);
  return positions.map((p) => { tl.replayTo(p); return tl.machine.stateHash(); });
}

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

describe('Timeline', () => {
  it('seek(t) gives the same state as replaying linearly to t, for random t and several intervals', () => {
    for (const interval of [3_000, 50_000, 400_000]) {
      const { trace } = record('timer', interval);
      const end = trace.completeUpTo;
      const rnd = lcg(interval);
      const positions = Array.from({ length: 25 }, () => Math.floor(rnd() * end)).concat([0, end, 1, end - 1]);
      const expected = linearHashes(trace, [...positions].sort((a, b) => a - b));
      const byPos = new Map([...positions].sort((a, b) => a - b).map((p, i) => [p, expected[i]!]));
      const tl = new Timeline(trace);
      for (const p of positions) {
        tl.seek(p);
        expect(tl.position).toBe(p);
        expect(tl.machine.stateHash(), `interval ${interval}, position ${p}`).toBe(byPos.get(p));
      }
    }
  });

  it('rehearsing parts of the recording while idle comes back to the same position and state', () => {
    const { trace } = record('timer', 3_000);
    const tl = new Timeline(trace);
    const at = Math.floor(trace.completeUpTo / 2) + 1_234; // between two snapshots
    tl.seek(at);
    const hash = tl.machine.stateHash();
    const visited: number[] = [];
    const restore = tl.restore.bind(tl);
    tl.restore = (i) => { visited.push(i); restore(i); };
    let steps = 1;
    while (tl.warmUp()) steps++;
    expect(tl.warmUp()).toBe(false);
    // One step per place rehearsed, each after a snapshot of its own (coming back may restore too).
    expect(steps).toBe(Math.min(32, tl.snapshots.filter((x) => x.icount < tl.end).length));
    expect(new Set(visited).size).toBeGreaterThanOrEqual(steps - 1);
    expect(visited.length).toBeGreaterThanOrEqual(steps);
    expect(tl.position).toBe(at);
    expect(tl.machine.stateHash()).toBe(hash);
  });

  it('a damaged snapshot met while rehearsing: the error comes out, the position stays, rehearsing ends', () => {
    const { trace } = record('timer', 3_000);
    const damaged = trace.snapshots().sort((a, b) => a.icount - b.icount)[1]!;
    const pages = trace.snapshotPages.bind(trace);
    trace.snapshotPages = (id) => id !== damaged.id ? pages(id) : pages(id).map((p, k) => (k === 0 ? { page: p.page, data: p.data.map((b) => b ^ 0xff) } : p));
    const tl = new Timeline(trace);
    expect(tl.snapshots.length).toBeLessThanOrEqual(32); // so the rehearsals go 0, 1, 2, ...
    const at = Math.floor(damaged.icount / 2); // before it: coming back does not need it
    tl.seek(at);
    const hash = tl.machine.stateHash();
    expect(tl.warmUp()).toBe(true);
    expect(() => tl.warmUp()).toThrow(/is corrupt/);
    expect(tl.position).toBe(at);
    expect(tl.machine.stateHash()).toBe(hash);
    expect(tl.warmUp()).toBe(false);

    // A position past the damaged snapshot, reached by replaying across it (as a step or a continue
    // does): rehearsing its interval fails, and the way back replays across it again.
    const fresh = new Timeline(trace);
    const past = damaged.icount + 500;
    fresh.seek(damaged.icount - 1);
    fresh.replayTo(past);
    const pastHash = fresh.machine.stateHash();
    let failures = 0;
    for (let k = 0; k < 40; k++) {
      try {
        if (!fresh.warmUp()) break;
      } catch (e) {
        expect(String(e)).toMatch(/is corrupt/);
        failures++;
      }
    }
    expect(failures).toBe(1);
    expect(fresh.position).toBe(past);
    expect(fresh.machine.stateHash()).toBe(pastHash);
    // A seek there from elsewhere still says what is wrong; nothing replays from the rejected state.
    fresh.seek(0);
    expect(() => fresh.seek(past)).toThrow(/is corrupt/);
    expect(() => fresh.replayTo(past)).toThrow(/failed its check/);
  });

  it('reading ahead while idle fills the page cache, after which seeks read no pages and stay exact', () => {
    const { trace } = record('timer', 3_000);
    const end = trace.completeUpTo;
    const positions = [end, Math.floor(end / 3), 7, Math.floor((2 * end) / 3), 0];
    const expected = new Map(positions.map((p) => [p, linearHashes(trace, [p])[0]!]));
    const tl = new Timeline(trace);
    let reads = 0;
    const snapshotPages = trace.snapshotPages.bind(trace);
    trace.snapshotPages = (id) => { reads++; return snapshotPages(id); };
    let steps = 0;
    while (tl.readAhead()) steps++;
    // One snapshot a step, each read once: those the open read (the first keyframe) are skipped.
    expect(steps).toBeGreaterThan(2);
    expect(reads).toBe(steps);
    expect(tl.readAhead()).toBe(false);
    reads = 0;
    for (const p of positions) {
      tl.seek(p);
      expect(tl.machine.stateHash(), `position ${p}`).toBe(expected.get(p));
    }
    expect(reads).toBe(0);
  });

  it('thinning to a small snapshot budget keeps seek and previous-write exact', () => {
    const { trace } = record('timer', 400, '', 6);
    const snaps = trace.snapshots();
    expect(snaps.length).toBeLessThanOrEqual(6);
    expect(snaps[0]!.icount).toBe(0);
    // Older snapshots are sparser than recent ones (log-spaced).
    const gaps = snaps.slice(1).map((s, i) => s.icount - snaps[i]!.icount);
    expect(gaps[0]!).toBeGreaterThan(gaps[gaps.length - 2]!);
    const rnd = lcg(99);
    const positions = Array.from({ length: 12 }, () => Math.floor(rnd() * trace.completeUpTo)).sort((a, b) => a - b);
    const expected = linearHashes(trace, positions);
    const tl = new Timeline(trace);
    for (const [k, p] of [...positions.entries()].reverse()) {
      tl.seek(p);
      expect(tl.machine.stateHash(), `position ${p}`).toBe(expected[k]);
    }
    const ticks = tl.machine.elf.symbols.get('ticks')!.value;
    const brute = new Timeline(trace);
    const writes: number[] = [];
    brute.machine.setWatchpoints([{ addr: ticks, len: 4, kind: 'write' }], (h) => { writes.push(h.icount); return 'continue'; });
    brute.replayTo(trace.completeUpTo);
    const index = new WriteIndex(tl);
    for (const at of positions) {
      const p = index.previousWrite(ticks, 4, at);
      expect(p.found ? p.icount : undefined).toBe(writes.filter((w) => w < at).at(-1));
    }
  });

  it('record -> replay gives the same output and final state, with timer interrupts and UART input', () => {
    const { trace, output } = record('uart-echo', 10_000, 'hello, world q');
    expect(output).toContain('HELLO, WORLD Q');
    const tl = new Timeline(trace);
    let replayed = '';
    tl.machine.onUartOutput = (b) => { replayed += String.fromCharCode(b); };
    tl.replayTo(trace.completeUpTo);
    expect(replayed).toBe(output);
    expect(tl.machine.stateHash()).toBe(trace.snapshots().at(-1)!.stateHash);
  });

  it('previous-write and next-write agree with a brute-force scan', () => {
    const { trace } = record('timer', 20_000);
    const tl = new Timeline(trace);
    const ticks = tl.machine.elf.symbols.get('ticks')!.value;
    const stack = tl.machine.elf.symbols.get('__stack_top')!.value - 64;
    for (const [addr, len] of [[ticks, 4], [ticks + 1, 2], [stack, 16]] as const) {
      // Brute force: every write to the range in one linear replay.
      const brute = new Timeline(trace);
      const writes: number[] = [];
      brute.machine.setWatchpoints([{ addr, len, kind: 'write' }], (h) => { writes.push(h.icount); return 'continue'; });
      brute.replayTo(trace.completeUpTo);
      expect(writes.length).toBeGreaterThan(0);
      const index = new WriteIndex(tl);
      const rnd = lcg(addr);
      const end = trace.completeUpTo;
      for (let k = 0; k < 12; k++) {
        const at = Math.floor(rnd() * end);
        const prev = writes.filter((w) => w < at).at(-1);
        const next = writes.find((w) => w >= at);
        const p = index.previousWrite(addr, len, at);
        expect(p.found ? p.icount : undefined, `prev at ${at}`).toBe(prev);
        expect(tl.position).toBe(at);
        const n = index.nextWrite(addr, len, at);
        expect(n.found ? n.icount : undefined, `next at ${at}`).toBe(next);
      }
    }
  });
});

describe('Timeline reverse execution', () => {
  it('reverse-continue to a breakpoint lands on the last hit before the position, like a brute-force scan', () => {
    const { trace } = record('timer', 5_000);
    const tl = new Timeline(trace);
    const handler = tl.machine.elf.symbols.get('handle_trap')!.value;
    // Brute force: every position where the pc reaches the breakpoint.
    const brute = new Timeline(trace);
    brute.machine.setBreakpoints([handler]);
    const hits: number[] = [];
    for (;;) {
      const r = brute.continueForward();
      if (r.kind !== 'breakpoint') break;
      hits.push(brute.position);
    }
    expect(hits.length).toBeGreaterThan(3);
    const rnd = lcg(7);
    for (let k = 0; k < 8; k++) {
      const from = Math.floor(rnd() * trace.completeUpTo);
      tl.seek(from);
      const r = tl.reverseContinue([handler], []);
      const expected = hits.filter((h) => h < from).at(-1);
      expect(r ? r.icount : undefined, `from ${from}`).toBe(expected);
      expect(tl.position).toBe(expected ?? from);
      if (r) expect(tl.machine.hart.pc >>> 0).toBe(handler);
    }
  });

  it('reverse-continue to a write watchpoint skips intervals the write index rules out and finds the last write', () => {
    const { trace } = record('timer', 2_000);
    const tl = new Timeline(trace);
    const index = new WriteIndex(tl);
    const ticks = tl.machine.elf.symbols.get('ticks')!.value;
    const watch = [{ addr: ticks, len: 4, kind: 'write' as const }];
    const at = trace.completeUpTo;
    const prev = index.previousWrite(ticks, 4, at);
    expect(prev.found).toBe(true);
    tl.seek(at);
    let replayed = 0;
    const r = tl.reverseContinue([], watch, { onProgress: () => { replayed++; } }, intervalSkipper(index, [], watch));
    expect(r).not.toBeNull();
    // The stop is just after the writing instruction.
    expect(r!.icount).toBe((prev.found ? prev.icount : 0) + 1);
    expect(replayed).toBeGreaterThan(0);
  });
});
