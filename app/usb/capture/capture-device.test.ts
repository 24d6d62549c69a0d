import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { SetupPacket, UsbCompletion, UsbTransfer } from '../usb-backend.js';
import { decodeStringDescriptor } from './capture-descriptors.js';
import { CaptureDevice, createCaptureDevice, type CaptureDivergence } from './capture-device.js';
import { bytesEqual } from './endpoint-streams.js';
import type { UsbExchange } from './exchanges.js';
import { deviceExchanges, parseUsbCapture, type UsbCapture } from './usb-capture.js';

const DIR = '/work/shared/usb-captures/';
const have = existsSync(DIR);
const cache = new Map<string, UsbCapture>();
const capture = (f: string): UsbCapture => {
  let c = cache.get(f);
  if (c === undefined) cache.set(f, (c = parseUsbCapture(new Uint8Array(readFileSync(DIR + f)), f)));
  return c;
};
const TEENSY = 'hid-teensy-kbd-mouse-joy_full-enum_usbmon.pcap';
const SANDISK = 'msc-sandisk-cruzer_enum-scsi_usbmon.pcapng';
const E = new Uint8Array(0);

const controlIn = (d: CaptureDevice, bmRequestType: number, bRequest: number, wValue: number, wIndex: number, wLength: number) =>
  d.submit({ kind: 'control', endpoint: 0, dirIn: true, setup: { bmRequestType, bRequest, wValue, wIndex, wLength }, data: E, length: wLength });
const controlOut = (d: CaptureDevice, bmRequestType: number, bRequest: number, wValue: number, wIndex: number, data: Uint8Array = E) =>
  d.submit({ kind: 'control', endpoint: 0, dirIn: false, setup: { bmRequestType, bRequest, wValue, wIndex, wLength: data.length }, data, length: data.length });
const xfer = (d: CaptureDevice, kind: 'bulk' | 'interrupt', ep: number, arg: number | Uint8Array) =>
  d.submit(typeof arg === 'number'
    ? { kind, endpoint: ep & 0x0f, dirIn: true, data: E, length: arg }
    : { kind, endpoint: ep & 0x0f, dirIn: false, data: arg, length: arg.length });
const getDesc = (d: CaptureDevice, type: number, index: number, wLength: number, langId = 0) => controlIn(d, 0x80, 6, (type << 8) | index, langId, wLength);

/** What the captured device answered to GET_DESCRIPTOR(type, index): its longest reply. */
function captured(c: UsbCapture, bus: number, address: number, type: number, index: number): Uint8Array {
  const xs = deviceExchanges(c, bus, address).filter((x) => x.setup?.bRequest === 6 && x.setup.bmRequestType === 0x80 && x.setup.wValue === ((type << 8) | index) && x.status === 'ok');
  return xs.reduce<Uint8Array>((a, x) => (x.inData!.length > a.length ? x.inData! : a), E);
}

/** Resolves to 'pending' if the transfer has not completed once queued microtasks have run. */
async function settle(p: Promise<UsbCompletion>): Promise<UsbCompletion | 'pending'> {
  const marker = Symbol('pending');
  const r = await Promise.race([p, new Promise<typeof marker>((res) => setTimeout(() => res(marker), 5))]);
  return r === marker ? 'pending' : (r as UsbCompletion);
}

/** A guest's enumeration, as an OHCI driver does it; returns what it read. */
async function enumerate(d: CaptureDevice) {
  const dev8 = await getDesc(d, 1, 0, 8);
  expect(dev8.status).toBe('ok');
  expect((await controlOut(d, 0x00, 5, 7, 0)).status).toBe('ok'); // SET_ADDRESS: never forwarded, always ok
  const dev18 = await getDesc(d, 1, 0, 18);
  const cfg9 = await getDesc(d, 2, 0, 9);
  const total = cfg9.data[2]! | (cfg9.data[3]! << 8);
  const cfg = await getDesc(d, 2, 0, total);
  const langs = await getDesc(d, 3, 0, 255);
  const lang = langs.data[2]! | (langs.data[3]! << 8);
  const strings: Uint8Array[] = [];
  for (const i of [dev18.data[14]!, dev18.data[15]!, dev18.data[16]!]) {
    if (i === 0) continue;
    const head = await getDesc(d, 3, i, 2, lang); // some stacks read the length first
    expect(head.data).toHaveLength(2);
    const s = await getDesc(d, 3, i, head.data[0]!, lang);
    expect(s.status).toBe('ok');
    strings.push(s.data);
  }
  expect((await controlOut(d, 0x00, 9, cfg.data[5]!, 0)).status).toBe('ok'); // SET_CONFIGURATION
  return { dev8, dev18, cfg9, cfg, langs, strings };
}

