// What a captured device sends and expects on one bulk or interrupt endpoint, replayed in capture order.
//
// IN: a bulk endpoint is a byte stream cut into transfers by short packets (USB 2.0, 5.8.3: a transfer
// ends with a packet shorter than wMaxPacketSize, or when the host's buffer is full). So a captured
// transfer that filled its buffer with whole packets did not end the device's data: a guest asking for
// more gets the next captured transfer's bytes too; one asking for less gets the rest next time (as a
// device's FIFO would hand it over). An interrupt endpoint sends one report per transfer: a guest
// buffer shorter than the report gets the first bytes and 'babble' (OHCI DataOverrun), the rest is lost.
// OUT: the guest's bytes are compared with the captured stream (transfer boundaries are not enforced).

import type { UsbStatus } from '../usb-backend.js';
import type { UsbExchange } from './exchanges.js';

export interface InSegment {
  readonly data: Uint8Array;
  readonly status: UsbStatus;
  /** The device's data continues into the next segment (the transfer ended on a full buffer of whole packets). */
  readonly continues: boolean;
  /** Bytes the capture actually holds, when fewer than data.length (the rest is zero padding). */
  readonly capturedBytes?: number;
  /** How long the transfer was pending in the capture (ns): how long the device took to have data. */
  readonly waitNs: bigint;
}

export interface InResult {
  readonly status: UsbStatus;
  readonly data: Uint8Array;
  /** Segments whose data the capture had cut (usbmon keeps at most ~60 KiB of a URB), padded with zeros. */
  readonly truncated: { captured: number; actual: number }[];
}

const EMPTY = new Uint8Array(0);

export function inSegment(x: UsbExchange, maxPacket: number): InSegment {
  const captured = x.inData ?? EMPTY;
  let data = captured;
  if (captured.length < x.actualLength) {
    data = new Uint8Array(x.actualLength);
    data.set(captured);
  } else if (captured.length > x.actualLength) {
    data = captured.subarray(0, x.actualLength);
  }
  // A cancelled transfer that had already received bytes delivered them: keep them as data.
  const status = x.cancelled ? 'ok' : x.status;
  const continues = status === 'ok' && x.requestedLength !== undefined && x.actualLength === x.requestedLength &&
    x.actualLength > 0 && x.actualLength % maxPacket === 0;
  const waitNs = x.completeTime > x.submitTime ? x.completeTime - x.submitTime : 0n;
  return { data, status, continues, waitNs, ...(captured.length < x.actualLength ? { capturedBytes: captured.length } : {}) };
}

export class InStream {
  private index = 0;
  private offset = 0;
  constructor(private readonly segments: readonly InSegment[]) {}

  get exhausted(): boolean { return this.index >= this.segments.length; }
  /** The next segment, not consumed. */
  peek(): InSegment | undefined { return this.segments[this.index]; }
  get consumed(): number { return this.index; }
  get total(): number { return this.segments.length; }

  /** Bulk semantics: up to `length` bytes, across segments while the device's data continues. */
  readBulk(length: number): InResult | null {
    if (this.exhausted) return null;
    const chunks: Uint8Array[] = [];
    const truncated: InResult['truncated'] = [];
    let got = 0;
    while (got < length || (got === 0 && length === 0 && this.offset === 0)) {
      const seg = this.segments[this.index];
      if (seg === undefined) break;
      if (this.offset === 0 && seg.status !== 'ok') {
        if (got > 0) break; // deliver the data first; the error comes with the next transfer
        this.index++;
        return { status: seg.status, data: EMPTY, truncated };
      }
      if (this.offset === 0 && seg.capturedBytes !== undefined) truncated.push({ captured: seg.capturedBytes, actual: seg.data.length });
      const take = Math.min(length - got, seg.data.length - this.offset);
      chunks.push(seg.data.subarray(this.offset, this.offset + take));
      got += take;
      this.offset += take;
      if (this.offset < seg.data.length) break; // the guest's buffer is full; the rest waits
      this.index++;
      this.offset = 0;
      if (!seg.continues) break;
    }
    return { status: 'ok', data: concatAll(chunks, got), truncated };
  }

  /** Interrupt semantics: one captured report per transfer. */
  readReport(length: number): InResult | null {
    const seg = this.segments[this.index];
    if (seg === undefined) return null;
    this.index++;
    this.offset = 0;
    const truncated = seg.capturedBytes !== undefined ? [{ captured: seg.capturedBytes, actual: seg.data.length }] : [];
    if (seg.status !== 'ok') return { status: seg.status, data: EMPTY, truncated };
    if (seg.data.length > length) return { status: 'babble', data: seg.data.subarray(0, length), truncated };
    return { status: 'ok', data: seg.data, truncated };
  }
}

export interface OutSegment { readonly data: Uint8Array; readonly status: UsbStatus }

export interface OutResult {
  readonly status: UsbStatus;
  /** The captured bytes the guest's transfer was compared with (shorter if the capture ran out). */
  readonly expected: Uint8Array;
  readonly matches: boolean;
  /** The capture had no OUT data left for this endpoint. */
  readonly beyondCapture: boolean;
}

export class OutStream {
  private index = 0;
  private offset = 0;
  constructor(private readonly segments: readonly OutSegment[]) {}

  get consumed(): number { return this.index; }
  get total(): number { return this.segments.length; }

  write(data: Uint8Array): OutResult {
    const first = this.segments[this.index];
    if (first === undefined) return { status: 'ok', expected: EMPTY, matches: false, beyondCapture: true };
    if (this.offset === 0 && first.status !== 'ok') {
      // The device refused this transfer in the capture (e.g. STALL): refuse it again, do not compare.
      this.index++;
      return { status: first.status, expected: first.data, matches: true, beyondCapture: false };
    }
    const chunks: Uint8Array[] = [];
    let got = 0;
    while (got < data.length) {
      const seg = this.segments[this.index];
      if (seg === undefined || (this.offset === 0 && seg.status !== 'ok')) break;
      const take = Math.min(data.length - got, seg.data.length - this.offset);
      chunks.push(seg.data.subarray(this.offset, this.offset + take));
      got += take;
      this.offset += take;
      if (this.offset >= seg.data.length) { this.index++; this.offset = 0; }
    }
    // A zero-length OUT (ZLP) matches a zero-length captured transfer.
    if (data.length === 0 && this.offset === 0 && first.data.length === 0) this.index++;
    const expected = concatAll(chunks, got);
    return { status: 'ok', expected, matches: got === data.length && bytesEqual(expected, data), beyondCapture: false };
  }
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function concatAll(chunks: readonly Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(total);
  let o = 0;
  for (const c of chunks) { out.set(c, o); o += c.length; }
  return out;
}
