// OHCI 1.0a USB host controller (Open Host Controller Interface Specification for USB, release
// 1.0a): operational registers (chapter 7; map in regs.ts), frame timing (5.4, 7.3), list
// processing (chapter 6; lists.ts, retire.ts), the HCCA (4.4) and the root hub (7.4; root-hub.ts).
// Behaviour follows the spec, and QEMU's hw/usb/hcd-ohci.c where the spec leaves room.
//
// Time. A frame is 1 ms = FRAME_TICKS guest ticks. Entering UsbOperational starts frames at that
// tick (with an SOF, as QEMU); at each boundary, a TimedDevice deadline, the controller services the
// lists, increments HcFmNumber, writes HccaFrameNumber, writes back the done queue when its delay
// counter has run out, and sets SF (FNO when bit 15 of the frame number toggles). HcFmRemaining is
// computed from the clock. Port reset (10 ms) and resume (20 ms) are deadlines too.
//
// Transfers leave the machine: starting a TD issues a UsbTransferRequest to the host
// (hooks.onTransferRequest) and leaves the ED busy; the host answers with completeTransfer() at a
// canonical point (between Machine.run() calls: it is an input), and the next frame retires the TDs.
// Request ids come from a counter in the state. Transfers in flight are part of the saved state.
//
// Quiet frames. A controller with nothing to do still has a deadline every millisecond, which
// would keep a guest waiting in WFI for a USB answer from ever being "idle" (run() would warp from
// frame to frame forever). So after QUIET_FRAMES frames in a row that changed nothing but the
// frame counters (and the SF/FNO bits) and had no instruction retired between them (so they all
// saw the RAM the guest left, and every interrupt table branch was walked), and while the hart
// waits, the controller only asks for the frames that could wake it (an enabled SF or FNO not yet
// pending) and skips the rest; the skipped frames are applied in one step (same frame number,
// HccaFrameNumber, SF/FNO, interrupt line) as soon as the hart wakes or an input arrives. Nothing
// can observe the difference: the CPU is stopped, and the frames' only effects are idempotent.
// (A host that pokes guest RAM while the hart waits, e.g. a debugger's memory write, must call
// rescan() for a quiet controller to look at its lists again.)
//
// Not supported: isochronous transfers (isochronous TDs are retired with BufferOverrun/Underrun),
// hubs behind the root ports, over-current, SchedulingOverrun (bandwidth is unlimited).
//
// Deviations from hardware, on purpose (a debugger should say what is wrong): a descriptor or
// buffer outside RAM, a pointer with its reserved low bits set (HcHCCA, HcControlHeadED,
// HcBulkHeadED, an interrupt table entry, NextED, TailP, HeadP, NextTD), more EDs or
// TDs than a sane schedule has (a cycle) all stop the controller with UnrecoverableError, and
// `status().unrecoverable` says which and where.

import type { AccessSize, GuestClock, IrqLine, MmioDevice, Snapshotable, TimedDevice } from '../../bus/device.js';
import type { StateReader, StateWriter } from '../../machine/state-codec.js';
import { GuestMemory, OhciFault, HCCA_DONE_HEAD, HCCA_FRAME_NUMBER, type DmaMemory } from './descriptors.js';
import { ListProcessor, type ListHost } from './lists.js';
import {
  CS_BLF, CS_CLF, CS_HCR, CS_OCR, CTL_HCFS, CTL_IR, CTL_MASK, CTL_RWC, FI_DEFAULT, FI_MASK, FRAME_TICKS, FSMPS_DEFAULT,
  FSMPS_MASK, FSMPS_SHIFT, HCFS_NAMES, HCFS_OPERATIONAL, HCFS_RESET, HCFS_SUSPEND, INT_ENABLE_MASK, INT_FNO, INT_MIE, INT_OC,
  INT_RD, INT_RHSC, INT_SF, INT_STATUS_MASK, INT_UE, INT_WDH, LST_DEFAULT, NUM_PORTS, OHCI_DECODED_SIZE, OHCI_REVISION,
  QUIET_FRAMES, REG, RHS_DRWE, type FunctionalState, BIT_TIMES_PER_MS, HCFS_RESUME,
} from './regs.js';
import { RootHub, type RootPortInfo } from './root-hub.js';
import {
  MISALIGNED_BULK_HEAD, MISALIGNED_CTRL_HEAD, MISALIGNED_HCCA, OHCI_STATE_VERSION,
  OhciState, loadOhciState, saveOhciState, type InFlight, type ListKind,
} from './state.js';
import {
  RESULT_STATUSES, type OhciHostHooks, type UsbPortSpeed, type UsbTransferRequest, type UsbTransferResult,
} from './usb-types.js';

