// A USB capture, read end to end: container (pcap-reader) → per-packet headers (usbmon / usbpcap) →
// the README's quirks resolved → exchanges, grouped by device.
//
// Quirks (see /work/shared/usb-captures/README.md):
// - the same bus seen on several usbmon interfaces (usbmon0 = all buses, plus usbmonN): one interface
//   per bus is kept (dedupeInterfaces);
// - USBPcap's synthesized descriptor records (IRP ID 0): kept as the descriptor source, dropped only
//   where the same request was also captured live (dropDuplicateSynthesized);
// - pre-1.5 USBPcap three-record control transfers: merged by pairExchanges;
// - address 0: enumeration traffic before SET_ADDRESS belongs to the device that gets the address
//   (attributeAddressZero), so that a device's exchanges include its first GET_DESCRIPTOR.

import { REQ } from '../usb-backend.js';
import { describeDevice, type CapturedInterface } from './capture-descriptors.js';
import { dedupeInterfaces, dropDuplicateSynthesized, pairExchanges, type UsbExchange } from './exchanges.js';
import { LINKTYPE, readCapture, type CaptureInterface } from './pcap-reader.js';
import type { UsbEvent } from './usb-event.js';
import { decodeUsbmon } from './usbmon.js';
import { decodeUsbpcap } from './usbpcap.js';

export interface UsbCaptureStats {
  readonly packets: number;
  /** Records dropped because the same bus was captured on another interface too. */
  readonly duplicateRecords: number;
  /** Synthesized USBPcap exchanges dropped because the request was also captured live. */
  readonly synthesizedDropped: number;
  readonly exchanges: number;
  /** Submissions without a completion at the end of the capture. */
  readonly unanswered: number;
  readonly orphanCompletions: number;
  readonly nonTransferRecords: number;
}

export interface UsbCapture {
  readonly name: string;
  readonly format: 'pcap' | 'pcapng';
  readonly interfaces: readonly CaptureInterface[];
  /** Events after interface de-duplication, in time order (file order for equal times). */
  readonly events: readonly UsbEvent[];
  readonly exchanges: readonly UsbExchange[];
  readonly unanswered: readonly UsbEvent[];
  readonly stats: UsbCaptureStats;
}

/** Reads a capture file's bytes into events and exchanges. Throws CaptureFormatError on bad input. */
export function parseUsbCapture(bytes: Uint8Array, name = 'capture'): UsbCapture {
  const file = readCapture(bytes);
  const decoded: UsbEvent[] = file.packets.map((p) => (p.linkType === LINKTYPE.USBPCAP ? decodeUsbpcap(p) : decodeUsbmon(p)));
  const deduped = dedupeInterfaces(decoded);
  const dropped = deduped.dropped;
  // Records are normally stored in time order, but not always: the HP file's usbmon0 records from
  // 814-816 s come after those of 835 s, which would pair a URB's resubmission with its previous
  // completion. A stable sort by timestamp restores the kernel's order (ties keep file order). Files
  // with Simple Packet Blocks (no timestamps) are left in file order.
  const timed = file.packets.every((p) => p.hasTimestamp);
  const events = timed && !isSorted(deduped.events) ? stableSortByTime(deduped.events) : deduped.events;
  const paired = pairExchanges(events);
  const synth = dropDuplicateSynthesized(paired.exchanges);
  return {
    name, format: file.format, interfaces: file.interfaces, events, exchanges: synth.exchanges, unanswered: paired.unanswered,
    stats: {
      packets: file.packets.length, duplicateRecords: dropped, synthesizedDropped: synth.dropped, exchanges: synth.exchanges.length,
      unanswered: paired.unanswered.length, orphanCompletions: paired.orphanCompletions, nonTransferRecords: paired.nonTransfer,
    },
  };
}

function isSorted(events: readonly UsbEvent[]): boolean {
  for (let i = 1; i < events.length; i++) if (events[i]!.time < events[i - 1]!.time) return false;
  return true;
}

function stableSortByTime(events: readonly UsbEvent[]): UsbEvent[] {
  return events.map((e, i) => ({ e, i })).sort((a, b) => (a.e.time < b.e.time ? -1 : a.e.time > b.e.time ? 1 : a.i - b.i)).map((x) => x.e);
}

const ownerCache = new WeakMap<readonly UsbExchange[], number[]>();

/**
 * For each exchange, the address of the device it belongs to. Traffic at address 0 belongs to the
 * device being enumerated: the one that SET_ADDRESS(N) at address 0 then names (EHCI/OHCI/UHCI), or,
 * where the controller assigns addresses itself (xHCI: no SET_ADDRESS in usbmon), the next address
 * on that bus not seen before. Address-0 traffic matching neither stays at 0.
 */
