import { describe, expect, it } from 'vitest';
import { usbCompletion, fnv1a } from './usb-completion.js';
import { usbConnect } from './usb-connect.js';
import { decodeUsbRequest, encodeUsbRequest } from '../trace/derived-codecs.js';
import { TraceFormatError } from '../trace/trace.js';

describe('USB input and derived event encodings', () => {
  it('a completion round-trips, and malformed ones are TraceFormatErrors', () => {
    const v = { id: 77, status: 'stall' as const, actualLength: 3, outHash: fnv1a(Uint8Array.of(1, 2)), data: Uint8Array.of(9, 8, 7) };
    expect(usbCompletion.decode(usbCompletion.encode(v))).toEqual(v);
    const bad = usbCompletion.encode(v);
    expect(() => usbCompletion.decode(bad.slice(0, 10))).toThrow(TraceFormatError);
    bad[4] = 200;
    expect(() => usbCompletion.decode(bad)).toThrow(/unknown status 200/);
    expect(() => usbCompletion.decode(usbCompletion.encode(v).slice(0, 19))).toThrow(/says 3 data bytes but holds 2/);
  });

  it('a connect event round-trips', () => {
    for (const v of [{ port: 1, attach: true, speed: 'low' as const }, { port: 2, attach: false, speed: 'full' as const }]) {
      expect(usbConnect.decode(usbConnect.encode(v))).toEqual(v);
    }
    expect(() => usbConnect.decode(Uint8Array.of(1, 7, 0))).toThrow(TraceFormatError);
  });

  it('a transfer request round-trips with and without a setup packet', () => {
    const control = { id: 5, port: 1, address: 0, endpoint: 0, kind: 'control' as const, dirIn: true, length: 18,
      setup: { bmRequestType: 0x80, bRequest: 6, wValue: 0x0100, wIndex: 0, wLength: 18 }, data: new Uint8Array(0), ticks: 5_000_000_123 };
    expect(decodeUsbRequest(encodeUsbRequest(control))).toEqual(control);
    const bulk = { id: 6, port: 2, address: 3, endpoint: 2, kind: 'bulk' as const, dirIn: false, length: 31, data: Uint8Array.from({ length: 31 }, (_, i) => i), ticks: 42 };
    expect(decodeUsbRequest(encodeUsbRequest(bulk))).toEqual(bulk);
    expect(() => decodeUsbRequest(encodeUsbRequest(bulk).slice(0, 30))).toThrow(TraceFormatError);
  });
});
