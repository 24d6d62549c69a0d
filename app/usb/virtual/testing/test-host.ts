// A tiny USB host for tests: builds transfers the way the emulated OHCI controller hands them to a
// backend, and enumerates a device the way a host driver does (USB 2.0 9.1.2 / Linux hub_port_init:
// 8 bytes of the device descriptor, SET_ADDRESS, the full device descriptor, the configuration
// header, the whole configuration, the strings, SET_CONFIGURATION). Test support only.

import { DESC, REQ, type SetupPacket, type UsbCompletion, type UsbDeviceBackend } from '../../usb-backend.js';
import { type ParsedConfiguration, parseConfigurationDescriptor, parseConfigurationHeader } from '../../descriptors/configuration.js';
import { type DeviceDescriptor, parseDeviceDescriptor } from '../../descriptors/device.js';
import { parseLangIdDescriptor, parseStringDescriptor } from '../../descriptors/string.js';

const EMPTY = new Uint8Array(0);

export interface Enumeration {
  readonly device: DeviceDescriptor;
  readonly deviceBytes: Uint8Array;
  readonly configBytes: Uint8Array;
  readonly config: ParsedConfiguration;
  readonly langIds: number[];
  readonly manufacturer: string;
  readonly product: string;
  readonly serial: string;
  /** Every request issued, in order, with its status (for checking the sequence). */
  readonly log: string[];
}

export class TestHost {
  constructor(readonly dev: UsbDeviceBackend) {}

  control(setup: SetupPacket, data: Uint8Array = EMPTY): Promise<UsbCompletion> {
    const dirIn = (setup.bmRequestType & 0x80) !== 0;
    return this.dev.submit({ kind: 'control', endpoint: 0, dirIn, setup, data: dirIn ? EMPTY : data, length: setup.wLength });
  }

  getDescriptor(type: number, index: number, wLength: number, wIndex = 0, bmRequestType = 0x80): Promise<UsbCompletion> {
    return this.control({ bmRequestType, bRequest: REQ.GET_DESCRIPTOR, wValue: (type << 8) | index, wIndex, wLength });
  }

  setAddress(address: number): Promise<UsbCompletion> {
    return this.control({ bmRequestType: 0x00, bRequest: REQ.SET_ADDRESS, wValue: address, wIndex: 0, wLength: 0 });
  }

  setConfiguration(value: number): Promise<UsbCompletion> {
    return this.control({ bmRequestType: 0x00, bRequest: REQ.SET_CONFIGURATION, wValue: value, wIndex: 0, wLength: 0 });
  }

  clearHalt(endpoint: number): Promise<UsbCompletion> {
    return this.control({ bmRequestType: 0x02, bRequest: REQ.CLEAR_FEATURE, wValue: 0, wIndex: endpoint, wLength: 0 });
  }

  setHalt(endpoint: number): Promise<UsbCompletion> {
    return this.control({ bmRequestType: 0x02, bRequest: REQ.SET_FEATURE, wValue: 0, wIndex: endpoint, wLength: 0 });
  }

  getStatus(recipient: 0 | 1 | 2, wIndex = 0): Promise<UsbCompletion> {
    return this.control({ bmRequestType: 0x80 | recipient, bRequest: REQ.GET_STATUS, wValue: 0, wIndex, wLength: 2 });
  }

  bulkOut(endpoint: number, data: Uint8Array): Promise<UsbCompletion> {
    return this.dev.submit({ kind: 'bulk', endpoint: endpoint & 0x0f, dirIn: false, data, length: data.length });
  }

  bulkIn(endpoint: number, length: number): Promise<UsbCompletion> {
    return this.dev.submit({ kind: 'bulk', endpoint: endpoint & 0x0f, dirIn: true, data: EMPTY, length });
  }

  interruptIn(endpoint: number, length: number): Promise<UsbCompletion> {
    return this.dev.submit({ kind: 'interrupt', endpoint: endpoint & 0x0f, dirIn: true, data: EMPTY, length });
  }

  /** Full enumeration; throws if any step does not succeed or a descriptor does not parse. */
  async enumerate(address = 5): Promise<Enumeration> {
    const log: string[] = [];
    const step = async (what: string, p: Promise<UsbCompletion>): Promise<Uint8Array> => {
      const c = await p;
      log.push(`${what}: ${c.status} ${c.actualLength}`);
      if (c.status !== 'ok') throw new Error(`${what} failed: ${c.status}`);
      return c.data;
    };
    const first8 = await step('device 8', this.getDescriptor(DESC.DEVICE, 0, 8));
    if (first8.length !== 8) throw new Error(`device descriptor prefix is ${first8.length} bytes, expected 8`);
    await step(`SET_ADDRESS ${address}`, this.setAddress(address));
    const deviceBytes = await step('device 18', this.getDescriptor(DESC.DEVICE, 0, 18));
    const device = parseDeviceDescriptor(deviceBytes);
    const header = parseConfigurationHeader(await step('config 9', this.getDescriptor(DESC.CONFIGURATION, 0, 9)));
    const configBytes = await step(`config ${header.wTotalLength}`, this.getDescriptor(DESC.CONFIGURATION, 0, header.wTotalLength));
    const config = parseConfigurationDescriptor(configBytes);
    const langIds = parseLangIdDescriptor(await step('string 0', this.getDescriptor(DESC.STRING, 0, 255)));
    const str = async (i: number): Promise<string> =>
      i === 0 ? '' : parseStringDescriptor(await step(`string ${i}`, this.getDescriptor(DESC.STRING, i, 255, langIds[0])));
    const manufacturer = await str(device.iManufacturer);
    const product = await str(device.iProduct);
    const serial = await str(device.iSerialNumber);
    await step(`SET_CONFIGURATION ${config.bConfigurationValue}`, this.setConfiguration(config.bConfigurationValue));
    return { device, deviceBytes, configBytes, config, langIds, manufacturer, product, serial, log };
  }
}

export const hexToBytes = (hex: string): Uint8Array =>
  Uint8Array.from((hex.replace(/[^0-9a-f]/gi, '').match(/../g) ?? []).map((h) => parseInt(h, 16)));
