// Retiring general TDs (OHCI 1.0a §4.3.1.3, §6.4.4 "Done queue"): condition code, CBP, data toggle,
// ErrorCount, the done queue and its interrupt delay, and halting the ED on error (4.2.2 H).
//
// A transfer's result comes from the host (a UsbTransferResult) or from the controller itself
// when no device can answer. Mapping of result status to condition code:
//   ok      NoError; an IN that filled less than the TD: NoError with R (bufferRounding) set,
//           DataUnderrun without; more IN data than the TD holds: DataOverrun
//   stall   Stall               babble  DataOverrun
//   timeout DeviceNotResponding nodev   DeviceNotResponding
//   error   UnexpectedPID (what QEMU reports for an unclassified device error)
// CRC, BitStuffing, DataToggleMismatch and PIDCheckFailure are wire errors the host's USB stack
// retries and hides from us; BufferOverrun/BufferUnderrun (memory too slow) cannot happen here,
// except that isochronous TDs, which this controller does not support, are retired with them.
//
// Control transfers are issued whole (SETUP, data, status: one request). Their result is spread
// back over the TDs in order: SETUP NoError (or DeviceNotResponding when the device never answered),
// the data stage's bytes over the data TDs, then the status TD; the first TD that cannot complete
// gets the error and halts the ED, and the TDs after it stay queued for the driver to clean up.

import {
  advanceCbp, edCarry, edHalted, edMps, packetCount, startToggle, tdDi, tdLength, tdRounding, tdWithStatus,
  type Ed, type GuestMemory, type Td,
} from './descriptors.js';
import { CC, isCountedError } from './regs.js';
import type { OhciState } from './state.js';
import type { UsbResultStatus, UsbSetup, UsbTransferResult } from './usb-types.js';

export interface RetireContext {
  readonly s: OhciState;
  readonly mem: GuestMemory;
  /** Something guest-visible changed this frame. */
  activity(): void;
}

export function errorCode(status: UsbResultStatus): number {
  switch (status) {
    case 'ok': return CC.NoError;
    case 'stall': return CC.Stall;
    case 'babble': return CC.DataOverrun;
    case 'timeout':
    case 'nodev': return CC.DeviceNotResponding;
    case 'error': return CC.UnexpectedPID;
  }
}

/**
 * Retires one TD: writes CC (and EC, T on success), CBP and NextTD (= the old done head), links it
 * at the head of the done queue, lowers the delay counter to its DI, and advances the ED's HeadP
 * past it (setting toggleCarry on success and Halted on error when `halt`).
 */
export function retireTd(ctx: RetireContext, ed: Ed, td: Td, cc: number, cbp: number, toggleAfter: number | null, halt: boolean): void {
  const s = ctx.s;
  const next = td.next;
  const ok = cc === CC.NoError;
  tdWithStatus(td, cc, isCountedError(cc) ? 3 : ok ? 0 : null, ok ? toggleAfter : null);
  td.cbp = cbp >>> 0;
  td.next = s.doneHead;
  s.doneHead = td.addr >>> 0;
  const di = tdDi(td);
  if (di < s.doneCount) s.doneCount = di;
  ctx.mem.writeTd(td);
  const carry = (ok || cc === CC.DataUnderrun) && toggleAfter !== null ? toggleAfter : edCarry(ed);
  const halted = edHalted(ed) || (halt && !ok);
  ed.headP = ((next & ~0xf) | (carry << 1) | (halted ? 1 : 0)) >>> 0;
  ctx.activity();
}

/** Retires a TD the controller answers itself (no device, malformed request, isochronous). */
export function retireLocal(ctx: RetireContext, ed: Ed, td: Td, cc: number, halt = true): void {
  retireTd(ctx, ed, td, cc, td.cbp, null, halt);
}

/** The IN bytes of a result: `data`, limited to `actualLength`. */
function inBytes(r: UsbTransferResult): Uint8Array {
  return r.data.subarray(0, Math.max(0, Math.min(r.data.length, r.actualLength)));
}

