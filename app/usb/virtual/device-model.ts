// Base of every virtual USB device: the device framework of USB 2.0 chapter 9 (states 9.1, standard
// requests 9.4, descriptors 9.5/9.6) behind the UsbDeviceBackend port, so a subclass only supplies
// descriptors, class requests and its data endpoints.
//
// Model level: transfers, not packets. A transfer is one TD chain as the OHCI controller hands it
// over; data toggles and packet splitting belong to the bus and are not modelled. A NAK becomes "the
// transfer stays pending": each data endpoint has a FIFO of submitted transfers and only the head is
// offered to the subclass (dataIn/dataOut). When the subclass has nothing (returns null) the head
// waits until the subclass calls kick(endpoint). This is how an interrupt IN transfer stays pending
// until a key is pressed, and how a bulk IN waits for echo data.
//
// Errors: a STALL on a data endpoint sets its Halt feature (9.4.5), which holds until
// CLEAR_FEATURE(ENDPOINT_HALT), unless the subclass refuses (mass storage keeps both bulk endpoints
// halted after an invalid CBW until its class reset, BOT 1.0 6.6.1). Tokens to endpoints that do not
// exist in the current configuration get no answer ('timeout'), as on the bus (9.1.1.5). A bug in a
// subclass (an exception) completes the transfer with 'error' and is kept in lastError.

import { DESC, FEATURE, REQ, type SetupPacket, type TransferKind, type UsbCompletion, type UsbDeviceBackend,
  type UsbDeviceIdentity, type UsbTransfer, requestDirIn, requestRecipient, requestType } from '../usb-backend.js';
import { CONFIG_ATTR, type ConfigurationSpec, type InterfaceSpec, buildConfigurationDescriptor, epTransferType } from '../descriptors/configuration.js';
import { type DeviceDescriptor, buildDeviceDescriptor } from '../descriptors/device.js';
import { LANGID_EN_US, buildLangIdDescriptor, buildStringDescriptor } from '../descriptors/string.js';

export type MaybePromise<T> = T | Promise<T>;
export const isPromise = <T>(v: MaybePromise<T>): v is Promise<T> => typeof (v as { then?: unknown } | null)?.then === 'function';
/** Applies `f` now if `v` is a value, or when it resolves: synchronous stores stay synchronous. */
export const mapMaybe = <T, R>(v: MaybePromise<T>, f: (t: T) => R): MaybePromise<R> => (isPromise(v) ? v.then(f) : f(v));

const EMPTY = new Uint8Array(0);
export const completion = {
  ok: (data: Uint8Array): UsbCompletion => ({ status: 'ok', data, actualLength: data.length }),
  out: (n: number): UsbCompletion => ({ status: 'ok', data: EMPTY, actualLength: n }),
  stall: { status: 'stall', data: EMPTY, actualLength: 0 } as UsbCompletion,
  nodev: { status: 'nodev', data: EMPTY, actualLength: 0 } as UsbCompletion,
  timeout: { status: 'timeout', data: EMPTY, actualLength: 0 } as UsbCompletion,
  error: { status: 'error', data: EMPTY, actualLength: 0 } as UsbCompletion,
};

/** A control request's answer: IN data (cut to wLength by the base), EMPTY for a successful OUT, or STALL. */
export type ControlResult = Uint8Array | 'stall';
/** An IN endpoint's answer: data, a full completion (e.g. babble), STALL (sets Halt), or null = NAK (stay pending). */
export type InResult = Uint8Array | UsbCompletion | 'stall' | null;
/** An OUT endpoint's answer: bytes accepted, STALL (sets Halt), or null = NAK (stay pending). */
export type OutResult = number | 'stall' | null;

/** An endpoint of the current configuration and alternate settings. */
export interface ActiveEndpoint {
  readonly address: number;
  readonly kind: TransferKind;
  readonly maxPacketSize: number;
  readonly interfaceNumber: number;
}

export interface VirtualDeviceConfig {
  /** The attach spec, e.g. "virtual:hid-keyboard". */
  readonly spec: string;
  readonly device: DeviceDescriptor;
  /** The one configuration (virtual devices have bNumConfigurations 1). */
  readonly configuration: ConfigurationSpec;
  /** String descriptors 1..n (strings[0] is index 1). */
  readonly strings: readonly string[];
  readonly langIds?: readonly number[];
}