export interface OhciOptions {
  name?: string;
  /** Whether the hart is waiting in WFI (lets a quiet controller skip frames; default: never). */
  hartWaiting?: () => boolean;
}

/** The controller as the UI shows it. */
export interface OhciStatus {
  readonly functionalState: FunctionalState;
  readonly frameNumber: number;
  /** Why the controller stopped with UnrecoverableError, or null. */
  readonly unrecoverable: string | null;
  readonly transfers: readonly { readonly id: number; readonly port: number; readonly kind: string; readonly answered: boolean }[];
}

const NO_HOOKS: OhciHostHooks = { onTransferRequest: () => {}, onTransferCancel: () => {}, onPortReset: () => {} };

export class OhciController implements MmioDevice, Snapshotable, TimedDevice {
  readonly name: string;
  readonly size = OHCI_DECODED_SIZE;
  /** OHCI registers are 32-bit (7: "all registers ... dword"); narrower accesses are access faults. */
  readonly validSizes = 4;
  readonly stateName = 'ohci';
  readonly stateVersion = OHCI_STATE_VERSION;
  /** What the controller tells the host; called synchronously, must not call back into the machine. */
  hooks: OhciHostHooks = NO_HOOKS;

  private readonly s = new OhciState();
  private readonly mem: GuestMemory;
  private readonly hub: RootHub;
  private readonly lists: ListProcessor;
  private readonly hartWaiting: () => boolean;
  /** Set while the controller is working (frame, MMIO): host inputs then are a re-entrancy bug. */
  private busy = false;
  private active = false;

  constructor(private readonly irq: IrqLine, dma: DmaMemory, private readonly clock: GuestClock, options: OhciOptions = {}) {
    this.name = options.name ?? 'ohci';
    this.hartWaiting = options.hartWaiting ?? (() => false);
    this.mem = new GuestMemory(dma);
    this.hub = new RootHub(this.s, {
      statusChange: (connect) => this.rootHubChange(connect),
      portReset: (port) => this.hooks.onPortReset(port),
      abortPort: (port) => this.abortPort(port),
    });
    const host: ListHost = {
      s: this.s,
      mem: this.mem,
      activity: () => { this.active = true; },
      findDevice: (address) => this.hub.findDevice(address),
      portSpeed: (i) => this.s.ports[i]?.speed ?? null,
      issue: (list, ed, tds, request) => this.issue(list, ed, tds, request),
      cancel: (t) => this.cancel(t),
    };
    this.lists = new ListProcessor(host);
    this.powerOnReset();
  }

  /** Hardware reset: every register to its reset value, HCFS = UsbReset, ports unpowered. Devices stay plugged in. */
  powerOnReset(): void {
    const ports = this.s.ports.map((p) => p.speed);
    Object.assign(this.s, new OhciState());
    this.s.ports.forEach((p, i) => { p.speed = ports[i]!; });
    this.hub.hardReset();
    this.irq.set(false);
  }

  // ---- host side (inputs: call only at canonical points) -----------------------------------------

  /** Plugs a device into root port `port` (1..2). */
  attach(port: number, speed: UsbPortSpeed): void {
    this.input(() => this.hub.attach(port, speed));
  }

  /** Unplugs the device on `port`; transfers in flight to it complete with DeviceNotResponding. */
  detach(port: number): boolean {
    return this.input(() => this.hub.detach(port));
  }

