// CDC: class codes, functional descriptors (CDC 1.2, 5.2.3; PSTN 1.2, 5.3), ACM requests and
// notifications (PSTN 1.2, 6.3 and 6.5) and the line-coding structure (PSTN 1.2, 6.3.11, table 17).

import { checkField, hex, le16, le32, putLe16, putLe32 } from './bytes.js';
import { DescriptorError } from './walk.js';

export const USB_CLASS_CDC = 0x02;
export const USB_CLASS_CDC_DATA = 0x0a;
export const CDC_SUBCLASS_ACM = 0x02;
/** bInterfaceProtocol 1: AT commands (ITU V.250), what most ACM serial devices declare. */
export const CDC_PROTOCOL_AT_V250 = 0x01;

/** Class-specific descriptor types (CDC 1.2, table 12). */
export const CS_INTERFACE = 0x24;
export const CS_ENDPOINT = 0x25;

/** Functional descriptor subtypes (CDC 1.2, table 13). */
export const CDC_FUNC = { HEADER: 0x00, CALL_MANAGEMENT: 0x01, ACM: 0x02, UNION: 0x06 } as const;

/** Management requests (PSTN 1.2, table 13). */
export const CDC_REQ = {
  SEND_ENCAPSULATED_COMMAND: 0x00, GET_ENCAPSULATED_RESPONSE: 0x01,
  SET_COMM_FEATURE: 0x02, GET_COMM_FEATURE: 0x03, CLEAR_COMM_FEATURE: 0x04,
  SET_LINE_CODING: 0x20, GET_LINE_CODING: 0x21, SET_CONTROL_LINE_STATE: 0x22, SEND_BREAK: 0x23,
} as const;

/** Notifications on the interrupt IN endpoint (PSTN 1.2, table 30). */
export const CDC_NOTIFY = { NETWORK_CONNECTION: 0x00, RESPONSE_AVAILABLE: 0x01, SERIAL_STATE: 0x20 } as const;

/** ACM bmCapabilities bits (PSTN 1.2, table 4). */
export const ACM_CAP = { COMM_FEATURE: 0x01, LINE_CODING: 0x02, SEND_BREAK: 0x04, NETWORK_CONNECTION: 0x08 } as const;

/** SERIAL_STATE bits (PSTN 1.2, table 31). */
export const SERIAL_STATE = { DCD: 0x01, DSR: 0x02, BREAK: 0x04, RING: 0x08, FRAMING: 0x10, PARITY: 0x20, OVERRUN: 0x40 } as const;

export function cdcHeaderDescriptor(bcdCDC = 0x0110): Uint8Array {
  const b = Uint8Array.of(5, CS_INTERFACE, CDC_FUNC.HEADER, 0, 0);
  putLe16(b, 3, checkField('bcdCDC', bcdCDC, 0xffff));
  return b;
}

export const cdcCallManagementDescriptor = (bmCapabilities: number, bDataInterface: number): Uint8Array =>
  Uint8Array.of(5, CS_INTERFACE, CDC_FUNC.CALL_MANAGEMENT, checkField('bmCapabilities', bmCapabilities, 0xff), checkField('bDataInterface', bDataInterface, 0xff));

export const cdcAcmDescriptor = (bmCapabilities: number): Uint8Array =>
  Uint8Array.of(4, CS_INTERFACE, CDC_FUNC.ACM, checkField('bmCapabilities', bmCapabilities, 0xff));

export function cdcUnionDescriptor(control: number, subordinates: readonly number[]): Uint8Array {
  if (subordinates.length === 0) throw new RangeError('a union descriptor has at least one subordinate interface');
  return Uint8Array.of(3 + 1 + subordinates.length, CS_INTERFACE, CDC_FUNC.UNION, control, ...subordinates);
}

