/// <reference types="w3c-web-usb" />
/// <reference path="./buffer-source.d.ts" />
// A real USB device behind the UsbDeviceBackend port, through the `usb` package's WebUSB-style API
// (the device is typed as the standard USBDevice of @types/w3c-web-usb, so a fake can stand in).
//
// Passthrough rules (as usbredir, QEMU's host-libusb and USB/IP agree):
// - SET_ADDRESS is never forwarded: the host's kernel already addressed the device; the address the
//   guest sees is virtual, so it is answered 'ok' here.
// - SET_CONFIGURATION -> selectConfiguration (then every interface of it is claimed again);
//   SET_INTERFACE -> selectAlternateInterface; CLEAR_FEATURE(ENDPOINT_HALT) -> clearHalt, so the
//   host stack's own view of the endpoint (data toggle, halt) stays in step; port reset -> reset().
// - Bulk and interrupt transfers wait as long as the device takes (a real bus NAKs forever): an
//   interrupt IN stays pending until the device has data. Only control transfers time out.
// - A disconnect (the WebUSB 'disconnect' event, or a transfer failing because the device is gone)
//   completes every pending transfer with 'nodev' and calls onDisconnect once.
//
// WebUSB cannot cancel one transfer. cancelAll() completes pending transfers with 'nodev' at once;
// an IN transfer still running underneath is kept and adopted by the next IN transfer to the same
// endpoint, so data the device sends meanwhile is not lost (the device would have kept it until
// the next IN token on a real bus).
//
// Isochronous transfers are not supported (status 'error'), as for every backend.

import { FEATURE, REQ, type UsbCompletion, type UsbDeviceBackend, type UsbDeviceIdentity, type UsbSpeed,
  type UsbTransfer, requestDirIn, requestRecipient, requestType } from '../../app/usb/usb-backend.js';

const EMPTY = new Uint8Array(0);
const done = (status: UsbCompletion['status']): UsbCompletion => ({ status, data: EMPTY, actualLength: 0 });

/** Longest timeout the native layer takes (ms, ~24.8 days): "wait as long as the device takes". */
export const WAIT_FOREVER_MS = 0x7fff_ffff;

/**
 * The `usb` package's USBDevice takes a timeout (ms) as an extra last argument and adds a few
 * Linux-only methods; the standard type does not have them, so they are optional here.
 */
type HostUsbDeviceApi = USBDevice & {
  controlTransferIn(setup: USBControlTransferParameters, length: number, timeout?: number): Promise<USBInTransferResult>;
  controlTransferOut(setup: USBControlTransferParameters, data?: BufferSource, timeout?: number): Promise<USBOutTransferResult>;
  transferIn(endpointNumber: number, length: number, timeout?: number): Promise<USBInTransferResult>;
  transferOut(endpointNumber: number, data: BufferSource, timeout?: number): Promise<USBOutTransferResult>;
  detachKernelDriver?(interfaceNumber: number): Promise<void>;
  attachKernelDriver?(interfaceNumber: number): Promise<void>;
  readonly speed?: string;
  readonly bus?: string;
  readonly address?: number;
  readonly ports?: number[];
};

/** Where disconnect events come from: the `usb` package's WebUSB object (or a fake). */
export type UsbEvents = Pick<EventTarget, 'addEventListener' | 'removeEventListener'>;

export interface HostDeviceOptions {
  /** The attach spec, e.g. "host:1234:5678"; default derived from the device. */
  readonly spec?: string;
  /** Timeout of control transfers (ms); default 5000 (as usbfs' default for control). */
  readonly controlTimeoutMs?: number;
  /** Timeout of bulk and interrupt transfers (ms); default WAIT_FOREVER_MS. */
  readonly dataTimeoutMs?: number;
  /** Source of 'disconnect' events (USBConnectionEvent with .device); none: only failed transfers tell. */
  readonly events?: UsbEvents;
  /** For the permission hint; default process.platform. */
  readonly platform?: string;
}

/** Opening or finding a host device failed; the message says why and what to do. */
export class HostUsbError extends Error {
  constructor(message: string, readonly reason: 'permission' | 'not-found' | 'ambiguous' | 'unavailable' | 'busy' | 'other' = 'other') {
    super(message);
    this.name = 'HostUsbError';
  }
}

const hex4 = (n: number): string => n.toString(16).padStart(4, '0');

