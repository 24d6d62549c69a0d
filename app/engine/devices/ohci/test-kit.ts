// Test support for the OHCI tests: a controller on a real PhysicalBus with a small RAM, a fake
// clock advanced the way the run loop does it (deadline by deadline), and a tiny "HCD" that builds
// EDs, TDs and the HCCA in guest RAM the way a driver does (OHCI 1.0a chapter 4, 5.1.1 init).
// Nothing here is used by the emulator itself.

import { PhysicalBus } from '../../bus/bus.js';
import type { GuestClock, IrqLine } from '../../bus/device.js';
import { OhciController } from './ohci.js';
import {
  CTL_BLE, CTL_CLE, CTL_PLE, FRAME_TICKS, HCFS_OPERATIONAL, INT_MIE, INT_RHSC, INT_UE, INT_WDH, PORT_PPS, PORT_PRS, REG,
} from './regs.js';
import { StateReader, StateWriter } from '../../machine/state-codec.js';
import type { UsbTransferRequest, UsbTransferResult } from './usb-types.js';

export const TEST_RAM_BASE = 0x8000_0000;
export const TEST_RAM_SIZE = 1 << 20;

/** Ticks = instructions + idle time, as on the hart: `i` stands still while the hart waits. */
export class TestClock implements GuestClock {
  t = 0;
  i = 0;
  icount(): number { return this.i; }
  ticks(): number { return this.t; }
}

export interface EdSpec {
  fa?: number;
  en?: number;
  /** ED.D: 0 from TD, 1 OUT, 2 IN. */
  dir?: number;
  lowSpeed?: boolean;
  skip?: boolean;
  iso?: boolean;
  mps?: number;
}

export interface TdSpec {
  /** TD.DP: 0 SETUP, 1 OUT, 2 IN. */
  dp: number;
  /** Buffer length (0 = zero-length, CBP 0). */
  len?: number;
  /** Bytes to put in the buffer (OUT, SETUP). */
  data?: Uint8Array;
  /** Where the buffer goes (default: a fresh 16-byte-aligned allocation). */
  buffer?: number;
  /** The second page, for a buffer crossing a 4 KiB boundary: BE is taken from here. */
  bePage?: number;
  r?: boolean;
  di?: number;
  /** TD.T: 0/1 = from ED carry, 2 = DATA0, 3 = DATA1. */
  t?: number;
}

export interface TdView {
  addr: number;
  cc: number;
  ec: number;
  t: number;
  di: number;
  cbp: number;
  next: number;
  be: number;
}

export class Rig {
  readonly clock = new TestClock();
  readonly bus = new PhysicalBus(TEST_RAM_BASE, TEST_RAM_SIZE);
  readonly hc: OhciController;
  readonly levels: boolean[] = [];
  readonly requests: UsbTransferRequest[] = [];
  readonly cancels: number[] = [];
  readonly resets: number[] = [];
  /** The hart waits in WFI: instructions stop retiring, and (with skipAllowed) hartWaiting() says so. */
  waiting = false;
  /** Let a quiet controller skip frames while waiting (false: process every frame, for comparisons). */
  skipAllowed = true;
  hcca = 0;
  /** The next free byte of the test allocator (copy it along with RAM when cloning a rig). */
  heap = TEST_RAM_BASE + 0x1000;

  constructor(irq?: IrqLine) {
    const line: IrqLine = irq ?? { set: (l) => { this.levels.push(l); } };
    this.hc = new OhciController(line, this.bus, this.clock, { hartWaiting: () => this.waiting && this.skipAllowed });
    this.hc.hooks = {
      onTransferRequest: (r) => { this.requests.push(r); },
      onTransferCancel: (id) => { this.cancels.push(id); },
      onPortReset: (p) => { this.resets.push(p); },
    };
  }

  r(off: number): number { return this.hc.read(off, 4); }
  w(off: number, v: number): void { this.hc.write(off, 4, v >>> 0); }
  port(n: number): number { return this.r(REG.RhPortStatus + 4 * (n - 1)); }
  setPort(n: number, v: number): void { this.w(REG.RhPortStatus + 4 * (n - 1), v); }
  get irq(): boolean { return this.levels.at(-1) ?? false; }

  alloc(size: number, align = 16): number {
    this.heap = Math.ceil(this.heap / align) * align;
    const a = this.heap;
    this.heap += size;
    if (this.heap > TEST_RAM_BASE + TEST_RAM_SIZE) throw new Error('test heap exhausted');
    return a;
  }

