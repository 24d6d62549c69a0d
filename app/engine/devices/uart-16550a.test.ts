import { describe, expect, it } from 'vitest';
import { Uart16550a } from './uart-16550a.js';
import { Plic } from './plic.js';
import { StateReader, StateWriter } from '../machine/state-codec.js';
import type { GuestClock, HartInterruptPins, IrqLine } from '../bus/device.js';

class FakeClock implements GuestClock {
  t = 0;
  icount(): number { return this.t; }
  ticks(): number { return this.t; }
}

function makeUart() {
  const clock = new FakeClock();
  const levels: boolean[] = [];
  const out: number[] = [];
  const irq: IrqLine = { set: (l) => { levels.push(l); } };
  const uart = new Uart16550a(irq, (b) => out.push(b), clock);
  levels.length = 0;
  return { uart, clock, levels, out, r: (o: number) => uart.read(o, 1), w: (o: number, v: number) => uart.write(o, 1, v) };
}

function save(dev: { saveState(w: StateWriter): void }): Uint8Array {
  const w = new StateWriter();
  dev.saveState(w);
  return w.finish();
}

function load(dev: Uart16550a, bytes: Uint8Array): void {
  const r = new StateReader(bytes, 'uart');
  dev.loadState(r, dev.stateVersion);
  r.expectEnd();
}

