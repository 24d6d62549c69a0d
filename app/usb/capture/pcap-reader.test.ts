import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CaptureFormatError, readCapture } from './pcap-reader.js';
import { parseUsbCapture } from './usb-capture.js';

// Builders for hand-made files in either byte order (draft-ietf-opsawg-pcap / -pcapng).
class W {
  readonly b: number[] = [];
  constructor(readonly le: boolean) {}
  u8(v: number): this { this.b.push(v & 0xff); return this; }
  u16(v: number): this { const x = [v & 0xff, (v >> 8) & 0xff]; this.b.push(...(this.le ? x : x.reverse())); return this; }
  u32(v: number): this { const x = [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff]; this.b.push(...(this.le ? x : x.reverse())); return this; }
  bytes(a: ArrayLike<number>): this { this.b.push(...Array.from(a)); return this; }
  pad(): this { while (this.b.length % 4 !== 0) this.b.push(0); return this; }
  out(): Uint8Array { return Uint8Array.from(this.b); }
}

function pcap(le: boolean, nanos: boolean, linkType: number, packets: [sec: number, frac: number, data: number[]][]): Uint8Array {
  const w = new W(le).u32(nanos ? 0xa1b23c4d : 0xa1b2c3d4).u16(2).u16(4).u32(0).u32(0).u32(65535).u32(linkType);
  for (const [sec, frac, data] of packets) w.u32(sec).u32(frac).u32(data.length).u32(data.length).bytes(data);
  return w.out();
}

type Opt = [code: number, value: number[]];
function block(le: boolean, type: number, body: (w: W) => void): number[] {
  const inner = new W(le);
  body(inner);
  inner.pad();
  const len = inner.b.length + 12;
  return new W(le).u32(type).u32(len).bytes(inner.b).u32(len).b;
}
const opts = (w: W, list: Opt[]): void => {
  for (const [code, v] of list) { w.u16(code).u16(v.length).bytes(v).pad(); }
  if (list.length > 0) w.u16(0).u16(0);
};
const shb = (le: boolean): number[] => block(le, 0x0a0d0d0a, (w) => w.u32(0x1a2b3c4d).u16(1).u16(0).u32(0xffffffff).u32(0xffffffff));
const idb = (le: boolean, linkType: number, o: Opt[] = []): number[] => block(le, 1, (w) => { w.u16(linkType).u16(0).u32(0); opts(w, o); });
const epb = (le: boolean, iface: number, ts: bigint, data: number[]): number[] =>
  block(le, 6, (w) => w.u32(iface).u32(Number(ts >> 32n)).u32(Number(ts & 0xffffffffn)).u32(data.length).u32(data.length).bytes(data));
const spb = (le: boolean, data: number[]): number[] => block(le, 3, (w) => w.u32(data.length).bytes(data));
const pb = (le: boolean, iface: number, ts: bigint, data: number[]): number[] =>
  block(le, 2, (w) => w.u16(iface).u16(0).u32(Number(ts >> 32n)).u32(Number(ts & 0xffffffffn)).u32(data.length).u32(data.length).bytes(data));
const nrb = (le: boolean): number[] => block(le, 4, (w) => w.u16(1).u16(8).bytes([10, 0, 0, 1, 0x61, 0x62, 0x63, 0]).u32(0));
const custom = (le: boolean): number[] => block(le, 0x00000bad, (w) => w.u32(32473).bytes([1, 2, 3]));

const expectFormatError = (f: () => unknown, pattern: RegExp, offset?: number): void => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(CaptureFormatError);
    expect((e as Error).message).toMatch(pattern);
    if (offset !== undefined) expect((e as CaptureFormatError).offset).toBe(offset);
    return;
  }
  throw new Error(`expected a CaptureFormatError matching ${pattern}`);
};