  /**
   * The host's answer to request `id`. Returns false (and changes nothing) when the id is not in
   * flight: cancelled, already answered, or never issued. The TDs are retired at the next frame.
   */
  completeTransfer(id: number, result: UsbTransferResult): boolean {
    if (!RESULT_STATUSES.includes(result.status)) throw new RangeError(`unknown USB transfer status "${String(result.status)}"`);
    if (!(result.data instanceof Uint8Array)) throw new TypeError('a transfer result needs its data as a Uint8Array');
    if (!Number.isInteger(result.actualLength) || result.actualLength < 0) throw new RangeError(`actualLength ${result.actualLength} is not a non-negative integer`);
    return this.input(() => {
      const t = this.s.inflight.find((x) => x.id === id);
      if (!t || t.result) return false;
      const data = t.request.dirIn ? result.data.slice(0, Math.min(result.data.length, result.actualLength)) : new Uint8Array(0);
      t.result = { status: result.status, data, actualLength: result.actualLength };
      return true;
    });
  }

  /** Requests the host has been given and not answered, ascending id. */
  pendingTransfers(): UsbTransferRequest[] {
    return this.s.inflight.filter((t) => !t.result).map((t) => t.request);
  }

  portInfo(port: number): RootPortInfo {
    return this.hub.info(port);
  }

  get portCount(): number {
    return NUM_PORTS;
  }

  status(): OhciStatus {
    const s = this.s;
    // Frames skipped while quiet count as passed (they are applied as soon as anything can look).
    const now = this.clock.ticks();
    const skipped = s.frameDeadline <= now ? Math.floor((now - s.frameDeadline) / FRAME_TICKS) + 1 : 0;
    return {
      functionalState: HCFS_NAMES[(s.control & CTL_HCFS) >>> 6]!,
      frameNumber: (s.frameNumber + skipped) & 0xffff,
      unrecoverable: s.dead ? s.ueReason : null,
      transfers: s.inflight.map((t) => ({ id: t.id, port: t.request.port, kind: t.request.kind, answered: t.result !== null })),
    };
  }

  private input<T>(fn: () => T): T {
    if (this.busy) throw new Error('OHCI: host input from inside a controller callback; deliver it between Machine.run() calls');
    this.busy = true;
    try {
      this.catchUpQuiet(this.clock.ticks());
      return fn();
    } finally {
      this.busy = false;
      this.s.quietFrames = 0;
    }
  }

  // ---- time ------------------------------------------------------------------------------------

  nextDeadline(): number {
    const s = this.s;
    let d = this.hub.nextDeadline();
    if (s.frameDeadline !== Infinity) {
      d = Math.min(d, s.quietFrames >= QUIET_FRAMES && this.hartWaiting() ? this.wakingFrame() : s.frameDeadline);
    }
    return d;
  }

  onDeadline(): void {
    const now = this.clock.ticks();
    if (this.hub.nextDeadline() <= now) {
      this.busy = true;
      try { this.hub.onDeadline(now); } finally { this.busy = false; }
    }
    const s = this.s;
    if (s.frameDeadline > now) return;
    let n = Math.floor((now - s.frameDeadline) / FRAME_TICKS) + 1;
    if (n > 1 && s.quietFrames >= QUIET_FRAMES) {
      this.fastForward(n - 1);
      n = 1;
    }
    for (let i = 0; i < n && s.frameDeadline <= now; i++) this.frame();
  }

  /** While quiet and the hart waits: the first frame boundary that could change the interrupt line. */
  private wakingFrame(): number {
    const s = this.s;
    if (s.control & CTL_IR || !(s.intrEnable & INT_MIE)) return Infinity;
    const fresh = s.intrEnable & ~s.intrStatus;
    if (fresh & INT_SF) return s.frameDeadline;
    if (fresh & INT_FNO) {
      const k = (0x8000 - ((s.frameNumber + 1) & 0x7fff)) & 0x7fff;
      return s.frameDeadline + k * FRAME_TICKS;
    }
    return Infinity;
  }

  /** Applies `k` quiet frames at once: what k calls of frame() would have done. */
  private fastForward(k: number): void {
    const s = this.s;
    const before = s.frameNumber;
    s.frameNumber = (before + k) & 0xffff;
    s.frt = s.fit;
    s.sofTime = s.frameDeadline + (k - 1) * FRAME_TICKS;
    s.frameDeadline += k * FRAME_TICKS;
    if (Math.floor((before + k) / 0x8000) !== Math.floor(before / 0x8000)) s.intrStatus |= INT_FNO;
    s.intrStatus |= INT_SF;
    try {
      this.mem.writeWords(s.hcca + HCCA_FRAME_NUMBER, [s.frameNumber], 'HccaFrameNumber');
      this.updateIrq();
    } catch (e) {
      if (!(e instanceof OhciFault)) throw e;
      this.unrecoverable(e.message);
    }
  }

