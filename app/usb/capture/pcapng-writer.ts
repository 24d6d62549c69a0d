// Writes USB exchanges as a usbmon pcapng file that Wireshark/tshark open as Linux USB traffic:
// one Section Header Block, one Interface Description Block (LINKTYPE_USB_LINUX_MMAPPED = 220,
// if_tsresol = 9: nanoseconds) and, per exchange, an Enhanced Packet Block for the submission ('S')
// and one for the completion ('C'), each a 64-byte usbmon header plus data
// (draft-ietf-opsawg-pcapng; Linux Documentation/usb/usbmon.rst; drivers/usb/mon/mon_bin.c).
//
// The header fields are set as mon_bin.c sets them, so tools decode the records as real ones:
// - 'S': status -EINPROGRESS, length = buffer length; control: flag_setup 0 and the SETUP packet in
//   bytes 40..47. OUT data follows ('S' carries OUT data); IN: no data, flag_data '<'.
// - 'C': status 0/-errno, length = actual length; IN data follows; OUT: no data, flag_data '>'.
// - flag_setup is '-' where there is no setup packet; flag_data is 0 where data (possibly none) follows.
// - isochronous exchanges are written without iso descriptors (ndesc 0): the backends do not carry them.
// - xfer_flags: URB_DIR_IN (0x200) for IN transfers (for control, the data stage's direction).
// Timestamps are the caller's (guest time for a recording); ts_sec/ts_usec repeat them in the header.

import type { SetupPacket, TransferKind, UsbStatus } from '../usb-backend.js';
import { encodeSetup } from '../usb-backend.js';
import { LINKTYPE } from './pcap-reader.js';
import { ERRNO, statusFromErrno } from './usb-event.js';
import { URB_DIR_IN } from './usbmon.js';

/** What the writer needs of an exchange (UsbExchange has all of it). */
export interface WritableExchange {
  readonly bus?: number;
  readonly device: number;
  /** Endpoint address, bit 7 = IN (for control, derived from the setup packet when present). */
  readonly endpoint: number;
  readonly type: TransferKind;
  readonly setup?: SetupPacket;
  readonly outData?: Uint8Array;
  readonly inData?: Uint8Array;
  readonly status: UsbStatus;
  readonly cancelled?: boolean;
  readonly actualLength: number;
  /** IN: the buffer length the host asked for (default: wLength, or the actual length). */
  readonly requestedLength?: number;
  readonly submitTime: bigint;
  readonly completeTime: bigint;
  /** URB tag; default: a distinct made-up value per exchange. */
  readonly id?: bigint;
  readonly interval?: number;
  /** The submission was not seen (the exchange starts with its completion): no 'S' record is written. */
  readonly noSubmission?: boolean;
  /** URB transfer_flags; URB_DIR_IN is set or cleared from the direction whatever this says. */
  readonly xferFlags?: number;
  /** With source 'usbmon': the exact errno, written when it maps to `status` (keeps -EILSEQ, -EREMOTEIO...). */
  readonly source?: 'usbmon' | 'usbpcap';
  readonly rawStatus?: number;
}

export interface PcapngWriterOptions {
  /** shb_userappl. */
  readonly application?: string;
  /** if_name. */
  readonly interfaceName?: string;
}

const XFER_TYPE: Record<TransferKind, number> = { isochronous: 0, interrupt: 1, control: 2, bulk: 3 };
const HEADER = 64;
const FLAG_NONE = 0x2d; // '-'
const DATA_IN_PENDING = 0x3c; // '<'
const DATA_OUT_DONE = 0x3e; // '>'

/** A completion status as usbmon would report it (Documentation/driver-api/usb/error-codes.rst). */
export function errnoFromStatus(status: UsbStatus, cancelled = false): number {
  if (cancelled) return -ERRNO.ENOENT;
  switch (status) {
    case 'ok': return 0;
    case 'stall': return -ERRNO.EPIPE;
    case 'babble': return -ERRNO.EOVERFLOW;
    case 'timeout': return -ERRNO.ETIME; // OHCI's "device not responding"
    case 'nodev': return -ERRNO.ESHUTDOWN;
    case 'error': return -ERRNO.EPROTO;
  }
}

class Out {
  private buf = new Uint8Array(4096);
  private dv = new DataView(this.buf.buffer);
  length = 0;
  private ensure(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.dv = new DataView(next.buffer);
  }
  u8(v: number): void { this.ensure(1); this.buf[this.length++] = v; }
  u16(v: number): void { this.ensure(2); this.dv.setUint16(this.length, v, true); this.length += 2; }
  u32(v: number): void { this.ensure(4); this.dv.setUint32(this.length, v >>> 0, true); this.length += 4; }
  i32(v: number): void { this.ensure(4); this.dv.setInt32(this.length, v, true); this.length += 4; }
  u64(v: bigint): void { this.ensure(8); this.dv.setBigUint64(this.length, BigInt.asUintN(64, v), true); this.length += 8; }
  i64(v: bigint): void { this.ensure(8); this.dv.setBigInt64(this.length, BigInt.asIntN(64, v), true); this.length += 8; }
  bytes(b: Uint8Array): void { this.ensure(b.length); this.buf.set(b, this.length); this.length += b.length; }
  pad4(): void { while (this.length % 4 !== 0) this.u8(0); }
  patch32(at: number, v: number): void { this.dv.setUint32(at, v >>> 0, true); }
  result(): Uint8Array { return this.buf.slice(0, this.length); }
}

