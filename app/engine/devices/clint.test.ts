import { describe, expect, it } from 'vitest';
import { Clint } from './clint.js';
import { StateReader, StateWriter } from '../machine/state-codec.js';
import type { GuestClock, HartInterruptPins } from '../bus/device.js';

class FakeClock implements GuestClock {
  t = 0;
  icount(): number { return this.t; }
  ticks(): number { return this.t; }
}

class Pins implements HartInterruptPins {
  mip = 0;
  calls = 0;
  setPending(bit: number, level: boolean): void {
    this.calls++;
    this.mip = level ? this.mip | (1 << bit) : this.mip & ~(1 << bit);
  }
}

const MTIP = 0x80;
const MSIP = 0x08;
const TWO32 = 0x1_0000_0000;

function makeClint() {
  const clock = new FakeClock();
  const pins = new Pins();
  const clint = new Clint(clock, pins);
  return {
    clint, clock, pins,
    r: (o: number) => clint.read(o, 4),
    w: (o: number, v: number) => clint.write(o, 4, v),
    /** Advances time, firing the deadline as the machine's run loop would. */
    advance(to: number) {
      while (clint.nextDeadline() <= to) {
        clock.t = clint.nextDeadline();
        clint.onDeadline();
      }
      clock.t = to;
    },
  };
}

function save(dev: Clint): Uint8Array {
  const w = new StateWriter();
  dev.saveState(w);
  return w.finish();
}

function load(dev: Clint, bytes: Uint8Array): void {
  const r = new StateReader(bytes, 'clint');
  dev.loadState(r, dev.stateVersion);
  r.expectEnd();
}