  /** Skipped frames up to `now`, applied before an input changes what frames do. */
  private catchUpQuiet(now: number): void {
    const s = this.s;
    if (s.frameDeadline <= now && s.quietFrames >= QUIET_FRAMES) this.fastForward(Math.floor((now - s.frameDeadline) / FRAME_TICKS) + 1);
  }

  /** One frame boundary (QEMU's ohci_frame_boundary; OHCI 6.4, 6.5). */
  private frame(): void {
    const s = this.s;
    const boundary = s.frameDeadline;
    this.active = false;
    this.busy = true;
    try {
      if (s.misaligned & MISALIGNED_HCCA) throw new OhciFault('HcHCCA was written with an address that is not 256-byte aligned');
      this.lists.runFrame();
      s.frt = s.fit;
      const before = s.frameNumber;
      s.frameNumber = (before + 1) & 0xffff;
      // HccaFrameNumber and HccaPad1 (written 0) in one word.
      this.mem.writeWords(s.hcca + HCCA_FRAME_NUMBER, [s.frameNumber], 'HccaFrameNumber');
      if (s.doneCount === 0 && !(s.intrStatus & INT_WDH)) {
        // Bit 0 tells the HCD that other interrupt events are pending too (4.4.2.3).
        const other = (s.intrStatus & s.intrEnable & INT_STATUS_MASK) !== 0 ? 1 : 0;
        this.mem.writeWords(s.hcca + HCCA_DONE_HEAD, [(s.doneHead | other) >>> 0], 'HccaDoneHead');
        s.doneHead = 0;
        s.doneCount = 7;
        this.active = true;
        this.setInterrupt(INT_WDH);
      }
      if (s.doneCount !== 7 && s.doneCount !== 0) {
        s.doneCount--;
        this.active = true;
      }
      if ((before ^ s.frameNumber) & 0x8000) s.intrStatus |= INT_FNO;
      this.setInterrupt(INT_SF);
      s.sofTime = boundary;
      s.frameDeadline = boundary + FRAME_TICKS;
    } catch (e) {
      if (!(e instanceof OhciFault)) throw e;
      this.unrecoverable(e.message);
    } finally {
      this.busy = false;
    }
    const icount = this.clock.icount();
    if (this.active || icount !== s.quietIcount) s.quietFrames = 0;
    if (!this.active) s.quietFrames = Math.min(s.quietFrames + 1, 0xffff_ffff);
    s.quietIcount = icount;
  }

  /** Makes a quiet controller walk its lists again at the next frame (guest RAM changed behind its back). */
  rescan(): void {
    this.s.quietFrames = 0;
  }

  // ---- transfers -------------------------------------------------------------------------------

  private issue(list: ListKind, ed: number, tds: readonly number[], req: Omit<UsbTransferRequest, 'id'>): void {
    const s = this.s;
    const request: UsbTransferRequest = { id: s.nextId, ...req };
    s.nextId = (s.nextId + 1) >>> 0 || 1;
    s.inflight.push({ id: request.id, list, ed, tds, request, result: null });
    this.active = true;
    this.hooks.onTransferRequest(request);
  }

  private cancel(t: InFlight): void {
    const list = this.s.inflight;
    const i = list.indexOf(t);
    if (i < 0) return;
    list.splice(i, 1);
    this.active = true;
    if (!t.result) this.hooks.onTransferCancel(t.id);
  }

  private cancelAll(): void {
    for (const t of [...this.s.inflight]) this.cancel(t);
  }

  /** The device on `port` stops answering: its unanswered transfers end with DeviceNotResponding. */
  private abortPort(port: number): void {
    for (const t of this.s.inflight) {
      if (t.request.port !== port || t.result) continue;
      t.result = { status: 'nodev', data: new Uint8Array(0), actualLength: 0 };
      this.active = true;
      this.hooks.onTransferCancel(t.id);
    }
  }

  private rootHubChange(connect: boolean): void {
    const s = this.s;
    s.quietFrames = 0;
    // A connect change while suspended is a remote wakeup when enabled (7.4.3 DRWE): UsbResume + RD.
    if (connect && (s.control & CTL_HCFS) === HCFS_SUSPEND && s.rhStatus & RHS_DRWE) {
      s.control = (s.control & ~CTL_HCFS) | HCFS_RESUME;
      this.setInterrupt(INT_RD);
    }
    this.setInterrupt(INT_RHSC);
  }