export function attributeAddressZero(exchanges: readonly UsbExchange[]): number[] {
  const cached = ownerCache.get(exchanges);
  if (cached !== undefined) return cached;
  const owner = exchanges.map((x) => x.device);
  const pending = new Map<number, number[]>();
  const seen = new Map<number, Set<number>>();
  exchanges.forEach((x, i) => {
    let seenOnBus = seen.get(x.bus);
    if (seenOnBus === undefined) seen.set(x.bus, (seenOnBus = new Set()));
    const waiting = pending.get(x.bus) ?? [];
    if (x.device === 0) {
      waiting.push(i);
      pending.set(x.bus, waiting);
      const s = x.setup;
      if (s !== undefined && s.bmRequestType === 0 && s.bRequest === REQ.SET_ADDRESS && x.status === 'ok' && (s.wValue & 0x7f) !== 0) {
        for (const j of waiting) owner[j] = s.wValue & 0x7f;
        pending.set(x.bus, []);
        // Mark it seen so the xHCI rule does not also claim the next run for it.
        seenOnBus.add(s.wValue & 0x7f);
      }
      return;
    }
    if (!seenOnBus.has(x.device)) {
      seenOnBus.add(x.device);
      if (waiting.length > 0) {
        for (const j of waiting) owner[j] = x.device;
        pending.set(x.bus, []);
      }
    }
  });
  ownerCache.set(exchanges, owner);
  return owner;
}

/** The exchanges of one device (bus, address), address-0 enumeration included, in capture order. */
export function deviceExchanges(capture: UsbCapture, bus: number, address: number): UsbExchange[] {
  const owner = attributeAddressZero(capture.exchanges);
  return capture.exchanges.filter((x, i) => x.bus === bus && owner[i] === address);
}

export interface CaptureDeviceInfo {
  readonly bus: number;
  readonly address: number;
  /** From the captured device descriptor, when the capture has one (≥ 12 bytes). */
  readonly vendorId?: number;
  readonly productId?: number;
  /** "vvvv:pppp" in hex, or undefined. */
  readonly vidPid?: string;
  readonly deviceClass?: number;
  readonly isHub: boolean;
  readonly hasDeviceDescriptor: boolean;
  readonly manufacturer?: string;
  readonly product?: string;
  readonly serial?: string;
  readonly interfaces: readonly CapturedInterface[];
  readonly exchanges: number;
  /** Endpoint addresses with traffic (bulk, interrupt, isochronous), sorted. */
  readonly endpoints: readonly number[];
}

const hex4 = (n: number): string => n.toString(16).padStart(4, '0');

/**
 * The devices in a capture, best candidate first: devices with a device descriptor before those
 * without, non-hubs before hubs (a root hub is rarely what one wants to replay), then most traffic.
 */
export function listCaptureDevices(capture: UsbCapture): CaptureDeviceInfo[] {
  const owner = attributeAddressZero(capture.exchanges);
  const groups = new Map<string, { bus: number; address: number; xs: UsbExchange[] }>();
  capture.exchanges.forEach((x, i) => {
    const address = owner[i]!;
    const key = `${x.bus}:${address}`;
    let g = groups.get(key);
    if (g === undefined) groups.set(key, (g = { bus: x.bus, address, xs: [] }));
    g.xs.push(x);
  });
  const out: CaptureDeviceInfo[] = [];
  for (const g of groups.values()) {
    const d = describeDevice(g.xs);
    const dd = d.descriptor;
    const endpoints = [...new Set(g.xs.filter((x) => x.type !== 'control').map((x) => x.endpoint))].sort((a, b) => a - b);
    const isHub = dd?.deviceClass === 9 || d.interfaces.some((i) => i.interfaceClass === 9);
    out.push({
      bus: g.bus, address: g.address,
      ...(dd?.vendorId !== undefined && dd.productId !== undefined
        ? { vendorId: dd.vendorId, productId: dd.productId, vidPid: `${hex4(dd.vendorId)}:${hex4(dd.productId)}` } : {}),
      ...(dd !== null ? { deviceClass: dd.deviceClass } : {}),
      isHub, hasDeviceDescriptor: dd !== null,
      ...(d.manufacturer !== undefined ? { manufacturer: d.manufacturer } : {}),
      ...(d.product !== undefined ? { product: d.product } : {}),
      ...(d.serial !== undefined ? { serial: d.serial } : {}),
      interfaces: d.interfaces, exchanges: g.xs.length, endpoints,
    });
  }
  const rank = (c: CaptureDeviceInfo): number => (c.hasDeviceDescriptor ? 0 : 2) + (c.isHub ? 1 : 0) + (c.address === 0 ? 4 : 0);
  return out.sort((a, b) => rank(a) - rank(b) || b.exchanges - a.exchanges || a.bus - b.bus || a.address - b.address);
}
