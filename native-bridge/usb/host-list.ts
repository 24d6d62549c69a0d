/// <reference types="w3c-web-usb" />
/// <reference path="./buffer-source.d.ts" />
// Finding real USB devices: the `usb` package loaded on demand (so a missing native binding breaks
// only `--usb host:` and `usb list`, not the CLI), `host:VID:PID[:SERIAL]` specs, and the listing.

import { type HostDeviceOptions, HostUsbDevice, type UsbEvents, HostUsbError, describeHostDevice, isPermissionError } from './host-device.js';

/** What the `usb` package offers that we use: device enumeration and connect/disconnect events. */
export type WebUsbLike = UsbEvents & { getDevices(): Promise<USBDevice[]> };

/** The `usb` package's WebUSB object (all devices allowed); HostUsbError 'unavailable' if it cannot load. */
export async function loadWebUsb(): Promise<WebUsbLike> {
  try {
    const m = await import('usb');
    return m.usb as unknown as WebUsbLike;
  } catch (e) {
    throw new HostUsbError(`the \`usb\` package (native USB access) cannot be loaded on this machine (${process.platform}-${process.arch}): ${(e as Error).message}. Run \`npm install\` in the project root.`, 'unavailable');
  }
}

export interface HostSpec {
  readonly vendorId: number;
  readonly productId: number;
  readonly serial?: string;
}

/** Parses "host:VID:PID[:SERIAL]" (hex IDs, as lsusb prints them). */
export function parseHostSpec(spec: string): HostSpec {
  const m = /^host:([0-9a-fA-F]{1,4}):([0-9a-fA-F]{1,4})(?::(.+))?$/.exec(spec);
  if (!m) throw new HostUsbError(`"${spec}" is not host:VID:PID[:SERIAL] (VID and PID in hex, as lsusb prints them, e.g. host:0403:6001)`, 'not-found');
  return { vendorId: parseInt(m[1]!, 16), productId: parseInt(m[2]!, 16), ...(m[3] ? { serial: m[3] } : {}) };
}

/** Enumerates, with the reason spelled out when enumeration itself fails. */
async function enumerate(source: WebUsbLike): Promise<USBDevice[]> {
  try {
    return await source.getDevices();
  } catch (e) {
    const [reason, text] = whyNoDevices(e);
    throw new HostUsbError(text, reason);
  }
}

function whyNoDevices(e: unknown): ['permission' | 'unavailable', string] {
  const msg = (e as Error)?.message ?? String(e);
  if (isPermissionError(e)) return ['permission', `no permission to enumerate USB devices (${msg}); check access to /sys/bus/usb and /dev/bus/usb`];
  if (/\/sys\/bus\/usb\/devices\/? not found|ENOENT|not found/i.test(msg)) {
    return ['unavailable', `this machine exposes no USB bus (${msg}): no host controller is visible, e.g. in a container or VM without USB passthrough`];
  }
  return ['unavailable', `USB devices cannot be enumerated: ${msg}`];
}

/** Finds and opens the device a host: spec names. */
export async function openHostSpec(spec: string, source?: WebUsbLike, opts: Omit<HostDeviceOptions, 'spec' | 'events'> = {}): Promise<HostUsbDevice> {
  const want = parseHostSpec(spec);
  const usb = source ?? await loadWebUsb();
  const all = await enumerate(usb);
  const match = all.filter((d) => d.vendorId === want.vendorId && d.productId === want.productId);
  const chosen = want.serial !== undefined ? match.filter((d) => d.serialNumber === want.serial) : match;
  if (chosen.length === 0) {
    const seen = all.length ? `; present: ${all.map(describeHostDevice).join(', ')}` : '; no USB devices are present (see `hindsight usb list`)';
    throw new HostUsbError(`no USB device ${spec.slice(5)} is connected${seen}`, 'not-found');
  }
  if (chosen.length > 1) {
    throw new HostUsbError(`${chosen.length} devices match ${spec}; add the serial number (host:VID:PID:SERIAL): ${chosen.map((d) => `${describeHostDevice(d)} serial ${d.serialNumber ?? '(none)'}`).join(', ')}`, 'ambiguous');
  }
  return HostUsbDevice.open(chosen[0]!, { ...opts, spec, events: usb });
}

export interface HostDeviceInfo {
  readonly vendorId: number;
  readonly productId: number;
  readonly serial: string | null;
  readonly manufacturer: string | null;
  readonly product: string | null;
  /** Bus and port path as the platform names it (e.g. "1-2.4"), when known. */
  readonly bus: string | null;
  readonly address: number | null;
  readonly ports: readonly number[];
  readonly speed: string | null;
  /** The spec to pass to --usb. */
  readonly spec: string;
}

export type HostListResult =
  | { readonly ok: true; readonly devices: readonly HostDeviceInfo[] }
  | { readonly ok: false; readonly reason: 'no-devices' | 'permission' | 'unavailable'; readonly message: string };

const hex4 = (n: number): string => n.toString(16).padStart(4, '0');

/** The devices the host sees, or why there are none. Never throws. */
export async function listHostDevices(source?: WebUsbLike): Promise<HostListResult> {
  let devices: USBDevice[];
  try {
    devices = await enumerate(source ?? await loadWebUsb());
  } catch (e) {
    const h = e instanceof HostUsbError ? e : new HostUsbError(String(e), 'unavailable');
    return { ok: false, reason: h.reason === 'permission' ? 'permission' : 'unavailable', message: h.message };
  }
  if (devices.length === 0) {
    return { ok: false, reason: 'no-devices', message: 'no USB devices are connected (or none are visible to this user: check access to /dev/bus/usb)' };
  }
  return {
    ok: true,
    devices: devices.map((d) => {
      const x = d as USBDevice & { bus?: string; address?: number; ports?: number[]; speed?: string };
      return {
        vendorId: d.vendorId, productId: d.productId, serial: d.serialNumber, manufacturer: d.manufacturerName, product: d.productName,
        bus: x.bus ?? null, address: x.address ?? null, ports: x.ports ?? [], speed: x.speed ?? null,
        spec: `host:${hex4(d.vendorId)}:${hex4(d.productId)}${d.serialNumber ? `:${d.serialNumber}` : ''}`,
      };
    }),
  };
}

/** One line per device, for `hindsight usb list`. */
export function formatHostDevice(d: HostDeviceInfo): string {
  const where = [d.bus !== null ? `bus ${d.bus}` : '', d.ports.length ? `port ${d.ports.join('.')}` : '', d.address !== null ? `address ${d.address}` : ''].filter(Boolean).join(', ');
  const name = [d.manufacturer, d.product].filter(Boolean).join(' ');
  return `${hex4(d.vendorId)}:${hex4(d.productId)}  ${name || '(no name)'}  serial ${d.serial ?? '(none)'}  ${where}${d.speed ? `  ${d.speed} speed` : ''}  --usb ${d.spec}`;
}
