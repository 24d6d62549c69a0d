// Configuration descriptor sets (USB 2.0, 9.6.3-9.6.6): the configuration descriptor followed by
// its interfaces, each followed by class-specific descriptors and its endpoints (9.4.3: "all of the
// interface and endpoint descriptors ... are returned with the configuration descriptor"). The
// builder computes wTotalLength and bNumInterfaces; the parser checks them and every bLength.

import { DESC } from '../usb-backend.js';
import { checkField, concatBytes, hex, le16, putLe16 } from './bytes.js';
import { type CdcFunctionalDescriptor, CS_INTERFACE, parseCdcFunctional } from './cdc.js';
import { type HidDescriptor, parseHidDescriptor } from './hid.js';
import { DescriptorError, expectDescriptor, walkDescriptors } from './walk.js';

/** Interface association descriptor type (USB ECN "Interface Association Descriptors", table 9-Z). */
export const DESC_INTERFACE_ASSOCIATION = 0x0b;

/** Endpoint transfer types, bits 1..0 of bmAttributes (USB 2.0, table 9-13). */
export const EP_TYPE = { CONTROL: 0, ISOCHRONOUS: 1, BULK: 2, INTERRUPT: 3 } as const;
export const epTransferType = (bmAttributes: number): 'control' | 'isochronous' | 'bulk' | 'interrupt' =>
  (['control', 'isochronous', 'bulk', 'interrupt'] as const)[bmAttributes & 3]!;

/** bmAttributes of a configuration (USB 2.0, table 9-10): D7 is reserved and must be 1. */
export const CONFIG_ATTR = { RESERVED_ONE: 0x80, SELF_POWERED: 0x40, REMOTE_WAKEUP: 0x20 } as const;

export interface EndpointSpec {
  readonly bEndpointAddress: number;
  readonly bmAttributes: number;
  readonly wMaxPacketSize: number;
  /** Polling interval in frames (1 ms) for interrupt endpoints at full speed; 0 for bulk. */
  readonly bInterval: number;
  /** Class-specific descriptors placed after this endpoint descriptor. */
  readonly extra?: readonly Uint8Array[];
}

export interface InterfaceSpec {
  readonly bInterfaceNumber: number;
  readonly bAlternateSetting?: number;
  readonly bInterfaceClass: number;
  readonly bInterfaceSubClass: number;
  readonly bInterfaceProtocol: number;
  readonly iInterface?: number;
  /** Class-specific descriptors placed between the interface descriptor and its endpoints (HID, CDC functional). */
  readonly extra?: readonly Uint8Array[];
  readonly endpoints: readonly EndpointSpec[];
}

export interface ConfigurationSpec {
  readonly bConfigurationValue: number;
  readonly iConfiguration?: number;
  /** D7 is set by the builder; add CONFIG_ATTR.SELF_POWERED / REMOTE_WAKEUP as needed. */
  readonly bmAttributes: number;
  /** Maximum power in 2 mA units (USB 2.0, table 9-10). */
  readonly bMaxPower: number;
  /** Descriptors before the first interface (e.g. interface association descriptors). */
  readonly extra?: readonly Uint8Array[];
  readonly interfaces: readonly InterfaceSpec[];
}

export function buildEndpointDescriptor(e: EndpointSpec): Uint8Array {
  if ((e.bEndpointAddress & 0x0f) === 0 || (e.bEndpointAddress & 0x70) !== 0) throw new RangeError(`bEndpointAddress ${hex(e.bEndpointAddress)} is not a valid non-zero endpoint`);
  const b = Uint8Array.of(7, DESC.ENDPOINT, e.bEndpointAddress, checkField('bmAttributes', e.bmAttributes, 0xff), 0, 0, checkField('bInterval', e.bInterval, 0xff));
  putLe16(b, 4, checkField('wMaxPacketSize', e.wMaxPacketSize, 0x1fff));
  return b;
}

export function buildInterfaceDescriptor(i: InterfaceSpec): Uint8Array {
  return Uint8Array.of(9, DESC.INTERFACE, checkField('bInterfaceNumber', i.bInterfaceNumber, 0xff),
    checkField('bAlternateSetting', i.bAlternateSetting ?? 0, 0xff), checkField('bNumEndpoints', i.endpoints.length, 30),
    checkField('bInterfaceClass', i.bInterfaceClass, 0xff), checkField('bInterfaceSubClass', i.bInterfaceSubClass, 0xff),
    checkField('bInterfaceProtocol', i.bInterfaceProtocol, 0xff), checkField('iInterface', i.iInterface ?? 0, 0xff));
}