describe.skipIf(!have)('capture device: Teensy HID composite (usbmon, EHCI)', () => {
  it('answers a full enumeration with the captured bytes', async () => {
    const c = capture(TEENSY);
    const divergences: CaptureDivergence[] = [];
    const d = createCaptureDevice(c, { onDivergence: (x) => divergences.push(x) });
    expect(d.identity).toMatchObject({ vendorId: 0x16c0, productId: 0x0482, speed: 'full' });
    const dev = captured(c, 2, 26, 1, 0);
    const cfg = captured(c, 2, 26, 2, 0);
    expect(dev).toHaveLength(18);
    expect(cfg).toHaveLength(116);
    const r = await enumerate(d);
    expect(r.dev8.data).toEqual(dev.subarray(0, 8));
    expect(r.dev18.data).toEqual(dev);
    expect(r.cfg9.data).toEqual(cfg.subarray(0, 9));
    expect(r.cfg.data).toEqual(cfg);
    expect(r.langs.data).toEqual(Uint8Array.of(4, 3, 0x09, 0x04));
    expect(r.strings).toEqual([captured(c, 2, 26, 3, 1)]);
    expect(String.fromCharCode(...new Uint16Array(r.strings[0]!.slice(2).buffer))).toBe('Teensy Keyboard/Mouse/Joystick');
    // HID report descriptors, one per interface (class descriptor 0x22 to the interface).
    for (const [itf, len] of [[0, 85], [1, 51], [2, 33], [3, 85]] as const) {
      const rep = await controlIn(d, 0x81, 6, 0x2200, itf, len + 64);
      expect(rep.status).toBe('ok');
      expect(rep.data, `interface ${itf}`).toHaveLength(len);
    }
    expect(divergences).toEqual([]);
  });

  it('replays the captured refusals and errors: DEVICE_QUALIFIER stalls, GET_REPORT(feature) fails', async () => {
    const d = createCaptureDevice(capture(TEENSY));
    expect((await getDesc(d, 6, 0, 10)).status).toBe('stall'); // a full-speed-only device
    expect((await getDesc(d, 6, 0, 10)).status).toBe('stall');
    for (let i = 0; i < 2; i++) {
      const input = await controlIn(d, 0xa1, 1, 0x0100, 2, 64); // GET_REPORT(input), interface 2
      expect(input.status).toBe('ok');
      expect(input.data).toHaveLength(64);
    }
    expect((await controlIn(d, 0xa1, 1, 0x0300, 2, 4)).status).toBe('error'); // captured -EILSEQ
    expect((await controlOut(d, 0x21, 10, 0, 1)).status).toBe('stall'); // SET_IDLE on interface 1: captured STALL
  });

  it('truncates replies to wLength, stalls unknown requests, accepts the state-changing standard requests', async () => {
    const seen: CaptureDivergence[] = [];
    const d = createCaptureDevice(capture(TEENSY), { onDivergence: (x) => seen.push(x) });
    expect((await getDesc(d, 2, 0, 4)).data).toHaveLength(4);
    expect((await getDesc(d, 2, 0, 1000)).data).toHaveLength(116);
    const vendor = await controlIn(d, 0xc0, 0x42, 0, 0, 4);
    expect(vendor.status).toBe('stall');
    expect(seen).toEqual([{ kind: 'unknown-request', setup: { bmRequestType: 0xc0, bRequest: 0x42, wValue: 0, wIndex: 0, wLength: 4 } }]);
    for (const [rt, rq, v, i] of [[0, 5, 9, 0], [0, 9, 1, 0], [1, 11, 0, 1], [2, 1, 0, 0x83]] as const) {
      expect((await controlOut(d, rt, rq, v, i)).status, `request ${rq}`).toBe('ok');
    }
    expect((await controlIn(d, 0x80, 8, 0, 0, 1)).data).toEqual(Uint8Array.of(1)); // GET_CONFIGURATION from state
    expect((await controlIn(d, 0x80, 0, 0, 0, 2)).data).toEqual(Uint8Array.of(0, 0)); // GET_STATUS
  });

  it('SET_REPORT data is checked against the capture; a mismatch is reported, not failed', async () => {
    const seen: CaptureDivergence[] = [];
    const d = createCaptureDevice(capture(TEENSY), { onDivergence: (x) => seen.push(x) });
    const x = deviceExchanges(capture(TEENSY), 2, 26).find((e) => e.setup?.bmRequestType === 0x21 && e.setup.bRequest === 9)!;
    const s = x.setup!;
    expect((await controlOut(d, s.bmRequestType, s.bRequest, s.wValue, s.wIndex, x.outData!)).status).toBe(x.status);
    expect(seen).toEqual([]);
    await controlOut(d, s.bmRequestType, s.bRequest, s.wValue, s.wIndex, Uint8Array.of(0x7f));
    expect(seen.map((v) => v.kind)).toEqual(['out-data']);
  });

  it('interrupt IN: the reports in capture order, then pending forever (a quiet keyboard) until cancelAll', async () => {
    const c = capture(TEENSY);
    const d = createCaptureDevice(c);
    const reports = deviceExchanges(c, 2, 26).filter((x) => x.endpoint === 0x83 && x.status === 'ok');
    expect(reports).toHaveLength(1338); // 1348 minus the 10 -EILSEQ records at unplug
    for (const r of reports) {
      const got = await xfer(d, 'interrupt', 0x83, 8);
      expect(got.status).toBe('ok');
      expect(got.data).toEqual(r.inData);
    }
    const quiet = xfer(d, 'interrupt', 0x83, 8);
    expect(await settle(quiet)).toBe('pending');
    d.cancelAll();
    expect(await quiet).toMatchObject({ status: 'nodev', actualLength: 0 });
    expect(d.progress().find((p) => p.endpoint === 0x83)).toEqual({ endpoint: 0x83, consumed: 1338, total: 1338 });
  });

  it('pace: each report waits as long as the captured device made the host wait; a cancel keeps the report', async () => {
    const c = capture(TEENSY);
    const reports = deviceExchanges(c, 2, 26).filter((x) => x.endpoint === 0x83 && x.status === 'ok');
    const waits: bigint[] = [];
    let release: () => void = () => {};
    const d = createCaptureDevice(c, { pace: (ns) => { waits.push(ns); return new Promise<void>((r) => { release = r; }); } });
    const first = xfer(d, 'interrupt', 0x83, 8);
    expect(await settle(first)).toBe('pending');
    d.cancelAll();
    expect((await first).status).toBe('nodev');
    release(); // the timer fires after the cancel: nothing is consumed
    await Promise.resolve();
    for (let i = 0; i < 3; i++) {
      const p = xfer(d, 'interrupt', 0x83, 8);
      release();
      expect((await p).data).toEqual(reports[i]!.inData);
    }
    expect(waits).toEqual([reports[0]!, reports[0]!, reports[1]!, reports[2]!].map((x) => x.completeTime - x.submitTime));
  });

  it('interrupt IN shorter than the report: the first bytes and babble', async () => {
    const d = createCaptureDevice(capture(TEENSY));
    const r = await xfer(d, 'interrupt', 0x83, 4);
    expect(r.status).toBe('babble');
    expect(r.data).toHaveLength(4);
  });
});

