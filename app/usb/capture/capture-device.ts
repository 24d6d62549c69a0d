// A UsbDeviceBackend that answers the guest from a capture of a real device (usbmon or USBPcap):
// the device's captured replies are played back in capture order, so a driver can be developed and
// debugged against a device nobody has on their desk.
//
// Control (USB 2.0, 9.3/9.4): a request is matched exactly on (endpoint, bmRequestType, bRequest,
// wValue, wIndex); wLength only chooses among matches. Several matches are answered in capture order,
// repeating the last, except that a captured reply too short for the guest's wLength is skipped when
// a later (or else any) match has the whole of it (so the guest's 255-byte GET_DESCRIPTOR is not
// answered with the 9 bytes Linux asked for first). If no match has it all, the longest is used. The
// reply is cut to the guest's wLength. SET_ADDRESS is never forwarded (DESIGN.md 5); SET_ADDRESS,
// SET_CONFIGURATION, SET_INTERFACE and CLEAR_FEATURE always succeed; GET_STATUS, GET_CONFIGURATION
// and GET_INTERFACE are answered from state when the capture lacks them; any other request the
// capture never saw is answered STALL, as a device does with a request it does not support.
//
// Bulk/interrupt: see endpoint-streams.ts. A captured STALL halts the endpoint until the guest sends
// CLEAR_FEATURE(ENDPOINT_HALT), as on a real device (USB 2.0, 9.4.5). When an endpoint's captured IN
// data is used up, the transfer stays pending: that is what a real device with nothing to say does
// (it NAKs; OHCI has no NAK timeout), a quiet keyboard or serial line is the normal case, and the
// guest's own timeout is what a driver must cope with. bulkInWhenExhausted: 'timeout' completes bulk
// IN with 'timeout' instead. Either way onDivergence reports 'in-exhausted'.
//
// Mass storage (Bulk-Only Transport 1.0, 5.2/5.3): a CSW must echo its CBW's dCBWTag, and the guest's
// tags are not the capture's, so by default the tag of each replayed CSW is set to the guest's last
// CBW tag. That is the only byte this device changes; fixMassStorageTags: false turns it off.

import type { SetupPacket, UsbCompletion, UsbDeviceBackend, UsbDeviceIdentity, UsbSpeed, UsbStatus, UsbTransfer } from '../usb-backend.js';
import { FEATURE, REQ } from '../usb-backend.js';
import { describeDevice, type DescribedDevice } from './capture-descriptors.js';
import { InStream, OutStream, bytesEqual, inSegment, type InResult } from './endpoint-streams.js';
import { setupKey, type UsbExchange } from './exchanges.js';
import { deviceExchanges, listCaptureDevices, type UsbCapture } from './usb-capture.js';

export type CaptureDivergence =
  /** A control request the capture never saw; answered STALL. */
  | { readonly kind: 'unknown-request'; readonly setup: SetupPacket }
  /** OUT data (bulk/interrupt, or a control request's data stage) differs from the capture. */
  | { readonly kind: 'out-data'; readonly endpoint: number; readonly expected: Uint8Array; readonly actual: Uint8Array }
  /** More OUT data than the capture has for this endpoint. */
  | { readonly kind: 'out-beyond-capture'; readonly endpoint: number; readonly actual: Uint8Array }
  /** The capture's IN data for this endpoint is used up. */
  | { readonly kind: 'in-exhausted'; readonly endpoint: number }
  /** The capture had cut this IN data (captured < actual bytes); the rest was replayed as zeros. */
  | { readonly kind: 'in-truncated'; readonly endpoint: number; readonly captured: number; readonly actual: number }
  /** A transfer this backend does not replay (isochronous). */
  | { readonly kind: 'unsupported'; readonly endpoint: number; readonly transfer: UsbTransfer['kind'] };

export interface CaptureDeviceOptions {
  /** Which device (default: listCaptureDevices' first candidate). */
  readonly bus?: number;
  readonly address?: number;
  /** UsbDeviceIdentity.spec (default "capture:<name>#<bus>.<address>"). */
  readonly spec?: string;
  /** Default: 'low' for a low-speed-looking HID device, else 'full' (OHCI is a full/low-speed controller). */
  readonly speed?: UsbSpeed;
  readonly onDivergence?: (d: CaptureDivergence) => void;
  readonly bulkInWhenExhausted?: 'pending' | 'timeout';
  readonly fixMassStorageTags?: boolean;
  /**
   * Interrupt IN pacing. Without it, reports come as fast as the guest polls (a captured typing
   * session replays in a burst). With it, each report is held for as long as the captured device
   * kept the host waiting for it; the host supplies the clock (app/usb has no timers).
   */
  readonly pace?: (waitNs: bigint) => Promise<void>;
}