  private unrecoverable(reason: string): void {
    const s = this.s;
    s.dead = true;
    s.ueReason = reason;
    s.frameDeadline = Infinity;
    this.active = true;
    this.cancelAll();
    this.setInterrupt(INT_UE);
  }

  // ---- interrupts ------------------------------------------------------------------------------

  private setInterrupt(bits: number): void {
    this.s.intrStatus = (this.s.intrStatus | bits) >>> 0;
    this.updateIrq();
  }

  /** Drives the line at every update, like QEMU's ohci_intr_update (QEMU 7.2's PLIC re-pends on each raise). */
  private updateIrq(): void {
    const s = this.s;
    const level = !(s.control & CTL_IR) && (s.intrEnable & INT_MIE) !== 0 && (s.intrStatus & s.intrEnable & INT_STATUS_MASK) !== 0;
    this.irq.set(level);
  }

  // ---- registers -------------------------------------------------------------------------------

  read(offset: number, _size: AccessSize): number {
    const s = this.s;
    if (offset & 3) return 0;
    const port = (offset - REG.RhPortStatus) >>> 2;
    if (offset >= REG.RhPortStatus && port < NUM_PORTS) return this.hub.readPort(port);
    switch (offset) {
      case REG.Revision: return OHCI_REVISION;
      case REG.Control: return s.control;
      case REG.CommandStatus: return s.cmdStatus;
      case REG.InterruptStatus: return s.intrStatus;
      case REG.InterruptEnable:
      case REG.InterruptDisable: return s.intrEnable;
      case REG.HCCA: return s.hcca;
      case REG.PeriodCurrentED: return s.periodCur;
      case REG.ControlHeadED: return s.ctrlHead;
      case REG.ControlCurrentED: return s.ctrlCur;
      case REG.BulkHeadED: return s.bulkHead;
      case REG.BulkCurrentED: return s.bulkCur;
      case REG.DoneHead: return s.doneHead;
      case REG.FmInterval: return ((s.fit << 31) | (s.fsmps << FSMPS_SHIFT) | s.fi) >>> 0;
      case REG.FmRemaining: return this.fmRemaining();
      case REG.FmNumber: return s.frameNumber;
      case REG.PeriodicStart: return s.periodicStart;
      case REG.LSThreshold: return s.lsThreshold;
      case REG.RhDescriptorA: return s.rhDescA;
      case REG.RhDescriptorB: return s.rhDescB;
      case REG.RhStatus: return this.hub.readStatus();
      default: return 0;
    }
  }

  /** FrameRemaining counts FI down to 0 in 12 MHz bit times across the frame (7.3.2). */
  private fmRemaining(): number {
    const s = this.s;
    if ((s.control & CTL_HCFS) !== HCFS_OPERATIONAL || s.dead) return (s.frt << 31) >>> 0;
    const elapsed = Math.min(FRAME_TICKS, Math.max(0, this.clock.ticks() - s.sofTime));
    const bits = Math.floor((elapsed * BIT_TIMES_PER_MS) / FRAME_TICKS);
    return ((s.frt << 31) | Math.max(0, s.fi - bits)) >>> 0;
  }

  write(offset: number, _size: AccessSize, value: number): void {
    if (offset & 3) return;
    const v = value >>> 0;
    this.busy = true;
    try {
      this.writeRegister(offset, v);
    } finally {
      this.busy = false;
      this.s.quietFrames = 0;
    }
  }

