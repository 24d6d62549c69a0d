import { describe, expect, it } from 'vitest';
import { Plic } from './plic.js';
import { Uart16550a } from './uart-16550a.js';
import { StateReader, StateWriter } from '../machine/state-codec.js';
import type { GuestClock, HartInterruptPins } from '../bus/device.js';

class Pins implements HartInterruptPins {
  mip = 0;
  calls = 0;
  setPending(bit: number, level: boolean): void {
    this.calls++;
    this.mip = level ? this.mip | (1 << bit) : this.mip & ~(1 << bit);
  }
  get meip(): number { return (this.mip >>> 11) & 1; }
  get seip(): number { return (this.mip >>> 9) & 1; }
}

const clock: GuestClock = { icount: () => 0, ticks: () => 0 };

function makePlic() {
  const pins = new Pins();
  const plic = new Plic(pins);
  return { plic, pins, r: (o: number) => plic.read(o, 4), w: (o: number, v: number) => plic.write(o, 4, v) };
}

function save(dev: Plic): Uint8Array {
  const w = new StateWriter();
  dev.saveState(w);
  return w.finish();
}

function load(dev: Plic, bytes: Uint8Array): void {
  const r = new StateReader(bytes, 'plic');
  dev.loadState(r, dev.stateVersion);
  r.expectEnd();
}

const hexLog = (log: number[]): string => log.map((v) => v.toString(16).padStart(2, '0')).join(' ');