const EMPTY = new Uint8Array(0);
const done = (status: UsbStatus, data: Uint8Array = EMPTY, actualLength = data.length): Promise<UsbCompletion> =>
  Promise.resolve({ status, data, actualLength });

/** Builds a backend for one device of a parsed capture. Throws if the capture has no such device. */
export function createCaptureDevice(capture: UsbCapture, options: CaptureDeviceOptions = {}): CaptureDevice {
  const candidates = listCaptureDevices(capture);
  const pick = options.bus === undefined && options.address === undefined
    ? candidates[0]
    : candidates.find((c) => (options.bus === undefined || c.bus === options.bus) && (options.address === undefined || c.address === options.address));
  if (pick === undefined) {
    const list = candidates.map((c) => `bus ${c.bus} address ${c.address}${c.vidPid !== undefined ? ` (${c.vidPid})` : ''}`).join(', ');
    throw new Error(`capture ${capture.name} has no device${options.bus !== undefined || options.address !== undefined ? ` at bus ${options.bus ?? '*'} address ${options.address ?? '*'}` : ''}; it has: ${list || 'none'}`);
  }
  return new CaptureDevice(capture.name, pick.bus, pick.address, deviceExchanges(capture, pick.bus, pick.address), options);
}

interface Pending { readonly resolve: (c: UsbCompletion) => void }

export class CaptureDevice implements UsbDeviceBackend {
  readonly identity: UsbDeviceIdentity;
  readonly described: DescribedDevice;
  onDisconnect: (() => void) | null = null;

  private readonly control = new Map<string, UsbExchange[]>();
  private readonly controlCursor = new Map<string, number>();
  private readonly inStreams = new Map<number, InStream>();
  private readonly outStreams = new Map<number, OutStream>();
  private readonly kinds = new Map<number, UsbExchange['type']>();
  private readonly halted = new Set<number>();
  private readonly pending = new Set<Pending>();
  private readonly botEndpoints = new Set<number>();
  private configuration = 0;
  private readonly altSettings = new Map<number, number>();
  private lastCbwTag: Uint8Array | null = null;
  private closed = false;

  constructor(name: string, readonly bus: number, readonly address: number, exchanges: readonly UsbExchange[], private readonly options: CaptureDeviceOptions = {}) {
    this.described = describeDevice(exchanges);
    const dd = this.described.descriptor;
    const maxPacket = new Map<number, number>();
    for (const itf of this.described.interfaces) {
      for (const ep of itf.endpoints) maxPacket.set(ep.address, ep.maxPacketSize);
      if (itf.interfaceClass === 0x08 && itf.protocol === 0x50) for (const ep of itf.endpoints) this.botEndpoints.add(ep.address);
    }
    const ins = new Map<number, UsbExchange[]>();
    const outs = new Map<number, UsbExchange[]>();
    for (const x of exchanges) {
      if (x.type === 'control') {
        if (x.setup === undefined || x.cancelled) continue;
        const key = setupKey(x.endpoint, x.setup);
        const list = this.control.get(key);
        if (list === undefined) this.control.set(key, [x]); else list.push(x);
        continue;
      }
      if (x.type === 'isochronous') continue;
      // 'nodev' says the host lost the device, not what the device answered.
      if (x.status === 'nodev' || (x.cancelled && x.actualLength === 0)) continue;
      this.kinds.set(x.endpoint, x.type);
      const m = (x.endpoint & 0x80) !== 0 ? ins : outs;
      const list = m.get(x.endpoint);
      if (list === undefined) m.set(x.endpoint, [x]); else list.push(x);
    }
    // A run of transport errors that ends an endpoint's traffic is the device going away (the Teensy
    // capture ends with ten -EILSEQ per endpoint at unplug). This backend does not unplug, so the
    // endpoint goes quiet after its last answer instead; errors between answers are replayed.
    for (const m of [ins, outs]) {
      for (const xs of m.values()) {
        while (xs.length > 0 && ['error', 'timeout', 'nodev'].includes(xs[xs.length - 1]!.status) && !xs[xs.length - 1]!.cancelled) xs.pop();
      }
    }
    // Endpoints the configuration descriptor does not describe: 64, the full-speed bulk maximum, which
    // also divides the high-speed bulk size (512), so whole-packet transfers are still recognised.
    for (const [ep, xs] of ins) this.inStreams.set(ep, new InStream(xs.map((x) => inSegment(x, maxPacket.get(ep) || 64))));
    for (const [ep, xs] of outs) this.outStreams.set(ep, new OutStream(xs.map((x) => ({ data: x.outData ?? EMPTY, status: x.status }))));
    const lowSpeedLooking = dd !== null && dd.maxPacketSize0 === 8 && dd.bcdUSB <= 0x0110 && this.described.interfaces.length > 0 &&
      this.described.interfaces.every((i) => i.endpoints.every((e) => (e.attributes & 3) === 3 && e.maxPacketSize <= 8));
    this.identity = {
      spec: options.spec ?? `capture:${name}#${bus}.${address}`,
      speed: options.speed ?? (lowSpeedLooking ? 'low' : 'full'),
      vendorId: dd?.vendorId ?? 0,
      productId: dd?.productId ?? 0,
    };
  }