/** A bulk or interrupt TD (one TD per transfer). */
export function completeSimple(ctx: RetireContext, ed: Ed, td: Td, dirIn: boolean, r: UsbTransferResult): void {
  const len = tdLength(td);
  const mps = edMps(ed);
  const start = startToggle(td, ed);
  if (dirIn) {
    const data = inBytes(r);
    const take = Math.min(data.length, len);
    if (take > 0) ctx.mem.writeBuffer(td, data.subarray(0, take));
    const cbp = advanceCbp(td, take, len);
    const toggle = start ^ (packetCount(take, len, mps) & 1);
    if (r.status !== 'ok') retireTd(ctx, ed, td, errorCode(r.status), cbp, null, true);
    else if (data.length > len) retireTd(ctx, ed, td, CC.DataOverrun, cbp, null, true);
    else if (take === len || tdRounding(td)) retireTd(ctx, ed, td, CC.NoError, cbp, toggle, false);
    else retireTd(ctx, ed, td, CC.DataUnderrun, cbp, toggle, true);
    return;
  }
  if (r.status === 'ok') {
    retireTd(ctx, ed, td, CC.NoError, 0, start ^ (packetCount(len, len, mps) & 1), false);
    return;
  }
  const sent = Math.max(0, Math.min(r.actualLength, len));
  retireTd(ctx, ed, td, errorCode(r.status), advanceCbp(td, sent, len), null, true);
}

/** The parts of a control transfer's TD list, as found when it was issued. */
export interface ControlTds {
  readonly setup: Td;
  readonly data: readonly Td[];
  readonly status: Td | null;
}

/** Spreads a control transfer's result over its SETUP, data and status TDs. */
export function completeControl(ctx: RetireContext, ed: Ed, tds: ControlTds, setup: UsbSetup, r: UsbTransferResult): void {
  const mps = edMps(ed);
  const dirIn = (setup.bmRequestType & 0x80) !== 0;
  const err = r.status === 'ok' ? null : errorCode(r.status);
  const ok = (td: Td, n: number, len: number): void =>
    retireTd(ctx, ed, td, CC.NoError, advanceCbp(td, n, len), startToggle(td, ed) ^ (packetCount(n, len, mps) & 1), false);

  // The device never acknowledged the SETUP packet.
  if ((r.status === 'nodev' || r.status === 'timeout') && r.actualLength <= 0) {
    retireTd(ctx, ed, tds.setup, CC.DeviceNotResponding, tds.setup.cbp, null, true);
    return;
  }
  ok(tds.setup, 8, 8);

  const data = dirIn ? inBytes(r) : null;
  const room = tds.data.reduce((sum, td) => sum + tdLength(td), 0);
  const total = data ? data.length : r.status === 'ok' ? room : Math.max(0, Math.min(r.actualLength, room));
  let pos = 0;
  for (let i = 0; i < tds.data.length; i++) {
    const td = tds.data[i]!;
    const cap = tdLength(td);
    const take = Math.min(total - pos, cap);
    if (data && take > 0) ctx.mem.writeBuffer(td, data.subarray(pos, pos + take));
    pos += take;
    const cbp = advanceCbp(td, take, cap);
    if (take < cap) {
      if (err !== null) return retireTd(ctx, ed, td, err, cbp, null, true);
      if (!tdRounding(td)) {
        return retireTd(ctx, ed, td, CC.DataUnderrun, cbp, startToggle(td, ed) ^ (packetCount(take, cap, mps) & 1), true);
      }
      ok(td, take, cap);
      continue;
    }
    const last = i === tds.data.length - 1;
    if (last && (r.status === 'babble' || pos < total)) return retireTd(ctx, ed, td, CC.DataOverrun, cbp, null, true);
    ok(td, take, cap);
  }

  const st = tds.status;
  if (!st) {
    // No status TD was queued: an error has no stage to land on, so just halt the ED.
    if (err !== null) ed.headP = (ed.headP | 1) >>> 0;
    return;
  }
  const stLen = tdLength(st);
  if (err !== null) retireTd(ctx, ed, st, err, st.cbp, null, true);
  else if (pos < total) retireTd(ctx, ed, st, CC.DataOverrun, st.cbp, null, true);
  else ok(st, stLen, stLen);
}