/** "1234:5678 "Product" (bus 1-2, address 3)": how a device is named in messages. */
export function describeHostDevice(d: USBDevice): string {
  const x = d as HostUsbDeviceApi;
  const where = [x.bus !== undefined ? `bus ${x.bus}` : '', x.address !== undefined ? `address ${x.address}` : ''].filter(Boolean).join(', ');
  return `${hex4(d.vendorId)}:${hex4(d.productId)}${d.productName ? ` "${d.productName}"` : ''}${where ? ` (${where})` : ''}`;
}

/** The udev rule that gives a user access to this device on Linux. */
export function udevRule(vendorId: number, productId: number): string {
  return `SUBSYSTEM=="usb", ATTR{idVendor}=="${hex4(vendorId)}", ATTR{idProduct}=="${hex4(productId)}", MODE="0660", GROUP="plugdev"`;
}

export function permissionHint(vendorId: number, productId: number, platform: string): string {
  if (platform === 'linux') {
    return 'On Linux, allow your user with a udev rule, e.g. /etc/udev/rules.d/70-hindsight.rules containing\n' +
      `  ${udevRule(vendorId, productId)}\n` +
      'then run `sudo udevadm control --reload && sudo udevadm trigger` (or re-plug the device) and make sure ' +
      'you are in the plugdev group (`sudo usermod -aG plugdev $USER`, then log in again).';
  }
  if (platform === 'win32') return 'On Windows, install the WinUSB driver for the device (e.g. with Zadig).';
  return 'Make sure no other program or kernel driver holds the device and that your user may open it.';
}

const errorText = (e: unknown): string => {
  if (e && typeof e === 'object') {
    const o = e as { name?: unknown; message?: unknown; code?: unknown };
    return `${String(o.name ?? '')} ${String(o.code ?? '')} ${String(o.message ?? '')}`;
  }
  return String(e);
};

export const isPermissionError = (e: unknown): boolean =>
  /EACCES|EPERM|LIBUSB_ERROR_ACCESS|permission denied|access denied|SecurityError/i.test(errorText(e));

/** How an exception from the WebUSB API ends a transfer. */
export function classifyTransferError(e: unknown): 'nodev' | 'timeout' | 'stall' | 'error' {
  const t = errorText(e);
  if (/NetworkError|NotFoundError|disconnected|no such device|ENODEV|LIBUSB_ERROR_NO_DEVICE|device (is )?gone/i.test(t)) return 'nodev';
  if (/TimeoutError|timed? ?out|ETIMEDOUT|LIBUSB_ERROR_TIMEOUT/i.test(t)) return 'timeout';
  if (/stall|EPIPE|LIBUSB_ERROR_PIPE/i.test(t)) return 'stall';
  return 'error';
}

const toSpeed = (s: string | undefined): UsbSpeed => (s === 'low' ? 'low' : s === 'full' || s === undefined ? 'full' : 'high');

interface Pending {
  readonly resolve: (c: UsbCompletion) => void;
  /** For IN data transfers: the underlying transfer, to be adopted after cancelAll. */
  readonly raw?: Promise<RawIn>;
  readonly key?: number;
}

type RawIn = { readonly ok: USBInTransferResult } | { readonly err: unknown };

export class HostUsbDevice implements UsbDeviceBackend {
  readonly identity: UsbDeviceIdentity;
  onDisconnect: (() => void) | null = null;
  /** The last exception the API threw (for diagnostics; the transfer completed with a status). */
  lastError: unknown = null;

  private readonly dev: HostUsbDeviceApi;
  private readonly controlTimeout: number;
  private readonly dataTimeout: number;
  private readonly events: UsbEvents | undefined;
  private readonly pending = new Set<Pending>();
  /** IN transfers abandoned by cancelAll, still running, by endpoint address. */
  private readonly orphans = new Map<number, Promise<RawIn>>();
  private claimed: number[] = [];
  private readonly detached = new Set<number>();
  private gone = false;
  private closed = false;
  private readonly onEvent = (ev: Event): void => {
    if ((ev as USBConnectionEvent).device === this.dev) this.markGone();
  };

  private constructor(dev: USBDevice, opts: HostDeviceOptions) {
    this.dev = dev as HostUsbDeviceApi;
    this.controlTimeout = opts.controlTimeoutMs ?? 5000;
    this.dataTimeout = opts.dataTimeoutMs ?? WAIT_FOREVER_MS;
    this.events = opts.events;
    this.identity = {
      spec: opts.spec ?? `host:${hex4(dev.vendorId)}:${hex4(dev.productId)}`,
      speed: toSpeed(this.dev.speed),
      vendorId: dev.vendorId,
      productId: dev.productId,
    };
  }