export type DeviceState = 'default' | 'address' | 'configured';

interface Pending { readonly t: UsbTransfer; readonly resolve: (c: UsbCompletion) => void }
interface Pipe { queue: Pending[]; busy: boolean; kicked: boolean; generation: number }


export abstract class VirtualUsbDevice implements UsbDeviceBackend {
  readonly identity: UsbDeviceIdentity;
  onDisconnect: (() => void) | null = null;
  /** The last exception a subclass threw while handling a transfer (the transfer completed with 'error'). */
  lastError: unknown = null;

  protected readonly config: ConfigurationSpec;
  private readonly deviceDescriptor: Uint8Array;
  private readonly configDescriptor: Uint8Array;
  private readonly langIdDescriptor: Uint8Array;
  private readonly stringDescriptors: Uint8Array[];
  private address = 0;
  private configValue = 0;
  private remoteWakeup = false;
  private closed = false;
  private readonly alt = new Map<number, number>();
  private readonly halted = new Set<number>();
  private readonly pipes = new Map<number, Pipe>();
  private active = new Map<number, ActiveEndpoint>();

  protected constructor(cfg: VirtualDeviceConfig) {
    if (cfg.device.bNumConfigurations !== 1) throw new RangeError('a virtual device has exactly one configuration');
    this.identity = { spec: cfg.spec, speed: 'full', vendorId: cfg.device.idVendor, productId: cfg.device.idProduct };
    this.config = cfg.configuration;
    this.deviceDescriptor = buildDeviceDescriptor(cfg.device);
    this.configDescriptor = buildConfigurationDescriptor(cfg.configuration);
    this.langIdDescriptor = buildLangIdDescriptor(cfg.langIds ?? [LANGID_EN_US]);
    this.stringDescriptors = cfg.strings.map(buildStringDescriptor);
  }

  // ---- state, for the UI and tests -------------------------------------------------------------

  /** USB 2.0 9.1.1: Default (after reset), Address (after SET_ADDRESS), Configured. */
  get state(): DeviceState {
    return this.configValue !== 0 ? 'configured' : this.address !== 0 ? 'address' : 'default';
  }
  get deviceAddress(): number { return this.address; }
  get configurationValue(): number { return this.configValue; }
  isHalted(endpointAddress: number): boolean { return this.halted.has(endpointAddress); }
  /** bInterfaceClass of interface `n` in its current alternate setting (for describeSetup's context). */
  interfaceClass(n: number): number | undefined { return this.currentInterface(n)?.bInterfaceClass; }
  /** Number of transfers waiting on an endpoint (e.g. interrupt INs parked until a key press). */
  pendingCount(endpointAddress: number): number { return this.pipes.get(endpointAddress)?.queue.length ?? 0; }

  // ---- UsbDeviceBackend --------------------------------------------------------------------------

  submit(t: UsbTransfer): Promise<UsbCompletion> {
    if (this.closed) return Promise.resolve(completion.nodev);
    if (t.kind === 'isochronous') return Promise.resolve(completion.error); // see usb-backend.ts
    if (t.endpoint === 0) {
      if (t.kind !== 'control') return Promise.resolve(completion.error);
      return this.control(t);
    }
    const addr = (t.endpoint & 0x0f) | (t.dirIn ? 0x80 : 0);
    const ep = this.active.get(addr);
    // No such endpoint in this configuration (or not configured yet, 9.1.1.5): the device ignores the
    // token. Bulk and interrupt look the same on the wire, so only control is a real mismatch.
    if (!ep || t.kind === 'control') return Promise.resolve(completion.timeout);
    return new Promise((resolve) => {
      this.pipe(addr).queue.push({ t, resolve });
      void this.service(addr);
    });
  }

  async reset(): Promise<void> {
    this.cancelAll();
    this.address = 0;
    this.configValue = 0;
    this.remoteWakeup = false;
    this.alt.clear();
    this.halted.clear();
    this.active = new Map();
    this.onReset();
  }

  cancelAll(): void {
    for (const pipe of this.pipes.values()) {
      const q = pipe.queue;
      pipe.queue = [];
      pipe.generation++;
      for (const p of q) p.resolve(completion.nodev);
    }
  }

