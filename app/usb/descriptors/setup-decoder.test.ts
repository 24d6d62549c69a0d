import { describe, expect, it } from 'vitest';
import { type SetupPacket, parseSetup } from '../usb-backend.js';
import { hexToBytes } from '../virtual/testing/test-host.js';
import { describeCbw, describeCsw } from './msc.js';
import { describeSetup } from './setup-decoder.js';

const s = (hex: string): SetupPacket => parseSetup(hexToBytes(hex));
const d = (hex: string, ctx = {}): string => describeSetup(s(hex), ctx);

describe('describeSetup', () => {
  it('decodes standard requests', () => {
    expect(d('80 06 00 01 00 00 12 00')).toBe('GET_DESCRIPTOR(DEVICE, 0, 18)');
    expect(d('80 06 00 02 00 00 09 00')).toBe('GET_DESCRIPTOR(CONFIGURATION, 0, 9)');
    expect(d('80 06 02 03 09 04 ff 00')).toBe('GET_DESCRIPTOR(STRING, 2, 255, lang 0x0409)');
    expect(d('80 06 00 03 00 00 ff 00')).toBe('GET_DESCRIPTOR(STRING, 0, 255)');
    expect(d('80 06 00 06 00 00 0a 00')).toBe('GET_DESCRIPTOR(DEVICE_QUALIFIER, 0, 10)');
    expect(d('81 06 00 22 00 00 41 00')).toBe('GET_DESCRIPTOR(HID_REPORT, 0, 65, interface 0)');
    expect(d('00 05 06 00 00 00 00 00')).toBe('SET_ADDRESS(6)');
    expect(d('00 09 01 00 00 00 00 00')).toBe('SET_CONFIGURATION(1)');
    expect(d('80 08 00 00 00 00 01 00')).toBe('GET_CONFIGURATION');
    expect(d('80 00 00 00 00 00 02 00')).toBe('GET_STATUS(device)');
    expect(d('82 00 00 00 81 00 02 00')).toBe('GET_STATUS(endpoint 0x81)');
    expect(d('02 01 00 00 81 00 00 00')).toBe('CLEAR_FEATURE(ENDPOINT_HALT, endpoint 0x81)');
    expect(d('00 03 01 00 00 00 00 00')).toBe('SET_FEATURE(DEVICE_REMOTE_WAKEUP)');
    expect(d('01 0b 01 00 02 00 00 00')).toBe('SET_INTERFACE(interface 2, alt 1)');
    expect(d('81 0a 00 00 01 00 01 00')).toBe('GET_INTERFACE(interface 1)');
  });

  it('decodes HID, CDC and MSC class requests, with or without interface context', () => {
    expect(d('21 0a 00 00 00 00 00 00')).toBe('HID SET_IDLE(indefinite, report 0, interface 0)');
    expect(d('21 0a 00 7d 00 00 00 00')).toBe('HID SET_IDLE(500 ms, report 0, interface 0)');
    expect(d('21 09 00 02 00 00 01 00')).toBe('HID SET_REPORT(OUTPUT, id 0, interface 0, 1)');
    expect(d('a1 01 00 01 00 00 08 00')).toBe('HID GET_REPORT(INPUT, id 0, interface 0, 8)');
    expect(d('a1 03 00 00 00 00 01 00')).toBe('HID GET_PROTOCOL(interface 0)');
    expect(d('21 0b 00 00 00 00 00 00')).toBe('HID SET_PROTOCOL(boot, interface 0)');
    expect(d('21 20 00 00 00 00 07 00', { data: hexToBytes('00 c2 01 00 00 00 08') })).toBe('CDC SET_LINE_CODING(115200 8N1, interface 0)');
    expect(d('21 20 00 00 00 00 07 00')).toBe('CDC SET_LINE_CODING(interface 0)');
    expect(d('a1 21 00 00 00 00 07 00')).toBe('CDC GET_LINE_CODING(interface 0)');
    expect(d('21 22 03 00 00 00 00 00')).toBe('CDC SET_CONTROL_LINE_STATE(DTR RTS, interface 0)');
    expect(d('21 23 fa 00 00 00 00 00')).toBe('CDC SEND_BREAK(250 ms, interface 0)');
    expect(d('a1 fe 00 00 00 00 01 00')).toBe('MSC GET_MAX_LUN(interface 0)');
    expect(d('21 ff 00 00 00 00 00 00')).toBe('MSC BULK_ONLY_RESET(interface 0)');
    // 0x01 is GET_REPORT for HID and GET_ENCAPSULATED_RESPONSE for CDC: context decides.
    expect(d('a1 01 00 00 00 00 00 01', { interfaceClass: () => 2 })).toBe('CDC GET_ENCAPSULATED_RESPONSE(interface 0, 256)');
    expect(d('a1 01 00 00 00 00 00 01', { interfaceClass: () => 3 })).toBe('HID GET_REPORT(?, id 0, interface 0, 256)');
  });

  it('shows vendor and unknown requests raw', () => {
    expect(d('c0 b0 00 00 00 00 04 00')).toBe('VENDOR(bmRequestType 0xc0, bRequest 0xb0, wValue 0x0000, wIndex 0x0000, wLength 4)');
    expect(d('23 03 04 00 01 00 00 00')).toBe('CLASS(bmRequestType 0x23, bRequest 0x03, wValue 0x0004, wIndex 0x0001, wLength 0)');
    expect(d('80 42 00 00 00 00 00 00')).toMatch(/^STANDARD request 0x42\(/);
    expect(d('e0 01 00 00 00 00 00 00')).toMatch(/^RESERVED\(/);
  });
});

describe('describeCbw / describeCsw', () => {
  it('describe the SanDisk capture\'s wrappers', () => {
    expect(describeCbw(hexToBytes('55534243 49000000 00100000 80 00 0a 28000000010800000800 000000000000'))).toBe('CBW 73: READ(10) LBA 264, 8 blocks, 4096 bytes IN');
    expect(describeCbw(hexToBytes('55534243 01000000 24000000 80 00 06 120000002400 00000000000000000000'))).toBe('CBW 1: INQUIRY, 36 bytes IN');
    expect(describeCbw(hexToBytes('55534243 07000000 00000000 00 00 06 1e0000000100 00000000000000000000'))).toBe('CBW 7: PREVENT ALLOW MEDIUM REMOVAL, no data');
    expect(describeCsw(hexToBytes('55534253 04000000 7c000000 00'))).toBe('CSW 4: passed, residue 124');
    expect(describeCsw(hexToBytes('55534253 07000000 00000000 01'))).toBe('CSW 7: failed, residue 0');
    expect(describeCbw(new Uint8Array(31))).toBeNull();
    expect(describeCsw(new Uint8Array(12))).toBeNull();
  });
});
