/// <reference types="w3c-web-usb" />
/// <reference path="./buffer-source.d.ts" />
// Test support: a scriptable USB device implementing the standard WebUSB USBDevice interface
// (@types/w3c-web-usb), and a WebUSB-like enumerator whose 'disconnect' events it dispatches.
//
// Descriptors come from app/usb/descriptors builders; GET_DESCRIPTOR is answered from them unless a
// control answer is scripted. Each endpoint (0 for control, else the endpoint address such as 0x81
// or 0x02) has a FIFO of scripted answers; a transfer takes the head, or waits until one is pushed
// (so an interrupt IN stays pending until the test answers); an unscripted OUT is accepted whole. Answers can be data (short or long:
// babble), a stall (halts the endpoint until clearHalt, as a device does), a timeout, an error, or
// "disconnect" (the device goes away in the middle of the transfer). Every call is recorded.

import { type ConfigurationSpec, buildConfigurationDescriptor } from '../../app/usb/descriptors/configuration.js';
import { type DeviceDescriptor, buildDeviceDescriptor } from '../../app/usb/descriptors/device.js';
import { LANGID_EN_US, buildLangIdDescriptor, buildStringDescriptor } from '../../app/usb/descriptors/string.js';
import { DESC, REQ } from '../../app/usb/usb-backend.js';

export type FakeAnswer =
  | { readonly data: Uint8Array }
  | { readonly bytesWritten: number }
  | { readonly status: 'stall' | 'babble'; readonly data?: Uint8Array }
  | { readonly throws: 'timeout' | 'disconnect' | 'error' | Error };

export interface FakeCall { readonly method: string; readonly args: readonly unknown[] }

export interface FakeDeviceSpec {
  readonly device: DeviceDescriptor;
  readonly configurations: readonly ConfigurationSpec[];
  /** String descriptors 1..n (strings[0] is index 1). */
  readonly strings?: readonly string[];
  /** The `usb` package's extras. */
  readonly speed?: 'low' | 'full' | 'high';
  readonly bus?: string;
  readonly address?: number;
  readonly ports?: number[];
  /** Configuration active when found (the kernel usually configured it); 0: unconfigured. */
  readonly activeConfiguration?: number;
}

const bytesOf = (b: BufferSource | undefined): Uint8Array =>
  b === undefined ? new Uint8Array(0) : b instanceof ArrayBuffer ? new Uint8Array(b.slice(0)) : new Uint8Array(b.buffer, b.byteOffset, b.byteLength).slice();

const view = (b: Uint8Array): DataView => new DataView(b.buffer, b.byteOffset, b.byteLength);

function toWebUsbConfiguration(c: ConfigurationSpec, name: (i: number | undefined) => string | null): USBConfiguration {
  const numbers = [...new Set(c.interfaces.map((i) => i.bInterfaceNumber))];
  return {
    configurationValue: c.bConfigurationValue,
    configurationName: name(c.iConfiguration),
    interfaces: numbers.map((n) => {
      const alternates: USBAlternateInterface[] = c.interfaces.filter((i) => i.bInterfaceNumber === n).map((i) => ({
        alternateSetting: i.bAlternateSetting ?? 0,
        interfaceClass: i.bInterfaceClass, interfaceSubclass: i.bInterfaceSubClass, interfaceProtocol: i.bInterfaceProtocol,
        interfaceName: name(i.iInterface),
        endpoints: i.endpoints.map((e): USBEndpoint => ({
          endpointNumber: e.bEndpointAddress & 0x0f,
          direction: e.bEndpointAddress & 0x80 ? 'in' : 'out',
          type: (['bulk', 'isochronous', 'bulk', 'interrupt'] as const)[e.bmAttributes & 3]!,
          packetSize: e.wMaxPacketSize,
        })),
      }));
      return { interfaceNumber: n, alternate: alternates[0]!, alternates, claimed: false };
    }),
  };
}

function namedError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name });
}

interface Waiter { readonly take: (a: FakeAnswer) => void; readonly fail: (e: Error) => void }