const u32 = (b: Uint8Array, o: number): number => (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;

describe.skipIf(!have)('capture device: SanDisk Cruzer (usbmon, xHCI: no SET_ADDRESS)', () => {
  it('answers a full enumeration with the captured bytes', async () => {
    const c = capture(SANDISK);
    const seen: CaptureDivergence[] = [];
    const d = createCaptureDevice(c, { onDivergence: (x) => seen.push(x) });
    expect(d.identity).toMatchObject({ vendorId: 0x0781, productId: 0x5599, speed: 'full' });
    const r = await enumerate(d);
    expect(r.dev18.data).toEqual(captured(c, 3, 2, 1, 0));
    expect(r.cfg.data).toEqual(captured(c, 3, 2, 2, 0));
    expect(r.cfg.data).toHaveLength(32);
    const text = r.strings.map((s) => String.fromCharCode(...new Uint16Array(s.slice(2).buffer)));
    expect(text).toEqual(['SanDisk', 'Cruzer Dial', '4C531001470512102500']);
    // GET MAX LUN (class, interface): captured answer 0.
    expect((await controlIn(d, 0xa1, 0xfe, 0, 0, 1)).data).toEqual(Uint8Array.of(0));
    expect(seen).toEqual([]);
  });

  it('SCSI over Bulk-Only: all 224 captured CBWs get the captured data and CSWs back, in order', async () => {
    const c = capture(SANDISK);
    const seen: CaptureDivergence[] = [];
    const d = createCaptureDevice(c, { onDivergence: (x) => seen.push(x) });
    const xs = deviceExchanges(c, 3, 2);
    const cbws = xs.filter((x) => x.endpoint === 0x02).map((x) => x.outData!);
    const expected = xs.filter((x) => x.endpoint === 0x81);
    expect(cbws).toHaveLength(224);
    const got: UsbCompletion[] = [];
    const clearHalt = async () => expect((await controlOut(d, 0x02, 1, 0, 0x81)).status).toBe('ok');
    const N = cbws.length; // INQUIRY, TEST UNIT READY, READ CAPACITY, MODE SENSE (stall + clear), READ(10)s ...
    for (const cbw of cbws.slice(0, N)) {
      expect((await xfer(d, 'bulk', 0x02, cbw)).status).toBe('ok');
      const len = u32(cbw, 8);
      if (len > 0 && (cbw[12]! & 0x80) !== 0) {
        const r = await xfer(d, 'bulk', 0x81, len);
        got.push(r);
        if (r.status === 'stall') await clearHalt();
      }
      let csw = await xfer(d, 'bulk', 0x81, 13);
      got.push(csw);
      if (csw.status === 'stall') {
        await clearHalt();
        csw = await xfer(d, 'bulk', 0x81, 13);
        got.push(csw);
      }
      expect(csw.status).toBe('ok');
      expect(u32(csw.data, 0)).toBe(0x53425355); // 'USBS'
      expect(u32(csw.data, 4), 'dCSWTag echoes dCBWTag').toBe(u32(cbw, 4));
    }
    expect(got).toHaveLength(427); // tshark: 427 'C' records on EP 0x81 of address 2
    expect(got).toHaveLength(expected.length);
    expect(d.progress()).toEqual([{ endpoint: 0x02, consumed: 224, total: 224 }, { endpoint: 0x81, consumed: 427, total: 427 }]);
    const want = expected.slice(0, got.length);
    expect(got.map((g) => g.status)).toEqual(want.map((x) => x.status));
    // (bytesEqual, not toEqual: vitest's deep equality takes seconds on 427 buffers of up to 120 KiB)
    const wrong = got.flatMap((g, i) => {
      const x = want[i]!;
      const n = Math.min(x.inData!.length, g.data.length);
      return g.actualLength === x.actualLength && bytesEqual(g.data.subarray(0, n), x.inData!.subarray(0, n)) ? [] : [i];
    });
    expect(wrong).toEqual([]);
    expect(String.fromCharCode(...got[0]!.data.subarray(8, 15))).toBe('SanDisk'); // INQUIRY vendor
    expect(got.some((g) => g.status === 'stall')).toBe(true);
    // The 122880-byte READ(10)s were captured only up to 61440 bytes: replayed padded, and said so.
    expect(seen.every((s) => s.kind === 'in-truncated')).toBe(true);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen[0]).toMatchObject({ kind: 'in-truncated', endpoint: 0x81, captured: 61440, actual: 122880 });
  });

  it('a guest with its own CBW tags gets CSWs with those tags; a different command is reported', async () => {
    const c = capture(SANDISK);
    const seen: CaptureDivergence[] = [];
    const d = createCaptureDevice(c, { onDivergence: (x) => seen.push(x) });
    const cbw = deviceExchanges(c, 3, 2).find((x) => x.endpoint === 0x02)!.outData!.slice();
    cbw.set([0xef, 0xbe, 0xad, 0xde], 4);
    await xfer(d, 'bulk', 0x02, cbw);
    expect(seen.map((s) => s.kind)).toEqual(['out-data']);
    const data = await xfer(d, 'bulk', 0x81, 36);
    expect(data.data).toHaveLength(36);
    const csw = await xfer(d, 'bulk', 0x81, 13);
    expect(u32(csw.data, 4)).toBe(0xdeadbeef);
    const raw = createCaptureDevice(c, { fixMassStorageTags: false });
    await xfer(raw, 'bulk', 0x02, cbw);
    await xfer(raw, 'bulk', 0x81, 36);
    expect(u32((await xfer(raw, 'bulk', 0x81, 13)).data, 4)).toBe(u32(deviceExchanges(c, 3, 2).find((x) => x.endpoint === 0x02)!.outData!, 4));
  });

  it('the unrelated device at bus 1 address 4 can be picked by address', () => {
    const d = createCaptureDevice(capture(SANDISK), { bus: 1, address: 4 });
    expect(d.identity).toMatchObject({ vendorId: 0, productId: 0 });
    expect(() => createCaptureDevice(capture(SANDISK), { bus: 9, address: 9 })).toThrow(/no device at bus 9 address 9.*0781:5599/);
  });
});

