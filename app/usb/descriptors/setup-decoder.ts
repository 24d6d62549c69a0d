// One human-readable line per SETUP packet, for the UI's USB panel and the timeline, e.g.
// "GET_DESCRIPTOR(DEVICE, 0, 18)", "SET_CONFIGURATION(1)", "HID SET_IDLE(indefinite, report 0,
// interface 0)", "CDC SET_LINE_CODING(115200 8N1, interface 0)", "MSC GET_MAX_LUN(interface 0)".
// Standard requests follow USB 2.0 9.4; class requests HID 1.11 7.2, PSTN 1.2 6.3, BOT 1.0 3.
// Vendor requests (and anything unknown) are shown raw so nothing is hidden from a driver developer.

import { DESC, FEATURE, REQ, type SetupPacket, requestRecipient, requestType } from '../usb-backend.js';
import { hex } from './bytes.js';
import { CDC_REQ, USB_CLASS_CDC, USB_CLASS_CDC_DATA, decodeLineCoding, describeLineCoding, LINE_CODING_LENGTH } from './cdc.js';
import { HID_REQ, USB_CLASS_HID } from './hid.js';
import { MSC_REQ, USB_CLASS_MSC } from './msc.js';

export interface SetupContext {
  /** bInterfaceClass of an interface of the current configuration, if known: disambiguates class requests. */
  readonly interfaceClass?: (bInterfaceNumber: number) => number | undefined;
  /** OUT data stage, if known: lets e.g. SET_LINE_CODING show the line coding. */
  readonly data?: Uint8Array;
}

const DESCRIPTOR_NAMES: Record<number, string> = {
  [DESC.DEVICE]: 'DEVICE', [DESC.CONFIGURATION]: 'CONFIGURATION', [DESC.STRING]: 'STRING', [DESC.INTERFACE]: 'INTERFACE',
  [DESC.ENDPOINT]: 'ENDPOINT', [DESC.DEVICE_QUALIFIER]: 'DEVICE_QUALIFIER', 7: 'OTHER_SPEED_CONFIGURATION',
  8: 'INTERFACE_POWER', 0x0b: 'INTERFACE_ASSOCIATION', 0x0f: 'BOS', [DESC.HID]: 'HID', [DESC.HID_REPORT]: 'HID_REPORT', 0x23: 'HID_PHYSICAL',
};

export const descriptorTypeName = (type: number): string => DESCRIPTOR_NAMES[type] ?? hex(type);

const STANDARD_NAMES: Record<number, string> = Object.fromEntries(Object.entries(REQ).map(([k, v]) => [v, k]));

/** The raw fields, for requests we do not decode. */
export const rawSetup = (s: SetupPacket): string =>
  `bmRequestType ${hex(s.bmRequestType)}, bRequest ${hex(s.bRequest)}, wValue ${hex(s.wValue, 4)}, wIndex ${hex(s.wIndex, 4)}, wLength ${s.wLength}`;

function recipientText(s: SetupPacket): string {
  switch (requestRecipient(s)) {
    case 'device': return 'device';
    case 'interface': return `interface ${s.wIndex & 0xff}`;
    case 'endpoint': return `endpoint ${hex(s.wIndex & 0xff)}`;
    case 'other': return `other ${s.wIndex}`;
  }
}

function featureName(s: SetupPacket): string {
  const r = requestRecipient(s);
  if (r === 'endpoint' && s.wValue === FEATURE.ENDPOINT_HALT) return 'ENDPOINT_HALT';
  if (r === 'device' && s.wValue === FEATURE.DEVICE_REMOTE_WAKEUP) return 'DEVICE_REMOTE_WAKEUP';
  if (r === 'device' && s.wValue === 2) return 'TEST_MODE';
  return `feature ${s.wValue}`;
}

function describeStandard(s: SetupPacket): string {
  const name = STANDARD_NAMES[s.bRequest];
  switch (s.bRequest) {
    case REQ.GET_STATUS: case REQ.SYNCH_FRAME: return `${name}(${recipientText(s)})`;
    case REQ.CLEAR_FEATURE: case REQ.SET_FEATURE: {
      const r = requestRecipient(s);
      return `${name}(${featureName(s)}${r === 'device' ? '' : `, ${recipientText(s)}`})`;
    }
    case REQ.SET_ADDRESS: return `SET_ADDRESS(${s.wValue})`;
    case REQ.GET_DESCRIPTOR: case REQ.SET_DESCRIPTOR: {
      const type = s.wValue >> 8;
      let args = `${descriptorTypeName(type)}, ${s.wValue & 0xff}, ${s.wLength}`;
      if (type === DESC.STRING && (s.wValue & 0xff) !== 0) args += `, lang ${hex(s.wIndex, 4)}`;
      if (requestRecipient(s) !== 'device') args += `, ${recipientText(s)}`;
      return `${name}(${args})`;
    }
    case REQ.GET_CONFIGURATION: return 'GET_CONFIGURATION';
    case REQ.SET_CONFIGURATION: return `SET_CONFIGURATION(${s.wValue & 0xff})`;
    case REQ.GET_INTERFACE: return `GET_INTERFACE(interface ${s.wIndex & 0xff})`;
    case REQ.SET_INTERFACE: return `SET_INTERFACE(interface ${s.wIndex & 0xff}, alt ${s.wValue})`;
    default: return `STANDARD request ${hex(s.bRequest)}(${rawSetup(s)})`;
  }
}

const REPORT_TYPES = ['?', 'INPUT', 'OUTPUT', 'FEATURE'];

