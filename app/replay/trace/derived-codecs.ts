// Encodings of the derived (deterministic output) events a recording keeps for the timeline.
//
// uart-tx: a chunk of transmitted bytes. icount of the event = icount of the first byte; data =
//   [count u16][bytes...][icount deltas as LEB128 varints, first delta = 0]. A byte's icount is the
//   position just before the instruction that transmitted it: the console at position t shows the
//   bytes with icount < t.
// trap: [mcause u32][tval u32][epc u32][from privilege u8]; interrupts have mcause bit 31 set.

import { TraceFormatError } from './trace.js';

export const DERIVED_UART_TX = 'uart-tx';
export const DERIVED_TRAP = 'trap';

export interface UartTxChunk {
  readonly bytes: Uint8Array;
  readonly icounts: readonly number[];
}

export function encodeUartTx(bytes: readonly number[], icounts: readonly number[]): Uint8Array {
  const out: number[] = [bytes.length & 0xff, bytes.length >>> 8, ...bytes];
  let prev = icounts[0] ?? 0;
  for (const ic of icounts) {
    let d = ic - prev;
    prev = ic;
    do {
      const b = d % 128;
      d = Math.floor(d / 128);
      out.push(d > 0 ? b | 128 : b);
    } while (d > 0);
  }
  return Uint8Array.from(out);
}

export function decodeUartTx(firstIcount: number, data: Uint8Array): UartTxChunk {
  if (data.length < 2) throw new TraceFormatError('uart-tx event is truncated');
  const n = data[0]! | (data[1]! << 8);
  if (data.length < 2 + n) throw new TraceFormatError(`uart-tx event holds ${data.length - 2} bytes, says ${n}`);
  const bytes = data.slice(2, 2 + n);
  const icounts: number[] = [];
  let pos = 2 + n;
  let ic = firstIcount;
  for (let i = 0; i < n; i++) {
    let d = 0, mul = 1, b;
    do {
      if (pos >= data.length) throw new TraceFormatError('uart-tx event: icount deltas are truncated');
      b = data[pos++]!;
      d += (b & 127) * mul;
      mul *= 128;
    } while (b & 128);
    ic += d;
    icounts.push(ic);
  }
  return { bytes, icounts };
}

export interface TrapEvent {
  readonly mcause: number;
  readonly tval: number;
  readonly epc: number;
  readonly fromPriv: number;
}

export function encodeTrap(t: TrapEvent): Uint8Array {
  const d = new Uint8Array(13);
  const v = new DataView(d.buffer);
  v.setUint32(0, t.mcause >>> 0, true);
  v.setUint32(4, t.tval >>> 0, true);
  v.setUint32(8, t.epc >>> 0, true);
  d[12] = t.fromPriv;
  return d;
}

export function decodeTrap(data: Uint8Array): TrapEvent {
  if (data.length !== 13) throw new TraceFormatError(`trap event has ${data.length} bytes, expected 13`);
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  return { mcause: v.getUint32(0, true), tval: v.getUint32(4, true), epc: v.getUint32(8, true), fromPriv: data[12]! };
}

// usb-request: a transfer the guest's driver queued (the answer is the usb-completion input with
// the same id). [id u32][port u8][address u8][endpoint u8][kind u8: 0 control 1 bulk 2 interrupt]
// [dirIn u8][length u32][has setup u8][setup 8 bytes][OUT data length u32][ticks: lo u32, hi u32]
// [OUT data]: a 34-byte header. ticks is the guest time of the request (for export timestamps).
export const DERIVED_USB_REQUEST = 'usb-request';

export interface UsbRequestEvent {
  readonly id: number;
  readonly port: number;
  readonly address: number;
  readonly endpoint: number;
  readonly kind: 'control' | 'bulk' | 'interrupt';
  readonly dirIn: boolean;
  readonly length: number;
  readonly setup?: { bmRequestType: number; bRequest: number; wValue: number; wIndex: number; wLength: number };
  readonly data: Uint8Array;
  /** Guest time (ticks: 1 ns each) when the driver's request left the controller. */
  readonly ticks: number;
}