  /** How far the replay has gone on each bulk/interrupt endpoint (captured transfers used / total). */
  progress(): { endpoint: number; consumed: number; total: number }[] {
    const out = [...this.inStreams].map(([endpoint, s]) => ({ endpoint, consumed: s.consumed, total: s.total }));
    for (const [endpoint, s] of this.outStreams) out.push({ endpoint, consumed: s.consumed, total: s.total });
    return out.sort((a, b) => a.endpoint - b.endpoint);
  }

  submit(t: UsbTransfer): Promise<UsbCompletion> {
    if (this.closed) return done('nodev');
    switch (t.kind) {
      case 'control': return this.submitControl(t);
      case 'bulk': case 'interrupt': return t.dirIn ? this.submitIn(t) : this.submitOut(t);
      default:
        this.report({ kind: 'unsupported', endpoint: t.endpoint | (t.dirIn ? 0x80 : 0), transfer: t.kind });
        return done('error');
    }
  }

  async reset(): Promise<void> {
    this.cancelAll();
    this.configuration = 0;
    this.altSettings.clear();
    this.halted.clear();
    this.lastCbwTag = null;
  }

  cancelAll(): void {
    const all = [...this.pending];
    this.pending.clear();
    for (const p of all) p.resolve({ status: 'nodev', data: EMPTY, actualLength: 0 });
  }

  async close(): Promise<void> {
    this.cancelAll();
    this.closed = true;
  }

  private report(d: CaptureDivergence): void {
    this.options.onDivergence?.(d);
  }

  private park(): Promise<UsbCompletion> {
    return new Promise((resolve) => { this.pending.add({ resolve }); });
  }

  private submitControl(t: UsbTransfer): Promise<UsbCompletion> {
    const s = t.setup;
    if (s === undefined) return done('error');
    const standard = (s.bmRequestType & 0x60) === 0;
    if (standard) {
      switch (s.bRequest) {
        case REQ.SET_ADDRESS: return done('ok');
        case REQ.SET_CONFIGURATION:
          this.configuration = s.wValue & 0xff;
          this.altSettings.clear();
          this.halted.clear();
          return done('ok');
        case REQ.SET_INTERFACE:
          this.altSettings.set(s.wIndex & 0xff, s.wValue & 0xff);
          return done('ok');
        case REQ.CLEAR_FEATURE:
          if ((s.bmRequestType & 0x1f) === 2 && s.wValue === FEATURE.ENDPOINT_HALT) this.halted.delete(s.wIndex & 0x8f);
          return done('ok');
        default: break;
      }
    }
    const x = this.matchControl(t.endpoint, s);
    if (x !== null) return this.replayControl(t, s, x);
    if (standard && (s.bmRequestType & 0x80) !== 0) {
      if (s.bRequest === REQ.GET_CONFIGURATION) return done('ok', Uint8Array.of(this.configuration).subarray(0, s.wLength));
      if (s.bRequest === REQ.GET_INTERFACE) return done('ok', Uint8Array.of(this.altSettings.get(s.wIndex & 0xff) ?? 0).subarray(0, s.wLength));
      if (s.bRequest === REQ.GET_STATUS) {
        const halted = (s.bmRequestType & 0x1f) === 2 && this.halted.has(s.wIndex & 0x8f) ? 1 : 0;
        return done('ok', Uint8Array.of(halted, 0).subarray(0, s.wLength));
      }
    }
    this.report({ kind: 'unknown-request', setup: s });
    return done('stall');
  }

  private matchControl(endpoint: number, s: SetupPacket): UsbExchange | null {
    const key = setupKey(endpoint, s);
    const list = this.control.get(key);
    if (list === undefined || list.length === 0) return null;
    const whole = (x: UsbExchange): boolean => {
      if (x.status !== 'ok' || x.inData === undefined) return true;
      if (x.requestedLength !== undefined && x.actualLength < x.requestedLength) return true; // a short reply is all there is
      return x.inData.length >= s.wLength;
    };
    const cursor = this.controlCursor.get(key) ?? 0;
    for (let i = cursor; i < list.length; i++) {
      if (whole(list[i]!)) {
        this.controlCursor.set(key, Math.min(i + 1, list.length - 1));
        return list[i]!;
      }
    }
    const any = list.find(whole);
    if (any !== undefined) return any;
    return list.reduce((a, b) => ((b.inData?.length ?? 0) > (a.inData?.length ?? 0) ? b : a));
  }