export class FakeUsbDevice implements USBDevice {
  readonly usbVersionMajor: number;
  readonly usbVersionMinor: number;
  readonly usbVersionSubminor = 0;
  readonly deviceClass: number;
  readonly deviceSubclass: number;
  readonly deviceProtocol: number;
  readonly vendorId: number;
  readonly productId: number;
  readonly deviceVersionMajor: number;
  readonly deviceVersionMinor: number;
  readonly deviceVersionSubminor = 0;
  readonly manufacturerName: string | null;
  readonly productName: string | null;
  readonly serialNumber: string | null;
  readonly configurations: USBConfiguration[];
  readonly speed: string;
  readonly bus: string;
  readonly address: number;
  readonly ports: number[];

  /** Every API call, in order. */
  readonly calls: FakeCall[] = [];
  /** Thrown by open() when set (e.g. an EACCES error). */
  failOpen: Error | null = null;
  /** Endpoint addresses currently halted (a scripted stall halts; clearHalt clears). */
  readonly halted = new Set<number>();
  readonly claimedInterfaces = new Set<number>();
  readonly alternates = new Map<number, number>();
  /** Set by FakeWebUsb: dispatches the 'disconnect' event. */
  onGone: ((d: FakeUsbDevice) => void) | null = null;

  private active: number;
  private isOpen = false;
  private gone = false;
  private readonly scripts = new Map<number, FakeAnswer[]>();
  private readonly waiters = new Map<number, Waiter[]>();
  private readonly strings: readonly string[];
  private readonly spec: FakeDeviceSpec;

  constructor(spec: FakeDeviceSpec) {
    const d = spec.device;
    this.spec = spec;
    this.strings = spec.strings ?? [];
    const str = (i: number | undefined): string | null => (i ? this.strings[i - 1] ?? null : null);
    this.usbVersionMajor = d.bcdUSB >> 8;
    this.usbVersionMinor = (d.bcdUSB >> 4) & 0xf;
    this.deviceClass = d.bDeviceClass; this.deviceSubclass = d.bDeviceSubClass; this.deviceProtocol = d.bDeviceProtocol;
    this.vendorId = d.idVendor; this.productId = d.idProduct;
    this.deviceVersionMajor = d.bcdDevice >> 8; this.deviceVersionMinor = (d.bcdDevice >> 4) & 0xf;
    this.manufacturerName = str(d.iManufacturer); this.productName = str(d.iProduct); this.serialNumber = str(d.iSerialNumber);
    this.configurations = spec.configurations.map((c) => toWebUsbConfiguration(c, str));
    this.active = spec.activeConfiguration ?? spec.configurations[0]?.bConfigurationValue ?? 0;
    this.speed = spec.speed ?? 'full';
    this.bus = spec.bus ?? '1-1';
    this.address = spec.address ?? 2;
    this.ports = spec.ports ?? [1];
  }

  get configuration(): USBConfiguration | null {
    return this.configurations.find((c) => c.configurationValue === this.active) ?? null;
  }

  get opened(): boolean { return this.isOpen; }

  /** Queues answers for endpoint `ep` (0 = control; else the endpoint address, e.g. 0x81). */
  script(ep: number, ...answers: FakeAnswer[]): void {
    for (const a of answers) {
      const w = this.waiters.get(ep)?.shift();
      if (w) w.take(a);
      else this.scripts.set(ep, [...(this.scripts.get(ep) ?? []), a]);
    }
  }

  /** Transfers waiting for an answer on `ep`. */
  waiting(ep: number): number { return this.waiters.get(ep)?.length ?? 0; }

  /** Unplugs the device: every waiting transfer fails, and the enumerator says 'disconnect'. */
  disconnect(): void {
    if (this.gone) return;
    this.gone = true;
    this.isOpen = false;
    for (const ws of this.waiters.values()) for (const w of ws.splice(0)) w.fail(namedError('NetworkError', 'device disconnected'));
    this.onGone?.(this);
  }

  private record(method: string, ...args: unknown[]): void {
    this.calls.push({ method, args });
  }

