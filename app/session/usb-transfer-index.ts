// The recording's USB transfers as a compact index, built once per recording from its derived
// events without replaying: each usb-request (what the guest asked for) joined with the
// usb-transfer-end of the same controller id (how it ended). A recording can hold hundreds of
// thousands of transfers, so rows are columns of numbers; the bytes stay in the recording and
// are read per page (see usb-transfers.ts).
//
// Transfers with no recorded end were either withdrawn (the controller cancels without a
// completion: ED unlinked or skipped, port or controller reset, device unplugged) or still waiting
// when the recording ends; which one is read from the controller's in-flight list at the end
// (the caller's `pendingAtEnd`, one seek), since cancellations are not recorded.

import type { UsbEndpointDto, UsbTransferKind, UsbTransferStatus } from '../protocol/usb-dto.js';
import { usbCompletion } from '../replay/inputs/usb-completion.js';
import { DERIVED_USB_REQUEST, DERIVED_USB_TRANSFER_END, decodeUsbRequest, decodeUsbTransferEnd } from '../replay/trace/derived-codecs.js';
import type { TraceReader } from '../replay/trace/trace.js';
import { TraceFormatError } from '../replay/trace/trace.js';
import { REQ, DESC, type SetupPacket } from '../usb/usb-backend.js';
import { interfaceClasses } from './usb-request-text.js';

export const USB_STATUSES: readonly UsbTransferStatus[] = ['ok', 'stall', 'babble', 'timeout', 'nodev', 'error', 'cancelled', 'pending'];
const KINDS: readonly UsbTransferKind[] = ['control', 'bulk', 'interrupt'];
const NO_END = -1;

/** The configuration a device on a port described, from the moment the guest read it. */
interface ConfigSeen {
  readonly icount: number;
  readonly address: number;
  readonly classes: ReadonlyMap<number, number>;
}

export class UsbTransferIndex {
  readonly id: number[] = [];
  readonly start: number[] = [];
  /** Position of the outcome, NO_END (-1) when there is none. */
  readonly end: number[] = [];
  readonly ticks: number[] = [];
  readonly port: number[] = [];
  readonly address: number[] = [];
  readonly endpoint: number[] = [];
  readonly kind: number[] = [];
  readonly dirIn: boolean[] = [];
  readonly length: number[] = [];
  readonly setup: (SetupPacket | null)[] = [];
  /** Index into USB_STATUSES. */
  readonly status: number[] = [];
  /** Bytes transferred, -1 when there was no answer. */
  readonly actual: number[] = [];
  /** Index into `endpointKeys`. */
  readonly epIndex: number[] = [];
  readonly endpointKeys: string[] = [];
  /** Every endpoint with transfers, by port, address and endpoint address. */
  endpoints: readonly UsbEndpointDto[] = [];
  private readonly epFirst: number[] = [];
  private readonly epCount: number[] = [];
  private readonly configs = new Map<number, ConfigSeen[]>();

  get count(): number {
    return this.id.length;
  }

  kindOf(row: number): UsbTransferKind {
    return KINDS[this.kind[row]!]!;
  }

  statusOf(row: number): UsbTransferStatus {
    return USB_STATUSES[this.status[row]!]!;
  }

  endOf(row: number): number | null {
    const e = this.end[row]!;
    return e === NO_END ? null : e;
  }

  /** bInterfaceClass by interface number of the device a transfer went to, as its last configuration descriptor before the transfer said. */
  interfaceClassLookup(row: number): ((iface: number) => number | undefined) | undefined {
    const seen = this.configs.get(this.port[row]!);
    if (!seen) return undefined;
    const at = this.start[row]!, addr = this.address[row]!;
    for (let i = seen.length - 1; i >= 0; i--) {
      const c = seen[i]!;
      if (c.icount <= at && c.address === addr) return (iface) => c.classes.get(iface);
    }
    return undefined;
  }