describe.skipIf(!have)('capture device: USBPcap captures', () => {
  it('QEMU tablet: descriptors from the synthesized records, then the captured reports', async () => {
    const c = capture('hid-qemu-tablet_enum-and-reports_usbpcap.pcapng');
    const d = createCaptureDevice(c);
    expect(d.identity).toMatchObject({ vendorId: 0x0627, productId: 0x0001 });
    expect((await getDesc(d, 1, 0, 8)).data).toEqual(captured(c, 1, 1, 1, 0).subarray(0, 8));
    expect((await getDesc(d, 1, 0, 18)).data).toHaveLength(18);
    expect((await getDesc(d, 2, 0, 9)).data[2]).toBe(34);
    expect((await getDesc(d, 2, 0, 34)).data).toEqual(captured(c, 1, 1, 2, 0));
    expect((await controlOut(d, 0, 9, 1, 0)).status).toBe('ok');
    const reports = deviceExchanges(c, 1, 1).filter((x) => x.endpoint === 0x81 && x.status === 'ok' && !x.cancelled);
    expect(reports.length).toBeGreaterThan(200);
    for (const r of reports.slice(0, 20)) expect((await xfer(d, 'interrupt', 0x81, 8)).data).toEqual(r.inData);
  });

  it('DigiTech (pre-1.5 USBPcap): the three-record control transfers answer an enumeration; iso is refused', async () => {
    const c = capture('audio-midi-digitech-rp250_enum-iso-bulk_usbpcap.pcap');
    const seen: CaptureDivergence[] = [];
    const d = createCaptureDevice(c, { onDivergence: (x) => seen.push(x) });
    expect(d.identity).toMatchObject({ vendorId: 0x1210, productId: 0x000d });
    // Windows asked for the device and configuration descriptors and strings 3 and 4 (4 bytes, then all).
    expect((await getDesc(d, 1, 0, 8)).data).toEqual(captured(c, 2, 3, 1, 0).subarray(0, 8));
    expect((await getDesc(d, 2, 0, 9)).data[2]! | ((await getDesc(d, 2, 0, 9)).data[3]! << 8)).toBe(352);
    expect((await getDesc(d, 2, 0, 352)).data).toEqual(captured(c, 2, 3, 2, 0));
    const head = await getDesc(d, 3, 3, 2, 0x409);
    const name = await getDesc(d, 3, 3, head.data[0]!, 0x409);
    expect(name.data).toHaveLength(45); // an odd bLength, as the device sent it
    expect(decodeStringDescriptor(name.data)).toMatch(/^DigiTech/);
    expect((await getDesc(d, 3, 0, 255)).status).toBe('stall'); // never asked in the capture
    expect((await controlOut(d, 0, 9, 1, 0)).status).toBe('ok');
    expect((await controlOut(d, 1, 11, 1, 1)).status).toBe('ok'); // SET_INTERFACE
    seen.length = 0;
    expect((await d.submit({ kind: 'isochronous', endpoint: 1, dirIn: false, data: new Uint8Array(1764), length: 1764 })).status).toBe('error');
    expect(seen.map((s) => s.kind)).toEqual(['unsupported']);
    // USB-MIDI from EP 0x84: the completions early USBPcap logged without their requests.
    const midi = await xfer(d, 'bulk', 0x84, 64);
    expect(midi.data).toEqual(deviceExchanges(c, 2, 3).find((x) => x.endpoint === 0x84)!.inData);
  });
});