  /**
   * Opens the device and claims every interface of its active configuration (detaching kernel
   * drivers where the platform can). Throws HostUsbError (permission: with the udev fix).
   */
  static async open(dev: USBDevice, opts: HostDeviceOptions = {}): Promise<HostUsbDevice> {
    const h = new HostUsbDevice(dev, opts);
    const name = describeHostDevice(dev);
    try {
      await dev.open();
    } catch (e) {
      if (isPermissionError(e)) {
        throw new HostUsbError(`cannot open USB device ${name}: permission denied (${errorText(e).trim()}).\n${permissionHint(dev.vendorId, dev.productId, opts.platform ?? process.platform)}`, 'permission');
      }
      if (/busy|EBUSY/i.test(errorText(e))) {
        throw new HostUsbError(`cannot open USB device ${name}: it is busy (another program has it open): ${errorText(e).trim()}`, 'busy');
      }
      throw new HostUsbError(`cannot open USB device ${name}: ${errorText(e).trim()}`);
    }
    try {
      await h.claimAll();
    } catch (e) {
      await dev.close().catch(() => {});
      const hint = isPermissionError(e) ? `\n${permissionHint(dev.vendorId, dev.productId, opts.platform ?? process.platform)}` : '';
      throw new HostUsbError(`cannot claim the interfaces of USB device ${name}: ${errorText(e).trim()}${hint}`, isPermissionError(e) ? 'permission' : 'busy');
    }
    opts.events?.addEventListener('disconnect', h.onEvent);
    return h;
  }

  submit(t: UsbTransfer): Promise<UsbCompletion> {
    if (this.gone || this.closed) return Promise.resolve(done('nodev'));
    return new Promise<UsbCompletion>((resolve) => {
      const p = this.perform(t);
      const entry: Pending = { resolve, ...(p.raw ? { raw: p.raw, key: t.endpoint | 0x80 } : {}) };
      this.pending.add(entry);
      p.result.then((c) => {
        if (!this.pending.delete(entry)) return; // cancelled or disconnected meanwhile
        if (c.status === 'nodev') this.markGone();
        resolve(this.gone ? done('nodev') : c);
      }, (e: unknown) => {
        this.lastError = e;
        if (this.pending.delete(entry)) resolve(done('error'));
      });
    });
  }

  async reset(): Promise<void> {
    if (this.gone || this.closed) return;
    this.cancelAll();
    this.orphans.clear();
    try {
      await this.dev.reset();
    } catch (e) {
      this.lastError = e;
      if (classifyTransferError(e) === 'nodev') this.markGone();
    }
  }

  cancelAll(): void {
    for (const p of this.pending) {
      if (p.raw && p.key !== undefined) this.orphans.set(p.key, p.raw);
      p.resolve(done('nodev'));
    }
    this.pending.clear();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.cancelAll();
    this.orphans.clear();
    this.events?.removeEventListener('disconnect', this.onEvent);
    if (this.gone) return;
    await this.releaseAll();
    for (const n of this.detached) await this.dev.attachKernelDriver?.(n).catch(() => {});
    this.detached.clear();
    await this.dev.close().catch((e: unknown) => { this.lastError = e; });
  }

  /** The device went away: every pending transfer ends with 'nodev'; onDisconnect once. */
  private markGone(): void {
    if (this.gone) return;
    this.gone = true;
    this.cancelAll();
    this.orphans.clear();
    this.events?.removeEventListener('disconnect', this.onEvent);
    this.onDisconnect?.();
  }

  private async claimAll(): Promise<void> {
    const cfg = this.dev.configuration;
    if (!cfg) return;
    for (const i of cfg.interfaces) {
      if (this.dev.detachKernelDriver) {
        try {
          await this.dev.detachKernelDriver(i.interfaceNumber);
          this.detached.add(i.interfaceNumber);
        } catch { /* no kernel driver bound */ }
      }
      await this.dev.claimInterface(i.interfaceNumber);
      this.claimed.push(i.interfaceNumber);
    }
  }

  private async releaseAll(): Promise<void> {
    for (const n of this.claimed) await this.dev.releaseInterface(n).catch(() => {});
    this.claimed = [];
  }

  private perform(t: UsbTransfer): { result: Promise<UsbCompletion>; raw?: Promise<RawIn> } {
    switch (t.kind) {
      case 'control': return { result: this.control(t) };
      case 'bulk':
      case 'interrupt': {
        if (!t.dirIn) return { result: this.guard(this.dataOut(t)) };
        const key = t.endpoint | 0x80;
        const raw = this.orphans.get(key) ?? this.rawIn(t.endpoint, t.length);
        this.orphans.delete(key);
        return { result: raw.then((r) => ('ok' in r ? inCompletion(r.ok, t.length) : this.failed(r.err))), raw };
      }
      default: return { result: Promise.resolve(done('error')) };
    }
  }