  /**
   * Reads the recording's USB events up to `end` in windows (between snapshots: bounded memory
   * whatever the recording's size). `pendingAtEnd` gives the ids still in flight at the end.
   */
  static build(reader: TraceReader, end: number, windows: readonly number[], pendingAtEnd: () => ReadonlySet<number>): UsbTransferIndex {
    const ix = new UsbTransferIndex();
    const open = new Map<number, number>(); // controller id → row, until its end is seen
    const epKeys = new Map<string, number>();
    const bounds = [...windows.filter((w) => w > 0 && w <= end), end + 1];
    let from = 0;
    for (const to of bounds) {
      if (to <= from) continue;
      const reqs = reader.derived(from, to, DERIVED_USB_REQUEST);
      const ends = reader.derived(from, to, DERIVED_USB_TRANSFER_END);
      let e = 0;
      const endsUpTo = (icount: number, inclusive: boolean): void => {
        for (; e < ends.length && (inclusive ? ends[e]!.icount <= icount : ends[e]!.icount < icount); e++) ix.addEnd(reader, ends[e]!.icount, ends[e]!.data, open);
      };
      for (const r of reqs) {
        // A request and its end can share an icount (a virtual device answers at once): requests first.
        endsUpTo(r.icount, false);
        ix.addRequest(r.icount, r.data, open, epKeys);
      }
      endsUpTo(Number.POSITIVE_INFINITY, true);
      from = to;
    }
    ix.endpoints = ix.endpointKeys.map((key, i) => {
      const row = ix.epFirst[i]!;
      const kind = ix.kindOf(row);
      const epAddr = kind === 'control' ? ix.endpoint[row]! : ix.endpoint[row]! | (ix.dirIn[row] ? 0x80 : 0);
      return { key, port: ix.port[row]!, address: ix.address[row]!, endpointAddress: epAddr, kind, transfers: ix.epCount[i]! };
    }).sort((a, b) => a.port - b.port || a.address - b.address || a.endpointAddress - b.endpointAddress);
    if (open.size > 0) {
      const pending = pendingAtEnd();
      for (const [id, row] of open) ix.status[row] = USB_STATUSES.indexOf(pending.has(id) ? 'pending' : 'cancelled');
    }
    return ix;
  }

  private addRequest(icount: number, data: Uint8Array, open: Map<number, number>, epKeys: Map<string, number>): void {
    let r;
    try {
      r = decodeUsbRequest(data);
    } catch (err) {
      if (err instanceof TraceFormatError) throw new TraceFormatError(`the USB request event at icount ${icount}: ${err.message}`, { cause: err });
      throw err;
    }
    const row = this.id.length;
    const epAddr = r.kind === 'control' ? r.endpoint : r.endpoint | (r.dirIn ? 0x80 : 0);
    const key = `${r.port}:${r.address}:0x${epAddr.toString(16).padStart(2, '0')}`;
    let ep = epKeys.get(key);
    if (ep === undefined) {
      ep = this.endpointKeys.length;
      epKeys.set(key, ep);
      this.endpointKeys.push(key);
      this.epFirst.push(row);
      this.epCount.push(0);
    }
    this.epCount[ep]!++;
    this.id.push(r.id); this.start.push(icount); this.end.push(NO_END); this.ticks.push(r.ticks);
    this.port.push(r.port); this.address.push(r.address); this.endpoint.push(r.endpoint);
    this.kind.push(KINDS.indexOf(r.kind)); this.dirIn.push(r.dirIn); this.length.push(r.length);
    this.setup.push(r.setup ?? null); this.status.push(USB_STATUSES.indexOf('pending')); this.actual.push(-1); this.epIndex.push(ep);
    // An id still open here was withdrawn earlier (ids are never in flight twice); it stays unanswered.
    open.set(r.id, row);
  }

  private addEnd(reader: TraceReader, icount: number, data: Uint8Array, open: Map<number, number>): void {
    let t;
    try {
      t = decodeUsbTransferEnd(data);
    } catch (err) {
      if (err instanceof TraceFormatError) throw new TraceFormatError(`the USB transfer end event at icount ${icount}: ${err.message}`, { cause: err });
      throw err;
    }
    const row = open.get(t.id);
    if (row === undefined) throw new TraceFormatError(`the USB transfer end event at icount ${icount} is for transfer ${t.id}, which no request before it issued`);
    open.delete(t.id);
    this.end[row] = icount;
    this.status[row] = USB_STATUSES.indexOf(t.status);
    this.actual[row] = t.actualLength;
    const s = this.setup[row];
    // The configuration descriptor names the interface classes: class requests decode by them.
    if (s && t.status === 'ok' && s.bRequest === REQ.GET_DESCRIPTOR && s.wValue >> 8 === DESC.CONFIGURATION && (s.bmRequestType & 0x80)) {
      const answer = completionData(reader, icount, t.id);
      if (answer) {
        const port = this.port[row]!;
        const list = this.configs.get(port) ?? [];
        list.push({ icount, address: this.address[row]!, classes: interfaceClasses(answer) });
        this.configs.set(port, list);
      }
    }
  }
}

/** The IN data of transfer `id`'s completion input at `icount`, or null if there is none. */
export function completionData(reader: TraceReader, icount: number, id: number): Uint8Array | null {
  for (const e of reader.inputs(icount, icount + 1)) {
    if (e.kind !== usbCompletion.kind) continue;
    let c;
    try {
      c = usbCompletion.decode(e.data);
    } catch (err) {
      if (err instanceof TraceFormatError) throw new TraceFormatError(`the USB completion input at icount ${icount}: ${err.message}`, { cause: err });
      throw err;
    }
    if (c.id === id) return c.data;
  }
  return null;
}

/** The OUT data transfer `id`'s request event at `icount` carries, or null if there is none. */
export function requestData(reader: TraceReader, icount: number, id: number): Uint8Array | null {
  for (const e of reader.derived(icount, icount + 1, DERIVED_USB_REQUEST)) {
    const r = decodeUsbRequest(e.data);
    if (r.id === id) return r.data;
  }
  return null;
}
