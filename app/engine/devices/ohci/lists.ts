// One frame of list processing (OHCI 1.0a §6.4 "List Service Flow", §5.2.8 ED/TD lists).
//
// Order, as QEMU's ohci_frame_boundary does it (all of a frame's work at its boundary):
//   1. the periodic list: the interrupt table entry HccaInterruptTable[FrameNumber % 32] (6.4.1);
//      an isochronous ED with HcControl.IE clear ends the periodic list for this frame (7.1.2);
//   2. the control and bulk lists, interleaved CBSR+1 control EDs to 1 bulk ED (7.1.2), each list
//      walked once when its CLE/BLE and CLF/BLF are set; a pass that finds no TD clears CLF/BLF
//      (7.1.3), and leaves HcControlCurrentED/HcBulkCurrentED at 0;
//   3. transfers in flight whose ED is gone (unlinked, skipped, halted, its list disabled) are
//      cancelled.
// Bandwidth is unlimited: every ED of a list is serviced in every frame it is walked, so
// SchedulingOverrun never happens and HcPeriodicStart/HcLSThreshold have no effect.
//
// Per ED visit: if a transfer is in flight for it, wait (no result yet) or retire its TDs from
// the result; then start the TD at HeadP, if any: hand it to the host (one request per TD, or one
// per control transfer, gathered from its SETUP TD) or, when no device can answer, retire it here.
// So each ED moves at most one transfer per frame.
//
// Bounds: at most MAX_EDS_PER_FRAME ED visits per frame and MAX_TDS_PER_ED TDs per queue (the
// queue HeadP..TailP is checked before its first TD starts), MAX_TDS_PER_FRAME TD visits in all;
// beyond them, and for any pointer outside RAM or misaligned, OhciFault → UnrecoverableError.

import {
  DIR_IN, DIR_OUT, DIR_SETUP, GuestMemory, OhciFault, edD, edEn, edFa, edHalted, edHeadTd, edIso, edLowSpeed, edSkip,
  hex, tdDp, tdLength, type Ed, type Td,
} from './descriptors.js';
import {
  CC, CS_BLF, CS_CLF, CTL_BLE, CTL_CBSR, CTL_CLE, CTL_IE, CTL_PLE, MAX_EDS_PER_FRAME, MAX_TDS_PER_ED, MAX_TDS_PER_FRAME,
} from './regs.js';
import { completeControl, completeSimple, retireLocal, type ControlTds, type RetireContext } from './retire.js';
import {
  LIST_NAMES, ListKind, MISALIGNED_BULK_HEAD, MISALIGNED_CTRL_HEAD, type InFlight, type OhciState,
} from './state.js';
import { parseSetupBytes, type UsbPortSpeed, type UsbSetup, type UsbTransferRequest } from './usb-types.js';

/** What list processing needs from the controller. */
export interface ListHost extends RetireContext {
  readonly s: OhciState;
  readonly mem: GuestMemory;
  /** The root port index (0-based) whose device answers to `address`, or -1. */
  findDevice(address: number): number;
  portSpeed(index: number): UsbPortSpeed | null;
  /** Records a new transfer in flight and hands it to the host. */
  issue(list: ListKind, ed: number, tds: readonly number[], request: Omit<UsbTransferRequest, 'id'>): void;
  /** Drops a transfer in flight (telling the host, if it has not answered yet). */
  cancel(t: InFlight): void;
}

export class ListProcessor {
  private edBudget = 0;
  private tdBudget = 0;
  /** EDs visited this frame (not skipped or halted). */
  private readonly seen = new Set<number>();
  private found = false;

  constructor(private readonly host: ListHost) {}

