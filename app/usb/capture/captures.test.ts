// Every real capture in /work/shared/usb-captures parses, with the packet counts and link types the
// README states (checked there with capinfos/tshark), and the quirks it lists are resolved.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LINKTYPE, readCapture } from './pcap-reader.js';
import { listCaptureDevices, parseUsbCapture, type UsbCapture } from './usb-capture.js';
import { decodeUsbmon } from './usbmon.js';
import { decodeUsbpcap } from './usbpcap.js';

const DIR = '/work/shared/usb-captures/';
const have = existsSync(DIR);
const load = (f: string): Uint8Array => new Uint8Array(readFileSync(DIR + f));
const cache = new Map<string, UsbCapture>();
const capture = (f: string): UsbCapture => {
  let c = cache.get(f);
  if (c === undefined) cache.set(f, (c = parseUsbCapture(load(f), f)));
  return c;
};

// From the README's table: format, link type, packets, and the VID:PIDs whose device descriptor is in the file.
const TABLE: [file: string, format: 'pcap' | 'pcapng', linkType: number, packets: number, vidPids: string[]][] = [
  ['hid-keyboard-hp-elite_full-enum_usbmon.pcapng', 'pcapng', 220, 860, ['03f0:034a', '0e0f:0002', '0e0f:0003', '1d6b:0001', '1d6b:0002']],
  ['hid-teensy-kbd-mouse-joy_full-enum_usbmon.pcap', 'pcap', 220, 2844, ['16c0:0482']],
  ['hid-keyboard_interrupt-only_usbmon.pcapng', 'pcapng', 220, 592, []],
  ['hid-mouse-elecom_devdesc-and-reports_usbmon.pcapng', 'pcapng', 220, 16, ['056e:00ff', '1d6b:0002']],
  ['hid-qemu-tablet_enum-and-reports_usbpcap.pcapng', 'pcapng', 249, 498, ['0627:0001']],
  ['hid-keyboard-microdia_enum-setreport_usbpcap.pcapng', 'pcapng', 249, 110, ['0c45:8508', '8087:8000']],
  ['cdc-acm-anytone-d878uv_bulk_usbmon.pcapng', 'pcapng', 220, 24760, []],
  ['msc-sandisk-cruzer_enum-scsi_usbmon.pcapng', 'pcapng', 220, 1733, ['0781:5599', '1d6b:0002', '1d6b:0003']],
  ['vendor-bpmicro-fx2_full-enum-bulk_usbmon.pcap', 'pcap', 220, 781, ['14b9:0001', '1d6b:0002']],
  ['vendor-gendex_enum_usbmon.pcapng', 'pcapng', 220, 76, ['5328:2030']],
  ['multi-device-bpmicro-bulk_usbpcap.pcapng', 'pcapng', 249, 2475, ['1b1c:1b36', '1a40:0201', '045e:028e', '046d:c52b', '14b9:0001']],
  ['audio-midi-digitech-rp250_enum-iso-bulk_usbpcap.pcap', 'pcap', 249, 555, ['1210:000d']],
  ['micro_lin_control-in_usbmon.pcapng', 'pcapng', 220, 2, []],
  ['micro_lin_control-out_usbmon.pcap', 'pcap', 220, 2, []],
  ['micro_win_bulk-in_usbpcap.pcapng', 'pcapng', 249, 2, []],
  ['micro_win_bulk-out_usbpcap.pcapng', 'pcapng', 249, 2, []],
  ['micro_win_setup_usbpcap.pcapng', 'pcapng', 249, 6, ['046d:c52b']],
];

