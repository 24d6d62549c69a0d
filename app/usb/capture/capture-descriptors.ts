// Just enough descriptor parsing to describe a captured device: identify it (VID:PID, class, strings),
// find its endpoints' max packet sizes and recognise Bulk-Only mass storage. USB 2.0, 9.6; the full
// descriptor model lives in app/usb/descriptors and is not needed here.

import { DESC, REQ } from '../usb-backend.js';
import type { UsbExchange } from './exchanges.js';

export interface CapturedDeviceDescriptor {
  readonly bcdUSB: number;
  readonly deviceClass: number;
  readonly maxPacketSize0: number;
  /** Present when the captured reply had the 12 bytes that hold them. */
  readonly vendorId?: number;
  readonly productId?: number;
  readonly iManufacturer?: number;
  readonly iProduct?: number;
  readonly iSerialNumber?: number;
}

export interface CapturedEndpoint { readonly address: number; readonly attributes: number; readonly maxPacketSize: number }
export interface CapturedInterface {
  readonly number: number;
  readonly alternate: number;
  readonly interfaceClass: number;
  readonly subclass: number;
  readonly protocol: number;
  readonly endpoints: readonly CapturedEndpoint[];
}

const u16 = (b: Uint8Array, o: number): number => b[o]! | (b[o + 1]! << 8);

export function parseDeviceDescriptor(b: Uint8Array): CapturedDeviceDescriptor | null {
  if (b.length < 8 || b[1] !== DESC.DEVICE) return null;
  const base = { bcdUSB: u16(b, 2), deviceClass: b[4]!, maxPacketSize0: b[7]! };
  if (b.length < 12) return base;
  return {
    ...base, vendorId: u16(b, 8), productId: u16(b, 10),
    ...(b.length >= 17 ? { iManufacturer: b[14]!, iProduct: b[15]!, iSerialNumber: b[16]! } : {}),
  };
}

/** Interfaces and endpoints of a configuration descriptor (bounded walk; stops at a bad bLength). */
export function parseConfiguration(b: Uint8Array): CapturedInterface[] {
  const out: { number: number; alternate: number; interfaceClass: number; subclass: number; protocol: number; endpoints: CapturedEndpoint[] }[] = [];
  let off = 0;
  while (off + 2 <= b.length) {
    const len = b[off]!;
    const type = b[off + 1]!;
    if (len < 2) break;
    if (type === DESC.INTERFACE && off + 9 <= b.length) {
      out.push({ number: b[off + 2]!, alternate: b[off + 3]!, interfaceClass: b[off + 5]!, subclass: b[off + 6]!, protocol: b[off + 7]!, endpoints: [] });
    } else if (type === DESC.ENDPOINT && off + 7 <= b.length && out.length > 0) {
      out[out.length - 1]!.endpoints.push({ address: b[off + 2]!, attributes: b[off + 3]!, maxPacketSize: u16(b, off + 4) & 0x7ff });
    }
    off += len;
  }
  return out;
}

/** A string descriptor's text (UTF-16LE, USB 2.0 9.6.7), without TextDecoder (not in lib ES2022). */
export function decodeStringDescriptor(b: Uint8Array): string | null {
  if (b.length < 2 || b[1] !== DESC.STRING) return null;
  const end = Math.min(b.length, b[0]!);
  const units: number[] = [];
  for (let o = 2; o + 1 < end; o += 2) units.push(u16(b, o));
  return String.fromCharCode(...units);
}

const isGetDescriptor = (x: UsbExchange, type: number): boolean =>
  x.type === 'control' && x.setup !== undefined && x.setup.bmRequestType === 0x80 && x.setup.bRequest === REQ.GET_DESCRIPTOR &&
  x.setup.wValue >> 8 === type && x.status === 'ok' && x.inData !== undefined;

/** The longest successful captured reply to GET_DESCRIPTOR(type, index), if any. */
export function capturedDescriptor(exchanges: readonly UsbExchange[], type: number, index = 0): Uint8Array | null {
  let best: Uint8Array | null = null;
  for (const x of exchanges) {
    if (!isGetDescriptor(x, type) || (x.setup!.wValue & 0xff) !== index) continue;
    if (best === null || x.inData!.length > best.length) best = x.inData!;
  }
  return best;
}

export interface DescribedDevice {
  readonly descriptor: CapturedDeviceDescriptor | null;
  readonly interfaces: readonly CapturedInterface[];
  readonly manufacturer?: string;
  readonly product?: string;
  readonly serial?: string;
}

export function describeDevice(exchanges: readonly UsbExchange[]): DescribedDevice {
  const dd = capturedDescriptor(exchanges, DESC.DEVICE);
  const descriptor = dd !== null ? parseDeviceDescriptor(dd) : null;
  const cfg = capturedDescriptor(exchanges, DESC.CONFIGURATION);
  const interfaces = cfg !== null ? parseConfiguration(cfg) : [];
  const str = (i: number | undefined): string | undefined => {
    if (i === undefined || i === 0) return undefined;
    const s = capturedDescriptor(exchanges, DESC.STRING, i);
    return s !== null ? decodeStringDescriptor(s) ?? undefined : undefined;
  };
  const manufacturer = str(descriptor?.iManufacturer);
  const product = str(descriptor?.iProduct);
  const serial = str(descriptor?.iSerialNumber);
  return {
    descriptor, interfaces,
    ...(manufacturer !== undefined ? { manufacturer } : {}),
    ...(product !== undefined ? { product } : {}),
    ...(serial !== undefined ? { serial } : {}),
  };
}