const USB_KINDS = ['control', 'bulk', 'interrupt'] as const;
const USB_REQUEST_HEADER = 34;

export function encodeUsbRequest(r: UsbRequestEvent): Uint8Array {
  const out = new Uint8Array(USB_REQUEST_HEADER + r.data.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, r.id, true);
  out[4] = r.port; out[5] = r.address; out[6] = r.endpoint; out[7] = USB_KINDS.indexOf(r.kind); out[8] = r.dirIn ? 1 : 0;
  v.setUint32(9, r.length, true);
  if (r.setup) {
    out[13] = 1;
    out.set([r.setup.bmRequestType, r.setup.bRequest, r.setup.wValue & 0xff, r.setup.wValue >> 8,
      r.setup.wIndex & 0xff, r.setup.wIndex >> 8, r.setup.wLength & 0xff, r.setup.wLength >> 8], 14);
  }
  v.setUint32(22, r.data.length, true);
  v.setUint32(26, r.ticks % 0x1_0000_0000, true);
  v.setUint32(30, Math.floor(r.ticks / 0x1_0000_0000), true);
  out.set(r.data, USB_REQUEST_HEADER);
  return out;
}

export function decodeUsbRequest(d: Uint8Array): UsbRequestEvent {
  if (d.length < USB_REQUEST_HEADER) throw new TraceFormatError(`usb-request event has ${d.length} bytes, needs at least ${USB_REQUEST_HEADER}`);
  const v = new DataView(d.buffer, d.byteOffset, d.byteLength);
  const kind = USB_KINDS[d[7]!];
  if (!kind) throw new TraceFormatError(`usb-request event has an unknown transfer kind ${d[7]}`);
  const len = v.getUint32(22, true);
  if (USB_REQUEST_HEADER + len !== d.length) throw new TraceFormatError(`usb-request event says ${len} OUT bytes but holds ${d.length - USB_REQUEST_HEADER}`);
  const setup = d[13] === 1
    ? { bmRequestType: d[14]!, bRequest: d[15]!, wValue: d[16]! | (d[17]! << 8), wIndex: d[18]! | (d[19]! << 8), wLength: d[20]! | (d[21]! << 8) }
    : undefined;
  return {
    id: v.getUint32(0, true), port: d[4]!, address: d[5]!, endpoint: d[6]!, kind, dirIn: d[8] === 1,
    length: v.getUint32(9, true), ...(setup ? { setup } : {}), data: d.slice(USB_REQUEST_HEADER),
    ticks: v.getUint32(30, true) * 0x1_0000_0000 + v.getUint32(26, true),
  };
}

// usb-transfer-end: how a transfer ended, at the icount the guest observed it (the completion
// input with the same id has the IN data). [id u32][status u8][actualLength u32] — the first 9
// bytes of a usb-completion input, so the timeline reads outcomes without decoding inputs.
export const DERIVED_USB_TRANSFER_END = 'usb-transfer-end';
const USB_STATUSES = ['ok', 'stall', 'babble', 'timeout', 'nodev', 'error'] as const;

export function usbTransferEndFromCompletion(completion: Uint8Array): Uint8Array {
  return completion.slice(0, 9);
}

export function decodeUsbTransferEnd(d: Uint8Array): { id: number; status: (typeof USB_STATUSES)[number]; actualLength: number } {
  if (d.length !== 9) throw new TraceFormatError(`usb-transfer-end event has ${d.length} bytes, expected 9`);
  const v = new DataView(d.buffer, d.byteOffset, d.byteLength);
  const status = USB_STATUSES[d[4]!];
  if (!status) throw new TraceFormatError(`usb-transfer-end event has an unknown status ${d[4]}`);
  return { id: v.getUint32(0, true), status, actualLength: v.getUint32(5, true) };
}