describe.skipIf(!have)('real captures', () => {
  it('the table covers every capture in the folder', () => {
    const files = readdirSync(DIR).filter((f) => /\.pcap(ng)?$/.test(f)).sort();
    expect(TABLE.map((t) => t[0]).sort()).toEqual(files);
  });

  it.each(TABLE)('%s parses: format, link type, packet count, device descriptors', (file, format, linkType, packets, vidPids) => {
    const raw = readCapture(load(file));
    expect(raw.format).toBe(format);
    expect(raw.packets).toHaveLength(packets);
    expect(new Set(raw.interfaces.map((i) => i.linkType))).toEqual(new Set([linkType]));
    const c = capture(file);
    expect(c.stats.packets).toBe(packets);
    const found = new Set(listCaptureDevices(c).flatMap((d) => (d.vidPid !== undefined ? [d.vidPid] : [])));
    for (const v of vidPids) expect(found, `${v} in ${file}`).toContain(v);
    // Every event is used: paired, open at the end, or a non-transfer record; usbmon pairs one to one.
    const paired = c.exchanges.reduce((n, x) => n + (x.noSubmission === true ? 1 : 2), 0);
    expect(paired + c.stats.unanswered + c.stats.orphanCompletions + c.stats.nonTransferRecords + c.stats.synthesizedDropped * 2)
      .toBeLessThanOrEqual(c.events.length);
  });

  it('usbmon timestamps are the record headers\' (µs) and pcapng if_tsresol 6 is read', () => {
    const raw = readCapture(load('micro_lin_control-in_usbmon.pcapng'));
    const p = raw.packets[0]!;
    const dv = new DataView(p.data.buffer, p.data.byteOffset);
    const headerNs = dv.getBigInt64(16, true) * 1_000_000_000n + BigInt(dv.getInt32(24, true)) * 1000n;
    expect(p.timestampNs).toBe(headerNs);
  });

  it('HP keyboard: the bus seen on two interfaces is kept once (430 of 860 records dropped)', () => {
    const c = capture('hid-keyboard-hp-elite_full-enum_usbmon.pcapng');
    expect(c.stats.duplicateRecords).toBe(430);
    expect(c.events).toHaveLength(430);
    // usbmon0 has both buses' events, each of usbmon1/usbmon2 only its own: ties go to usbmon0.
    expect(new Set(c.events.map((e) => e.interfaceId))).toEqual(new Set([0]));
    const kb = listCaptureDevices(c)[0]!;
    expect([kb.bus, kb.address, kb.vidPid, kb.product, kb.manufacturer]).toEqual([2, 6, '03f0:034a', 'HP Elite USB Keyboard', 'Chicony']);
    // The README's 162 interrupt-IN records at address 6: 81 reports (tshark: 81 'C', 82 'S', one still open).
    const reports = c.exchanges.filter((x) => x.device === 6 && x.endpoint === 0x81 && x.status === 'ok');
    expect(reports).toHaveLength(81);
  });

  it('Teensy: enumeration at address 0 belongs to address 26; 1348 interrupt reports on EP 0x83', () => {
    const c = capture('hid-teensy-kbd-mouse-joy_full-enum_usbmon.pcap');
    const best = listCaptureDevices(c)[0]!;
    expect([best.bus, best.address, best.vidPid, best.product]).toEqual([2, 26, '16c0:0482', 'Teensy Keyboard/Mouse/Joystick']);
    expect(best.interfaces.map((i) => i.endpoints.map((e) => e.address))).toEqual([[0x83], [0x84], [0x81, 0x02], [0x85]]);
    expect(best.exchanges).toBe(1381); // tshark: 1379 records pairs at address 26 + GET_DESCRIPTOR and SET_ADDRESS at address 0
    expect(c.exchanges.filter((x) => x.device === 26 && x.endpoint === 0x83)).toHaveLength(1348);
  });

  it('SanDisk (xHCI, no SET_ADDRESS): the address-0 GET_DESCRIPTOR goes to the next new address', () => {
    const c = capture('msc-sandisk-cruzer_enum-scsi_usbmon.pcapng');
    const best = listCaptureDevices(c)[0]!;
    expect([best.bus, best.address, best.vidPid, best.product, best.serial]).toEqual([3, 2, '0781:5599', 'Cruzer Dial', '4C531001470512102500']);
    expect(best.exchanges).toBe(670);
    expect(best.interfaces[0]).toMatchObject({ interfaceClass: 8, subclass: 6, protocol: 0x50 });
    const unrelated = listCaptureDevices(c).find((d) => d.bus === 1 && d.address === 4)!;
    expect(unrelated.hasDeviceDescriptor).toBe(false);
    expect(unrelated.exchanges).toBe(152); // 304 interrupt records
    // usbmon kept 61440 of each 122880-byte READ(10): the exchange knows both.
    const big = c.exchanges.find((x) => x.actualLength === 122880)!;
    expect(big.inData!.length).toBe(61440);
  });

  it('the micro fixtures give exactly one exchange each, with the right direction and length', () => {
    const one = (f: string) => {
      const c = capture(f);
      expect(c.exchanges, f).toHaveLength(1);
      expect(c.stats.unanswered).toBe(0);
      return c.exchanges[0]!;
    };
    const ci = one('micro_lin_control-in_usbmon.pcapng');
    expect(ci).toMatchObject({ type: 'control', endpoint: 0x80, device: 117, status: 'ok', actualLength: 4, requestedLength: 4 });
    expect(ci.setup).toMatchObject({ bmRequestType: 0xc0, bRequest: 0xb0 });
    expect(ci.inData).toHaveLength(4);
    expect(ci.outData).toBeUndefined();
    const co = one('micro_lin_control-out_usbmon.pcap');
    expect(co).toMatchObject({ type: 'control', endpoint: 0x00, device: 31, bus: 3, status: 'ok', actualLength: 22 });
    expect(co.setup).toMatchObject({ bmRequestType: 0x40, bRequest: 0xa0, wLength: 22 });
    expect(co.outData).toHaveLength(22);
    const bi = one('micro_win_bulk-in_usbpcap.pcapng');
    expect(bi).toMatchObject({ type: 'bulk', endpoint: 0x86, device: 7, status: 'ok', actualLength: 11 });
    expect(Array.from(bi.inData!)).toEqual([0x08, 0xe5, 0x42, 0x02, 0x00, 0xb4, 0x40, 0x02, 0x00, 0x08, 0x00]);
    const bo = one('micro_win_bulk-out_usbpcap.pcapng');
    expect(bo).toMatchObject({ type: 'bulk', endpoint: 0x02, device: 7, status: 'ok', actualLength: 7, requestedLength: 7 });
    expect(Array.from(bo.outData!)).toEqual([0x22, 0x02, 0x10, 0x00, 0x13, 0x00, 0x06]);
  });

  it('USBPcap synthesized records (IRP ID 0) are kept as the only descriptor source', () => {
    const c = capture('micro_win_setup_usbpcap.pcapng');
    expect(c.exchanges.map((x) => [x.setup!.bRequest, x.setup!.wValue, x.actualLength, x.synthesized])).toEqual([
      [6, 0x0100, 18, true], [6, 0x0200, 84, true], [9, 1, 0, true],
    ]);
    const tablet = capture('hid-qemu-tablet_enum-and-reports_usbpcap.pcapng');
    expect(tablet.exchanges.filter((x) => x.synthesized === true)).toHaveLength(3);
    expect(tablet.stats.synthesizedDropped).toBe(0);
  });

  it('USBPcap non-transfer IRPs (ABORT_PIPE, RESET_PIPE: transfer 0xFE/0xFF) are counted, not paired', () => {
    expect(capture('multi-device-bpmicro-bulk_usbpcap.pcapng').stats.nonTransferRecords).toBe(12);
  });

  it('DigiTech (pre-1.5 USBPcap): SETUP + DATA + STATUS records make one control exchange; iso and bulk are paired', () => {
    const c = capture('audio-midi-digitech-rp250_enum-iso-bulk_usbpcap.pcap');
    const cfg = c.exchanges.filter((x) => x.device === 3 && x.setup?.bRequest === 6 && x.setup.wValue === 0x0200);
    expect(cfg.map((x) => x.actualLength)).toContain(9);
    expect(Math.max(...cfg.map((x) => x.inData!.length))).toBeGreaterThan(9);
    // SET_CUR (class, endpoint) with 3 OUT bytes carried by the DATA record on the way back up.
    const setCur = c.exchanges.find((x) => x.setup?.bmRequestType === 0x22)!;
    expect(Array.from(setCur.outData!)).toEqual([0x44, 0xac, 0x00]); // 44100 Hz
    const iso = c.exchanges.filter((x) => x.type === 'isochronous');
    expect(iso).toHaveLength(2);
    expect(iso[0]!.iso!.packets).toHaveLength(10);
    expect(iso[0]!.outData).toHaveLength(1764);
    // Early USBPcap logged bulk-IN completions without requests: 251 of them on EP 0x84, all kept.
    expect(c.exchanges.filter((x) => x.endpoint === 0x84 && x.noSubmission === true)).toHaveLength(251);
    // and bulk-OUT requests without completions: 14 open at the end.
    expect(c.unanswered.filter((e) => e.endpoint === 0x04)).toHaveLength(14);
    const dev = listCaptureDevices(c)[0]!;
    expect(dev.vidPid).toBe('1210:000d');
  });

  it('CDC-ACM: 6185 bulk exchanges each way, the first answer is "QX\\x06"', () => {
    const c = capture('cdc-acm-anytone-d878uv_bulk_usbmon.pcapng');
    expect(c.exchanges.filter((x) => x.endpoint === 0x03)).toHaveLength(6185);
    const ins = c.exchanges.filter((x) => x.endpoint === 0x81 && x.actualLength > 0);
    expect(String.fromCharCode(...ins[0]!.inData!)).toBe('QX\x06');
    const lineCoding = c.exchanges.find((x) => x.setup?.bRequest === 0x20)!; // SET_LINE_CODING
    expect(Array.from(lineCoding.outData!)).toEqual([0x00, 0x10, 0x0e, 0x00, 0x00, 0x00, 0x08]);
  });

  it('status mapping: -EPIPE is a stall, -EILSEQ an error, -EREMOTEIO (short) is ok with its data', () => {
    const t = capture('hid-teensy-kbd-mouse-joy_full-enum_usbmon.pcap').exchanges.filter((x) => x.device === 26);
    expect(t.filter((x) => x.rawStatus === -32).every((x) => x.status === 'stall')).toBe(true);
    // tshark: 22 records with -EILSEQ (2 GET_REPORT on EP0, 10 each on EP 0x83/0x84 at unplug time).
    expect(t.filter((x) => x.rawStatus === -84).map((x) => x.status)).toEqual(new Array(22).fill('error'));
    const s = capture('msc-sandisk-cruzer_enum-scsi_usbmon.pcapng').exchanges.filter((x) => x.rawStatus === -121);
    expect(s.length).toBeGreaterThan(0);
    expect(s.every((x) => x.status === 'ok' && x.inData!.length === x.actualLength)).toBe(true);
  });
});