describe('classic pcap', () => {
  it.each([[true, false], [false, false], [true, true], [false, true]])('little-endian %s, nanoseconds %s', (le, nanos) => {
    const f = readCapture(pcap(le, nanos, 220, [[1_500_000_000, 123456, [1, 2, 3]], [1_500_000_001, 7, []]]));
    expect(f.format).toBe('pcap');
    expect(f.interfaces).toEqual([{ index: 0, section: 0, linkType: 220, snapLen: 65535, littleEndian: le }]);
    expect(f.packets.map((p) => [p.interfaceId, p.linkType, p.timestampNs, Array.from(p.data), p.littleEndian])).toEqual([
      [0, 220, 1_500_000_000_000_000_000n + (nanos ? 123456n : 123_456_000n), [1, 2, 3], le],
      [0, 220, 1_500_000_001_000_000_000n + (nanos ? 7n : 7000n), [], le],
    ]);
  });

  it('rejects what is not pcap or is cut short, naming the offset', () => {
    expectFormatError(() => readCapture(new Uint8Array(0)), /empty/, 0);
    expectFormatError(() => readCapture(Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 13, 10, 26, 10)), /not a pcap or pcapng file: it starts with 89 50 4e 47/, 0);
    const good = pcap(true, false, 220, [[1, 2, [9, 9, 9, 9]]]);
    expectFormatError(() => readCapture(good.subarray(0, 20)), /truncated pcap file header/, 0);
    expectFormatError(() => readCapture(good.subarray(0, 30)), /truncated pcap record header/, 24);
    expectFormatError(() => readCapture(good.subarray(0, good.length - 1)), /truncated pcap record: captured length 4 but only 3/, 24);
    expectFormatError(() => readCapture(pcap(true, false, 1, [[1, 2, [0]]])), /unknown link type 1/);
    expectFormatError(() => readCapture(pcap(true, false, 220, [[1, 1_000_000, [0]]])), /fraction 1000000 is out of range/, 28);
    expect(readCapture(pcap(true, false, 1, [[1, 2, [0]]]), { linkTypes: null }).packets).toHaveLength(1);
  });
});

describe('pcapng', () => {
  it.each([true, false])('little-endian %s: IDB options, EPB, SPB, PB, unknown blocks skipped', (le) => {
    const file = Uint8Array.from([
      ...shb(le),
      ...idb(le, 220, [[2, Array.from('usbmon1', (c) => c.charCodeAt(0))], [9, [9]]]), // if_tsresol 10^-9
      ...nrb(le),
      ...idb(le, 249, [[9, [0x80 | 10]], [14, [...new W(le).u32(le ? 100 : 0).u32(le ? 0 : 100).b]]]), // 2^-10 s, if_tsoffset 100 s
      ...epb(le, 0, 1_600_000_000_123_456_789n, [1, 2, 3, 4, 5]),
      ...custom(le),
      ...epb(le, 1, 3n * 1024n + 512n, [6]),
      ...spb(le, [7, 8]),
      ...pb(le, 1, 1024n, [9]),
    ]);
    const f = readCapture(file);
    expect(f.format).toBe('pcapng');
    expect(f.sections).toBe(1);
    expect(f.interfaces.map((i) => [i.index, i.linkType, i.name, i.littleEndian])).toEqual([[0, 220, 'usbmon1', le], [1, 249, undefined, le]]);
    expect(f.packets.map((p) => [p.interfaceId, p.linkType, p.timestampNs, p.hasTimestamp, Array.from(p.data)])).toEqual([
      [0, 220, 1_600_000_000_123_456_789n, true, [1, 2, 3, 4, 5]],
      [1, 249, 103_500_000_000n, true, [6]],
      [0, 220, 0n, false, [7, 8]],
      [1, 249, 101_000_000_000n, true, [9]],
    ]);
  });

  it('default resolution is microseconds; interfaces are numbered per section, byte order may change', () => {
    const file = Uint8Array.from([
      ...shb(true), ...idb(true, 220), ...epb(true, 0, 5n, [1]),
      ...shb(false), ...idb(false, 189), ...idb(false, 220), ...epb(false, 1, 6n, [2]), ...epb(false, 0, 7n, [3]),
    ]);
    const f = readCapture(file);
    expect(f.sections).toBe(2);
    expect(f.interfaces.map((i) => [i.index, i.section, i.linkType, i.littleEndian])).toEqual([[0, 0, 220, true], [1, 1, 189, false], [2, 1, 220, false]]);
    expect(f.packets.map((p) => [p.interfaceId, p.timestampNs, p.littleEndian])).toEqual([[0, 5000n, true], [2, 6000n, false], [1, 7000n, false]]);
  });

  it('bad blocks are errors that name the offset', () => {
    const le = true;
    const head = [...shb(le), ...idb(le, 220)];
    const at = head.length;
    const good = Uint8Array.from([...head, ...epb(le, 0, 1n, [1, 2, 3])]);
    expectFormatError(() => readCapture(Uint8Array.from([...idb(le, 220), ...shb(le)])), /not a pcap or pcapng/, 0);
    expectFormatError(() => readCapture(good.subarray(0, at + 6)), /truncated pcapng block: 6 bytes left/, at);
    expectFormatError(() => readCapture(good.subarray(0, good.length - 4)), /truncated pcapng block type 0x6: length 36 but only 32/, at);
    const wrongTrailer = good.slice();
    wrongTrailer[wrongTrailer.length - 4] = 40;
    expectFormatError(() => readCapture(wrongTrailer), /trailing length 40 differs from leading length 36/, good.length - 4);
    const odd = good.slice();
    odd[at + 4] = 37;
    expectFormatError(() => readCapture(odd), /invalid total length 37/, at + 4);
    const tiny = good.slice();
    tiny[at + 4] = 8;
    expectFormatError(() => readCapture(tiny), /invalid total length 8/, at + 4);
    expectFormatError(() => readCapture(Uint8Array.from([...head, ...epb(le, 3, 1n, [1])])), /interface 3, but the section has 1/);
    const capTooLong = Uint8Array.from([...head, ...epb(le, 0, 1n, [1, 2, 3])]);
    capTooLong[at + 20] = 200; // captured length
    expectFormatError(() => readCapture(capTooLong), /captured length 200 exceeds its block/, at + 20);
    expectFormatError(() => readCapture(Uint8Array.from([...shb(le), ...idb(le, 1), ...epb(le, 0, 1n, [1])])), /unknown link type 1 on interface 0/, at);
    const badBom = Uint8Array.from(shb(le));
    badBom[8] = 0;
    expectFormatError(() => readCapture(badBom), /bad byte-order magic/, 8);
    const badOption = Uint8Array.from([...shb(le), ...idb(le, 220, [[2, [0x41, 0x42, 0x43, 0x44]]])]);
    badOption[shb(le).length + 16 + 2] = 200; // option length
    expectFormatError(() => readCapture(badOption), /option 2 of length 200 runs past the end of its block/);
    expectFormatError(() => readCapture(Uint8Array.from([...shb(le), ...spb(le, [1])])), /Simple Packet Block before any Interface Description Block/);
  });
});

