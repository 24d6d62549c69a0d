// Standard device descriptor (USB 2.0, 9.6.1, table 9-8): 18 bytes.

import { DESC } from '../usb-backend.js';
import { checkField, hex, le16, putLe16 } from './bytes.js';
import { expectDescriptor } from './walk.js';

export interface DeviceDescriptor {
  /** BCD USB release, e.g. 0x0200 for USB 2.0, 0x0110 for USB 1.1. */
  readonly bcdUSB: number;
  readonly bDeviceClass: number;
  readonly bDeviceSubClass: number;
  readonly bDeviceProtocol: number;
  /** 8, 16, 32 or 64 at full speed (USB 2.0, 5.5.3). */
  readonly bMaxPacketSize0: number;
  readonly idVendor: number;
  readonly idProduct: number;
  readonly bcdDevice: number;
  readonly iManufacturer: number;
  readonly iProduct: number;
  readonly iSerialNumber: number;
  readonly bNumConfigurations: number;
}

export const DEVICE_DESCRIPTOR_LENGTH = 18;

export function buildDeviceDescriptor(d: DeviceDescriptor): Uint8Array {
  if (![8, 16, 32, 64].includes(d.bMaxPacketSize0)) throw new RangeError(`bMaxPacketSize0 must be 8, 16, 32 or 64, got ${d.bMaxPacketSize0}`);
  const b = new Uint8Array(DEVICE_DESCRIPTOR_LENGTH);
  b[0] = DEVICE_DESCRIPTOR_LENGTH;
  b[1] = DESC.DEVICE;
  putLe16(b, 2, checkField('bcdUSB', d.bcdUSB, 0xffff));
  b[4] = checkField('bDeviceClass', d.bDeviceClass, 0xff);
  b[5] = checkField('bDeviceSubClass', d.bDeviceSubClass, 0xff);
  b[6] = checkField('bDeviceProtocol', d.bDeviceProtocol, 0xff);
  b[7] = d.bMaxPacketSize0;
  putLe16(b, 8, checkField('idVendor', d.idVendor, 0xffff));
  putLe16(b, 10, checkField('idProduct', d.idProduct, 0xffff));
  putLe16(b, 12, checkField('bcdDevice', d.bcdDevice, 0xffff));
  b[14] = checkField('iManufacturer', d.iManufacturer, 0xff);
  b[15] = checkField('iProduct', d.iProduct, 0xff);
  b[16] = checkField('iSerialNumber', d.iSerialNumber, 0xff);
  b[17] = checkField('bNumConfigurations', d.bNumConfigurations, 0xff);
  return b;
}

/** Parses a complete 18-byte device descriptor (a host reading only the first 8 bytes gets bMaxPacketSize0 from b[7]). */
export function parseDeviceDescriptor(b: Uint8Array): DeviceDescriptor {
  expectDescriptor(b, 'device descriptor', DESC.DEVICE, DEVICE_DESCRIPTOR_LENGTH);
  return {
    bcdUSB: le16(b, 2), bDeviceClass: b[4]!, bDeviceSubClass: b[5]!, bDeviceProtocol: b[6]!, bMaxPacketSize0: b[7]!,
    idVendor: le16(b, 8), idProduct: le16(b, 10), bcdDevice: le16(b, 12),
    iManufacturer: b[14]!, iProduct: b[15]!, iSerialNumber: b[16]!, bNumConfigurations: b[17]!,
  };
}

/** "2.00" for 0x0200 (BCD JJ.MN, USB 2.0 table 9-8). */
export const bcdVersion = (bcd: number): string =>
  `${(bcd >> 8).toString(16)}.${(bcd & 0xff).toString(16).padStart(2, '0')}`;

/** One line for the UI, e.g. "USB 2.00, class 0x00/0x00/0x00, 1209:0001, EP0 64 bytes, 1 configuration". */
export function describeDeviceDescriptor(d: DeviceDescriptor): string {
  const id = `${d.idVendor.toString(16).padStart(4, '0')}:${d.idProduct.toString(16).padStart(4, '0')}`;
  return `USB ${bcdVersion(d.bcdUSB)}, class ${hex(d.bDeviceClass)}/${hex(d.bDeviceSubClass)}/${hex(d.bDeviceProtocol)}, ` +
    `${id}, device ${bcdVersion(d.bcdDevice)}, EP0 ${d.bMaxPacketSize0} bytes, ${d.bNumConfigurations} configuration${d.bNumConfigurations === 1 ? '' : 's'}`;
}
