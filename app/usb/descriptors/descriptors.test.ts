import { describe, expect, it } from 'vitest';
import { DESC } from '../usb-backend.js';
import { hexToBytes } from '../virtual/testing/test-host.js';
import { cdcAcmDescriptor, cdcCallManagementDescriptor, cdcHeaderDescriptor, cdcUnionDescriptor, decodeLineCoding, describeLineCoding, encodeLineCoding, lineCodingProblem } from './cdc.js';
import { CONFIG_ATTR, EP_TYPE, buildConfigurationDescriptor, describeConfiguration, parseConfigurationDescriptor, parseConfigurationHeader } from './configuration.js';
import { bcdVersion, buildDeviceDescriptor, describeDeviceDescriptor, parseDeviceDescriptor } from './device.js';
import { buildHidDescriptor } from './hid.js';
import { buildLangIdDescriptor, buildStringDescriptor, parseLangIdDescriptor, parseStringDescriptor } from './string.js';
import { DescriptorError, walkDescriptors } from './walk.js';

const device = {
  bcdUSB: 0x0200, bDeviceClass: 0, bDeviceSubClass: 0, bDeviceProtocol: 0, bMaxPacketSize0: 64,
  idVendor: 0x1209, idProduct: 0x0001, bcdDevice: 0x0100, iManufacturer: 1, iProduct: 2, iSerialNumber: 3, bNumConfigurations: 1,
};

// From the captures in /work/shared/usb-captures (see README.md there).
const HP_KEYBOARD_DEVICE = hexToBytes('12 01 10 01 00 00 00 08 f0 03 4a 03 21 01 01 02 00 01');
const HP_KEYBOARD_CONFIG = hexToBytes(`09 02 3b 00 02 01 00 a0 32 09 04 00 00 01 03 01 01 00 09 21 10 01 00 01 22 41 00 07 05 81 03 08
  00 0a 09 04 01 00 01 03 00 00 00 09 21 10 01 00 01 22 34 00 07 05 82 03 03 00 0a`);
const SANDISK_CONFIG = hexToBytes('09 02 20 00 01 01 00 80 70 09 04 00 00 02 08 06 50 00 07 05 81 02 00 02 00 07 05 02 02 00 02 00');
const SANDISK_PRODUCT = hexToBytes('18 03 43 00 72 00 75 00 7a 00 65 00 72 00 20 00 44 00 69 00 61 00 6c 00');

describe('device descriptor', () => {
  it('round-trips and describes itself', () => {
    const b = buildDeviceDescriptor(device);
    expect(b.length).toBe(18);
    expect(Array.from(b.subarray(0, 8))).toEqual([18, 1, 0x00, 0x02, 0, 0, 0, 64]);
    expect(parseDeviceDescriptor(b)).toEqual(device);
    expect(describeDeviceDescriptor(device)).toBe('USB 2.00, class 0x00/0x00/0x00, 1209:0001, device 1.00, EP0 64 bytes, 1 configuration');
    expect(bcdVersion(0x0110)).toBe('1.10');
  });

  it('parses the HP keyboard from the capture', () => {
    const d = parseDeviceDescriptor(HP_KEYBOARD_DEVICE);
    expect([d.idVendor, d.idProduct, d.bcdUSB, d.bMaxPacketSize0]).toEqual([0x03f0, 0x034a, 0x0110, 8]);
  });

  it('rejects bad fields and short or mistyped descriptors', () => {
    expect(() => buildDeviceDescriptor({ ...device, bMaxPacketSize0: 12 })).toThrow(/bMaxPacketSize0/);
    expect(() => buildDeviceDescriptor({ ...device, idVendor: 0x10000 })).toThrow(/idVendor/);
    expect(() => parseDeviceDescriptor(HP_KEYBOARD_DEVICE.subarray(0, 8))).toThrow(/only 8 bytes present/);
    const wrongType = HP_KEYBOARD_DEVICE.slice();
    wrongType[1] = 2;
    expect(() => parseDeviceDescriptor(wrongType)).toThrow(/bDescriptorType is 0x02, expected 0x01 \(at byte offset 1\)/);
  });
});