// Damaged copies of real files: every prefix and many byte flips either parse or give a
// CaptureFormatError; nothing else is thrown and nothing hangs.
const DIR = '/work/shared/usb-captures/';
describe.skipIf(!existsSync(DIR))('damaged real captures', () => {
  const files = ['micro_lin_control-in_usbmon.pcapng', 'micro_lin_control-out_usbmon.pcap', 'micro_win_setup_usbpcap.pcapng', 'hid-mouse-elecom_devdesc-and-reports_usbmon.pcapng'];

  it.each(files)('%s: every truncation is a CaptureFormatError or a clean parse at a block boundary', (f) => {
    const bytes = new Uint8Array(readFileSync(DIR + f));
    let errors = 0;
    for (let n = 0; n < bytes.length; n++) {
      try {
        parseUsbCapture(bytes.subarray(0, n));
      } catch (e) {
        if (!(e instanceof CaptureFormatError)) throw new Error(`${f} cut at ${n}: ${String(e)}`);
        errors++;
      }
    }
    expect(errors).toBeGreaterThan(bytes.length * 0.9);
  });

  it.each(files)('%s: 2000 random byte flips never throw anything but CaptureFormatError', (f) => {
    const bytes = new Uint8Array(readFileSync(DIR + f));
    let seed = 12345;
    const rnd = (n: number): number => { seed = (seed * 1103515245 + 12345) >>> 0; return seed % n; };
    for (let i = 0; i < 2000; i++) {
      const copy = bytes.slice();
      for (let k = 0; k < 1 + rnd(4); k++) copy[rnd(copy.length)] = rnd(256);
      try {
        parseUsbCapture(copy);
      } catch (e) {
        if (!(e instanceof CaptureFormatError)) throw new Error(`${f} flip #${i}: ${String(e)}`);
      }
    }
  });

  it('a corrupt usbmon record and a corrupt USBPcap header are named', () => {
    const usbmon = new Uint8Array(readFileSync(DIR + 'micro_lin_control-out_usbmon.pcap'));
    const a = usbmon.slice();
    a[24 + 16 + 8] = 0x58; // type 'X'
    expectFormatError(() => parseUsbCapture(a), /usbmon record of packet 1: unknown event type 0x58/, 24);
    const usbpcap = new Uint8Array(readFileSync(DIR + 'micro_win_bulk-in_usbpcap.pcapng'));
    const first = readCapture(usbpcap).packets[0]!;
    const b = usbpcap.slice();
    b[first.data.byteOffset - usbpcap.byteOffset] = 200; // headerLen beyond the packet
    expectFormatError(() => parseUsbCapture(b), /USBPcap record of packet 1: header length 200/, first.fileOffset);
  });
});