  private writeRegister(offset: number, v: number): void {
    const s = this.s;
    const port = (offset - REG.RhPortStatus) >>> 2;
    if (offset >= REG.RhPortStatus && port < NUM_PORTS) {
      this.hub.writePort(port, v, this.clock.ticks());
      return;
    }
    const pointer = (mask: number, flag: number): number => {
      s.misaligned = v & mask ? s.misaligned | flag : s.misaligned & ~flag;
      return (v & ~mask) >>> 0;
    };
    switch (offset) {
      case REG.Control: this.setControl(v); return;
      case REG.CommandStatus:
        if (v & CS_HCR) { this.softwareReset(); return; }
        s.cmdStatus |= v & (CS_CLF | CS_BLF);
        if (v & CS_OCR) {
          // No SMM driver on this board: ownership passes at once (IR cleared), OC reported.
          s.control &= ~CTL_IR;
          this.setInterrupt(INT_OC);
        }
        return;
      case REG.InterruptStatus: s.intrStatus = (s.intrStatus & ~(v & INT_STATUS_MASK)) >>> 0; this.updateIrq(); return;
      case REG.InterruptEnable: s.intrEnable = (s.intrEnable | (v & INT_ENABLE_MASK)) >>> 0; this.updateIrq(); return;
      case REG.InterruptDisable: s.intrEnable = (s.intrEnable & ~v) >>> 0; this.updateIrq(); return;
      case REG.HCCA: s.hcca = pointer(0xff, MISALIGNED_HCCA); return;
      case REG.ControlHeadED: s.ctrlHead = pointer(0xf, MISALIGNED_CTRL_HEAD); return;
      case REG.ControlCurrentED: s.ctrlCur = (v & ~0xf) >>> 0; return;
      case REG.BulkHeadED: s.bulkHead = pointer(0xf, MISALIGNED_BULK_HEAD); return;
      case REG.BulkCurrentED: s.bulkCur = (v & ~0xf) >>> 0; return;
      case REG.FmInterval:
        s.fi = v & FI_MASK;
        s.fsmps = (v >>> FSMPS_SHIFT) & FSMPS_MASK;
        s.fit = v >>> 31;
        return;
      case REG.PeriodicStart: s.periodicStart = v & 0x3fff; return;
      case REG.LSThreshold: s.lsThreshold = v & 0xfff; return;
      case REG.RhDescriptorA: this.hub.writeDescA(v); return;
      case REG.RhDescriptorB: this.hub.writeDescB(v); return;
      case REG.RhStatus: this.hub.writeStatus(v); return;
      default: return; // read-only or unimplemented
    }
  }

  /** HcControl write: a change of HostControllerFunctionalState starts or stops frames (7.1.2). */
  private setControl(v: number): void {
    const s = this.s;
    const old = s.control & CTL_HCFS;
    const routing = s.control & CTL_IR;
    s.control = v & CTL_MASK;
    const now = s.control & CTL_HCFS;
    if (old !== now) {
      if (now === HCFS_OPERATIONAL && !s.dead) {
        s.sofTime = this.clock.ticks();
        s.frameDeadline = s.sofTime + FRAME_TICKS;
        this.setInterrupt(INT_SF);
      } else if (now !== HCFS_OPERATIONAL) {
        s.frameDeadline = Infinity;
      }
      if (now === HCFS_RESET) {
        // UsbReset: the bus is reset; nothing is in flight any more; UnrecoverableError is over.
        this.cancelAll();
        this.hub.busReset();
        s.dead = false;
      }
    }
    if ((s.control & CTL_IR) !== routing) this.updateIrq();
  }

  /**
   * HostControllerReset (7.1.3 HCR): operational registers to their reset values, except
   * HcControl.IR and RWC; the controller is left in UsbSuspend. The root hub is not reset.
   */
  private softwareReset(): void {
    const s = this.s;
    this.cancelAll();
    s.control = (s.control & (CTL_IR | CTL_RWC)) | HCFS_SUSPEND;
    s.cmdStatus = 0;
    s.intrStatus = 0;
    s.intrEnable = 0;
    s.hcca = 0;
    s.periodCur = s.ctrlHead = s.ctrlCur = s.bulkHead = s.bulkCur = s.doneHead = 0;
    s.doneCount = 7;
    s.fi = FI_DEFAULT;
    s.fsmps = FSMPS_DEFAULT;
    s.fit = 0;
    s.frt = 0;
    s.frameNumber = 0;
    s.periodicStart = 0;
    s.lsThreshold = LST_DEFAULT;
    s.frameDeadline = Infinity;
    s.dead = false;
    s.misaligned = 0;
    this.updateIrq();
  }

  // ---- state -----------------------------------------------------------------------------------

  saveState(w: StateWriter): void {
    saveOhciState(this.s, w);
  }

  loadState(r: StateReader, version: number): void {
    loadOhciState(this.s, r, version, this.stateName);
  }
}