/** The whole configuration descriptor set, as GET_DESCRIPTOR(CONFIGURATION) returns it. */
export function buildConfigurationDescriptor(c: ConfigurationSpec): Uint8Array {
  const parts: Uint8Array[] = [new Uint8Array(9), ...(c.extra ?? [])];
  for (const i of c.interfaces) {
    parts.push(buildInterfaceDescriptor(i), ...(i.extra ?? []));
    for (const e of i.endpoints) parts.push(buildEndpointDescriptor(e), ...(e.extra ?? []));
  }
  const b = concatBytes(parts);
  if (b.length > 0xffff) throw new RangeError(`configuration is ${b.length} bytes, wTotalLength holds at most 65535`);
  b[0] = 9;
  b[1] = DESC.CONFIGURATION;
  putLe16(b, 2, b.length);
  b[4] = new Set(c.interfaces.map((i) => i.bInterfaceNumber)).size;
  b[5] = checkField('bConfigurationValue', c.bConfigurationValue, 0xff);
  b[6] = checkField('iConfiguration', c.iConfiguration ?? 0, 0xff);
  b[7] = checkField('bmAttributes', c.bmAttributes, 0xff) | CONFIG_ATTR.RESERVED_ONE;
  b[8] = checkField('bMaxPower', c.bMaxPower, 0xff);
  return b;
}

/** A class-specific or other non-interface, non-endpoint descriptor found in a configuration. */
export type ClassDescriptor = { readonly offset: number } & (
  | { readonly kind: 'hid'; readonly hid: HidDescriptor }
  | CdcFunctionalDescriptor
  | { readonly kind: 'interface-association'; readonly bFirstInterface: number; readonly bInterfaceCount: number; readonly bFunctionClass: number; readonly bFunctionSubClass: number; readonly bFunctionProtocol: number }
  | { readonly kind: 'unknown'; readonly bDescriptorType: number; readonly bytes: Uint8Array });

export interface ParsedEndpoint {
  readonly offset: number;
  readonly bEndpointAddress: number;
  readonly bmAttributes: number;
  readonly wMaxPacketSize: number;
  readonly bInterval: number;
  readonly extra: ClassDescriptor[];
}

export interface ParsedInterface {
  readonly offset: number;
  readonly bInterfaceNumber: number;
  readonly bAlternateSetting: number;
  readonly bNumEndpoints: number;
  readonly bInterfaceClass: number;
  readonly bInterfaceSubClass: number;
  readonly bInterfaceProtocol: number;
  readonly iInterface: number;
  readonly extra: ClassDescriptor[];
  readonly endpoints: ParsedEndpoint[];
}

export interface ConfigurationHeader {
  readonly wTotalLength: number;
  readonly bNumInterfaces: number;
  readonly bConfigurationValue: number;
  readonly iConfiguration: number;
  readonly bmAttributes: number;
  readonly bMaxPower: number;
}

export interface ParsedConfiguration extends ConfigurationHeader {
  /** Descriptors before the first interface. */
  readonly extra: ClassDescriptor[];
  readonly interfaces: ParsedInterface[];
}

const WHAT = 'configuration descriptor';

/** Reads the first 9 bytes (what a host fetches first to learn wTotalLength). */
export function parseConfigurationHeader(b: Uint8Array): ConfigurationHeader {
  expectDescriptor(b, WHAT, DESC.CONFIGURATION, 9);
  return { wTotalLength: le16(b, 2), bNumInterfaces: b[4]!, bConfigurationValue: b[5]!, iConfiguration: b[6]!, bmAttributes: b[7]!, bMaxPower: b[8]! };
}

function classDescriptor(d: { offset: number; bDescriptorType: number; bytes: Uint8Array }): ClassDescriptor {
  const { offset, bytes } = d;
  if (d.bDescriptorType === DESC.HID) return { offset, kind: 'hid', hid: parseHidDescriptor(bytes, offset) };
  if (d.bDescriptorType === CS_INTERFACE) return { offset, ...parseCdcFunctional(bytes, offset) };
  if (d.bDescriptorType === DESC_INTERFACE_ASSOCIATION) {
    if (bytes.length < 8) throw new DescriptorError(WHAT, offset, `interface association descriptor bLength ${bytes.length} is shorter than 8`);
    return { offset, kind: 'interface-association', bFirstInterface: bytes[2]!, bInterfaceCount: bytes[3]!, bFunctionClass: bytes[4]!, bFunctionSubClass: bytes[5]!, bFunctionProtocol: bytes[6]! };
  }
  return { offset, kind: 'unknown', bDescriptorType: d.bDescriptorType, bytes };
}

/**
 * Parses a complete configuration descriptor set. `b` must be exactly wTotalLength bytes (a host
 * that asked for fewer should call parseConfigurationHeader); every count and length is checked.
 */
