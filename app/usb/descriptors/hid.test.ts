import { describe, expect, it } from 'vitest';
import { hexToBytes } from '../virtual/testing/test-host.js';
import { BOOT_KEYBOARD_REPORT_DESCRIPTOR, buildHidDescriptor, parseHidDescriptor, parseReportDescriptor, reportLayout, reportSizes } from './hid.js';

// Interface 0 report descriptor of the HP Elite keyboard (hid-keyboard-hp-elite_full-enum_usbmon.pcapng, 65 bytes).
const HP_REPORT_DESCRIPTOR = hexToBytes(`05 01 09 06 a1 01 05 07 19 e0 29 e7 15 00 25 01 95 08 75 01 81 02 95 01 75 08 81 01 05 08 19 01
  29 03 95 03 75 01 91 02 95 05 75 01 91 01 05 07 19 00 2a ff 00 15 00 26 ff 00 95 06 75 08 81 00 c0`);

const shape = (d: Uint8Array): string[] =>
  reportLayout(parseReportDescriptor(d)).filter((f) => f.kind === 'input')
    .map((f) => `${f.bitOffset}:${f.reportCount}x${f.reportSize}${f.flags & 1 ? ' const' : f.flags & 2 ? ' var' : ' array'}`);

describe('HID report descriptors', () => {
  it('lays out the boot keyboard report of HID 1.11 E.6 (8-byte input, 1-byte output)', () => {
    expect(BOOT_KEYBOARD_REPORT_DESCRIPTOR.length).toBe(63);
    const sizes = reportSizes(reportLayout(parseReportDescriptor(BOOT_KEYBOARD_REPORT_DESCRIPTOR)));
    expect(Object.fromEntries(sizes)).toEqual({ 'input:0': 8, 'output:0': 1 });
    expect(shape(BOOT_KEYBOARD_REPORT_DESCRIPTOR)).toEqual(['0:8x1 var', '8:1x8 const', '16:6x8 array']);
  });

  it('declares the same input report as the real HP keyboard', () => {
    expect(HP_REPORT_DESCRIPTOR.length).toBe(65);
    expect(shape(HP_REPORT_DESCRIPTOR)).toEqual(shape(BOOT_KEYBOARD_REPORT_DESCRIPTOR));
    expect(Object.fromEntries(reportSizes(reportLayout(parseReportDescriptor(HP_REPORT_DESCRIPTOR))))).toEqual({ 'input:0': 8, 'output:0': 1 });
  });

  it('follows report IDs and Push/Pop, and reports truncation with its offset', () => {
    // Two reports: ID 1 (3 bits + 5 pad), ID 2 (16 bits), with a Push/Pop around ID 2.
    const d = hexToBytes('85 01 75 01 95 03 81 02 95 05 81 01 a4 85 02 75 10 95 01 81 00 b4 91 02');
    const sizes = Object.fromEntries(reportSizes(reportLayout(parseReportDescriptor(d))));
    expect(sizes).toEqual({ 'input:1': 1, 'input:2': 2, 'output:1': 1 }); // 5 LED bits round up to a byte
    expect(() => parseReportDescriptor(hexToBytes('05 01 26 ff'))).toThrow(/item 0x26 needs 2 data bytes, only 1 left \(at byte offset 2\)/);
    expect(() => reportLayout(parseReportDescriptor(hexToBytes('b4')))).toThrow(/Pop without a matching Push/);
    expect(parseReportDescriptor(hexToBytes('fe 02 10 aa bb c0')).map((i) => i.type)).toEqual(['long', 'main']);
  });
});

describe('HID descriptor', () => {
  it('round-trips', () => {
    const h = { bcdHID: 0x0111, bCountryCode: 0, descriptors: [{ type: 0x22, length: 63 }] };
    const b = buildHidDescriptor(h);
    expect(Array.from(b)).toEqual([9, 0x21, 0x11, 0x01, 0, 1, 0x22, 63, 0]);
    expect(parseHidDescriptor(b)).toEqual(h);
    expect(() => parseHidDescriptor(hexToBytes('09 21 11 01 00 00 22 3f 00'))).toThrow(/bNumDescriptors is 0/);
  });
});
