import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeSetup } from '../usb-backend.js';
import { readCapture } from './pcap-reader.js';
import { writeUsbmonPcapng, type WritableExchange } from './pcapng-writer.js';
import { parseUsbCapture } from './usb-capture.js';

const TSHARK = spawnSync('tshark', ['--version'], { encoding: 'utf8' }).status === 0;
if (!TSHARK) console.warn('pcapng-writer.test: tshark not found, the tshark checks are skipped');
const tmp = mkdtempSync(join(tmpdir(), 'hindsight-pcapng-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const tshark = (file: string, ...args: string[]): string => {
  const r = spawnSync('tshark', ['-r', file, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tshark failed: ${r.stderr}`);
  return r.stdout;
};

const b = (...xs: number[]): Uint8Array => Uint8Array.from(xs);
const ms = (n: number): bigint => BigInt(n) * 1_000_000n; // guest time in ns
const DEVICE_DESCRIPTOR = b(18, 1, 0x10, 1, 0, 0, 0, 64, 0x34, 0x12, 0x78, 0x56, 0, 1, 1, 2, 0, 1);

// A recording's traffic: what a guest driver did with a device, stamped with guest time.
const RECORDING: WritableExchange[] = [
  { device: 0, endpoint: 0x80, type: 'control', setup: { bmRequestType: 0x80, bRequest: 6, wValue: 0x100, wIndex: 0, wLength: 8 }, inData: DEVICE_DESCRIPTOR.subarray(0, 8), status: 'ok', actualLength: 8, submitTime: ms(1), completeTime: ms(2) },
  { device: 0, endpoint: 0x00, type: 'control', setup: { bmRequestType: 0, bRequest: 5, wValue: 3, wIndex: 0, wLength: 0 }, outData: b(), status: 'ok', actualLength: 0, submitTime: ms(3), completeTime: ms(4) },
  { device: 3, endpoint: 0x80, type: 'control', setup: { bmRequestType: 0x80, bRequest: 6, wValue: 0x100, wIndex: 0, wLength: 18 }, inData: DEVICE_DESCRIPTOR, status: 'ok', actualLength: 18, submitTime: ms(5), completeTime: ms(6) },
  { device: 3, endpoint: 0x80, type: 'control', setup: { bmRequestType: 0x80, bRequest: 6, wValue: 0x600, wIndex: 0, wLength: 10 }, inData: b(), status: 'stall', actualLength: 0, submitTime: ms(7), completeTime: ms(8) },
  { device: 3, endpoint: 0x00, type: 'control', setup: { bmRequestType: 0x21, bRequest: 9, wValue: 0x200, wIndex: 0, wLength: 1 }, outData: b(2), status: 'ok', actualLength: 1, submitTime: ms(9), completeTime: ms(10) },
  // An interrupt IN pending while bulk traffic goes on: records interleave by time.
  { device: 3, endpoint: 0x81, type: 'interrupt', inData: b(0, 0, 4, 0, 0, 0, 0, 0), status: 'ok', actualLength: 8, requestedLength: 8, interval: 10, submitTime: ms(11), completeTime: ms(20) },
  { device: 3, endpoint: 0x02, type: 'bulk', outData: b(0x55, 0x53, 0x42, 0x43), status: 'ok', actualLength: 4, submitTime: ms(12), completeTime: ms(13) },
  { device: 3, endpoint: 0x82, type: 'bulk', inData: b(), status: 'stall', actualLength: 0, requestedLength: 512, submitTime: ms(14), completeTime: ms(15) },
  { device: 3, endpoint: 0x82, type: 'bulk', inData: b(1, 2, 3), status: 'babble', actualLength: 3, requestedLength: 512, submitTime: ms(16), completeTime: ms(17) },
  { device: 3, endpoint: 0x82, type: 'bulk', inData: b(), status: 'timeout', actualLength: 0, requestedLength: 512, submitTime: ms(18), completeTime: ms(19) },
  { device: 3, endpoint: 0x81, type: 'interrupt', inData: b(), status: 'error', cancelled: true, actualLength: 0, requestedLength: 8, submitTime: ms(21), completeTime: ms(30) },
  { device: 3, endpoint: 0x02, type: 'bulk', outData: b(9), status: 'nodev', actualLength: 0, submitTime: ms(31), completeTime: ms(32) },
];

// What tshark shows per record: transfer type, endpoint, bRequest (submissions of control), data length, urb type, status.
const ROWS = [
  ['0x02', '0x80', '6', '0', "'S'", '-115'], ['0x02', '0x80', '', '8', "'C'", '0'],
  ['0x02', '0x00', '5', '0', "'S'", '-115'], ['0x02', '0x00', '', '0', "'C'", '0'],
  ['0x02', '0x80', '6', '0', "'S'", '-115'], ['0x02', '0x80', '', '18', "'C'", '0'],
  ['0x02', '0x80', '6', '0', "'S'", '-115'], ['0x02', '0x80', '', '0', "'C'", '-32'],
  ['0x02', '0x00', '9', '1', "'S'", '-115'], ['0x02', '0x00', '', '0', "'C'", '0'],
  ['0x01', '0x81', '', '0', "'S'", '-115'],
  ['0x03', '0x02', '', '4', "'S'", '-115'], ['0x03', '0x02', '', '0', "'C'", '0'],
  ['0x03', '0x82', '', '0', "'S'", '-115'], ['0x03', '0x82', '', '0', "'C'", '-32'],
  ['0x03', '0x82', '', '0', "'S'", '-115'], ['0x03', '0x82', '', '3', "'C'", '-75'],
  ['0x03', '0x82', '', '0', "'S'", '-115'], ['0x03', '0x82', '', '0', "'C'", '-62'],
  ['0x01', '0x81', '', '8', "'C'", '0'],
  ['0x01', '0x81', '', '0', "'S'", '-115'], ['0x01', '0x81', '', '0', "'C'", '-2'],
  ['0x03', '0x02', '', '1', "'S'", '-115'], ['0x03', '0x02', '', '0', "'C'", '-108'],
];

describe('usbmon pcapng writer', () => {
  const bytes = writeUsbmonPcapng(RECORDING);
  const file = join(tmp, 'recording.pcapng');
  writeFileSync(file, bytes);

  it('writes one SHB, one IDB (link type 220, if_tsresol 9) and two EPBs per exchange, in time order', () => {
    const f = readCapture(bytes);
    expect(f.format).toBe('pcapng');
    expect(f.interfaces).toEqual([{ index: 0, section: 0, linkType: 220, snapLen: 0, name: 'usbmon0', littleEndian: true }]);
    expect(f.packets).toHaveLength(2 * RECORDING.length);
    expect(f.packets.map((p) => p.timestampNs)).toEqual([...f.packets.map((p) => p.timestampNs)].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)));
    expect(f.packets[0]!.timestampNs).toBe(ms(1)); // nanoseconds kept exactly
  });

  it('round trip: write → read → the same exchanges', () => {
    const c = parseUsbCapture(bytes, 'recording');
    expect(c.stats).toMatchObject({ exchanges: RECORDING.length, unanswered: 0, orphanCompletions: 0 });
    // pairExchanges lists exchanges in submission order, as RECORDING is.
    expect(c.exchanges.map((x) => ({
      device: x.device, endpoint: x.endpoint, type: x.type, setup: x.setup, inData: x.inData, outData: x.outData, status: x.status,
      actualLength: x.actualLength, submitTime: x.submitTime, completeTime: x.completeTime, cancelled: x.cancelled,
    }))).toEqual(RECORDING.map((x) => ({
      device: x.device, endpoint: x.endpoint, type: x.type, setup: x.setup, inData: x.inData, outData: x.outData, status: x.status,
      actualLength: x.actualLength, submitTime: x.submitTime, completeTime: x.completeTime, cancelled: x.cancelled === true,
    })));
    for (const x of c.exchanges) expect(x.bus).toBe(1);
  });

  it.skipIf(!TSHARK)('tshark opens it and shows the expected rows (needs tshark)', () => {
    const out = tshark(file, '-T', 'fields', '-e', 'usb.transfer_type', '-e', 'usb.endpoint_address', '-e', 'usb.setup.bRequest', '-e', 'usb.data_len', '-e', 'usb.urb_type', '-e', 'usb.urb_status');
    expect(out.trimEnd().split('\n').map((l) => l.split('\t'))).toEqual(ROWS);
    const setup = tshark(file, '-Y', 'usb.setup.bRequest == 9', '-T', 'fields', '-e', 'usb.bmRequestType', '-e', 'usb.setup.wValue', '-e', 'usb.setup.wLength');
    expect(setup.trim().split('\t')).toEqual(['0x21', '0x0200', '1']);
    const desc = tshark(file, '-Y', 'usb.bDescriptorType == 1 && usb.bLength == 18', '-T', 'fields', '-e', 'usb.idVendor', '-e', 'usb.idProduct');
    expect(desc.trim().split('\t')).toEqual(['0x1234', '0x5678']);
  });

  it.skipIf(!TSHARK)('tshark finds no malformed packet and no expert error (needs tshark)', () => {
    expect(tshark(file, '-Y', '_ws.malformed', '-T', 'fields', '-e', 'frame.number').trim()).toBe('');
    const expert = tshark(file, '-q', '-z', 'expert');
    expect(expert).not.toMatch(/Malformed|Errors \(/);
  });

  it.skipIf(!TSHARK || !existsSync('/work/shared/usb-captures/'))('the malformation check does catch malformed packets: the Gendex capture has three (needs tshark)', () => {
    const gendex = '/work/shared/usb-captures/vendor-gendex_enum_usbmon.pcapng';
    expect(tshark(gendex, '-Y', '_ws.malformed', '-T', 'fields', '-e', 'frame.number').trim().split('\n')).toHaveLength(3);
    expect(tshark(gendex, '-q', '-z', 'expert')).toMatch(/Malformed|Errors \(/);
  });

  it('an empty recording is a valid file with no packets', () => {
    const empty = writeUsbmonPcapng([]);
    expect(readCapture(empty).packets).toHaveLength(0);
    if (TSHARK) {
      const f = join(tmp, 'empty.pcapng');
      writeFileSync(f, empty);
      expect(tshark(f, '-T', 'fields', '-e', 'frame.number').trim()).toBe('');
    }
  });

  it('the setup packet is in bytes 40..47 of the submission, flag_setup 0; none elsewhere', () => {
    const p = readCapture(bytes).packets;
    expect(p[0]!.data.subarray(40, 48)).toEqual(encodeSetup(RECORDING[0]!.setup!));
    expect([p[0]!.data[14], p[1]!.data[14]]).toEqual([0, 0x2d]);
    expect([p[0]!.data[15], p[1]!.data[15]]).toEqual([0x3c, 0]); // IN: '<' on S, data on C
    expect([p[2]!.data[15], p[3]!.data[15]]).toEqual([0, 0x3e]); // OUT: data on S (none here), '>' on C
  });
});

const DIR = '/work/shared/usb-captures/';
const USBMON = ['hid-teensy-kbd-mouse-joy_full-enum_usbmon.pcap', 'msc-sandisk-cruzer_enum-scsi_usbmon.pcapng', 'hid-keyboard-hp-elite_full-enum_usbmon.pcapng',
  'vendor-bpmicro-fx2_full-enum-bulk_usbmon.pcap', 'vendor-gendex_enum_usbmon.pcapng', 'micro_lin_control-in_usbmon.pcapng', 'micro_lin_control-out_usbmon.pcap',
  'hid-mouse-elecom_devdesc-and-reports_usbmon.pcapng', 'hid-keyboard_interrupt-only_usbmon.pcapng', 'cdc-acm-anytone-d878uv_bulk_usbmon.pcapng'];

describe.skipIf(!existsSync(DIR))('usbmon pcapng writer against real captures', () => {
  it.each(USBMON)('%s: re-written exchanges are byte-identical to the captured records', (f) => {
    const original = new Uint8Array(readFileSync(DIR + f));
    const c = parseUsbCapture(original, f);
    const key = (d: Uint8Array, t: bigint): string => `${t}:${Array.from(d).join(',')}`;
    const have = new Set(readCapture(original).packets.map((p) => key(p.data, p.timestampNs)));
    const ours = readCapture(writeUsbmonPcapng(c.exchanges)).packets;
    expect(ours).toHaveLength(c.exchanges.reduce((n, x) => n + (x.noSubmission === true ? 1 : 2), 0));
    const differing = ours.filter((p) => !have.has(key(p.data, p.timestampNs)));
    expect(differing.map((p) => p.index)).toEqual([]);
  });

  it.skipIf(!TSHARK)('the Teensy capture re-written shows the same tshark rows as the original (needs tshark)', () => {
    const c = parseUsbCapture(new Uint8Array(readFileSync(DIR + USBMON[0]!)), 'teensy');
    const f = join(tmp, 'teensy.pcapng');
    writeFileSync(f, writeUsbmonPcapng(c.exchanges));
    const fields = ['-T', 'fields', '-e', 'usb.transfer_type', '-e', 'usb.endpoint_address', '-e', 'usb.setup.bRequest', '-e', 'usb.data_len'];
    const ours = tshark(f, ...fields).trimEnd().split('\n');
    // The original has one more record: a root-hub submission still open at the end (not an exchange).
    const original = tshark(DIR + USBMON[0]!, '-Y', 'frame.number != 2', ...fields).trimEnd().split('\n');
    expect(ours).toEqual(original);
    expect(tshark(f, '-Y', '_ws.malformed', '-T', 'fields', '-e', 'frame.number').trim()).toBe('');
  });
});