  w32(addr: number, v: number): void { this.bus.write(addr, 4, v >>> 0); }
  r32(addr: number): number { return this.bus.read(addr, 4) >>> 0; }
  put(addr: number, bytes: Uint8Array): void { this.bus.ram.set(bytes, addr - TEST_RAM_BASE); }
  bytes(addr: number, n: number): Uint8Array { return this.bus.ram.slice(addr - TEST_RAM_BASE, addr - TEST_RAM_BASE + n); }

  /** Advances guest time to `t`, servicing deadlines at their exact ticks like the run loop. */
  advanceTo(t: number): void {
    for (let guard = 0; ; guard++) {
      if (guard > 10_000_000) throw new Error('advanceTo: runaway deadlines');
      const d = this.hc.nextDeadline();
      if (d > t) break;
      if (d > this.clock.t) this.setTime(d);
      this.hc.onDeadline();
    }
    this.setTime(Math.max(this.clock.t, t));
  }

  /** Moves time to `t`; instructions retire meanwhile unless the hart waits. */
  setTime(t: number): void {
    if (!this.waiting) this.clock.i += t - this.clock.t;
    this.clock.t = t;
  }

  advance(ticks: number): void { this.advanceTo(this.clock.t + ticks); }
  frames(n = 1): void { this.advance(n * FRAME_TICKS); }

  /**
   * The usual bring-up: HCCA, FmInterval/PeriodicStart, interrupts (MIE, WDH, RHSC, UE), per-port
   * power on both ports, then UsbOperational with the periodic, control and bulk lists enabled.
   */
  init(): void {
    this.hcca = this.alloc(256, 256);
    this.w(REG.HCCA, this.hcca);
    this.w(REG.FmInterval, (1 << 31) | (0x2778 << 16) | 0x2edf);
    this.w(REG.PeriodicStart, Math.floor(0x2edf * 9 / 10));
    this.w(REG.InterruptEnable, INT_MIE | INT_WDH | INT_RHSC | INT_UE);
    this.setPort(1, PORT_PPS);
    this.setPort(2, PORT_PPS);
    this.w(REG.Control, HCFS_OPERATIONAL | CTL_PLE | CTL_CLE | CTL_BLE);
  }

  /** Attaches a device and resets its port (10 ms), as a hub driver does before enumeration. */
  plugAndReset(port: number, speed: 'low' | 'full' = 'full'): void {
    this.hc.attach(port, speed);
    this.setPort(port, PORT_PRS);
    this.advance(10 * FRAME_TICKS);
  }

  /** An ED with an empty queue (HeadP = TailP = a dummy TD), not linked anywhere. */
  ed(spec: EdSpec = {}): number {
    const addr = this.alloc(16);
    const dummy = this.alloc(16);
    const flags = (spec.fa ?? 0) | ((spec.en ?? 0) << 7) | ((spec.dir ?? 0) << 11) | (spec.lowSpeed ? 1 << 13 : 0)
      | (spec.skip ? 1 << 14 : 0) | (spec.iso ? 1 << 15 : 0) | ((spec.mps ?? 64) << 16);
    this.w32(addr, flags);
    this.w32(addr + 4, dummy);
    this.w32(addr + 8, dummy);
    this.w32(addr + 12, 0);
    return addr;
  }

  /** Fills the ED's dummy TD with `spec`, appends a fresh dummy and advances TailP. Returns the TD. */
  queue(ed: number, spec: TdSpec): number {
    const td = this.r32(ed + 4);
    const dummy = this.alloc(16);
    const len = spec.len ?? spec.data?.length ?? 0;
    let cbp = 0, be = 0;
    if (len > 0) {
      cbp = spec.buffer ?? this.alloc(len, 16);
      if (spec.data) this.putBuffer(cbp, spec.bePage, spec.data);
      const firstPart = 0x1000 - (cbp & 0xfff);
      be = spec.bePage !== undefined && len > firstPart ? spec.bePage + (len - firstPart) - 1 : cbp + len - 1;
    }
    const flags = (spec.r ? 1 << 18 : 0) | (spec.dp << 19) | ((spec.di ?? 0) << 21) | ((spec.t ?? 0) << 24) | (0xf << 28);
    this.w32(td, flags);
    this.w32(td + 4, cbp);
    this.w32(td + 8, dummy);
    this.w32(td + 12, be);
    this.w32(ed + 4, dummy);
    return td;
  }

  private putBuffer(cbp: number, bePage: number | undefined, data: Uint8Array): void {
    const first = Math.min(data.length, 0x1000 - (cbp & 0xfff));
    this.put(cbp, data.subarray(0, first));
    if (first < data.length) this.put(bePage!, data.subarray(first));
  }