  /** Services the lists for the current frame. Throws OhciFault for a list it cannot walk. */
  runFrame(): void {
    const s = this.host.s;
    this.edBudget = MAX_EDS_PER_FRAME;
    this.tdBudget = MAX_TDS_PER_FRAME;
    this.seen.clear();
    if (s.control & CTL_PLE) {
      const head = this.host.mem.read32(s.hcca + 4 * (s.frameNumber & 31), 'HCCA interrupt table entry');
      this.walkPeriodic(head);
    }
    const ctrlPass = (s.control & CTL_CLE) !== 0 && (s.cmdStatus & CS_CLF) !== 0;
    const bulkPass = (s.control & CTL_BLE) !== 0 && (s.cmdStatus & CS_BLF) !== 0;
    if (ctrlPass && s.misaligned & MISALIGNED_CTRL_HEAD) throw new OhciFault(`HcControlHeadED was written with a pointer that is not 16-byte aligned`);
    if (bulkPass && s.misaligned & MISALIGNED_BULK_HEAD) throw new OhciFault(`HcBulkHeadED was written with a pointer that is not 16-byte aligned`);
    this.walkAsync(ctrlPass, bulkPass);
    this.cancelLost(ctrlPass, bulkPass);
  }

  private visitBudget(list: ListKind, head: number, addr: number): void {
    if (--this.edBudget < 0) {
      throw new OhciFault(`more than ${MAX_EDS_PER_FRAME} EDs in one frame: the ${LIST_NAMES[list]} list from ${hex(head)} loops (at ED ${hex(addr)})`);
    }
  }

  private walkPeriodic(head: number): void {
    const s = this.host.s;
    for (let addr = head; addr !== 0;) {
      this.visitBudget(ListKind.Periodic, head, addr);
      const ed = this.host.mem.ed(addr, 'periodic');
      if (edIso(ed) && !(s.control & CTL_IE)) break;
      s.periodCur = addr;
      this.serviceEd(ListKind.Periodic, ed);
      addr = ed.nextED;
    }
    s.periodCur = 0;
  }

  private walkAsync(ctrlPass: boolean, bulkPass: boolean): void {
    const s = this.host.s;
    const ratio = (s.control & CTL_CBSR) + 1;
    let c = ctrlPass ? s.ctrlHead : 0;
    let b = bulkPass ? s.bulkHead : 0;
    let foundCtrl = false;
    let foundBulk = false;
    while (c !== 0 || b !== 0) {
      for (let k = 0; k < ratio && c !== 0; k++) {
        this.visitBudget(ListKind.Control, s.ctrlHead, c);
        const ed = this.host.mem.ed(c, 'control');
        s.ctrlCur = c;
        this.found = false;
        this.serviceEd(ListKind.Control, ed);
        foundCtrl ||= this.found;
        c = ed.nextED;
      }
      if (b !== 0) {
        this.visitBudget(ListKind.Bulk, s.bulkHead, b);
        const ed = this.host.mem.ed(b, 'bulk');
        s.bulkCur = b;
        this.found = false;
        this.serviceEd(ListKind.Bulk, ed);
        foundBulk ||= this.found;
        b = ed.nextED;
      }
    }
    if (ctrlPass) {
      s.ctrlCur = 0;
      if (!foundCtrl) { s.cmdStatus &= ~CS_CLF; this.host.activity(); }
    }
    if (bulkPass) {
      s.bulkCur = 0;
      if (!foundBulk) { s.cmdStatus &= ~CS_BLF; this.host.activity(); }
    }
  }

  private inflightFor(ed: number): InFlight | undefined {
    return this.host.s.inflight.find((t) => t.ed === ed);
  }

  private serviceEd(list: ListKind, ed: Ed): void {
    const host = this.host;
    let t = this.inflightFor(ed.addr);
    if (edHalted(ed) || edSkip(ed)) {
      if (t) host.cancel(t);
      return;
    }
    this.seen.add(ed.addr);
    if (edHeadTd(ed) === ed.tailP) {
      if (t) host.cancel(t);
      return;
    }
    this.found = true;
    const before = ed.headP;
    if (t && t.tds[0] !== edHeadTd(ed)) {
      // The driver changed the queue under a transfer without skipping the ED first.
      host.cancel(t);
      t = undefined;
    }
    if (t) {
      if (!t.result) return; // still with the device
      this.retireInFlight(t, ed);
    }
    if (!edHalted(ed) && edHeadTd(ed) !== ed.tailP) this.startHead(list, ed);
    if (ed.headP !== before) {
      host.mem.writeEdHead(ed);
      host.activity();
    }
  }