// Synthetic exchanges, for the rules no real capture exercises cleanly.
let nextId = 1n;
function ex(p: Partial<UsbExchange> & Pick<UsbExchange, 'endpoint' | 'type'>): UsbExchange {
  const dirIn = p.setup !== undefined ? (p.setup.bmRequestType & 0x80) !== 0 : (p.endpoint & 0x80) !== 0;
  const data = dirIn ? p.inData ?? E : p.outData ?? E;
  return {
    source: 'usbmon', bus: 1, device: 5, status: 'ok', rawStatus: 0, cancelled: false, actualLength: data.length, submitTime: 0n, completeTime: 0n, id: nextId++,
    ...(dirIn ? { inData: data } : { outData: data }), ...p,
  };
}
const setup = (bmRequestType: number, bRequest: number, wValue: number, wIndex: number, wLength: number): SetupPacket => ({ bmRequestType, bRequest, wValue, wIndex, wLength });
const bytes = (n: number, from = 0): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (from + i) & 0xff);

describe('capture device: rules', () => {
  it('GET_DESCRIPTOR: a whole reply is preferred to one cut by a smaller wLength; else the longest there is', async () => {
    const cfg = bytes(34);
    const d = new CaptureDevice('t', 1, 5, [
      ex({ endpoint: 0x80, type: 'control', setup: setup(0x80, 6, 0x200, 0, 9), inData: cfg.subarray(0, 9), requestedLength: 9 }),
      ex({ endpoint: 0x80, type: 'control', setup: setup(0x80, 6, 0x200, 0, 34), inData: cfg, requestedLength: 34 }),
      ex({ endpoint: 0x80, type: 'control', setup: setup(0x80, 6, 0x300, 0, 4), inData: bytes(4), requestedLength: 4 }),
    ]);
    expect((await getDesc(d, 2, 0, 255)).data).toEqual(cfg);
    expect((await getDesc(d, 2, 0, 9)).data).toEqual(cfg.subarray(0, 9));
    expect((await getDesc(d, 3, 0, 255)).data).toEqual(bytes(4)); // only a 4-byte answer exists
  });

  it('several captured answers to one request are given in capture order, repeating the last', async () => {
    const q = setup(0xc0, 0x10, 0, 0, 2);
    const d = new CaptureDevice('t', 1, 5, [
      ex({ endpoint: 0x80, type: 'control', setup: q, inData: Uint8Array.of(1, 1), requestedLength: 2 }),
      ex({ endpoint: 0x80, type: 'control', setup: q, status: 'stall', inData: E, requestedLength: 2 }),
      ex({ endpoint: 0x80, type: 'control', setup: q, inData: Uint8Array.of(3, 3), requestedLength: 2 }),
    ]);
    const answers = [];
    for (let i = 0; i < 5; i++) {
      const r = await controlIn(d, 0xc0, 0x10, 0, 0, 2);
      answers.push(r.status === 'ok' ? r.data[0] : r.status);
    }
    expect(answers).toEqual([1, 'stall', 3, 3, 3]);
    expect((await controlIn(d, 0xc0, 0x10, 0, 1, 2)).status).toBe('stall'); // wIndex differs: unknown
  });

  it('bulk IN is a stream: short packets end transfers, full ones continue, leftovers wait', async () => {
    const d = new CaptureDevice('t', 1, 5, [
      ex({ endpoint: 0x81, type: 'bulk', inData: bytes(64, 0), requestedLength: 64 }), // full: continues
      ex({ endpoint: 0x81, type: 'bulk', inData: bytes(10, 64), requestedLength: 64 }), // short: ends
      ex({ endpoint: 0x81, type: 'bulk', inData: bytes(100, 200), requestedLength: 512 }),
      ex({ endpoint: 0x81, type: 'bulk', inData: E, requestedLength: 512 }), // zero-length packet
    ]);
    expect((await xfer(d, 'bulk', 0x81, 512)).data).toEqual(bytes(74, 0));
    expect((await xfer(d, 'bulk', 0x81, 30)).data).toEqual(bytes(30, 200));
    expect((await xfer(d, 'bulk', 0x81, 512)).data).toEqual(bytes(70, 230));
    expect(await xfer(d, 'bulk', 0x81, 512)).toMatchObject({ status: 'ok', actualLength: 0 });
    expect(await settle(xfer(d, 'bulk', 0x81, 512))).toBe('pending');
    const t = new CaptureDevice('t', 1, 5, [], { bulkInWhenExhausted: 'timeout' });
    expect((await xfer(t, 'bulk', 0x81, 512)).status).toBe('timeout');
  });

  it('a captured stall halts the endpoint until CLEAR_FEATURE(ENDPOINT_HALT)', async () => {
    const d = new CaptureDevice('t', 1, 5, [
      ex({ endpoint: 0x81, type: 'bulk', status: 'stall', inData: E }),
      ex({ endpoint: 0x81, type: 'bulk', inData: bytes(13) }),
    ]);
    expect((await xfer(d, 'bulk', 0x81, 13)).status).toBe('stall');
    expect((await xfer(d, 'bulk', 0x81, 13)).status).toBe('stall'); // still halted: nothing consumed
    expect((await controlIn(d, 0x82, 0, 0, 0x81, 2)).data).toEqual(Uint8Array.of(1, 0)); // GET_STATUS(endpoint): halted
    await controlOut(d, 0x02, 1, 0, 0x81);
    expect((await xfer(d, 'bulk', 0x81, 13)).data).toEqual(bytes(13));
  });

  it('OUT: compared as a stream across transfer boundaries; beyond the capture is accepted and reported', async () => {
    const seen: CaptureDivergence[] = [];
    const d = new CaptureDevice('t', 1, 5, [
      ex({ endpoint: 0x02, type: 'bulk', outData: bytes(8) }),
      ex({ endpoint: 0x02, type: 'bulk', outData: bytes(8, 8) }),
    ], { onDivergence: (x) => seen.push(x) });
    expect((await xfer(d, 'bulk', 0x02, bytes(12))).status).toBe('ok');
    expect((await xfer(d, 'bulk', 0x02, bytes(4, 12))).actualLength).toBe(4);
    expect(seen).toEqual([]);
    expect((await xfer(d, 'bulk', 0x02, bytes(3))).status).toBe('ok');
    expect(seen.map((s) => s.kind)).toEqual(['out-beyond-capture']);
  });

  it('isochronous transfers are answered with error; close makes every later transfer nodev', async () => {
    const d = new CaptureDevice('t', 1, 5, []);
    const iso: UsbTransfer = { kind: 'isochronous', endpoint: 1, dirIn: true, data: E, length: 192 };
    expect((await d.submit(iso)).status).toBe('error');
    const pending = xfer(d, 'interrupt', 0x81, 8);
    await d.close();
    expect((await pending).status).toBe('nodev');
    expect((await getDesc(d, 1, 0, 18)).status).toBe('nodev');
  });
});