  cancel(t: UsbTransfer): void {
    for (const pipe of this.pipes.values()) {
      const i = pipe.queue.findIndex((p) => p.t === t);
      if (i < 0) continue;
      const [p] = pipe.queue.splice(i, 1);
      // The head may be waiting on an asynchronous answer: drop that answer when it comes.
      if (i === 0 && pipe.busy) pipe.generation++;
      p!.resolve(completion.nodev);
      return;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.cancelAll();
  }

  /** Simulates pulling the plug: pending transfers end with 'nodev' and the host is told. */
  unplug(): void {
    if (this.closed) return;
    void this.close();
    this.onDisconnect?.();
  }

  // ---- for subclasses ------------------------------------------------------------------------------

  /** Class requests (bmRequestType type 1). Default: STALL (USB 2.0 9.2.7 Request Error). */
  protected classRequest(_s: SetupPacket, _data: Uint8Array): MaybePromise<ControlResult> { return 'stall'; }
  /** Vendor requests (type 2). Default: STALL. */
  protected vendorRequest(_s: SetupPacket, _data: Uint8Array): MaybePromise<ControlResult> { return 'stall'; }
  /** GET_DESCRIPTOR addressed to an interface (HID 1.11 7.1: HID and report descriptors). */
  protected interfaceDescriptor(_type: number, _index: number, _iface: number): Uint8Array | undefined { return undefined; }
  /** An IN transfer of up to `length` bytes is at the head of `ep`'s queue. */
  protected dataIn(_ep: ActiveEndpoint, _length: number): MaybePromise<InResult> { return 'stall'; }
  /** An OUT transfer's data is at the head of `ep`'s queue. */
  protected dataOut(_ep: ActiveEndpoint, _data: Uint8Array): MaybePromise<OutResult> { return 'stall'; }
  /** SET_CONFIGURATION (value 0 = deconfigured) took effect. */
  protected onConfigured(_value: number): void { /* nothing */ }
  /** SET_INTERFACE took effect. */
  protected onInterfaceSelected(_iface: number, _alt: number): void { /* nothing */ }
  /** Port reset (after the base returned to the Default state). */
  protected onReset(): void { /* nothing */ }
  /** Whether CLEAR_FEATURE(ENDPOINT_HALT) may clear the halt (the request itself still succeeds). */
  protected mayClearHalt(_endpointAddress: number): boolean { return true; }
  protected onHaltCleared(_endpointAddress: number): void { /* nothing */ }

  /** New data or buffer space on an endpoint: offers the waiting head transfer again. */
  protected kick(endpointAddress: number): void {
    const pipe = this.pipes.get(endpointAddress);
    if (!pipe) return;
    pipe.kicked = true;
    void this.service(endpointAddress);
  }

  /**
   * Sets the Halt feature (a functional stall): every transfer offered from now on gets STALL. Called
   * while answering a transfer on the same endpoint, that transfer still completes with its answer
   * (how mass storage ends a short data stage and then STALLs, BOT 1.0 6.7.2).
   */
  protected setHalt(endpointAddress: number): void {
    this.halted.add(endpointAddress);
    this.kick(endpointAddress);
  }

  // ---- data pipes ------------------------------------------------------------------------------------

  private pipe(addr: number): Pipe {
    let p = this.pipes.get(addr);
    if (!p) { p = { queue: [], busy: false, kicked: false, generation: 0 }; this.pipes.set(addr, p); }
    return p;
  }

  /** Offers queued transfers to the subclass in order, one at a time, until one must wait. */
  private async service(addr: number): Promise<void> {
    const pipe = this.pipe(addr);
    if (pipe.busy) return;
    pipe.busy = true;
    try {
      while (pipe.queue.length > 0) {
        const head = pipe.queue[0]!;
        const ep = this.active.get(addr);
        let c: UsbCompletion | null;
        if (!ep) c = completion.timeout; // deconfigured while waiting
        else if (this.halted.has(addr)) c = completion.stall;
        else {
          const gen = pipe.generation;
          pipe.kicked = false;
          try {
            const a = this.attempt(ep, head.t);
            c = isPromise(a) ? await a : a; // synchronous answers complete without a microtask hop
          } catch (e) {
            this.lastError = e;
            c = completion.error;
          }
          if (gen !== pipe.generation) continue; // cancelled meanwhile: this answer is dropped
          if (c === null) {
            if (pipe.kicked) continue; // data arrived while we were asking
            break;
          }
          if (c.status === 'stall') this.halted.add(addr);
        }
        pipe.queue.shift();
        head.resolve(c);
      }
    } finally {
      pipe.busy = false;
    }
  }

  private attempt(ep: ActiveEndpoint, t: UsbTransfer): MaybePromise<UsbCompletion | null> {
    if (t.dirIn) {
      const r = this.dataIn(ep, t.length);
      return isPromise(r) ? r.then((x) => inCompletion(x, t.length)) : inCompletion(r, t.length);
    }
    const data = t.data.length > t.length ? t.data.subarray(0, t.length) : t.data;
    const r = this.dataOut(ep, data);
    return isPromise(r) ? r.then(outCompletion) : outCompletion(r);
  }

  // ---- control pipe (USB 2.0 9.4) ----------------------------------------------------------------

  private async control(t: UsbTransfer): Promise<UsbCompletion> {
    const s = t.setup;
    if (!s) return completion.error;
    const data = requestDirIn(s) ? EMPTY : t.data.subarray(0, Math.min(t.data.length, s.wLength));
    let r: ControlResult;
    try {
      const type = requestType(s);
      const x = type === 'standard' ? this.standard(s) : type === 'class' ? this.classRequest(s, data)
        : type === 'vendor' ? this.vendorRequest(s, data) : 'stall';
      r = isPromise(x) ? await x : x;
    } catch (e) {
      this.lastError = e;
      return completion.error;
    }
    if (r === 'stall') return completion.stall;
    if (!requestDirIn(s)) return completion.out(data.length);
    // Honour wLength (9.3.5): a longer answer is cut; a shorter one is a short reply.
    const n = Math.min(r.length, s.wLength, t.length);
    return completion.ok(n === r.length ? r : r.slice(0, n));
  }

  private standard(s: SetupPacket): ControlResult {
    const dirIn = requestDirIn(s);
    const recipient = requestRecipient(s);
    const want = (inDir: boolean): boolean => dirIn === inDir;
    switch (s.bRequest) {
      case REQ.GET_STATUS: {
        if (!want(true) || s.wLength !== 2) return 'stall';
        if (recipient === 'device') {
          const self = this.config.bmAttributes & CONFIG_ATTR.SELF_POWERED ? 1 : 0;
          return Uint8Array.of(self | (this.remoteWakeup ? 2 : 0), 0);
        }
        if (recipient === 'interface') return this.currentInterface(s.wIndex & 0xff) ? Uint8Array.of(0, 0) : 'stall';
        if (recipient === 'endpoint') {
          const ep = s.wIndex & 0x8f;
          if ((ep & 0x0f) === 0) return Uint8Array.of(0, 0);
          return this.active.has(ep) ? Uint8Array.of(this.halted.has(ep) ? 1 : 0, 0) : 'stall';
        }
        return 'stall';
      }
      case REQ.CLEAR_FEATURE: case REQ.SET_FEATURE:
        return want(false) ? this.feature(s, s.bRequest === REQ.SET_FEATURE) : 'stall';
      case REQ.SET_ADDRESS:
        // Accepted and remembered for the UI; routing by address is the host controller's business.
        if (!want(false) || recipient !== 'device' || s.wValue > 127) return 'stall';
        this.address = s.wValue;
        return EMPTY;
      case REQ.GET_DESCRIPTOR:
        return want(true) ? this.descriptor(s) : 'stall';
      case REQ.GET_CONFIGURATION:
        return want(true) && recipient === 'device' ? Uint8Array.of(this.configValue) : 'stall';
      case REQ.SET_CONFIGURATION: {
        const value = s.wValue & 0xff;
        if (!want(false) || recipient !== 'device' || (value !== 0 && value !== this.config.bConfigurationValue)) return 'stall';
        this.configValue = value;
        this.alt.clear();
        this.halted.clear(); // 9.1.1.5 / 9.4.7: configuring resets endpoint state
        this.refreshEndpoints();
        this.onConfigured(value);
        return EMPTY;
      }
      case REQ.GET_INTERFACE: {
        const n = s.wIndex & 0xff;
        return want(true) && recipient === 'interface' && this.currentInterface(n) ? Uint8Array.of(this.alt.get(n) ?? 0) : 'stall';
      }
      case REQ.SET_INTERFACE: {
        const n = s.wIndex & 0xff;
        if (!want(false) || recipient !== 'interface' || !this.currentInterface(n)) return 'stall';
        const setting = this.config.interfaces.find((i) => i.bInterfaceNumber === n && (i.bAlternateSetting ?? 0) === s.wValue);
        if (!setting) return 'stall';
        this.alt.set(n, s.wValue);
        for (const e of setting.endpoints) this.halted.delete(e.bEndpointAddress); // 9.4.10: halt and toggle reset
        this.refreshEndpoints();
        this.onInterfaceSelected(n, s.wValue);
        return EMPTY;
      }
      default: // SET_DESCRIPTOR, SYNCH_FRAME (no isochronous endpoints), unknown
        return 'stall';
    }
  }

  private feature(s: SetupPacket, set: boolean): ControlResult {
    const recipient = requestRecipient(s);
    if (recipient === 'device') {
      if (s.wValue !== FEATURE.DEVICE_REMOTE_WAKEUP || !(this.config.bmAttributes & CONFIG_ATTR.REMOTE_WAKEUP)) return 'stall'; // TEST_MODE is high-speed only
      this.remoteWakeup = set;
      return EMPTY;
    }
    if (recipient !== 'endpoint' || s.wValue !== FEATURE.ENDPOINT_HALT) return 'stall';
    const ep = s.wIndex & 0x8f;
    if ((ep & 0x0f) === 0) return set ? 'stall' : EMPTY; // halting the default pipe is not recommended (9.4.5)
    if (!this.active.has(ep)) return 'stall';
    if (set) {
      this.setHalt(ep);
    } else if (this.mayClearHalt(ep)) {
      this.halted.delete(ep);
      this.onHaltCleared(ep);
      this.kick(ep);
    }
    return EMPTY;
  }

  private descriptor(s: SetupPacket): ControlResult {
    const type = s.wValue >> 8;
    const index = s.wValue & 0xff;
    const recipient = requestRecipient(s);
    if (recipient === 'interface') return this.interfaceDescriptor(type, index, s.wIndex & 0xff) ?? 'stall';
    if (recipient !== 'device') return 'stall';
    switch (type) {
      case DESC.DEVICE: return this.deviceDescriptor;
      case DESC.CONFIGURATION: return index === 0 ? this.configDescriptor : 'stall';
      case DESC.STRING:
        // Any LANGID is answered with the one language we have (hosts ask with 0x0409 or the first listed one).
        return index === 0 ? this.langIdDescriptor : this.stringDescriptors[index - 1] ?? 'stall';
      default: // DEVICE_QUALIFIER and OTHER_SPEED_CONFIGURATION: a full-speed-only device STALLs (9.6.2); no BOS below USB 2.01
        return 'stall';
    }
  }

  private currentInterface(n: number): InterfaceSpec | undefined {
    if (this.configValue === 0) return undefined;
    const alt = this.alt.get(n) ?? 0;
    return this.config.interfaces.find((i) => i.bInterfaceNumber === n && (i.bAlternateSetting ?? 0) === alt);
  }

  private refreshEndpoints(): void {
    const next = new Map<number, ActiveEndpoint>();
    if (this.configValue !== 0) {
      const numbers = new Set(this.config.interfaces.map((i) => i.bInterfaceNumber));
      for (const n of numbers) {
        for (const e of this.currentInterface(n)?.endpoints ?? []) {
          const kind = epTransferType(e.bmAttributes);
          next.set(e.bEndpointAddress, { address: e.bEndpointAddress, kind, maxPacketSize: e.wMaxPacketSize, interfaceNumber: n });
        }
      }
    }
    this.active = next;
    for (const addr of this.pipes.keys()) if (!next.has(addr)) this.kick(addr); // let waiting transfers time out
  }
}

function inCompletion(r: InResult, length: number): UsbCompletion | null {
  if (r === null) return null;
  if (r === 'stall') return completion.stall;
  if (r instanceof Uint8Array) {
    // A device that sends more than the host asked for babbles (USB 2.0 8.5.2 / OHCI DataOverrun).
    if (r.length > length) return { status: 'babble', data: r.slice(0, length), actualLength: length };
    return completion.ok(r);
  }
  return r;
}

function outCompletion(r: OutResult): UsbCompletion | null {
  if (r === null) return null;
  return r === 'stall' ? completion.stall : completion.out(r);
}
