// The usbTransfers / usbTransfer services and the timeline's USB lane, over the recording's
// transfer index (usb-transfer-index.ts). The index is built on first use; a page reads the bytes
// of its own transfers only (point queries on the recording), so paging a long recording costs
// the page, not the recording.

import type { Icount } from '../protocol/dto.js';
import type { UsbDataDto, UsbTransferDto, UsbTransferFilter, UsbTransferMarker, UsbTransferPage, UsbTransferStatus } from '../protocol/usb-dto.js';
import type { Timeline } from '../replay/timeline/timeline.js';
import { setupBytes } from '../engine/devices/ohci/usb-types.js';
import { SessionError } from './errors.js';
import { completionData, requestData, USB_STATUSES, UsbTransferIndex } from './usb-transfer-index.js';
import { describeTransfer } from './usb-request-text.js';

export const MAX_USB_PAGE = 500;
export const MAX_PAGE_DATA_BYTES = 256;
export const DEFAULT_PAGE_DATA_BYTES = 32;
export const MAX_TRANSFER_DATA_BYTES = 65536;
export const DEFAULT_TRANSFER_DATA_BYTES = 4096;
/** Filtered row lists kept (a UI switches between a few filters). */
const FILTER_CACHE = 8;

export interface UsbPageRequest {
  readonly filter: UsbTransferFilter;
  readonly start: number;
  readonly limit: number;
  readonly at?: Icount;
  readonly locate?: number;
  readonly dataBytes: number;
}

export class UsbTransfers {
  private built: UsbTransferIndex | null = null;
  /** Rows each filter lets through, by the filter's JSON (null: all rows). */
  private readonly filtered = new Map<string, Int32Array | null>();

  constructor(private readonly timeline: Timeline) {}

  private get index(): UsbTransferIndex {
    if (!this.built) {
      const tl = this.timeline;
      this.built = UsbTransferIndex.build(tl.reader, tl.end, tl.snapshots.map((s) => s.icount), () => pendingAtEnd(tl));
    }
    return this.built;
  }