describe('string descriptors', () => {
  it('encode UTF-16LE and decode again, surrogate pairs included', () => {
    const b = buildStringDescriptor('Hindsight');
    expect(Array.from(b.subarray(0, 6))).toEqual([20, 3, 0x48, 0, 0x69, 0]);
    for (const s of ['', 'Hindsight Virtual Keyboard', 'Grüße €', 'emoji 🙂']) expect(parseStringDescriptor(buildStringDescriptor(s))).toBe(s);
    expect(parseStringDescriptor(SANDISK_PRODUCT)).toBe('Cruzer Dial');
  });

  it('handle the LANGID table and the size limit', () => {
    expect(Array.from(buildLangIdDescriptor())).toEqual([4, 3, 0x09, 0x04]);
    expect(parseLangIdDescriptor(hexToBytes('06 03 09 04 07 04'))).toEqual([0x0409, 0x0407]);
    expect(() => buildStringDescriptor('x'.repeat(127))).toThrow(/at most 126/);
    expect(buildStringDescriptor('x'.repeat(126))[0]).toBe(254);
    expect(() => parseStringDescriptor(hexToBytes('05 03 41 00 42'))).toThrow(/odd/);
  });
});

describe('configuration descriptors', () => {
  const spec = {
    bConfigurationValue: 1, bmAttributes: CONFIG_ATTR.REMOTE_WAKEUP, bMaxPower: 50,
    interfaces: [
      {
        bInterfaceNumber: 0, bInterfaceClass: 2, bInterfaceSubClass: 2, bInterfaceProtocol: 1,
        extra: [cdcHeaderDescriptor(), cdcCallManagementDescriptor(0, 1), cdcAcmDescriptor(6), cdcUnionDescriptor(0, [1])],
        endpoints: [{ bEndpointAddress: 0x83, bmAttributes: EP_TYPE.INTERRUPT, wMaxPacketSize: 16, bInterval: 16 }],
      },
      {
        bInterfaceNumber: 1, bInterfaceClass: 10, bInterfaceSubClass: 0, bInterfaceProtocol: 0,
        endpoints: [
          { bEndpointAddress: 0x02, bmAttributes: EP_TYPE.BULK, wMaxPacketSize: 64, bInterval: 0 },
          { bEndpointAddress: 0x81, bmAttributes: EP_TYPE.BULK, wMaxPacketSize: 64, bInterval: 0 },
        ],
      },
      {
        bInterfaceNumber: 2, bInterfaceClass: 3, bInterfaceSubClass: 0, bInterfaceProtocol: 0,
        extra: [buildHidDescriptor({ bcdHID: 0x0111, bCountryCode: 0, descriptors: [{ type: DESC.HID_REPORT, length: 63 }] })],
        endpoints: [{ bEndpointAddress: 0x84, bmAttributes: EP_TYPE.INTERRUPT, wMaxPacketSize: 8, bInterval: 10 }],
      },
    ],
  };

  it('builds wTotalLength and bNumInterfaces and parses back every class descriptor', () => {
    const b = buildConfigurationDescriptor(spec);
    const h = parseConfigurationHeader(b);
    expect(h).toEqual({ wTotalLength: b.length, bNumInterfaces: 3, bConfigurationValue: 1, iConfiguration: 0, bmAttributes: 0xa0, bMaxPower: 50 });
    const c = parseConfigurationDescriptor(b);
    expect(c.interfaces.map((i) => i.bInterfaceClass)).toEqual([2, 10, 3]);
    expect(c.interfaces[0]!.extra.map((x) => x.kind)).toEqual(['cdc-header', 'cdc-call-management', 'cdc-acm', 'cdc-union']);
    expect(c.interfaces[0]!.extra[3]).toMatchObject({ kind: 'cdc-union', bControlInterface: 0, subordinates: [1] });
    expect(c.interfaces[1]!.endpoints.map((e) => e.bEndpointAddress)).toEqual([0x02, 0x81]);
    expect(c.interfaces[2]!.extra[0]).toMatchObject({ kind: 'hid', hid: { bcdHID: 0x0111, descriptors: [{ type: 0x22, length: 63 }] } });
    expect(describeConfiguration(c)).toContain('    endpoint 0x81 IN bulk, max packet 64, interval 0');
  });

  it('parses the real HP keyboard and SanDisk configurations', () => {
    const kb = parseConfigurationDescriptor(HP_KEYBOARD_CONFIG);
    expect(kb.interfaces.map((i) => [i.bInterfaceClass, i.bInterfaceSubClass, i.bInterfaceProtocol])).toEqual([[3, 1, 1], [3, 0, 0]]);
    expect(kb.interfaces[0]!.extra[0]).toMatchObject({ kind: 'hid', hid: { bcdHID: 0x0110, descriptors: [{ type: 0x22, length: 65 }] } });
    expect(kb.interfaces[0]!.endpoints[0]).toMatchObject({ bEndpointAddress: 0x81, bmAttributes: 3, wMaxPacketSize: 8, bInterval: 10 });
    const msc = parseConfigurationDescriptor(SANDISK_CONFIG);
    expect(msc.interfaces[0]).toMatchObject({ bInterfaceClass: 8, bInterfaceSubClass: 6, bInterfaceProtocol: 0x50 });
    expect(msc.interfaces[0]!.endpoints.map((e) => [e.bEndpointAddress, e.wMaxPacketSize])).toEqual([[0x81, 512], [0x02, 512]]);
  });

  it('names the byte offset of a malformed descriptor', () => {
    const zero = HP_KEYBOARD_CONFIG.slice();
    zero[27] = 0; // the first endpoint descriptor's bLength
    expect(() => parseConfigurationDescriptor(zero)).toThrow(/bLength 0 is too small .*\(at byte offset 27\)/);
    const past = HP_KEYBOARD_CONFIG.slice();
    past[52] = 9; // the last endpoint claims 9 bytes, 7 are left
    expect(() => parseConfigurationDescriptor(past)).toThrow(/bLength 9 runs past the end of the data \(7 bytes left\) \(at byte offset 52\)/);
    expect(() => parseConfigurationDescriptor(HP_KEYBOARD_CONFIG.subarray(0, 40))).toThrow(/wTotalLength is 59 but 40 bytes were given \(at byte offset 2\)/);
    const endpoints = HP_KEYBOARD_CONFIG.slice();
    endpoints[13] = 2;
    expect(() => parseConfigurationDescriptor(endpoints)).toThrow(/bNumEndpoints 2 but 1 endpoint descriptors follow \(at byte offset 13\)/);
    const ifaces = HP_KEYBOARD_CONFIG.slice();
    ifaces[4] = 1;
    expect(() => parseConfigurationDescriptor(ifaces)).toThrow(/bNumInterfaces is 1 but 2/);
    expect(() => walkDescriptors(Uint8Array.of(2, 1, 7), 'x')).toThrow(/1 stray byte 0x07 after the last descriptor \(at byte offset 2\)/);
    try {
      parseConfigurationDescriptor(zero);
    } catch (e) {
      expect(e).toBeInstanceOf(DescriptorError);
      expect((e as DescriptorError).offset).toBe(27);
    }
  });

  it('never hangs or throws anything but DescriptorError on random input', () => {
    let seed = 12345;
    const rand = (): number => { seed = (seed * 1103515245 + 12345) >>> 0; return seed >>> 16; };
    for (let n = 0; n < 3000; n++) {
      const b = HP_KEYBOARD_CONFIG.slice(0, 9 + (rand() % 60));
      for (let i = 0; i < b.length; i++) if (rand() % 8 === 0) b[i] = rand() & 0xff;
      b[1] = 2;
      try { parseConfigurationDescriptor(b); } catch (e) { expect(e).toBeInstanceOf(DescriptorError); }
    }
  });
});

describe('CDC line coding', () => {
  it('encodes, decodes, validates and describes', () => {
    const c = decodeLineCoding(hexToBytes('00 10 0e 00 00 00 08')); // AnyTone capture: 921600 8N1
    expect(c).toEqual({ dwDTERate: 921600, bCharFormat: 0, bParityType: 0, bDataBits: 8 });
    expect(describeLineCoding(c)).toBe('921600 8N1');
    expect(describeLineCoding({ dwDTERate: 300, bCharFormat: 2, bParityType: 2, bDataBits: 7 })).toBe('300 7E2');
    expect(Array.from(encodeLineCoding(c))).toEqual([0x00, 0x10, 0x0e, 0, 0, 0, 8]);
    expect(lineCodingProblem({ ...c, bDataBits: 9 })).toMatch(/bDataBits 9/);
    expect(lineCodingProblem(c)).toBeNull();
  });
});