  private check(): void {
    if (this.gone) throw namedError('NetworkError', 'device disconnected');
    if (!this.isOpen) throw namedError('InvalidStateError', 'the device must be opened first');
  }

  /** The next answer for `ep`: scripted, or wait for one. */
  private next(ep: number): Promise<FakeAnswer> {
    const q = this.scripts.get(ep);
    if (q?.length) return Promise.resolve(q.shift()!);
    return new Promise((take, fail) => this.waiters.set(ep, [...(this.waiters.get(ep) ?? []), { take, fail }]));
  }

  private async answer(ep: number): Promise<FakeAnswer> {
    const a = await this.next(ep);
    if ('throws' in a) {
      if (a.throws === 'disconnect') {
        this.disconnect();
        throw namedError('NetworkError', 'device disconnected');
      }
      if (a.throws === 'timeout') throw namedError('TimeoutError', 'transfer timed out');
      if (a.throws === 'error') throw namedError('OperationError', 'hardware fault or protocol violation');
      throw a.throws;
    }
    if ('status' in a && a.status === 'stall' && ep !== 0) this.halted.add(ep);
    return a;
  }

  private static inResult(a: FakeAnswer, length: number): USBInTransferResult {
    if ('status' in a) return { status: a.status, ...(a.data ? { data: view(a.data) } : {}) };
    if ('data' in a) return { status: a.data.length > length ? 'babble' : 'ok', data: view(a.data.length > length ? a.data.slice(0, length) : a.data) };
    return { status: 'ok', data: view(new Uint8Array(0)) };
  }

  private static outResult(a: FakeAnswer, sent: number): USBOutTransferResult {
    if ('status' in a) return { status: a.status, bytesWritten: 0 };
    if ('bytesWritten' in a) return { status: 'ok', bytesWritten: a.bytesWritten };
    return { status: 'ok', bytesWritten: sent };
  }

  async open(): Promise<void> {
    this.record('open');
    if (this.gone) throw namedError('NetworkError', 'device disconnected');
    if (this.failOpen) throw this.failOpen;
    this.isOpen = true;
  }

  async close(): Promise<void> {
    this.record('close');
    this.isOpen = false;
    this.claimedInterfaces.clear();
  }

  async forget(): Promise<void> { this.record('forget'); }

  async selectConfiguration(configurationValue: number): Promise<void> {
    this.record('selectConfiguration', configurationValue);
    this.check();
    if (!this.configurations.some((c) => c.configurationValue === configurationValue)) {
      throw namedError('NotFoundError', 'The configuration value provided is not supported by the device.');
    }
    this.active = configurationValue;
    this.claimedInterfaces.clear();
    this.alternates.clear();
  }

  async claimInterface(interfaceNumber: number): Promise<void> {
    this.record('claimInterface', interfaceNumber);
    this.check();
    this.claimedInterfaces.add(interfaceNumber);
  }

  async releaseInterface(interfaceNumber: number): Promise<void> {
    this.record('releaseInterface', interfaceNumber);
    this.check();
    this.claimedInterfaces.delete(interfaceNumber);
  }

  async selectAlternateInterface(interfaceNumber: number, alternateSetting: number): Promise<void> {
    this.record('selectAlternateInterface', interfaceNumber, alternateSetting);
    this.check();
    const i = this.configuration?.interfaces.find((x) => x.interfaceNumber === interfaceNumber);
    if (!i?.alternates.some((a) => a.alternateSetting === alternateSetting)) throw namedError('NotFoundError', 'The alternate setting provided is not supported by the device.');
    this.alternates.set(interfaceNumber, alternateSetting);
  }

  async controlTransferIn(setup: USBControlTransferParameters, length: number): Promise<USBInTransferResult> {
    this.record('controlTransferIn', setup, length);
    this.check();
    if (!this.scripts.get(0)?.length && setup.requestType === 'standard' && setup.request === REQ.GET_DESCRIPTOR) {
      const d = this.descriptor(setup.value >> 8, setup.value & 0xff);
      return d ? { status: 'ok', data: view(d.slice(0, length)) } : { status: 'stall' };
    }
    if (!this.scripts.get(0)?.length) return { status: 'ok', data: view(new Uint8Array(0)) };
    return FakeUsbDevice.inResult(await this.answer(0), length);
  }

