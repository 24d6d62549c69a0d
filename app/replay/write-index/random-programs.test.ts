// previous-write / next-write, and reverse-continue to a write watchpoint, against a brute-force
// scan, on randomly generated programs (app/replay/testing/random-program.ts): loops, branches,
// ALU and M instructions, byte/half/word stores aligned and not, data-dependent addresses, AMOs,
// LR/SC and compressed stores, all into a 1 KiB region across a page boundary, so writes collide.
//
// Each program is recorded with RecordSession into a MemoryTrace with a small snapshot interval
// (several intervals per program; some with a small snapshot budget, so thinning folds intervals
// and merges their write summaries) on a 4 MiB machine.
//
// The brute force does not use the replay machinery: a fresh machine single-steps the program with
// a write watchpoint over the whole region, and after every instruction compares the region with
// its contents before it, so each write is known with the bytes before and after the instruction
// (and a changed byte without a reported write fails the test). Answers must agree exactly:
// icount, pc (also checked against the generator's list of writing instructions), old and new
// bytes of the queried range, writer.

import { describe, expect, it } from 'vitest';
import { Machine } from '../../engine/machine/machine.js';
import type { WatchHit } from '../../engine/machine/stop-reason.js';
import { RecordSession } from '../sessions/record-session.js';
import { DATA_BASE, DATA_SIZE, generateProgram, type RandomProgram } from '../testing/random-program.js';
import { Prng } from '../testing/prng.js';
import { MemoryTrace } from '../trace/memory-trace.js';
import { TRACE_FORMAT_VERSION } from '../trace/trace.js';
import { Timeline } from '../timeline/timeline.js';
import { WriteIndex, intervalSkipper, type WriteQueryResult } from './write-index.js';

const RAM_SIZE = 4 << 20; // the smallest RAM with room below QEMU's DTB placement (at 2 MiB here)
/** What the brute force watches: the data region and a margin (unaligned words may run 3 bytes past). */
const AREA_LO = DATA_BASE - 64;
const AREA_LEN = DATA_SIZE + 128;
const PROGRAMS = 24;
const QUERIES = 12;

interface Write {
  readonly icount: number;
  readonly pc: number;
  /** The accesses the instruction made (a misaligned store is one per byte). */
  readonly spans: readonly (readonly [number, number])[];
  /** The whole area before and after the instruction. */
  readonly before: Uint8Array;
  readonly after: Uint8Array;
}

function machineFor(p: RandomProgram): Machine {
  return Machine.create({ image: { bytes: p.elf, path: `random-${p.seed}.elf` }, ramSize: RAM_SIZE });
}

function area(m: Machine): Uint8Array {
  const off = AREA_LO - m.bus.ramBase;
  return m.bus.ram.slice(off, off + AREA_LEN);
}

function record(p: RandomProgram, interval: number, budget: number): MemoryTrace {
  const machine = machineFor(p);
  const trace = new MemoryTrace({
    formatVersion: TRACE_FORMAT_VERSION, createdBy: 'random-programs test', machine: { board: 'virt', ramSize: RAM_SIZE, ticksPerMtime: 100 },
    guestImage: p.elf, guestImageSha256: '', guestImageName: `random-${p.seed}.elf`, snapshotInterval: interval,
  });
  const session = new RecordSession(machine, trace, { interval, keyframeEvery: 3, budget });
  for (;;) {
    const r = session.run(1_000_000);
    if (r.kind === 'exit') {
      if (r.code !== 0) throw new Error(`seed ${p.seed}: exit code ${r.code}`);
      session.finish(r);
      return trace;
    }
    if (r.kind !== 'limit' || machine.icount > 5_000_000) throw new Error(`seed ${p.seed}: stopped with ${r.kind} at ${machine.icount}`);
  }
}

