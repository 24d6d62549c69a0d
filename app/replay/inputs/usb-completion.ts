// USB transfer completions: how a device answered a transfer the guest's driver queued.
// Keyed by the controller's transfer id (deterministic: the same run issues the same ids), so
// events are tied to a port and endpoint through the request, never to a VID:PID.
//
// Encoding: [id u32][status u8][actualLength u32][OUT data hash u32][IN data length u32][IN data].
// The OUT hash lets a replay check that the guest sent the same bytes the device answered.

import type { Machine } from '../../engine/machine/machine.js';
import { RESULT_STATUSES, type UsbResultStatus } from '../../engine/devices/ohci/usb-types.js';
import { TraceFormatError } from '../trace/trace.js';
import { ReplayDivergenceError } from '../divergence.js';
import type { InputSource } from './input-source.js';

export interface UsbCompletionInput {
  readonly id: number;
  readonly status: UsbResultStatus;
  readonly actualLength: number;
  /** FNV-1a of the request's OUT data, as the recorder saw it. */
  readonly outHash: number;
  readonly data: Uint8Array;
}

/** FNV-1a, 32 bits: a cheap fingerprint of OUT data for divergence checks. */
export function fnv1a(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193);
  return h >>> 0;
}

export const usbCompletion: InputSource<UsbCompletionInput> = {
  kind: 'usb-completion',
  encode(v) {
    const out = new Uint8Array(17 + v.data.length);
    const dv = new DataView(out.buffer);
    dv.setUint32(0, v.id, true);
    out[4] = RESULT_STATUSES.indexOf(v.status);
    dv.setUint32(5, v.actualLength, true);
    dv.setUint32(9, v.outHash, true);
    dv.setUint32(13, v.data.length, true);
    out.set(v.data, 17);
    return out;
  },
  decode(d) {
    if (d.length < 17) throw new TraceFormatError(`usb-completion event has ${d.length} bytes, needs at least 17`);
    const dv = new DataView(d.buffer, d.byteOffset, d.byteLength);
    const status = RESULT_STATUSES[d[4]!];
    if (!status) throw new TraceFormatError(`usb-completion event has an unknown status ${d[4]}`);
    const len = dv.getUint32(13, true);
    if (17 + len !== d.length) throw new TraceFormatError(`usb-completion event says ${len} data bytes but holds ${d.length - 17}`);
    return { id: dv.getUint32(0, true), status, actualLength: dv.getUint32(5, true), outHash: dv.getUint32(9, true), data: d.slice(17) };
  },
  canApply(m, v) {
    return m.usb.pendingTransfers().some((r) => r.id === v.id);
  },
  apply(m: Machine, v) {
    const req = m.usb.pendingTransfers().find((r) => r.id === v.id);
    if (req && fnv1a(req.data) !== v.outHash) {
      throw new ReplayDivergenceError(m.icount, `transfer ${v.id} with OUT data hash ${v.outHash.toString(16)}`,
        `OUT data hash ${fnv1a(req.data).toString(16)} (the guest sent different bytes)`);
    }
    m.usb.completeTransfer(v.id, { status: v.status, data: v.data, actualLength: v.actualLength });
  },
  describe: (v) => `usb-completion of transfer ${v.id}: ${v.status}, ${v.actualLength} bytes`,
};