describe('Plic', () => {
  it('decodes registers as QEMU 7.2 does (probed on qemu-system-riscv32 7.2.22 -M virt)', () => {
    const { r, w } = makePlic();
    w(0, 0xff); w(4, 0xff); w(40, 5); w(4 * 95, 3); w(4 * 96, 2);
    expect([r(0), r(4), r(36), r(40), r(44), r(4 * 95), r(4 * 96)]).toEqual([0, 7, 0, 5, 0, 3, 2]);
    expect([r(0x1000), r(0x1008), r(0x100c)]).toEqual([0, 0, 0]);
    for (const o of [0x2000, 0x2004, 0x2008, 0x200c]) w(o, 0xffffffff);
    expect([r(0x2000), r(0x2008), r(0x200c), r(0x2080), r(0x2100)]).toEqual([0xffffffff, 0xffffffff, 0, 0, 0]);
    w(0x200000, 8);
    expect(r(0x200000)).toBe(0);
    w(0x200000, 5);
    expect(r(0x200000)).toBe(5);
    w(0x201000, 3);
    expect([r(0x201000), r(0x202000), r(0x200008), r(0x5ffffc)]).toEqual([3, 0, 0, 0]);
  });

  it('ignores byte and halfword accesses (QEMU raises an access fault for them)', () => {
    const { plic, r } = makePlic();
    plic.write(0x200000, 1, 3);
    plic.write(0x200000, 2, 3);
    expect(r(0x200000)).toBe(0);
    plic.write(0x200000, 4, 3);
    expect(plic.read(0x200000, 1)).toBe(0);
  });

  // Logged by a bare-metal program on QEMU 7.2.22 with the UART driving source 10.
  it('latches pending on every raise and only claims clear it (QEMU 7.2 log, UART on source 10)', () => {
    const { plic, pins, r, w } = makePlic();
    const out: number[] = [];
    const uart = new Uart16550a(plic.line(10), (b) => out.push(b), clock);
    const u = (o: number, v?: number): number => {
      if (v === undefined) return uart.read(o, 1);
      uart.write(o, 1, v);
      return 0;
    };
    const pend = (): number => (r(0x1000) >>> 10) & 1;
    const log: number[] = [];
    const L = (v: number): void => { log.push(v); };
    w(40, 1); w(0x2000, 1 << 10); w(0x200000, 0);
    L(pend()); L(pins.meip);
    u(1, 2); L(pend()); L(pins.meip);
    u(1, 0); L(pend()); L(pins.meip);
    L(r(0x200004)); L(pend()); L(pins.meip);
    L(r(0x200004));
    u(1, 2); L(pend()); L(pins.meip);
    w(0x200004, 10); L(pins.meip);
    L(r(0x200004)); L(pend());
    w(0x200004, 10); L(pins.meip); L(pend());
    u(7, 1); L(pend());
    u(3, 0); L(pend());
    u(2, 0); L(pend());
    L(r(0x200004)); w(0x200004, 10);
    u(5); L(pend());
    u(0); L(pend());
    L(r(0x200004)); w(0x200004, 10);
    w(0x200000, 1); L(pins.meip); u(0, 0x78); L(pend()); L(pins.meip);
    w(0x200000, 0); L(pins.meip);
    w(0x2080, 1 << 10); L(pins.seip);
    L(r(0x201004)); L(pins.seip); L(pins.meip);
    expect(hexLog(log)).toBe(
      '00 00 01 01 01 01 0a 00 00 00 01 00 01 0a 00 00 00 00 00 01 0a 00 01 0a 00 01 00 01 00 0a 00 00');
    expect(out).toEqual([0x78]);
  });

  it('re-evaluates on priority, threshold and complete writes but not on enable writes (QEMU 7.2 log)', () => {
    const { plic, pins, r, w } = makePlic();
    const log: number[] = [];
    const L = (v: number): void => { log.push(v); };
    w(40, 1); w(0x200000, 0);
    plic.line(10).set(true);
    L(pins.meip);
    w(0x2000, 1 << 10); L(pins.meip);
    w(0x2000, 0); L(pins.meip);
    w(0x2000, 1 << 10); L(pins.meip);
    w(40, 0); L(pins.meip);
    w(40, 2); L(pins.meip);
    w(0x200000, 2); L(pins.meip);
    w(0x200000, 1); L(pins.meip);
    w(0x200004, 10); L(pins.meip);
    L(r(0x200004)); L((r(0x1000) >>> 10) & 1);
    expect(hexLog(log)).toBe('00 00 00 00 00 01 00 01 01 0a 00');
  });

  it('claims the highest priority first, ties to the lowest source, per context', () => {
    const { plic, pins, r, w } = makePlic();
    for (const s of [3, 5, 40, 95]) w(4 * s, s === 40 ? 6 : 2);
    w(0x2000, (1 << 3) | (1 << 5)); w(0x2004, 1 << 8); w(0x2008, 1 << 31);
    w(0x2080 + 8, 1 << 31); // context 1: source 95 only
    for (const s of [3, 5, 40, 95]) plic.line(s).set(true);
    expect(pins.meip).toBe(1);
    expect(pins.seip).toBe(1);
    expect([r(0x200004), r(0x200004), r(0x200004)]).toEqual([40, 3, 5]);
    expect(r(0x201004)).toBe(95);
    expect(r(0x200004)).toBe(0);
    expect(pins.mip).toBe(0);
    w(0x201004, 95);
    expect(pins.mip).toBe(0); // completed, but no longer pending
  });

  it('ignores lowered lines and completes of out-of-range sources', () => {
    const { plic, pins, w } = makePlic();
    w(4, 1); w(0x2000, 2);
    plic.line(1).set(false);
    expect(pins.meip).toBe(0);
    w(0x200004, 96);
    w(0x200004, 0xffffffff);
    expect(pins.meip).toBe(0);
  });

  it('rejects wiring to sources that do not exist', () => {
    const { plic } = makePlic();
    expect(() => plic.line(0)).toThrow(/sources are 1\.\.95/);
    expect(() => plic.line(96)).toThrow(/PLIC source 96 does not exist/);
    expect(plic.line(95)).toBe(plic.line(95));
  });

  it('round-trips its state (save → load → save gives the same bytes)', () => {
    const a = makePlic();
    for (let s = 1; s <= 96; s++) a.w(4 * s, s);
    a.w(0x2000, 0xdeadbeef); a.w(0x2088, 0x12345678); a.w(0x200000, 3); a.w(0x201000, 1);
    for (const s of [1, 7, 33, 64, 95]) a.plic.line(s).set(true);
    a.r(0x200004);
    const s1 = save(a.plic);
    const b = makePlic();
    const calls = b.pins.calls;
    load(b.plic, s1);
    expect(save(b.plic)).toEqual(s1);
    expect(b.pins.calls).toBe(calls);
    expect(b.plic.pinLevels).toEqual(a.plic.pinLevels);
  });

  it('gives identical state after the same further operations from the same saved state', () => {
    const a = makePlic();
    a.w(0x2000, 0xffffffff); a.w(0x2004, 0xffffffff); a.w(0x208c - 4, 0xffffffff);
    for (let s = 1; s < 96; s++) a.w(4 * s, s % 8);
    const s = save(a.plic);
    const run = (p: ReturnType<typeof makePlic>): { state: Uint8Array; claims: number[]; mip: number[] } => {
      const claims: number[] = [];
      const mip: number[] = [];
      for (let i = 0; i < 200; i++) {
        p.plic.line(1 + ((i * 37) % 95)).set(i % 3 !== 0);
        if (i % 4 === 0) claims.push(p.r(0x200004 + (i % 8 === 0 ? 0x1000 : 0)));
        if (i % 6 === 0 && claims.length > 0) p.w(0x200004, claims[claims.length - 1]!);
        if (i % 50 === 0) p.w(0x200000, (i / 50) % 8);
        mip.push(p.pins.mip);
      }
      return { state: save(p.plic), claims, mip };
    };
    const b = makePlic();
    const c = makePlic();
    load(b.plic, s);
    load(c.plic, s);
    const ra = run(a);
    const rb = run(b);
    expect(rb).toEqual(ra);
    expect(run(c)).toEqual(ra);
  });
});