describe('Clint', () => {
  it('powers on with mtimecmp = mtime = 0, so MTIP is set (QEMU 7.2: mip = 0x80 at reset)', () => {
    const { pins, r } = makeClint();
    expect(pins.mip).toBe(MTIP);
    expect([r(0), r(0x4000), r(0x4004), r(0xbff8), r(0xbffc)]).toEqual([0, 0, 0, 0, 0]);
  });

  it('counts mtime at 10 MHz from the 1 GHz tick clock', () => {
    const { r, clock } = makeClint();
    clock.t = 99;
    expect(r(0xbff8)).toBe(0);
    clock.t = 100;
    expect(r(0xbff8)).toBe(1);
    clock.t = 123_456_789;
    expect(r(0xbff8)).toBe(1_234_567);
  });

  it('drives MSIP from msip bit 0', () => {
    const { r, w, pins } = makeClint();
    w(0, 1);
    expect(pins.mip & MSIP).toBe(MSIP);
    expect(r(0)).toBe(1);
    w(0, 2);
    expect(pins.mip & MSIP).toBe(0);
    expect(r(0)).toBe(0);
  });

  it('arms the timer at write time + (mtimecmp - mtime) * 100 ticks, as QEMU does', () => {
    const { clint, w, r, pins, clock, advance } = makeClint();
    w(0x4004, 0);
    clock.t = 150; // mtime 1, halfway to 2
    w(0x4000, 2);
    expect(pins.mip & MTIP).toBe(0);
    // Not 200 (where mtime reaches 2): QEMU measures 100 instructions from the write.
    expect(clint.nextDeadline()).toBe(250);
    advance(249);
    expect(r(0xbff8)).toBe(2);
    expect(pins.mip & MTIP).toBe(0);
    advance(250);
    expect(pins.mip & MTIP).toBe(MTIP);
    expect(clint.nextDeadline()).toBe(Infinity);
  });

  it('sets MTIP at once for a compare value in the past and clears it for one in the future', () => {
    const { w, pins, clock, clint } = makeClint();
    clock.t = 10_000; // mtime 100
    w(0x4000, 0xffffffff);
    w(0x4004, 0);
    expect(pins.mip & MTIP).toBe(0);
    w(0x4000, 100);
    expect(pins.mip & MTIP).toBe(MTIP);
    expect(clint.nextDeadline()).toBe(Infinity);
    w(0x4000, 101);
    expect(pins.mip & MTIP).toBe(0);
    expect(clint.nextDeadline()).toBe(10_100);
  });

  it('compares 64-bit values across the word boundary (mtime past 2^32)', () => {
    const { w, r, pins, clock, clint } = makeClint();
    clock.t = (5 * TWO32 + 10) * 100; // mtime = 0x5_0000000a
    expect([r(0xbffc), r(0xbff8)]).toEqual([5, 10]);
    w(0x4000, 0xffffffff); w(0x4004, 4); // 0x4_ffffffff: past
    expect(pins.mip & MTIP).toBe(MTIP);
    w(0x4004, 5); // 0x5_ffffffff: future
    expect(pins.mip & MTIP).toBe(0);
    expect(clint.nextDeadline()).toBe(clock.t + (0xffffffff - 10) * 100);
    w(0x4000, 0); w(0x4004, 6); // 0x6_00000000
    expect(clint.nextDeadline()).toBe(clock.t + (TWO32 - 10) * 100);
    w(0x4004, 0xffffffff); // beyond 2^53 ticks: never
    expect(clint.nextDeadline()).toBe(Infinity);
    expect(pins.mip & MTIP).toBe(0);
    expect(clint.mtime()).toBe(5 * TWO32 + 10);
  });

  it('keeps the other half of the current mtime when one half is written (checked on QEMU 7.2)', () => {
    const { w, r, clock } = makeClint();
    clock.t = 1_000_000; // mtime 10000
    w(0xbffc, 5);
    expect([r(0xbffc), r(0xbff8)]).toEqual([5, 10_000]);
    w(0xbff8, 0xfffffff0);
    expect([r(0xbffc), r(0xbff8)]).toEqual([5, 0xfffffff0]);
    clock.t += 30 * 100; // carries into the high word
    expect([r(0xbffc), r(0xbff8)]).toEqual([6, 14]);
  });

  it('wraps mtime modulo 2^64', () => {
    const { w, r, clock } = makeClint();
    clock.t = 7_777;
    w(0xbffc, 0xffffffff);
    w(0xbff8, 0xfffffffe);
    clock.t += 500; // +5
    expect([r(0xbffc), r(0xbff8)]).toEqual([0, 3]);
  });

  it('re-evaluates MTIP when mtime is written', () => {
    const { w, pins, clock, clint } = makeClint();
    w(0x4000, 1000); w(0x4004, 0);
    expect(pins.mip & MTIP).toBe(0);
    clock.t = 50;
    w(0xbff8, 1000);
    expect(pins.mip & MTIP).toBe(MTIP);
    w(0xbff8, 990);
    expect(pins.mip & MTIP).toBe(0);
    expect(clint.nextDeadline()).toBe(50 + 10 * 100);
  });

  it('ignores non-word accesses and unknown offsets', () => {
    const { clint, w, r, pins } = makeClint();
    clint.write(0, 1, 1);
    clint.write(0, 2, 1);
    expect(pins.mip & MSIP).toBe(0);
    expect(clint.read(0xbff8, 1)).toBe(0);
    w(4, 1); w(0x4008, 1); w(0x3ffc, 1); w(0x7ff8, 1);
    expect([r(4), r(0x4008), r(0x3ffc), r(0x7ff8)]).toEqual([0, 0, 0, 0]);
  });

  it('round-trips its state (save → load → save gives the same bytes)', () => {
    const a = makeClint();
    a.clock.t = 9 * TWO32 * 100 + 12_345;
    a.w(0, 1); a.w(0xbffc, 0xabcdef); a.w(0x4000, 0x1234); a.w(0x4004, 0xabcdef);
    const s1 = save(a.clint);
    const b = makeClint();
    const callsBefore = b.pins.calls;
    load(b.clint, s1);
    expect(save(b.clint)).toEqual(s1);
    expect(b.pins.calls).toBe(callsBefore); // loading drives no pins
    expect(b.clint.nextDeadline()).toBe(a.clint.nextDeadline());
  });

  it('gives identical state after the same further operations from the same saved state', () => {
    const a = makeClint();
    a.clock.t = 777;
    a.w(0x4000, 50);
    const s = save(a.clint);
    const run = (c: ReturnType<typeof makeClint>): { state: Uint8Array; reads: number[]; mip: number[] } => {
      const reads: number[] = [];
      const mip: number[] = [];
      let t = 777;
      for (let i = 0; i < 50; i++) {
        t += 37 * i + 11;
        c.advance(t);
        reads.push(c.r(0xbff8), c.r(0xbffc));
        if (i % 7 === 0) c.w(0x4000, c.r(0xbff8) + i);
        if (i % 11 === 0) c.w(0xbff8, i * 1000);
        if (i % 13 === 0) c.w(0, i & 1);
        mip.push(c.pins.mip);
      }
      return { state: save(c.clint), reads, mip };
    };
    const b = makeClint();
    const c = makeClint();
    load(b.clint, s);
    load(c.clint, s);
    b.clock.t = c.clock.t = 777;
    const ra = run(a);
    const rb = run(b);
    const rc = run(c);
    expect(rb.state).toEqual(ra.state);
    expect(rc.state).toEqual(ra.state);
    expect(rb.reads).toEqual(ra.reads);
    expect(rc.mip.slice(1)).toEqual(ra.mip.slice(1));
  });
});