// The per-packet decoders agree with Wireshark's dissectors, field by field, on every record.
const TSHARK = spawnSync('tshark', ['--version']).status === 0;
const hex = (n: number | bigint, w: number): string => `0x${n.toString(16).padStart(w, '0')}`;
const KIND = { submit: "'S'", complete: "'C'", error: "'E'" } as const;
const TYPE = { isochronous: 0, interrupt: 1, control: 2, bulk: 3 } as const;

describe.skipIf(!have || !TSHARK)('decoders agree with tshark (needs tshark)', () => {
  const small = TABLE.filter(([, , , packets]) => packets < 5000).map(([f, , linkType]) => [f, linkType] as const);
  it.each(small)('%s', (file, linkType) => {
    const usbmon = linkType !== LINKTYPE.USBPCAP;
    const fields = usbmon
      ? ['usb.urb_id', 'usb.urb_type', 'usb.transfer_type', 'usb.endpoint_address', 'usb.device_address', 'usb.bus_id', 'usb.urb_status', 'usb.urb_len', 'usb.data_len']
      : ['usb.irp_id', 'usb.usbd_status', 'usb.irp_info.direction', 'usb.transfer_type', 'usb.endpoint_address', 'usb.device_address', 'usb.bus_id', 'usb.data_len'];
    const r = spawnSync('tshark', ['-r', DIR + file, '-T', 'fields', ...fields.flatMap((f) => ['-e', f])], { encoding: 'utf8', maxBuffer: 1 << 26 });
    const rows = r.stdout.trimEnd().split('\n').map((l) => l.split('\t').map((v) => v.split(',')[0]!));
    const packets = readCapture(load(file)).packets;
    expect(rows).toHaveLength(packets.length);
    const ours = packets.map((p) => {
      const e = usbmon ? decodeUsbmon(p) : decodeUsbpcap(p);
      const type = e.transferType === 'none' ? rows[p.index]![3]! : hex(TYPE[e.transferType], 2);
      // USBPcap: the control endpoint's direction follows the setup packet here; tshark shows the raw byte.
      const ep = !usbmon && e.setup !== undefined ? rows[p.index]![4]! : hex(e.endpoint, 2);
      return usbmon
        ? [hex(e.id, 16), KIND[e.kind], type, ep, String(e.device), String(e.bus), String(e.status), String(e.length), String(e.data.length)]
        : [hex(e.id, 16), hex(e.status, 8), e.kind === 'complete' ? '0x01' : '0x00', type, ep, String(e.device), String(e.bus), String(e.length + (e.setup !== undefined ? 8 : 0))];
    });
    const differing = ours.flatMap((row, i) => (row.join('|') === rows[i]!.join('|') ? [] : [{ frame: i + 1, ours: row, tshark: rows[i] }]));
    expect(differing.slice(0, 3)).toEqual([]);
  });
});