  async controlTransferOut(setup: USBControlTransferParameters, data?: BufferSource): Promise<USBOutTransferResult> {
    const bytes = bytesOf(data);
    this.record('controlTransferOut', setup, bytes);
    this.check();
    if (!this.scripts.get(0)?.length) return { status: 'ok', bytesWritten: bytes.length };
    return FakeUsbDevice.outResult(await this.answer(0), bytes.length);
  }

  async clearHalt(direction: USBDirection, endpointNumber: number): Promise<void> {
    this.record('clearHalt', direction, endpointNumber);
    this.check();
    this.halted.delete(endpointNumber | (direction === 'in' ? 0x80 : 0));
  }

  async transferIn(endpointNumber: number, length: number): Promise<USBInTransferResult> {
    this.record('transferIn', endpointNumber, length);
    this.check();
    const ep = endpointNumber | 0x80;
    if (this.halted.has(ep)) return { status: 'stall' };
    return FakeUsbDevice.inResult(await this.answer(ep), length);
  }

  async transferOut(endpointNumber: number, data: BufferSource): Promise<USBOutTransferResult> {
    const bytes = bytesOf(data);
    this.record('transferOut', endpointNumber, bytes);
    this.check();
    if (this.halted.has(endpointNumber)) return { status: 'stall', bytesWritten: 0 };
    // Unscripted OUT: the device takes everything (an unscripted IN waits instead).
    if (!this.scripts.get(endpointNumber)?.length) return { status: 'ok', bytesWritten: bytes.length };
    return FakeUsbDevice.outResult(await this.answer(endpointNumber), bytes.length);
  }

  async isochronousTransferIn(endpointNumber: number, packetLengths: number[]): Promise<USBIsochronousInTransferResult> {
    this.record('isochronousTransferIn', endpointNumber, packetLengths);
    throw namedError('NotSupportedError', 'isochronous transfers are not scripted by the fake');
  }

  async isochronousTransferOut(endpointNumber: number, data: BufferSource, packetLengths: number[]): Promise<USBIsochronousOutTransferResult> {
    this.record('isochronousTransferOut', endpointNumber, bytesOf(data), packetLengths);
    throw namedError('NotSupportedError', 'isochronous transfers are not scripted by the fake');
  }

  async reset(): Promise<void> {
    this.record('reset');
    this.check();
    this.halted.clear();
    this.alternates.clear();
  }

  private descriptor(type: number, index: number): Uint8Array | null {
    if (type === DESC.DEVICE) return buildDeviceDescriptor(this.spec.device);
    if (type === DESC.CONFIGURATION) {
      const c = this.spec.configurations[index];
      return c ? buildConfigurationDescriptor(c) : null;
    }
    if (type === DESC.STRING) {
      if (index === 0) return buildLangIdDescriptor([LANGID_EN_US]);
      const s = this.strings[index - 1];
      return s === undefined ? null : buildStringDescriptor(s);
    }
    return null;
  }
}

/** A WebUSB-like enumerator over fakes: getDevices, and 'disconnect' events when a fake unplugs. */
export class FakeWebUsb extends EventTarget {
  devices: FakeUsbDevice[];
  /** Thrown by getDevices when set (e.g. "/sys/bus/usb/devices/ not found"). */
  failEnumerate: Error | null = null;

  constructor(devices: FakeUsbDevice[] = []) {
    super();
    this.devices = devices;
    for (const d of devices) this.watch(d);
  }

  add(d: FakeUsbDevice): void {
    this.devices.push(d);
    this.watch(d);
  }

  private watch(d: FakeUsbDevice): void {
    d.onGone = (gone) => {
      this.devices = this.devices.filter((x) => x !== gone);
      this.dispatchEvent(Object.assign(new Event('disconnect'), { device: gone }));
    };
  }

  async getDevices(): Promise<USBDevice[]> {
    if (this.failEnumerate) throw this.failEnumerate;
    return [...this.devices];
  }
}
