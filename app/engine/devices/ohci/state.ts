// The OHCI controller's complete state, and its explicit, versioned save/load (DESIGN.md §6).
// Everything that decides what the controller does next is here, including transfers in flight
// (request and, once the host answered, its result), so a snapshot taken mid-transfer restores
// exactly. Loading only restores fields: no interrupts are driven, no host hooks are called.
//
// Layout, version 1 (StateWriter: little-endian, explicit lengths):
//   registers: control, cmdStatus, intrStatus, intrEnable, hcca, periodCur, ctrlHead, ctrlCur,
//     bulkHead, bulkCur, doneHead (u32 each), doneCount (u8), fi, fsmps (u16), fit, frt (u8),
//     frameNumber (u16), periodicStart, lsThreshold (u16), rhDescA, rhDescB, rhStatus (u32)
//   timing: sofTime (f64), frameDeadline (f64), quietFrames (u32), quietIcount (f64)
//   diagnosis: dead (bool), ueReason (str), misaligned (u8)
//   ports: count (u8), then per port: ctrl (u32), speed (u8: 0 none, 1 low, 2 full),
//     address (i32, -1 = none), resetAt (f64), resumeAt (f64)
//   transfers: nextId (u32), count (u32), then per transfer (ascending id):
//     id (u32), list (u8), ed (u32), tds (u32 count + u32s), port, address, endpoint (u8),
//     kind (u8), dirIn (bool), setup (bool + 8 bytes), data (bytes), length (u32),
//     result (bool; status u8, data bytes, actualLength u32)

import { StateFormatError, type StateReader, type StateWriter } from '../../machine/state-codec.js';
import {
  FI_DEFAULT, FSMPS_DEFAULT, LST_DEFAULT, NUM_PORTS, RHA_DEFAULT, RHB_DEFAULT,
} from './regs.js';
import {
  RESULT_STATUSES, parseSetupBytes, setupBytes, type UsbPortSpeed, type UsbRequestKind, type UsbTransferRequest,
  type UsbTransferResult,
} from './usb-types.js';

export const OHCI_STATE_VERSION = 1;

/** Which list an ED was found on. */
export const ListKind = { Periodic: 0, Control: 1, Bulk: 2 } as const;
export type ListKind = (typeof ListKind)[keyof typeof ListKind];
export const LIST_NAMES = ['periodic', 'control', 'bulk'] as const;

export interface PortState {
  /** HcRhPortStatus bits as stored (PPS is forced to read 1 when NPS is set). */
  ctrl: number;
  /** The device the host attached, or null. */
  speed: UsbPortSpeed | null;
  /** The device's guest-visible address: 0 after attach/reset, set by a successful SET_ADDRESS; -1 none. */
  address: number;
  /** Tick at which port reset signalling ends (Infinity: not resetting). */
  resetAt: number;
  /** Tick at which resume signalling ends (Infinity: not resuming). */
  resumeAt: number;
}

/** A transfer handed to the host (or answered by it and not yet retired). */
export interface InFlight {
  readonly id: number;
  readonly list: ListKind;
  /** The ED it belongs to. */
  readonly ed: number;
  /** TDs it covers, in queue order: one for bulk/interrupt; SETUP, data..., status for control. */
  readonly tds: readonly number[];
  readonly request: UsbTransferRequest;
  /** The host's answer, kept until the next frame retires the TDs. */
  result: UsbTransferResult | null;
}

export class OhciState {
  control = 0;
  cmdStatus = 0;
  intrStatus = 0;
  intrEnable = 0;
  hcca = 0;
  periodCur = 0;
  ctrlHead = 0;
  ctrlCur = 0;
  bulkHead = 0;
  bulkCur = 0;
  doneHead = 0;
  /** The done queue's interrupt delay counter (7 = no interrupt requested). */
  doneCount = 7;
  fi = FI_DEFAULT;
  fsmps = FSMPS_DEFAULT;
  fit = 0;
  frt = 0;
  frameNumber = 0;
  periodicStart = 0;
  lsThreshold = LST_DEFAULT;
  rhDescA = RHA_DEFAULT;
  rhDescB = RHB_DEFAULT;
  rhStatus = 0;
  /** Tick at which the current frame started (meaningful while operational). */
  sofTime = 0;
  /** Tick of the next frame boundary (Infinity unless operational). */
  frameDeadline = Infinity;
  /**
   * Consecutive frames that changed nothing but the frame counters, with no instruction retired
   * between them (see QUIET_FRAMES): only then have they all seen the RAM the guest left.
   */
  quietFrames = 0;
  /** The icount at the last frame boundary (quietFrames counts only while it stays the same). */
  quietIcount = 0;
  /** UnrecoverableError stopped the controller; only a reset restarts it. */
  dead = false;
  /** What caused the last UnrecoverableError, for the UI ('' = none). */
  ueReason = '';
  /** Pointer registers last written with reserved low bits set (MISALIGNED_*): reported as UE when used. */
  misaligned = 0;
  ports: PortState[] = [];
  nextId = 1;
  /** Transfers in flight, ascending id. */
  inflight: InFlight[] = [];

  constructor() {
    for (let i = 0; i < NUM_PORTS; i++) this.ports.push({ ctrl: 0, speed: null, address: -1, resetAt: Infinity, resumeAt: Infinity });
  }
}

export const MISALIGNED_HCCA = 1;
export const MISALIGNED_CTRL_HEAD = 2;
export const MISALIGNED_BULK_HEAD = 4;