  private retireInFlight(t: InFlight, ed: Ed): void {
    const host = this.host;
    const result = t.result!;
    host.s.inflight.splice(host.s.inflight.indexOf(t), 1);
    host.activity();
    const tds = t.tds.map((a) => host.mem.td(a, ed));
    const setup = t.request.setup;
    if (t.list === ListKind.Control && setup) {
      completeControl(host, ed, this.controlParts(ed, tds, setup), setup, result);
      // Addresses are virtual: the device answers to the address the guest gave it (USB 2.0 9.4.6).
      const port = host.s.ports[t.request.port - 1];
      if (setup.bmRequestType === 0 && setup.bRequest === 5 && result.status === 'ok' && port?.speed && port.resetAt === Infinity) port.address = setup.wValue & 0x7f;
    } else {
      completeSimple(host, ed, tds[0]!, t.request.dirIn, result);
    }
  }

  /**
   * Splits a control transfer's TDs into SETUP, data (the TDs after it in the data stage's
   * direction, when wLength > 0) and status (the next TD, if it goes the other way: IN after an OUT
   * or no data stage, OUT after IN). `more` says whether a TD follows the data stage at all.
   */
  private controlParts(ed: Ed, tds: readonly Td[], setup: UsbSetup): ControlTds & { more: boolean } {
    const dataIn = (setup.bmRequestType & 0x80) !== 0;
    const dataDir = dataIn ? DIR_IN : DIR_OUT;
    let n = 1;
    if (setup.wLength > 0) while (n < tds.length && this.tdDir(ed, tds[n]!) === dataDir) n++;
    const statusDir = setup.wLength > 0 && dataIn ? DIR_OUT : DIR_IN;
    const status = n < tds.length && this.tdDir(ed, tds[n]!) === statusDir ? tds[n]! : null;
    return { setup: tds[0]!, data: tds.slice(1, n), status, more: n < tds.length };
  }

  private tdDir(ed: Ed, td: Td): number {
    const d = edD(ed);
    return d === DIR_OUT || d === DIR_IN ? d : tdDp(td);
  }

  /** Checks that HeadP..TailP is a bounded chain of TDs in RAM, before its first TD moves. */
  private checkQueue(ed: Ed): void {
    let n = 0;
    for (let a = edHeadTd(ed); a !== ed.tailP;) {
      if (++n > MAX_TDS_PER_ED) {
        throw new OhciFault(`ED at ${hex(ed.addr)}: more than ${MAX_TDS_PER_ED} TDs between HeadP and TailP ${hex(ed.tailP)} (a cycle in the TD list?)`);
      }
      if (--this.tdBudget < 0) throw new OhciFault(`more than ${MAX_TDS_PER_FRAME} TDs visited in one frame (at ED ${hex(ed.addr)})`);
      a = this.host.mem.td(a, ed, edIso(ed)).next;
    }
  }

  private startHead(list: ListKind, ed: Ed): void {
    const host = this.host;
    this.checkQueue(ed);
    if (edIso(ed)) {
      // Isochronous transfers are not supported: each isochronous TD is retired with the memory
      // error codes (BufferOverrun for IN, BufferUnderrun for OUT); isochronous EDs never halt.
      const td = host.mem.td(edHeadTd(ed), ed, true);
      retireLocal(host, ed, td, edD(ed) === DIR_IN ? CC.BufferOverrun : CC.BufferUnderrun, false);
      return;
    }
    const td = host.mem.td(edHeadTd(ed), ed);
    const dir = this.tdDir(ed, td);
    const port = host.findDevice(edFa(ed));
    // No enabled device at that address, or the wrong speed on the wire: nobody answers.
    if (port < 0 || (host.portSpeed(port) === 'low') !== edLowSpeed(ed)) {
      retireLocal(host, ed, td, CC.DeviceNotResponding);
      return;
    }
    if (list === ListKind.Control) {
      if (dir !== DIR_SETUP) retireLocal(host, ed, td, CC.Stall); // a data/status stage without its SETUP
      else this.startControl(ed, td, port);
      return;
    }
    if (dir !== DIR_OUT && dir !== DIR_IN) {
      retireLocal(host, ed, td, CC.UnexpectedPID); // SETUP (or the reserved code) on a bulk/interrupt pipe
      return;
    }
    const len = tdLength(td);
    host.issue(list, ed.addr, [td.addr], {
      port: port + 1, address: edFa(ed), endpoint: edEn(ed), kind: list === ListKind.Periodic ? 'interrupt' : 'bulk',
      dirIn: dir === DIR_IN, data: dir === DIR_OUT ? host.mem.readBuffer(td, len) : new Uint8Array(0), length: len,
    });
  }

