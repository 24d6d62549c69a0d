// Checks of the usbTransfers / usbTransfer params (JSON from another process: a wrong type is a
// clear 'bad-request' naming the field).

import type { UsbTransferFilter, UsbTransferStatus } from '../protocol/usb-dto.js';
import { SessionError } from './errors.js';
import { int, MAX_ICOUNT, obj, optInt } from './params.js';
import { USB_STATUSES } from './usb-transfer-index.js';
import {
  DEFAULT_PAGE_DATA_BYTES, DEFAULT_TRANSFER_DATA_BYTES, MAX_PAGE_DATA_BYTES, MAX_TRANSFER_DATA_BYTES, MAX_USB_PAGE, type UsbPageRequest,
} from './usb-transfers.js';

export function usbPageRequest(p: Record<string, unknown>): UsbPageRequest {
  const at = optInt(p, 'at', 0, MAX_ICOUNT);
  const locate = optInt(p, 'locate', 0, MAX_ICOUNT);
  return {
    filter: usbFilter(p.filter),
    start: optInt(p, 'start', 0, MAX_ICOUNT) ?? 0,
    limit: int(p, 'limit', 0, MAX_USB_PAGE),
    ...(at !== undefined ? { at } : {}),
    ...(locate !== undefined ? { locate } : {}),
    dataBytes: optInt(p, 'dataBytes', 0, MAX_PAGE_DATA_BYTES) ?? DEFAULT_PAGE_DATA_BYTES,
  };
}

export function usbTransferRequest(p: Record<string, unknown>): { number: number; dataBytes: number } {
  return { number: int(p, 'number', 0, MAX_ICOUNT), dataBytes: optInt(p, 'dataBytes', 0, MAX_TRANSFER_DATA_BYTES) ?? DEFAULT_TRANSFER_DATA_BYTES };
}

function usbFilter(v: unknown): UsbTransferFilter {
  if (v === undefined) return {};
  const f = obj(v, 'filter');
  const out: { -readonly [K in keyof UsbTransferFilter]: UsbTransferFilter[K] } = {};
  if (f.endpoint !== undefined) {
    if (typeof f.endpoint !== 'string') throw new SessionError('bad-request', 'filter.endpoint: expected an endpoint key such as "1:1:0x81"');
    out.endpoint = f.endpoint;
  }
  if (f.status !== undefined) {
    const s = f.status;
    if (!Array.isArray(s) || s.some((x) => !USB_STATUSES.includes(x as UsbTransferStatus))) {
      throw new SessionError('bad-request', `filter.status: expected a list of ${USB_STATUSES.join(', ')}`);
    }
    out.status = s as UsbTransferStatus[];
  }
  const from = optInt(f, 'from', 0, MAX_ICOUNT);
  const to = optInt(f, 'to', 0, MAX_ICOUNT);
  if (from !== undefined) out.from = from;
  if (to !== undefined) out.to = to;
  return out;
}
