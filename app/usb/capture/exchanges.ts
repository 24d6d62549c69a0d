// Pairs captured submissions with their completions into exchanges: one record per USB transfer
// with its setup packet, the data each way, the outcome and the actual length.
//
// usbmon (Documentation/usb/usbmon.rst): an 'S' record and the next 'C' or 'E' record with the same
// URB tag on the same bus. OUT data travels with 'S', IN data with 'C'. Tags are kernel addresses
// and are reused once the URB is back, so pairing is "the open submission with this tag", never a
// global lookup.
// USBPcap (captureformat.md): a request (info bit 0 clear) and the completion (bit set) with the same
// IRP ID. Pre-1.5 control transfers come as SETUP + optional DATA + STATUS records: the DATA record
// is folded into the open exchange and STATUS closes it.

import type { SetupPacket, TransferKind, UsbStatus } from '../usb-backend.js';
import { statusFromErrno, statusFromUsbd, type IsoPacket, type UsbEvent } from './usb-event.js';

export interface UsbExchange {
  /** Which capture format it came from; it decides how rawStatus is read. */
  readonly source: 'usbmon' | 'usbpcap';
  readonly bus: number;
  /** Device address on the wire (0 while the device is being enumerated). */
  readonly device: number;
  /** Endpoint address: number in bits 0..3, bit 7 set for IN (control: the data stage's direction). */
  readonly endpoint: number;
  readonly type: TransferKind;
  readonly setup?: SetupPacket;
  /** OUT data (present for OUT transfers, possibly empty). */
  readonly outData?: Uint8Array;
  /** IN data as captured (present for IN transfers; may be shorter than actualLength if the capture cut it). */
  readonly inData?: Uint8Array;
  readonly status: UsbStatus;
  /** The platform's code: 0/-errno for usbmon, USBD_STATUS for USBPcap. */
  readonly rawStatus: number;
  /** The host cancelled the transfer (usbmon -ENOENT/-ECONNRESET, USBD_STATUS_CANCELED): the device never answered it. */
  readonly cancelled: boolean;
  readonly actualLength: number;
  /** Buffer length the host asked for; undefined when the capture does not say (USBPcap bulk/interrupt IN, or no submission). */
  readonly requestedLength?: number;
  readonly submitTime: bigint;
  readonly completeTime: bigint;
  /** URB tag / IRP ID. */
  readonly id: bigint;
  /** USBPcap synthesized this transfer at capture start (IRP ID 0); it was not on the bus. */
  readonly synthesized?: boolean;
  /** Only the completion is in the capture (the submission happened before the capture started). */
  readonly noSubmission?: boolean;
  readonly iso?: { readonly startFrame: number; readonly errorCount: number; readonly packets: readonly IsoPacket[] };
  /** usbmon: interrupt/isochronous polling interval from the submission. */
  readonly interval?: number;
  /** usbmon (64-byte header): the URB's transfer_flags at submission. */
  readonly xferFlags?: number;
}

export interface PairingResult {
  /** In the order of their submissions (completions alone: in the order of the completion). */
  readonly exchanges: UsbExchange[];
  /** Submissions still open at the end of the capture (e.g. interrupt IN URBs waiting for a key). */
  readonly unanswered: UsbEvent[];
  /** Completions that could not be used: no submission, and no IN data to keep (control, OUT). */
  readonly orphanCompletions: number;
  /** Records that carry no transfer (USBPcap ABORT_PIPE, RESET_PIPE..., transfer 0xFE/0xFF). */
  readonly nonTransfer: number;
}

interface Open {
  readonly submit: UsbEvent;
  readonly slot: number;
  outData: Uint8Array;
  /** Pre-1.5 USBPcap: IN data from a DATA-stage completion, waiting for STATUS. */
  inData?: UsbEvent;
}

const concat = (a: Uint8Array, b: Uint8Array): Uint8Array => {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
};