  /**
   * Gathers a control transfer from its SETUP TD: the SETUP packet, the data stage's TDs (those
   * after it in the data direction) and the status TD, and issues it as one request. Waits (does
   * nothing this frame) while the queue ends before the status stage.
   */
  private startControl(ed: Ed, setupTd: Td, port: number): void {
    const host = this.host;
    if (tdLength(setupTd) !== 8) {
      // A SETUP packet is 8 bytes; a device does not acknowledge anything else.
      retireLocal(host, ed, setupTd, CC.DeviceNotResponding);
      return;
    }
    const setup = parseSetupBytes(host.mem.readBuffer(setupTd, 8));
    const tds: Td[] = [setupTd];
    let a = setupTd.next;
    while (a !== ed.tailP && tds.length <= MAX_TDS_PER_ED) {
      const td = host.mem.td(a, ed);
      tds.push(td);
      a = td.next;
    }
    const parts = this.controlParts(ed, tds, setup);
    if (!parts.more) return; // the status stage is not queued yet
    const used = [parts.setup, ...parts.data, ...(parts.status ? [parts.status] : [])];
    const dirIn = (setup.bmRequestType & 0x80) !== 0;
    let data = new Uint8Array(0);
    let length: number;
    if (dirIn) {
      length = Math.min(setup.wLength, parts.data.reduce((sum, td) => sum + tdLength(td), 0));
    } else {
      const chunks = parts.data.map((td) => host.mem.readBuffer(td, tdLength(td)));
      length = chunks.reduce((sum, c) => sum + c.length, 0);
      data = new Uint8Array(length);
      let off = 0;
      for (const c of chunks) { data.set(c, off); off += c.length; }
    }
    host.issue(ListKind.Control, ed.addr, used.map((td) => td.addr), {
      port: port + 1, address: edFa(ed), endpoint: edEn(ed), kind: 'control', dirIn, setup, data, length,
    });
  }

  /**
   * Cancels transfers whose ED the driver took away: its list disabled, or the ED no longer
   * reachable (or skipped/halted) from its list. Control and bulk lists were walked whole this
   * frame; the periodic tree is checked from all 32 interrupt table entries.
   */
  private cancelLost(ctrlPass: boolean, bulkPass: boolean): void {
    const s = this.host.s;
    let periodicLive: Set<number> | null = null;
    for (const t of [...s.inflight]) {
      if (this.seen.has(t.ed)) continue;
      if (t.list === ListKind.Control && ctrlPass) { this.host.cancel(t); continue; }
      if (t.list === ListKind.Bulk && bulkPass) { this.host.cancel(t); continue; }
      if (t.list !== ListKind.Periodic || !(s.control & CTL_PLE)) { this.host.cancel(t); continue; }
      periodicLive ??= this.livePeriodicEds();
      if (!periodicLive.has(t.ed)) this.host.cancel(t);
    }
  }

  /** EDs reachable from the whole interrupt table and not skipped or halted (read-only). */
  private livePeriodicEds(): Set<number> {
    const s = this.host.s;
    const live = new Set<number>();
    const visited = new Set<number>();
    for (let i = 0; i < 32; i++) {
      let addr = this.host.mem.read32(s.hcca + 4 * i, 'HCCA interrupt table entry');
      while (addr !== 0 && !visited.has(addr) && visited.size < MAX_EDS_PER_FRAME) {
        visited.add(addr);
        let ed: Ed;
        try {
          ed = this.host.mem.ed(addr, 'periodic');
        } catch (e) {
          // A bad pointer in a branch not walked this frame: the frame that walks it reports it.
          if (e instanceof OhciFault) break;
          throw e;
        }
        if (edIso(ed) && !(s.control & CTL_IE)) break;
        if (!edHalted(ed) && !edSkip(ed)) live.add(addr);
        addr = ed.nextED;
      }
    }
    return live;
  }
}