  /** SETUP + optional data stage + status stage on a control ED (Linux's layout: R on data, DI 6 but on the status TD). */
  control(ed: number, setup: Uint8Array, dataLen: number, outData?: Uint8Array): { setup: number; data: number | null; status: number } {
    const dirIn = (setup[0]! & 0x80) !== 0;
    const s = this.queue(ed, { dp: 0, data: setup, t: 2, di: 6 });
    let d: number | null = null;
    if (dataLen > 0) d = this.queue(ed, { dp: dirIn ? 2 : 1, len: dataLen, ...(outData ? { data: outData } : {}), t: 3, r: true, di: 6 });
    const st = this.queue(ed, { dp: dirIn && dataLen > 0 ? 1 : 2, t: 3, di: 0 });
    return { setup: s, data: d, status: st };
  }

  linkControl(...eds: number[]): void {
    eds.forEach((e, i) => this.w32(e + 12, eds[i + 1] ?? 0));
    this.w(REG.ControlHeadED, eds[0] ?? 0);
  }

  linkBulk(...eds: number[]): void {
    eds.forEach((e, i) => this.w32(e + 12, eds[i + 1] ?? 0));
    this.w(REG.BulkHeadED, eds[0] ?? 0);
  }

  /** Points every interrupt table entry at `ed` (a 1 ms interrupt endpoint). */
  linkPeriodic(ed: number): void {
    for (let i = 0; i < 32; i++) this.w32(this.hcca + 4 * i, ed);
  }

  td(addr: number): TdView {
    const f = this.r32(addr);
    return {
      addr, cc: f >>> 28, ec: (f >>> 26) & 3, t: (f >>> 24) & 3, di: (f >>> 21) & 7,
      cbp: this.r32(addr + 4), next: this.r32(addr + 8), be: this.r32(addr + 12),
    };
  }

  edHead(ed: number): { td: number; halted: boolean; carry: number } {
    const h = this.r32(ed + 8);
    return { td: (h & ~0xf) >>> 0, halted: (h & 1) !== 0, carry: (h >>> 1) & 1 };
  }

  /** HccaDoneHead (with bit 0) and the TDs of the done queue it heads, in queue order. */
  doneQueue(): { head: number; tds: number[] } {
    const head = this.r32(this.hcca + 0x84);
    const tds: number[] = [];
    for (let a = head & ~0xf; a !== 0 && tds.length < 64; a = this.r32(a + 8) & ~0xf) tds.push(a >>> 0);
    return { head, tds };
  }

  /** Answers request `id`. */
  complete(id: number, result: Partial<UsbTransferResult> & { status?: UsbTransferResult['status'] } = {}): boolean {
    const data = result.data ?? new Uint8Array(0);
    return this.hc.completeTransfer(id, { status: result.status ?? 'ok', data, actualLength: result.actualLength ?? data.length });
  }

  /** The controller's saved state. */
  save(): Uint8Array {
    const w = new StateWriter();
    this.hc.saveState(w);
    return w.finish();
  }

  load(bytes: Uint8Array): void {
    const r = new StateReader(bytes, 'ohci');
    this.hc.loadState(r, this.hc.stateVersion);
    r.expectEnd();
  }
}

/** A GET_DESCRIPTOR(DEVICE) SETUP packet asking for `len` bytes. */
export function getDescriptor(len: number, type = 1, index = 0): Uint8Array {
  return Uint8Array.of(0x80, 6, index, type, 0, 0, len & 0xff, len >>> 8);
}

export function setAddress(addr: number): Uint8Array {
  return Uint8Array.of(0x00, 5, addr, 0, 0, 0, 0, 0);
}

/** A USB device descriptor (18 bytes) for the scripted device. */
export const DEVICE_DESCRIPTOR = Uint8Array.of(18, 1, 0x10, 0x01, 0, 0, 0, 8, 0x34, 0x12, 0x78, 0x56, 0x00, 0x01, 1, 2, 0, 1);

/**
 * A scripted device: answers each new request of the rig with `answer(request)` (null = leave it
 * pending), as a virtual device backend would. Call pump() between frames.
 */
export class ScriptedDevice {
  private seen = 0;
  readonly log: UsbTransferRequest[] = [];

  constructor(private readonly rig: Rig, private readonly answer: (r: UsbTransferRequest) => UsbTransferResult | null) {}

  pump(): void {
    while (this.seen < this.rig.requests.length) {
      const r = this.rig.requests[this.seen++]!;
      this.log.push(r);
      const a = this.answer(r);
      if (a) this.rig.hc.completeTransfer(r.id, a);
    }
  }

  /** Frames, answering requests after each. */
  run(frames: number): void {
    for (let i = 0; i < frames; i++) {
      this.rig.frames(1);
      this.pump();
    }
  }
}