const isIn = (e: UsbEvent): boolean => (e.setup !== undefined ? (e.setup.bmRequestType & 0x80) !== 0 : (e.endpoint & 0x80) !== 0);

function mapStatus(e: UsbEvent): { status: UsbStatus; cancelled: boolean } {
  return e.source === 'usbmon' ? statusFromErrno(e.status) : statusFromUsbd(e.status);
}

function build(open: Open | undefined, c: UsbEvent, dataEvent: UsbEvent | undefined): UsbExchange | null {
  const s = open?.submit;
  const type = c.transferType === 'none' ? 'bulk' : c.transferType;
  const setup = s?.setup ?? c.setup;
  if (type === 'control' && setup === undefined) return null; // a control completion alone says nothing usable
  const dirIn = setup !== undefined ? (setup.bmRequestType & 0x80) !== 0 : (c.endpoint & 0x80) !== 0;
  if (s === undefined && !dirIn) return null; // an OUT completion alone has lost its data
  const mapped = mapStatus(c);
  // Pre-1.5 USBPcap: an error may be reported by the DATA stage while STATUS says success.
  const dataMapped = dataEvent !== undefined ? mapStatus(dataEvent) : undefined;
  const { status, cancelled } = dataMapped !== undefined && dataMapped.status !== 'ok' ? dataMapped : mapped;
  const rawStatus = dataMapped !== undefined && dataMapped.status !== 'ok' ? dataEvent!.status : c.status;
  const inEvent = dataEvent ?? c;
  const outData = open?.outData ?? new Uint8Array(0);
  let actualLength: number;
  let requestedLength: number | undefined;
  if (c.source === 'usbmon') {
    actualLength = c.kind === 'error' ? 0 : c.length;
    requestedLength = s?.length;
  } else {
    // USBPcap completions carry a payload only for IN; for OUT the header does not say how much the
    // device took, so a successful OUT is taken as complete.
    actualLength = dirIn ? inEvent.length : status === 'ok' ? outData.length : 0;
    requestedLength = setup !== undefined ? setup.wLength : !dirIn && s !== undefined ? outData.length : undefined;
  }
  const iso = s?.iso !== undefined && !dirIn ? s.iso : c.iso ?? s?.iso;
  const interval = s?.interval ?? c.interval;
  const xferFlags = s?.xferFlags ?? c.xferFlags;
  return {
    source: c.source,
    bus: c.bus,
    device: s?.device ?? c.device,
    endpoint: setup !== undefined ? (c.endpoint & 0x0f) | (setup.bmRequestType & 0x80) : c.endpoint,
    type,
    ...(setup !== undefined ? { setup } : {}),
    ...(dirIn ? { inData: inEvent.data } : { outData }),
    status,
    rawStatus,
    cancelled,
    actualLength,
    ...(requestedLength !== undefined ? { requestedLength } : {}),
    submitTime: s?.time ?? c.time,
    completeTime: c.time,
    id: c.id,
    ...(s?.synthesized === true || (s === undefined && c.synthesized === true) ? { synthesized: true } : {}),
    ...(s === undefined ? { noSubmission: true } : {}),
    ...(iso !== undefined ? { iso } : {}),
    ...(interval !== undefined && (type === 'interrupt' || type === 'isochronous') ? { interval } : {}),
    ...(xferFlags !== undefined ? { xferFlags } : {}),
  };
}