function option(o: Out, code: number, value: Uint8Array): void {
  o.u16(code);
  o.u16(value.length);
  o.bytes(value);
  o.pad4();
}

const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0) & 0x7f);

/** Writes one block: type, length, body (written by `body`), padding, length again. */
function block(o: Out, type: number, body: () => void): void {
  const start = o.length;
  o.u32(type);
  o.u32(0);
  body();
  o.pad4();
  const len = o.length - start + 4;
  o.u32(len);
  o.patch32(start + 4, len);
}

interface Rec { readonly time: bigint; readonly order: number; readonly x: WritableExchange; readonly submit: boolean; readonly id: bigint }

/** Writes exchanges as a usbmon pcapng file (little-endian). Records are ordered by timestamp. */
export function writeUsbmonPcapng(exchanges: readonly WritableExchange[], options: PcapngWriterOptions = {}): Uint8Array {
  const o = new Out();
  block(o, 0x0a0d0d0a, () => {
    o.u32(0x1a2b3c4d);
    o.u16(1); o.u16(0);
    o.i64(-1n); // section length unknown
    option(o, 4, ascii(options.application ?? 'Hindsight')); // shb_userappl
    o.u32(0); // opt_endofopt
  });
  block(o, 1, () => {
    o.u16(LINKTYPE.USB_LINUX_MMAPPED); o.u16(0);
    o.u32(0); // snaplen: no limit
    option(o, 2, ascii(options.interfaceName ?? 'usbmon0')); // if_name
    option(o, 9, Uint8Array.of(9)); // if_tsresol: 10^-9 s
    o.u32(0);
  });
  const recs: Rec[] = [];
  exchanges.forEach((x, i) => {
    // Made-up URB tags look like kernel addresses and are unique per exchange.
    const id = x.id ?? 0xffff_8880_0000_0000n + BigInt(i) * 0x100n;
    if (x.noSubmission !== true) recs.push({ time: x.submitTime, order: 2 * i, x, submit: true, id });
    recs.push({ time: x.completeTime < x.submitTime ? x.submitTime : x.completeTime, order: 2 * i + 1, x, submit: false, id });
  });
  recs.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : a.order - b.order));
  for (const r of recs) {
    const rec = usbmonRecord(r);
    block(o, 6, () => {
      o.u32(0); // interface 0
      o.u32(Number(BigInt.asUintN(64, r.time) >> 32n));
      o.u32(Number(BigInt.asUintN(32, r.time)));
      o.u32(rec.length); o.u32(rec.length);
      o.bytes(rec);
    });
  }
  return o.result();
}

function usbmonRecord(r: Rec): Uint8Array {
  const x = r.x;
  const control = x.type === 'control';
  const dirIn = control && x.setup !== undefined ? (x.setup.bmRequestType & 0x80) !== 0 : (x.endpoint & 0x80) !== 0;
  const inData = x.inData ?? new Uint8Array(0);
  const outData = x.outData ?? new Uint8Array(0);
  let length: number;
  let data: Uint8Array;
  let flagData: number;
  let status: number;
  if (r.submit) {
    status = -ERRNO.EINPROGRESS;
    if (dirIn) {
      length = x.requestedLength ?? (control && x.setup !== undefined ? x.setup.wLength : x.actualLength);
      data = new Uint8Array(0);
      flagData = DATA_IN_PENDING; // mon_bin.c: always '<' for an IN submission
    } else {
      length = outData.length;
      data = outData;
      flagData = 0;
    }
  } else {
    status = x.source === 'usbmon' && x.rawStatus !== undefined && x.rawStatus <= 0 &&
      statusFromErrno(x.rawStatus).status === x.status && statusFromErrno(x.rawStatus).cancelled === (x.cancelled === true)
      ? x.rawStatus : errnoFromStatus(x.status, x.cancelled === true);
    length = x.actualLength;
    if (dirIn) {
      data = inData.subarray(0, x.actualLength);
      flagData = 0;
    } else {
      data = new Uint8Array(0);
      flagData = DATA_OUT_DONE; // mon_bin.c: always '>' for an OUT completion
    }
  }
  const h = new Out();
  h.u64(r.id);
  h.u8(r.submit ? 0x53 : 0x43);
  h.u8(XFER_TYPE[x.type]);
  h.u8((x.endpoint & 0x0f) | (dirIn ? 0x80 : 0));
  h.u8(x.device & 0x7f);
  h.u16(x.bus ?? 1);
  const withSetup = r.submit && control && x.setup !== undefined;
  h.u8(withSetup ? 0 : FLAG_NONE);
  h.u8(flagData);
  const sec = r.time / 1_000_000_000n;
  h.i64(sec);
  h.i32(Number((r.time - sec * 1_000_000_000n) / 1000n));
  h.i32(status);
  h.u32(length);
  h.u32(data.length); // len_cap
  if (withSetup) h.bytes(encodeSetup(x.setup!));
  else { h.u32(0); h.u32(0); }
  h.i32(x.type === 'interrupt' || x.type === 'isochronous' ? x.interval ?? 0 : 0);
  h.i32(0); // start_frame
  h.u32(((x.xferFlags ?? 0) & ~URB_DIR_IN) | (dirIn ? URB_DIR_IN : 0));
  h.u32(0); // ndesc
  if (h.length !== HEADER) throw new Error(`usbmon header is ${h.length} bytes`); // a bug here, not bad input
  h.bytes(data);
  return h.result();
}