  page(req: UsbPageRequest): UsbTransferPage {
    const ix = this.index;
    const rows = this.rowsFor(req.filter);
    const total = rows ? rows.length : ix.count;
    const rowAt = (i: number): number => (rows ? rows[i]! : i);
    const start = Math.min(req.start, total);
    const transfers: UsbTransferDto[] = [];
    for (let i = start; i < Math.min(total, start + req.limit); i++) transfers.push(this.dto(rowAt(i), req.dataBytes));
    let at: UsbTransferPage['at'] = null;
    if (req.at !== undefined) {
      // The last row issued at or before `at` (rows are in issue order, so starts ascend).
      const t = req.at;
      let lo = 0, hi = total;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (ix.start[rowAt(mid)]! <= t) lo = mid + 1; else hi = mid;
      }
      if (lo > 0) at = { row: lo - 1, number: rowAt(lo - 1) };
    }
    let located: number | null = null;
    if (req.locate !== undefined) {
      let lo = 0, hi = total;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (rowAt(mid) < req.locate) lo = mid + 1; else hi = mid;
      }
      if (lo < total && rowAt(lo) === req.locate) located = lo;
    }
    return { recorded: ix.count, total, start, transfers, endpoints: ix.endpoints, at, located };
  }

  transfer(number: number, dataBytes: number): UsbTransferDto {
    const ix = this.index;
    if (number >= ix.count) throw new SessionError('bad-request', `number: the recording has ${ix.count} USB transfers (0..${ix.count - 1}), not ${number}`);
    return this.dto(number, dataBytes);
  }

  /** The USB lane: the first `limit` transfers that did not end ok and the first `limit` that did. */
  markers(limit: number): { markers: UsbTransferMarker[]; truncated: boolean } {
    const ix = this.index;
    const markers: UsbTransferMarker[] = [];
    let ok = 0, bad = 0, truncated = false;
    for (let row = 0; row < ix.count; row++) {
      const isOk = ix.status[row] === 0;
      if (isOk ? ok >= limit : bad >= limit) { truncated = true; continue; }
      if (isOk) ok++; else bad++;
      const status = ix.statusOf(row);
      const actual = ix.actual[row]!;
      const request = describeTransfer({ kind: ix.kindOf(row), dirIn: ix.dirIn[row]!, length: ix.length[row]!, setup: ix.setup[row]! }, null, ix.interfaceClassLookup(row));
      markers.push({
        number: row, icount: ix.start[row]!, endIcount: ix.endOf(row), status,
        title: `#${row} port ${ix.port[row]} ep ${ix.endpointKeys[ix.epIndex[row]!]!.split(':')[2]}: ${request} → ${status}${actual >= 0 ? `, ${actual} byte${actual === 1 ? '' : 's'}` : ''}`,
      });
    }
    return { markers, truncated };
  }

  private rowsFor(f: UsbTransferFilter): Int32Array | null {
    const key = JSON.stringify([f.endpoint ?? null, f.status ? [...f.status].sort() : null, f.from ?? null, f.to ?? null]);
    const cached = this.filtered.get(key);
    if (cached !== undefined) return cached;
    const ix = this.index;
    let rows: Int32Array | null = null;
    if (f.endpoint !== undefined || f.status !== undefined || f.from !== undefined || f.to !== undefined) {
      let ep = -1;
      if (f.endpoint !== undefined) {
        ep = ix.endpointKeys.indexOf(f.endpoint);
        if (ep < 0) throw new SessionError('bad-request', `filter.endpoint: no endpoint "${f.endpoint}" has transfers in this recording`);
      }
      const statuses = f.status ? new Set(f.status.map((s) => USB_STATUSES.indexOf(s))) : null;
      const lo = f.from === undefined ? 0 : firstAtOrAfter(ix.start, f.from);
      const hi = f.to === undefined ? ix.count : firstAtOrAfter(ix.start, f.to);
      const out: number[] = [];
      for (let row = lo; row < hi; row++) {
        if (ep >= 0 && ix.epIndex[row] !== ep) continue;
        if (statuses && !statuses.has(ix.status[row]!)) continue;
        out.push(row);
      }
      rows = Int32Array.from(out);
    }
    if (this.filtered.size >= FILTER_CACHE) this.filtered.delete(this.filtered.keys().next().value!);
    this.filtered.set(key, rows);
    return rows;
  }

  private dto(row: number, dataBytes: number): UsbTransferDto {
    const ix = this.index;
    const reader = this.timeline.reader;
    const kind = ix.kindOf(row), dirIn = ix.dirIn[row]!, length = ix.length[row]!, setup = ix.setup[row]!;
    const id = ix.id[row]!, start = ix.start[row]!, end = ix.endOf(row);
    const actual = ix.actual[row]!;
    // OUT bytes are kept in the request event itself; IN bytes in the completion input.
    let bytes: Uint8Array | null = null;
    if (!dirIn && length > 0) bytes = requestData(reader, start, id);
    else if (dirIn && end !== null && actual > 0) bytes = completionData(reader, end, id);
    const data: UsbDataDto = bytes === null || bytes.length === 0
      ? { direction: 'none', hex: '', length: 0, truncated: false }
      : { direction: dirIn ? 'in' : 'out', hex: toHex(bytes.subarray(0, dataBytes)), length: bytes.length, truncated: bytes.length > dataBytes };
    return {
      number: row, id, icount: start, endIcount: end, ticks: ix.ticks[row]!,
      port: ix.port[row]!, address: ix.address[row]!, endpoint: ix.endpoint[row]!, dirIn, kind,
      endpointKey: ix.endpointKeys[ix.epIndex[row]!]!,
      setup: setup ? toHex(setupBytes(setup)) : null,
      request: describeTransfer({ kind, dirIn, length, setup }, bytes, ix.interfaceClassLookup(row)),
      status: ix.statusOf(row) as UsbTransferStatus, length, actualLength: actual >= 0 ? actual : null, data,
    };
  }
}

/** The controller's unanswered transfers at the end of the recording (one seek there and back). */
function pendingAtEnd(tl: Timeline): ReadonlySet<number> {
  const pos = tl.position;
  try {
    tl.seek(tl.end);
    return new Set(tl.machine.usb.pendingTransfers().map((r) => r.id));
  } finally {
    if (tl.position !== pos) tl.seek(pos);
  }
}

function firstAtOrAfter(sorted: readonly number[], v: number): number {
  let lo = 0, hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < v) lo = mid + 1; else hi = mid;
  }
  return lo;
}

function toHex(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += x.toString(16).padStart(2, '0');
  return s;
}