  private rawIn(endpoint: number, length: number): Promise<RawIn> {
    return this.dev.transferIn(endpoint, length, this.dataTimeout).then((ok) => ({ ok }), (err: unknown) => ({ err }));
  }

  private async dataOut(t: UsbTransfer): Promise<UsbCompletion> {
    const r = await this.dev.transferOut(t.endpoint, t.data.subarray(0, t.length), this.dataTimeout);
    return outCompletion(r);
  }

  /** Runs an API call; an exception becomes a completion. */
  private guard(p: Promise<UsbCompletion>): Promise<UsbCompletion> {
    return p.catch((e: unknown) => this.failed(e));
  }

  private failed(e: unknown): UsbCompletion {
    this.lastError = e;
    return done(classifyTransferError(e));
  }

  private control(t: UsbTransfer): Promise<UsbCompletion> {
    const s = t.setup;
    if (!s) return Promise.resolve(done('error'));
    const type = requestType(s);
    if (type === 'reserved') return Promise.resolve(done('stall'));
    const recipient = requestRecipient(s);
    if (type === 'standard') {
      if (s.bRequest === REQ.SET_ADDRESS && recipient === 'device') return Promise.resolve(done('ok'));
      if (s.bRequest === REQ.SET_CONFIGURATION && recipient === 'device') return this.setConfiguration(s.wValue & 0xff);
      if (s.bRequest === REQ.SET_INTERFACE && recipient === 'interface') {
        return this.request(() => this.dev.selectAlternateInterface(s.wIndex & 0xff, s.wValue & 0xff));
      }
      if (s.bRequest === REQ.CLEAR_FEATURE && recipient === 'endpoint' && s.wValue === FEATURE.ENDPOINT_HALT) {
        return this.request(() => this.dev.clearHalt(s.wIndex & 0x80 ? 'in' : 'out', s.wIndex & 0x0f));
      }
    }
    const params: USBControlTransferParameters = { requestType: type, recipient, request: s.bRequest, value: s.wValue, index: s.wIndex };
    if (requestDirIn(s)) {
      const length = Math.min(s.wLength, t.length);
      return this.guard(this.dev.controlTransferIn(params, length, this.controlTimeout).then((r) => inCompletion(r, length)));
    }
    // Always pass a buffer: the `usb` package cannot take `undefined` for a zero-length data stage.
    const data = t.data.subarray(0, Math.min(s.wLength, t.length));
    return this.guard(this.dev.controlTransferOut(params, data, this.controlTimeout).then(outCompletion));
  }

  /** A standard request done by an API call: ok, or STALL when the device refuses (a request error). */
  private async request(call: () => Promise<void>): Promise<UsbCompletion> {
    try {
      await call();
      return done('ok');
    } catch (e) {
      this.lastError = e;
      // WebUSB says NotFoundError both for "no such configuration/setting" and (Chrome) for a
      // device that is gone; only the latter is 'nodev'.
      const refused = (e as { name?: unknown } | null)?.name === 'NotFoundError' && !/disconnect/i.test(errorText(e));
      const c = classifyTransferError(e);
      return done(!refused && (c === 'nodev' || c === 'timeout') ? c : 'stall');
    }
  }

  private async setConfiguration(value: number): Promise<UsbCompletion> {
    // WebUSB cannot unconfigure a device; configuration 0 is answered locally (the guest then
    // believes it unconfigured, and the next SET_CONFIGURATION selects again).
    if (value === 0) return done('ok');
    await this.releaseAll();
    const r = await this.request(() => this.dev.selectConfiguration(value));
    if (r.status !== 'ok') return r;
    return this.request(() => this.claimAll());
  }
}

function inCompletion(r: USBInTransferResult, length: number): UsbCompletion {
  const view = r.data;
  const bytes = view ? new Uint8Array(view.buffer, view.byteOffset, view.byteLength) : EMPTY;
  if (r.status === 'stall') return done('stall');
  if (r.status === 'babble' || bytes.length > length) {
    const data = bytes.slice(0, length);
    return { status: 'babble', data, actualLength: data.length };
  }
  const data = bytes.slice();
  return { status: 'ok', data, actualLength: data.length };
}

function outCompletion(r: USBOutTransferResult): UsbCompletion {
  if (r.status === 'stall') return done('stall');
  if (r.status === 'babble') return { status: 'babble', data: EMPTY, actualLength: r.bytesWritten };
  return { status: 'ok', data: EMPTY, actualLength: r.bytesWritten };
}