export type CdcFunctionalDescriptor =
  | { readonly kind: 'cdc-header'; readonly bcdCDC: number }
  | { readonly kind: 'cdc-call-management'; readonly bmCapabilities: number; readonly bDataInterface: number }
  | { readonly kind: 'cdc-acm'; readonly bmCapabilities: number }
  | { readonly kind: 'cdc-union'; readonly bControlInterface: number; readonly subordinates: readonly number[] }
  | { readonly kind: 'cdc-functional'; readonly subtype: number; readonly bytes: Uint8Array };

/** Decodes a CS_INTERFACE functional descriptor; `offset` (in the enclosing buffer) goes into errors. */
export function parseCdcFunctional(b: Uint8Array, offset = 0): CdcFunctionalDescriptor {
  const what = 'CDC functional descriptor';
  if (b.length < 3 || b[1] !== CS_INTERFACE) throw new DescriptorError(what, offset, 'expected bLength ≥ 3 and bDescriptorType CS_INTERFACE (0x24)');
  const need = (n: number, name: string): void => {
    if (b.length < n) throw new DescriptorError(what, offset, `${name} needs ${n} bytes, bLength is ${b.length}`);
  };
  switch (b[2]) {
    case CDC_FUNC.HEADER: need(5, 'header'); return { kind: 'cdc-header', bcdCDC: le16(b, 3) };
    case CDC_FUNC.CALL_MANAGEMENT: need(5, 'call management'); return { kind: 'cdc-call-management', bmCapabilities: b[3]!, bDataInterface: b[4]! };
    case CDC_FUNC.ACM: need(4, 'abstract control management'); return { kind: 'cdc-acm', bmCapabilities: b[3]! };
    case CDC_FUNC.UNION: need(5, 'union'); return { kind: 'cdc-union', bControlInterface: b[3]!, subordinates: Array.from(b.subarray(4)) };
    default: return { kind: 'cdc-functional', subtype: b[2]!, bytes: b };
  }
}

/** Line coding (PSTN 1.2, table 17). */
export interface LineCoding {
  readonly dwDTERate: number;
  /** 0: 1 stop bit, 1: 1.5, 2: 2. */
  readonly bCharFormat: number;
  /** 0 none, 1 odd, 2 even, 3 mark, 4 space. */
  readonly bParityType: number;
  /** 5, 6, 7, 8 or 16. */
  readonly bDataBits: number;
}

export const LINE_CODING_LENGTH = 7;

export function encodeLineCoding(c: LineCoding): Uint8Array {
  const b = new Uint8Array(LINE_CODING_LENGTH);
  putLe32(b, 0, c.dwDTERate);
  b[4] = c.bCharFormat; b[5] = c.bParityType; b[6] = c.bDataBits;
  return b;
}

export function decodeLineCoding(b: Uint8Array): LineCoding {
  if (b.length < LINE_CODING_LENGTH) throw new RangeError(`line coding is ${LINE_CODING_LENGTH} bytes, got ${b.length}`);
  return { dwDTERate: le32(b, 0), bCharFormat: b[4]!, bParityType: b[5]!, bDataBits: b[6]! };
}

/** Why a line coding is invalid, or null (PSTN 1.2, table 17 lists the only defined values). */
export function lineCodingProblem(c: LineCoding): string | null {
  if (c.dwDTERate === 0) return 'dwDTERate is 0';
  if (c.bCharFormat > 2) return `bCharFormat ${c.bCharFormat} is not 0, 1 or 2`;
  if (c.bParityType > 4) return `bParityType ${c.bParityType} is not 0..4`;
  if (![5, 6, 7, 8, 16].includes(c.bDataBits)) return `bDataBits ${c.bDataBits} is not 5, 6, 7, 8 or 16`;
  return null;
}

/** "115200 8N1" style; unknown fields are shown in hex. */
export function describeLineCoding(c: LineCoding): string {
  const parity = 'NOEMS'[c.bParityType] ?? `?${hex(c.bParityType)}`;
  const stop = ['1', '1.5', '2'][c.bCharFormat] ?? `?${hex(c.bCharFormat)}`;
  return `${c.dwDTERate} ${c.bDataBits}${parity}${stop}`;
}