/** Pairs events (in capture order) into exchanges. */
export function pairExchanges(events: readonly UsbEvent[]): PairingResult {
  const open = new Map<string, Open>();
  const slots: (UsbExchange | null)[] = [];
  const lost: Open[] = [];
  let orphanCompletions = 0;
  let nonTransfer = 0;
  for (const e of events) {
    if (e.transferType === 'none') { nonTransfer++; continue; }
    const key = `${e.source}|${e.bus}|${e.id}`;
    if (e.kind === 'submit') {
      const o = open.get(key);
      if (e.stage === 'data' && o !== undefined) { o.outData = concat(o.outData, e.data); continue; }
      if (e.stage === 'status' && o !== undefined) continue; // a host-side status record: nothing to add
      // A tag reused while still open means its completion was lost: the old one stays unanswered.
      if (o !== undefined) lost.push(o);
      const slot = slots.length;
      slots.push(null);
      open.set(key, { submit: e, slot, outData: isIn(e) ? new Uint8Array(0) : e.data });
      continue;
    }
    const o = open.get(key);
    if (e.stage === 'data' && o !== undefined) {
      // Pre-1.5 USBPcap logs the DATA stage on the way back up for both directions (the DigiTech
      // capture's SET_CUR carries its 3 OUT bytes there).
      if (isIn(o.submit)) o.inData = e;
      else o.outData = concat(o.outData, e.data);
      continue;
    }
    open.delete(key);
    const x = build(o, e, o?.inData);
    if (o !== undefined) slots[o.slot] = x;
    else if (x !== null) slots.push(x);
    else orphanCompletions++;
  }
  const unanswered = [...lost, ...open.values()].sort((a, b) => a.slot - b.slot).map((o) => o.submit);
  return { exchanges: slots.filter((x): x is UsbExchange => x !== null), unanswered, orphanCompletions, nonTransfer };
}

/**
 * The HP keyboard capture was recorded on usbmon0 (every bus) and usbmon1/usbmon2 at once, so each
 * event of a bus appears once per interface that saw it. Keep, for each bus, only the interface with
 * the most events of that bus (ties: the lowest interface index). Within one interface usbmon keeps
 * the kernel's order, so the kept stream stays consistent; the copies' timestamps differ by µs and
 * their file order interleaves, which is why matching copies one by one would be fragile.
 */
export function dedupeInterfaces(events: readonly UsbEvent[]): { events: UsbEvent[]; dropped: number } {
  const counts = new Map<number, Map<number, number>>();
  for (const e of events) {
    let m = counts.get(e.bus);
    if (m === undefined) counts.set(e.bus, (m = new Map()));
    m.set(e.interfaceId, (m.get(e.interfaceId) ?? 0) + 1);
  }
  const keep = new Map<number, number>();
  let duplicated = false;
  for (const [bus, m] of counts) {
    let best = -1;
    let bestCount = -1;
    for (const [iface, n] of m) if (n > bestCount || (n === bestCount && iface < best)) { best = iface; bestCount = n; }
    keep.set(bus, best);
    if (m.size > 1) duplicated = true;
  }
  if (!duplicated) return { events: [...events], dropped: 0 };
  const kept = events.filter((e) => keep.get(e.bus) === e.interfaceId);
  return { events: kept, dropped: events.length - kept.length };
}

export const setupKey = (endpoint: number, s: SetupPacket): string =>
  `${endpoint & 0x0f}:${s.bmRequestType}:${s.bRequest}:${s.wValue}:${s.wIndex}`;

/**
 * USBPcap ≥ 1.5 synthesizes GET_DESCRIPTOR(device), GET_DESCRIPTOR(configuration) and
 * SET_CONFIGURATION records (IRP ID 0) for devices already attached when the capture starts. They
 * were never on the bus, but for a device that was not re-enumerated during the capture they are the
 * only copy of its descriptors, so they are kept, flagged `synthesized`, and dropped only where the
 * same request (ignoring wLength) was also captured live for the same device.
 */
export function dropDuplicateSynthesized(exchanges: readonly UsbExchange[]): { exchanges: UsbExchange[]; dropped: number } {
  const live = new Set<string>();
  for (const x of exchanges) if (x.synthesized !== true && x.setup !== undefined) live.add(`${x.bus}:${x.device}:${setupKey(x.endpoint, x.setup)}`);
  const kept = exchanges.filter((x) => x.synthesized !== true || x.setup === undefined || !live.has(`${x.bus}:${x.device}:${setupKey(x.endpoint, x.setup)}`));
  return { exchanges: kept, dropped: exchanges.length - kept.length };
}