const KINDS: readonly UsbRequestKind[] = ['control', 'bulk', 'interrupt'];
const SPEEDS: readonly (UsbPortSpeed | null)[] = [null, 'low', 'full'];

export function saveOhciState(s: OhciState, w: StateWriter): void {
  for (const v of [s.control, s.cmdStatus, s.intrStatus, s.intrEnable, s.hcca, s.periodCur, s.ctrlHead, s.ctrlCur,
    s.bulkHead, s.bulkCur, s.doneHead]) w.u32(v);
  w.u8(s.doneCount).u16(s.fi).u16(s.fsmps).u8(s.fit).u8(s.frt).u16(s.frameNumber).u16(s.periodicStart).u16(s.lsThreshold);
  w.u32(s.rhDescA).u32(s.rhDescB).u32(s.rhStatus);
  w.f64(s.sofTime).f64(s.frameDeadline).u32(s.quietFrames).f64(s.quietIcount);
  w.bool(s.dead).str(s.ueReason).u8(s.misaligned);
  w.u8(s.ports.length);
  for (const p of s.ports) w.u32(p.ctrl).u8(SPEEDS.indexOf(p.speed)).i32(p.address).f64(p.resetAt).f64(p.resumeAt);
  w.u32(s.nextId).u32(s.inflight.length);
  for (const t of s.inflight) {
    const q = t.request;
    w.u32(t.id).u8(t.list).u32(t.ed).u32(t.tds.length);
    for (const td of t.tds) w.u32(td);
    w.u8(q.port).u8(q.address).u8(q.endpoint).u8(KINDS.indexOf(q.kind)).bool(q.dirIn);
    w.bool(q.setup !== undefined);
    if (q.setup) w.bytes(setupBytes(q.setup));
    w.bytes(q.data).u32(q.length);
    w.bool(t.result !== null);
    if (t.result) w.u8(RESULT_STATUSES.indexOf(t.result.status)).bytes(t.result.data).u32(t.result.actualLength);
  }
}

export function loadOhciState(s: OhciState, r: StateReader, version: number, what: string): void {
  if (version !== OHCI_STATE_VERSION) {
    throw new StateFormatError(`${what}: cannot read state version ${version} (this build reads ${OHCI_STATE_VERSION})`);
  }
  s.control = r.u32(); s.cmdStatus = r.u32(); s.intrStatus = r.u32(); s.intrEnable = r.u32(); s.hcca = r.u32();
  s.periodCur = r.u32(); s.ctrlHead = r.u32(); s.ctrlCur = r.u32(); s.bulkHead = r.u32(); s.bulkCur = r.u32();
  s.doneHead = r.u32();
  s.doneCount = r.u8(); s.fi = r.u16(); s.fsmps = r.u16(); s.fit = r.u8(); s.frt = r.u8(); s.frameNumber = r.u16();
  s.periodicStart = r.u16(); s.lsThreshold = r.u16();
  s.rhDescA = r.u32(); s.rhDescB = r.u32(); s.rhStatus = r.u32();
  s.sofTime = r.f64(); s.frameDeadline = r.f64(); s.quietFrames = r.u32(); s.quietIcount = r.f64();
  s.dead = r.bool(); s.ueReason = r.str(); s.misaligned = r.u8();
  const nPorts = r.u8();
  if (nPorts !== s.ports.length) throw new StateFormatError(`${what}: state has ${nPorts} root hub ports, this controller has ${s.ports.length}`);
  for (const p of s.ports) {
    p.ctrl = r.u32();
    const sp = r.u8();
    if (sp >= SPEEDS.length) throw new StateFormatError(`${what}: port speed code ${sp} is unknown`);
    p.speed = SPEEDS[sp]!;
    p.address = r.i32();
    p.resetAt = r.f64();
    p.resumeAt = r.f64();
  }
  s.nextId = r.u32();
  const n = r.u32();
  const list: InFlight[] = [];
  for (let i = 0; i < n; i++) {
    const id = r.u32();
    const kindList = r.u8();
    if (kindList > ListKind.Bulk) throw new StateFormatError(`${what}: transfer ${id} has list code ${kindList}`);
    const ed = r.u32();
    const nTds = r.u32();
    if (nTds > r.remaining / 4) throw new StateFormatError(`${what}: transfer ${id} claims ${nTds} TDs`);
    const tds: number[] = [];
    for (let k = 0; k < nTds; k++) tds.push(r.u32());
    const port = r.u8(); const address = r.u8(); const endpoint = r.u8(); const kindCode = r.u8(); const dirIn = r.bool();
    if (kindCode >= KINDS.length) throw new StateFormatError(`${what}: transfer ${id} has kind code ${kindCode}`);
    const setup = r.bool() ? parseSetupBytes(r.bytes()) : undefined;
    const data = r.bytes();
    const length = r.u32();
    const request: UsbTransferRequest = {
      id, port, address, endpoint, kind: KINDS[kindCode]!, dirIn, ...(setup ? { setup } : {}), data, length,
    };
    let result: UsbTransferResult | null = null;
    if (r.bool()) {
      const st = r.u8();
      if (st >= RESULT_STATUSES.length) throw new StateFormatError(`${what}: transfer ${id} has status code ${st}`);
      result = { status: RESULT_STATUSES[st]!, data: r.bytes(), actualLength: r.u32() };
    }
    list.push({ id, list: kindList as ListKind, ed, tds, request, result });
  }
  s.inflight = list;
}