function describeHid(s: SetupPacket): string | null {
  const iface = `interface ${s.wIndex & 0xff}`;
  const id = s.wValue & 0xff;
  switch (s.bRequest) {
    case HID_REQ.GET_REPORT: case HID_REQ.SET_REPORT: {
      const name = s.bRequest === HID_REQ.GET_REPORT ? 'GET_REPORT' : 'SET_REPORT';
      return `HID ${name}(${REPORT_TYPES[s.wValue >> 8] ?? `type ${s.wValue >> 8}`}, id ${id}, ${iface}, ${s.wLength})`;
    }
    case HID_REQ.GET_IDLE: return `HID GET_IDLE(report ${id}, ${iface})`;
    case HID_REQ.SET_IDLE: {
      const dur = s.wValue >> 8;
      return `HID SET_IDLE(${dur === 0 ? 'indefinite' : `${dur * 4} ms`}, report ${id}, ${iface})`;
    }
    case HID_REQ.GET_PROTOCOL: return `HID GET_PROTOCOL(${iface})`;
    case HID_REQ.SET_PROTOCOL: return `HID SET_PROTOCOL(${s.wValue === 0 ? 'boot' : s.wValue === 1 ? 'report' : s.wValue}, ${iface})`;
    default: return null;
  }
}

function describeCdc(s: SetupPacket, data?: Uint8Array): string | null {
  const iface = `interface ${s.wIndex & 0xff}`;
  switch (s.bRequest) {
    case CDC_REQ.SEND_ENCAPSULATED_COMMAND: return `CDC SEND_ENCAPSULATED_COMMAND(${iface}, ${s.wLength})`;
    case CDC_REQ.GET_ENCAPSULATED_RESPONSE: return `CDC GET_ENCAPSULATED_RESPONSE(${iface}, ${s.wLength})`;
    case CDC_REQ.SET_COMM_FEATURE: return `CDC SET_COMM_FEATURE(${s.wValue}, ${iface})`;
    case CDC_REQ.GET_COMM_FEATURE: return `CDC GET_COMM_FEATURE(${s.wValue}, ${iface})`;
    case CDC_REQ.CLEAR_COMM_FEATURE: return `CDC CLEAR_COMM_FEATURE(${s.wValue}, ${iface})`;
    case CDC_REQ.SET_LINE_CODING:
      return data && data.length >= LINE_CODING_LENGTH
        ? `CDC SET_LINE_CODING(${describeLineCoding(decodeLineCoding(data))}, ${iface})` : `CDC SET_LINE_CODING(${iface})`;
    case CDC_REQ.GET_LINE_CODING: return `CDC GET_LINE_CODING(${iface})`;
    case CDC_REQ.SET_CONTROL_LINE_STATE: {
      const lines = [s.wValue & 1 ? 'DTR' : '', s.wValue & 2 ? 'RTS' : ''].filter(Boolean).join(' ') || 'none';
      return `CDC SET_CONTROL_LINE_STATE(${lines}, ${iface})`;
    }
    case CDC_REQ.SEND_BREAK:
      return `CDC SEND_BREAK(${s.wValue === 0xffff ? 'until stopped' : s.wValue === 0 ? 'stop' : `${s.wValue} ms`}, ${iface})`;
    default: return null;
  }
}

function describeMsc(s: SetupPacket): string | null {
  const iface = `interface ${s.wIndex & 0xff}`;
  if (s.bRequest === MSC_REQ.GET_MAX_LUN) return `MSC GET_MAX_LUN(${iface})`;
  if (s.bRequest === MSC_REQ.BULK_ONLY_RESET) return `MSC BULK_ONLY_RESET(${iface})`;
  return null;
}

/** Guess a class from request codes that only one of HID, CDC and MSC uses (when no context is given). */
function guessClass(s: SetupPacket): number | undefined {
  switch (s.bRequest) {
    case 0x01: return (s.wValue >> 8) >= 1 && (s.wValue >> 8) <= 3 ? USB_CLASS_HID : USB_CLASS_CDC; // HID report types vs CDC wValue 0
    case 0x02: case 0x03: return s.wLength === 1 ? USB_CLASS_HID : USB_CLASS_CDC; // GET_IDLE/GET_PROTOCOL vs *_COMM_FEATURE (2 bytes)
    case 0x04: return USB_CLASS_CDC;
    case 0x09: case 0x0a: case 0x0b: return USB_CLASS_HID;
    case 0x00: case 0x20: case 0x21: case 0x22: case 0x23: return USB_CLASS_CDC;
    case 0xfe: case 0xff: return USB_CLASS_MSC;
    default: return undefined;
  }
}

function describeClass(s: SetupPacket, ctx: SetupContext): string {
  if (requestRecipient(s) === 'interface') {
    const cls = ctx.interfaceClass?.(s.wIndex & 0xff) ?? guessClass(s);
    const line = cls === USB_CLASS_HID ? describeHid(s)
      : cls === USB_CLASS_CDC || cls === USB_CLASS_CDC_DATA ? describeCdc(s, ctx.data)
        : cls === USB_CLASS_MSC ? describeMsc(s) : null;
    if (line) return line;
  }
  return `CLASS(${rawSetup(s)})`;
}

/** A one-line description of a SETUP packet. Never throws. */
export function describeSetup(s: SetupPacket, ctx: SetupContext = {}): string {
  switch (requestType(s)) {
    case 'standard': return describeStandard(s);
    case 'class': return describeClass(s, ctx);
    case 'vendor': return `VENDOR(${rawSetup(s)})`;
    case 'reserved': return `RESERVED(${rawSetup(s)})`;
  }
}