describe('Uart16550a', () => {
  it('has QEMU reset values', () => {
    const { r, w } = makeUart();
    expect([r(1), r(2), r(3), r(4), r(5), r(6), r(7)]).toEqual([0, 0x01, 0, 0x08, 0x60, 0xb0, 0]);
    w(3, 0x80);
    expect([r(0), r(1)]).toEqual([0x0c, 0]);
  });

  it('transmits THR writes at once and keeps THRE/TEMT set', () => {
    const { r, w, out } = makeUart();
    for (const c of 'Hi\n') w(0, c.charCodeAt(0));
    expect(String.fromCharCode(...out)).toBe('Hi\n');
    expect(r(5)).toBe(0x60);
  });

  it('uses the low byte of wider accesses and ignores offsets past the 8 decoded bytes', () => {
    const { uart, out } = makeUart();
    uart.write(0, 4, 0x12345641);
    expect(out).toEqual([0x41]);
    uart.write(7, 4, 0xabcd5a);
    expect(uart.read(7, 4)).toBe(0x5a);
    expect(uart.read(4, 2)).toBe(0x08);
    expect(uart.read(8, 1)).toBe(0);
    uart.write(0x10, 1, 0x42);
    expect(out).toEqual([0x41]);
  });

  // Register values logged by a bare-metal program on qemu-system-riscv32 7.2.22 -M virt
  // (THRE interrupt, loopback, FIFO trigger levels, FIFO resets, overrun, MSR in loopback, DLAB).
  // "pend" is the PLIC pending bit of source 10, which the UART drives.
  it('reproduces the register log of QEMU 7.2', () => {
    const mip = { setPending: () => {} } satisfies HartInterruptPins;
    const plic = new Plic(mip);
    const uart = new Uart16550a(plic.line(10), () => {}, new FakeClock());
    const r = (o: number): number => uart.read(o, 1);
    const w = (o: number, v: number): void => uart.write(o, 1, v);
    const pend = (): number => (plic.read(0x1000, 4) >>> 10) & 1;
    const log: number[] = [];
    const L = (v: number): void => { log.push(v); };
    L(r(2)); L(r(5)); L(pend());
    w(1, 0x02); L(r(2)); L(pend());
    L(r(2)); L(pend());
    w(1, 0x02); L(r(2));
    w(1, 0); w(1, 0x02); L(r(2));
    w(4, 0x10);
    w(0, 0x41); L(r(5)); L(r(2));
    w(1, 0x03); L(r(2));
    L(r(0)); L(r(5)); L(r(2));
    w(2, 0x01); L(r(2)); L(r(5));
    w(0, 0x42); w(0, 0x43); L(r(5)); L(r(2));
    w(2, 0x03); L(r(5)); L(r(2));
    w(0, 0x44); w(2, 0x41); w(0, 0x45); L(r(2)); L(r(5));
    w(0, 0x46); w(0, 0x47); L(r(2));
    for (let i = 0; i < 5; i++) L(r(0));
    L(r(5));
    w(1, 0); w(2, 0x05); L(r(2)); L(r(5));
    w(1, 2); L(r(2)); w(2, 0x01); L(r(2)); w(2, 0x05); L(r(2));
    L(r(6)); w(4, 0x1f); L(r(6)); w(4, 0x13); L(r(6));
    for (let i = 0; i < 17; i++) w(0, 0x61 + i);
    L(r(5)); L(r(5));
    w(2, 0); w(1, 0); w(4, 0); L(r(2)); L(r(6)); L(r(4));
    w(3, 0x80); L(r(0)); L(r(1)); w(0, 0x34); w(1, 0x12); L(r(0)); L(r(1)); w(3, 0x03); L(r(3));
    const qemu = `01 60 00 02 01 01 01 01 02 61 02 04 41 60 01 c2 60 61 c4 60 c2 c2 61 c4
      44 45 46 47 00 60 c1 60 c2 c1 c2 00 f0 30 63 61 01 b0 00 0c 00 34 12 03`;
    expect(log.map((v) => v.toString(16).padStart(2, '0')).join(' ')).toBe(qemu.split(/\s+/).join(' '));
  });

  it('raises the THR-empty interrupt when IER.THRI is enabled with THR empty, and IIR read clears it', () => {
    const { r, w, levels } = makeUart();
    w(1, 0x02);
    expect(levels.at(-1)).toBe(true);
    expect(r(2)).toBe(0x02);
    expect(levels.at(-1)).toBe(false);
    expect(r(2)).toBe(0x01);
    w(0, 0x41); // transmit: THRE again → interrupt again
    expect(levels.at(-1)).toBe(true);
    expect(r(2)).toBe(0x02);
  });

  it('drives the line at every QEMU update point, repeating equal levels', () => {
    const { w, levels } = makeUart();
    w(1, 0x02); // changed → update (high)
    w(2, 0x00); // FCR write always updates
    w(7, 0x11); // SCR never does
    expect(levels).toEqual([true, true]);
    w(0, 0x41); // THR: update with THRE clear, then again after transmit
    expect(levels).toEqual([true, true, false, true]);
  });

  it('receives without FIFO: RBR, overrun, RLSI interrupt', () => {
    const { uart, r, w, levels } = makeUart();
    expect(uart.canReceive()).toBe(true);
    uart.receive(0x31);
    expect(uart.canReceive()).toBe(false);
    expect(r(5)).toBe(0x61);
    w(1, 0x05); // RDI | RLSI
    expect(r(2)).toBe(0x04);
    uart.receive(0x32); // overrun
    expect(r(2)).toBe(0x06);
    expect(levels.at(-1)).toBe(true);
    expect(r(5)).toBe(0x63); // OE reported once
    expect(r(5)).toBe(0x61);
    expect(r(0)).toBe(0x32);
    expect(r(5)).toBe(0x60);
    expect(levels.at(-1)).toBe(false);
  });

  it('paces host input by the FIFO trigger level like serial_can_receive', () => {
    const { uart, w } = makeUart();
    w(2, 0x81); // FIFO on, trigger level 8
    expect(uart.receiveCapacity()).toBe(8);
    for (let i = 0; i < 5; i++) uart.receive(i);
    expect(uart.receiveCapacity()).toBe(3);
    for (let i = 0; i < 5; i++) uart.receive(i);
    expect(uart.receiveCapacity()).toBe(1);
    for (let i = 0; i < 6; i++) uart.receive(i);
    expect(uart.receiveCapacity()).toBe(0);
    expect(uart.canReceive()).toBe(false);
  });

  it('fires the character timeout 4 character times after the last receive (float32 as QEMU)', () => {
    const { uart, r, w, clock, levels } = makeUart();
    w(3, 0x83); w(0, 3); w(1, 0); w(3, 0x03); // 8N1, divisor 3
    w(2, 0x41); // FIFO, trigger level 4
    w(1, 0x01); // RDI
    clock.t = 1000;
    uart.receive(0x5a);
    // 1e9 / (399193 / 3) * 10 in float32 = 75151 ns per character; measured on QEMU 7.2 with icount.
    expect(uart.nextDeadline()).toBe(1000 + 4 * 75151);
    expect(r(2)).toBe(0xc1);
    clock.t = 1000 + 4 * 75151 - 1;
    uart.onDeadline(); // early call: nothing happens
    expect(r(2)).toBe(0xc1);
    clock.t += 1;
    uart.onDeadline();
    expect(uart.nextDeadline()).toBe(Infinity);
    expect(r(2)).toBe(0xcc);
    expect(levels.at(-1)).toBe(true);
    expect(r(0)).toBe(0x5a);
    expect(r(2)).toBe(0xc1);
  });

  it('computes character times for divisor 0, 1 and 7 as QEMU does', () => {
    for (const [div, ctt] of [[1, 25050], [7, 175353], [0, 2857142]] as const) {
      const { uart, w } = makeUart();
      w(3, 0x83); w(0, div); w(1, 0); w(3, 0x03); w(2, 0x01);
      uart.receive(1);
      expect(uart.nextDeadline()).toBe(4 * ctt);
    }
  });

  it('loops transmitted bytes back to the receiver in loopback mode', () => {
    const { r, w, out } = makeUart();
    w(4, 0x10);
    w(0, 0x55);
    expect(out).toEqual([]);
    expect(r(5) & 1).toBe(1);
    expect(r(0)).toBe(0x55);
  });

  it('round-trips its state (save → load → save gives the same bytes)', () => {
    const a = makeUart();
    a.w(2, 0x41); a.w(1, 0x07); a.w(3, 0x1b); a.w(7, 0x99); a.w(4, 0x10);
    for (let i = 0; i < 20; i++) a.w(0, i); // wraps the ring and overruns
    a.r(0); a.r(0);
    a.clock.t = 12345;
    a.uart.receive(0xee);
    const s1 = save(a.uart);
    const b = makeUart();
    load(b.uart, s1);
    expect(save(b.uart)).toEqual(s1);
    expect(b.levels).toEqual([]); // loading has no side effects
    expect(b.out).toEqual([]);
  });

  it('gives identical state after the same further operations from the same saved state', () => {
    const a = makeUart();
    a.w(2, 0xc1); a.w(1, 0x0f);
    a.uart.receive(1); a.uart.receive(2);
    const s = save(a.uart);
    const run = (u: ReturnType<typeof makeUart>): Uint8Array => {
      u.clock.t = 5000;
      for (let i = 0; i < 40; i++) {
        u.w(i % 3 === 0 ? 0 : 7, i);
        u.r(i % 8);
        if (i % 5 === 0) u.uart.receive(i);
        u.clock.t += 50_000;
        if (u.clock.t >= u.uart.nextDeadline()) u.uart.onDeadline();
      }
      return save(u.uart);
    };
    const b = makeUart();
    const c = makeUart();
    load(b.uart, s);
    load(c.uart, s);
    const sa = run(a);
    expect(run(b)).toEqual(sa);
    expect(run(c)).toEqual(sa);
    expect(b.out).toEqual(a.out.slice(-b.out.length));
    expect(b.levels).toEqual(c.levels);
  });
});