/** Every write to the area, by single-stepping a fresh machine. Also returns where the program ends. */
function bruteForce(p: RandomProgram): { writes: Write[]; end: number } {
  const m = machineFor(p);
  const hits: WatchHit[] = [];
  m.setWatchpoints([{ addr: AREA_LO, len: AREA_LEN, kind: 'write' }], (h) => { hits.push(h); return 'continue'; });
  const writes: Write[] = [];
  let before = area(m);
  for (;;) {
    const n = hits.length;
    const r = m.run({ maxInstructions: 1 });
    const after = area(m);
    if (hits.length > n) {
      const hs = hits.slice(n);
      const { icount, pc } = hs[0]!;
      if (hs.some((h) => h.icount !== icount || h.pc !== pc || h.writer !== 'cpu')) throw new Error(`seed ${p.seed}: one step, several writers`);
      if (!p.writerPcs.has(pc)) throw new Error(`seed ${p.seed}: write at icount ${icount} by pc 0x${pc.toString(16)}, not a store of the program`);
      writes.push({ icount, pc, spans: hs.map((h) => [h.addr, h.len] as const), before, after });
    } else if (!before.every((b, i) => b === after[i])) {
      throw new Error(`seed ${p.seed}: the area changed at icount ${m.icount - 1} without a reported write`);
    }
    before = after;
    if (r.kind === 'exit') return { writes, end: m.icount };
    if (r.kind !== 'limit') throw new Error(`seed ${p.seed}: ${r.kind} at ${m.icount}`);
  }
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const overlaps = (w: Write, addr: number, len: number): boolean => w.spans.some(([a, l]) => a < addr + len && addr < a + l);

function expected(w: Write | undefined, addr: number, len: number): unknown {
  if (!w) return { found: false };
  const o = addr - AREA_LO;
  return { found: true, icount: w.icount, pc: w.pc, old: hex(w.before.subarray(o, o + len)), new: hex(w.after.subarray(o, o + len)), writer: 'cpu' };
}

function actual(r: WriteQueryResult): unknown {
  return r.found ? { found: true, icount: r.icount, pc: r.pc, old: hex(r.old), new: hex(r.new), writer: r.writer } : { found: false };
}

describe('write index on random programs', () => {
  it(`previous-write, next-write and reverse-continue agree with a brute-force scan (${PROGRAMS} programs x ${QUERIES} queries)`, () => {
    let queries = 0;
    let found = 0;
    let folded = 0;
    for (let seed = 1; seed <= PROGRAMS; seed++) {
      const program = generateProgram(seed);
      const rnd = new Prng(seed * 7919);
      const { writes, end } = bruteForce(program);
      expect(writes.length, `seed ${seed}: writes`).toBeGreaterThan(20);
      // Several snapshot intervals per program; every third program with a budget small enough to thin.
      const interval = Math.max(50, Math.floor(end / rnd.range(4, 12)));
      const budget = seed % 3 === 0 ? 4 : 1000;
      const trace = record(program, interval, budget);
      expect(trace.completeUpTo, `seed ${seed}: recording length`).toBe(end);
      const snapshots = trace.snapshots();
      expect(snapshots.length, `seed ${seed}: snapshots`).toBeGreaterThanOrEqual(budget === 4 ? 4 : 5);
      if (budget === 4) folded++;

      const tl = new Timeline(trace);
      const index = new WriteIndex(tl);
      const interesting = [0, end, ...snapshots.flatMap((s) => [s.icount - 1, s.icount, s.icount + 1]),
        ...writes.flatMap((w) => [w.icount, w.icount + 1, w.icount + 2])].filter((x) => x >= 0 && x <= end);
      for (let q = 0; q < QUERIES; q++) {
        // A range: around a write's access (so it collides), or anywhere in the area; 1 to 300
        // bytes. One query in four: a misaligned store (done byte by byte), just after it.
        let len = rnd.chance(0.15) ? rnd.range(9, 300) : rnd.pick([1, 2, 3, 4, 4, 8]);
        let anchor = rnd.chance(0.6) ? rnd.pick(writes).spans[0]![0] - rnd.int(4) : AREA_LO + rnd.int(AREA_LEN);
        let at = rnd.chance(0.5) ? rnd.pick(interesting) : rnd.int(end + 1);
        const split = writes.filter((w) => w.spans.length > 1);
        if (q % 4 === 3 && split.length > 0) {
          const w = rnd.pick(split);
          anchor = w.spans[0]![0] - rnd.int(2);
          len = w.spans.length + rnd.int(3);
          at = Math.min(end, w.icount - 1 + rnd.int(4)); // next-write finds it from before, previous-write from after
        }
        const addr = Math.max(AREA_LO, Math.min(anchor, AREA_LO + AREA_LEN - len));
        const what = `seed ${seed}, range 0x${addr.toString(16)}:${len}, at ${at}`;
        const mine = writes.filter((w) => overlaps(w, addr, len));
        const prev = mine.filter((w) => w.icount < at).at(-1);
        const next = mine.find((w) => w.icount >= at);

        const p = index.previousWrite(addr, len, at);
        expect(actual(p), `previous write, ${what}`).toEqual(expected(prev, addr, len));
        expect(tl.position, what).toBe(at);
        const n = index.nextWrite(addr, len, at);
        expect(actual(n), `next write, ${what}`).toEqual(expected(next, addr, len));
        expect(tl.position, what).toBe(at);
        if (p.found) found++;

        // Reverse-continue to a write watchpoint stops just after the last write that ends before
        // the position (a write ending exactly at it is where a previous stop left the user).
        const watch = [{ addr, len, kind: 'write' as const }];
        const stopAfter = mine.filter((w) => w.icount + 1 < at).at(-1);
        tl.seek(at);
        const skip = q % 2 === 0 ? intervalSkipper(index, [], watch) : undefined;
        const rc = tl.reverseContinue([], watch, {}, skip);
        expect(rc ? rc.icount : null, `reverse-continue${skip ? ' (skipping)' : ''}, ${what}`).toBe(stopAfter ? stopAfter.icount + 1 : null);
        expect(tl.position, what).toBe(stopAfter ? stopAfter.icount + 1 : at);
        if (stopAfter) {
          const o = addr - tl.machine.bus.ramBase;
          expect(hex(tl.machine.bus.ram.subarray(o, o + len)), `contents after reverse-continue, ${what}`)
            .toBe(hex(stopAfter.after.subarray(addr - AREA_LO, addr - AREA_LO + len)));
        }
        queries++;
      }
    }
    expect(queries).toBe(PROGRAMS * QUERIES);
    expect(found).toBeGreaterThan(queries / 3);
    expect(folded).toBeGreaterThan(0);
  });
});