export function parseConfigurationDescriptor(b: Uint8Array): ParsedConfiguration {
  const header = parseConfigurationHeader(b);
  if (header.wTotalLength !== b.length) {
    throw new DescriptorError(WHAT, 2, `wTotalLength is ${header.wTotalLength} but ${b.length} bytes were given`);
  }
  const extra: ClassDescriptor[] = [];
  const interfaces: ParsedInterface[] = [];
  let iface: ParsedInterface | null = null;
  let ep: ParsedEndpoint | null = null;
  const closeInterface = (): void => {
    if (iface && iface.endpoints.length !== iface.bNumEndpoints) {
      throw new DescriptorError(WHAT, iface.offset + 4, `interface ${iface.bInterfaceNumber} alt ${iface.bAlternateSetting} declares bNumEndpoints ${iface.bNumEndpoints} but ${iface.endpoints.length} endpoint descriptors follow`);
    }
  };
  for (const d of walkDescriptors(b, WHAT, b[0]!)) {
    const x = d.bytes;
    if (d.bDescriptorType === DESC.INTERFACE) {
      if (x.length < 9) throw new DescriptorError(WHAT, d.offset, `interface descriptor bLength ${x.length} is shorter than 9`);
      closeInterface();
      iface = { offset: d.offset, bInterfaceNumber: x[2]!, bAlternateSetting: x[3]!, bNumEndpoints: x[4]!, bInterfaceClass: x[5]!, bInterfaceSubClass: x[6]!, bInterfaceProtocol: x[7]!, iInterface: x[8]!, extra: [], endpoints: [] };
      interfaces.push(iface);
      ep = null;
    } else if (d.bDescriptorType === DESC.ENDPOINT) {
      if (x.length < 7) throw new DescriptorError(WHAT, d.offset, `endpoint descriptor bLength ${x.length} is shorter than 7`);
      if (!iface) throw new DescriptorError(WHAT, d.offset, 'endpoint descriptor before any interface descriptor');
      if ((x[2]! & 0x0f) === 0) throw new DescriptorError(WHAT, d.offset + 2, `bEndpointAddress ${hex(x[2]!)} names endpoint 0`);
      ep = { offset: d.offset, bEndpointAddress: x[2]!, bmAttributes: x[3]!, wMaxPacketSize: le16(x, 4), bInterval: x[6]!, extra: [] };
      iface.endpoints.push(ep);
    } else if (d.bDescriptorType === DESC.CONFIGURATION || d.bDescriptorType === DESC.DEVICE) {
      throw new DescriptorError(WHAT, d.offset, `unexpected ${d.bDescriptorType === DESC.DEVICE ? 'device' : 'second configuration'} descriptor inside a configuration`);
    } else {
      (ep ?? iface ?? { extra }).extra.push(classDescriptor(d));
    }
  }
  closeInterface();
  const numbers = new Set(interfaces.map((i) => i.bInterfaceNumber)).size;
  if (numbers !== header.bNumInterfaces) {
    throw new DescriptorError(WHAT, 4, `bNumInterfaces is ${header.bNumInterfaces} but ${numbers} distinct interface numbers follow`);
  }
  return { ...header, extra, interfaces };
}

/** An lsusb-like outline of a parsed configuration, one line per descriptor, for the USB panel. */
export function describeConfiguration(c: ParsedConfiguration): string[] {
  const lines = [`configuration ${c.bConfigurationValue}: ${c.bNumInterfaces} interface(s), ${c.wTotalLength} bytes, ` +
    `attributes ${hex(c.bmAttributes)}${c.bmAttributes & CONFIG_ATTR.SELF_POWERED ? ' self-powered' : ''}${c.bmAttributes & CONFIG_ATTR.REMOTE_WAKEUP ? ' remote-wakeup' : ''}, ${c.bMaxPower * 2} mA`];
  const extraLine = (x: ClassDescriptor): string => {
    switch (x.kind) {
      case 'hid': return `HID ${x.hid.bcdHID.toString(16)}, country ${x.hid.bCountryCode}, ${x.hid.descriptors.map((d) => `${hex(d.type)}×${d.length}`).join(', ')}`;
      case 'cdc-header': return `CDC header, bcdCDC ${x.bcdCDC.toString(16)}`;
      case 'cdc-call-management': return `CDC call management, capabilities ${hex(x.bmCapabilities)}, data interface ${x.bDataInterface}`;
      case 'cdc-acm': return `CDC ACM, capabilities ${hex(x.bmCapabilities)}`;
      case 'cdc-union': return `CDC union, control ${x.bControlInterface}, subordinate ${x.subordinates.join(', ')}`;
      case 'cdc-functional': return `CDC functional subtype ${hex(x.subtype)}`;
      case 'interface-association': return `interface association: interfaces ${x.bFirstInterface}..${x.bFirstInterface + x.bInterfaceCount - 1}, class ${hex(x.bFunctionClass)}`;
      case 'unknown': return `descriptor type ${hex(x.bDescriptorType)}, ${x.bytes.length} bytes`;
    }
  };
  for (const x of c.extra) lines.push(`  ${extraLine(x)}`);
  for (const i of c.interfaces) {
    lines.push(`  interface ${i.bInterfaceNumber} alt ${i.bAlternateSetting}: class ${hex(i.bInterfaceClass)}/${hex(i.bInterfaceSubClass)}/${hex(i.bInterfaceProtocol)}, ${i.bNumEndpoints} endpoint(s)`);
    for (const x of i.extra) lines.push(`    ${extraLine(x)}`);
    for (const e of i.endpoints) {
      lines.push(`    endpoint ${hex(e.bEndpointAddress)} ${e.bEndpointAddress & 0x80 ? 'IN' : 'OUT'} ${epTransferType(e.bmAttributes)}, max packet ${e.wMaxPacketSize}, interval ${e.bInterval}`);
      for (const x of e.extra) lines.push(`      ${extraLine(x)}`);
    }
  }
  return lines;
}