  private replayControl(t: UsbTransfer, s: SetupPacket, x: UsbExchange): Promise<UsbCompletion> {
    if ((s.bmRequestType & 0x80) !== 0) {
      if (x.status !== 'ok') return done(x.status);
      const data = (x.inData ?? EMPTY).subarray(0, Math.min(s.wLength, t.length));
      return done('ok', data);
    }
    const expected = x.outData ?? EMPTY;
    const actual = t.data.subarray(0, s.wLength);
    if (!bytesEqual(expected, actual)) this.report({ kind: 'out-data', endpoint: t.endpoint, expected, actual });
    return done(x.status, EMPTY, x.status === 'ok' ? actual.length : 0);
  }

  private submitIn(t: UsbTransfer): Promise<UsbCompletion> {
    const ep = 0x80 | (t.endpoint & 0x0f);
    const stream = this.inStreams.get(ep);
    const interrupt = t.kind === 'interrupt' || this.kinds.get(ep) === 'interrupt';
    const pace = this.options.pace;
    const next = stream?.peek();
    if (interrupt && pace !== undefined && next !== undefined && next.waitNs > 0n && !this.halted.has(ep)) {
      // Wait as long as the captured device made the host wait; a cancel meanwhile leaves the report
      // for the next poll, as the device would have kept it.
      return new Promise((resolve) => {
        const entry: Pending = { resolve };
        this.pending.add(entry);
        void pace(next.waitNs).then(() => {
          if (!this.pending.delete(entry)) return;
          const c = this.readIn(t, ep, stream, interrupt);
          if (c !== null) resolve(c); else this.pending.add(entry);
        });
      });
    }
    const c = this.readIn(t, ep, stream, interrupt);
    return c !== null ? Promise.resolve(c) : this.whenExhausted(ep, interrupt);
  }

  /** Takes the next captured answer for an IN transfer; null when the endpoint has none left. */
  private readIn(t: UsbTransfer, ep: number, stream: InStream | undefined, interrupt: boolean): UsbCompletion | null {
    if (this.halted.has(ep)) return { status: 'stall', data: EMPTY, actualLength: 0 };
    const r = stream === undefined ? null : interrupt ? stream.readReport(t.length) : stream.readBulk(t.length);
    if (r === null) return null;
    for (const tr of r.truncated) this.report({ kind: 'in-truncated', endpoint: ep, ...tr });
    if (r.status === 'stall') this.halted.add(ep);
    const data = this.fixCsw(ep, r);
    return { status: r.status, data, actualLength: data.length };
  }

  private whenExhausted(ep: number, interrupt: boolean): Promise<UsbCompletion> {
    this.report({ kind: 'in-exhausted', endpoint: ep });
    if (!interrupt && this.options.bulkInWhenExhausted === 'timeout') return done('timeout');
    return this.park();
  }

  private submitOut(t: UsbTransfer): Promise<UsbCompletion> {
    const ep = t.endpoint & 0x0f;
    if (this.halted.has(ep)) return done('stall');
    const data = t.data.subarray(0, t.length);
    this.noteCbw(ep, data);
    const stream = this.outStreams.get(ep);
    if (stream === undefined) {
      this.report({ kind: 'out-beyond-capture', endpoint: ep, actual: data });
      return done('ok', EMPTY, data.length);
    }
    const r = stream.write(data);
    if (r.beyondCapture) this.report({ kind: 'out-beyond-capture', endpoint: ep, actual: data });
    else if (!r.matches) this.report({ kind: 'out-data', endpoint: ep, expected: r.expected, actual: data });
    if (r.status === 'stall') this.halted.add(ep);
    return done(r.status, EMPTY, r.status === 'ok' ? data.length : 0);
  }

  // Bulk-Only Transport: CBW = 31 bytes, 'USBC', dCBWTag at 4; CSW = 13 bytes, 'USBS', dCSWTag at 4.
  private noteCbw(ep: number, data: Uint8Array): void {
    if (this.options.fixMassStorageTags === false || !this.botEndpoints.has(ep)) return;
    if (data.length === 31 && data[0] === 0x55 && data[1] === 0x53 && data[2] === 0x42 && data[3] === 0x43) this.lastCbwTag = data.slice(4, 8);
  }

  private fixCsw(ep: number, r: InResult): Uint8Array {
    const d = r.data;
    const tag = this.lastCbwTag;
    if (tag === null || !this.botEndpoints.has(ep) || d.length !== 13 || d[0] !== 0x55 || d[1] !== 0x53 || d[2] !== 0x42 || d[3] !== 0x53) return d;
    if (bytesEqual(d.subarray(4, 8), tag)) return d;
    const fixed = d.slice();
    fixed.set(tag, 4);
    return fixed;
  }
}
