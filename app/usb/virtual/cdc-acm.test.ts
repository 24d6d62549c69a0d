import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type UsbCompletion, parseSetup } from '../usb-backend.js';
import { bytesEqual, concatBytes } from '../descriptors/bytes.js';
import { describeLineCoding, decodeLineCoding } from '../descriptors/cdc.js';
import { describeSetup } from '../descriptors/setup-decoder.js';
import { CDC_BUFFER_BYTES, CDC_BULK_IN, CDC_BULK_OUT, CDC_NOTIFY_ENDPOINT, CdcAcm } from './cdc-acm.js';
import { TestHost, hexToBytes } from './testing/test-host.js';
import { readUsbmonCapture } from './testing/usbmon-capture.js';

const ANYTONE = '/work/shared/usb-captures/cdc-acm-anytone-d878uv_bulk_usbmon.pcapng';

async function serial(opts = {}): Promise<{ acm: CdcAcm; host: TestHost }> {
  const acm = new CdcAcm(opts);
  const host = new TestHost(acm);
  await host.enumerate();
  return { acm, host };
}

const text = (c: UsbCompletion): string => String.fromCharCode(...c.data);
const ascii = (s: string): Uint8Array => Uint8Array.from(s, (ch) => ch.charCodeAt(0));
const req = (bmRequestType: number, bRequest: number, wValue: number, wLength: number, wIndex = 0) => ({ bmRequestType, bRequest, wValue, wIndex, wLength });

describe('virtual CDC-ACM serial', () => {
  it('enumerates with the ACM functional descriptors and a data interface', async () => {
    const acm = new CdcAcm();
    const e = await new TestHost(acm).enumerate();
    expect(acm.identity).toMatchObject({ spec: 'virtual:cdc-acm', vendorId: 0x1209, productId: 0x0002 });
    expect(e.device.bDeviceClass).toBe(2);
    expect(e.product).toBe('Hindsight Virtual Serial');
    const [comm, data] = e.config.interfaces;
    expect([comm!.bInterfaceClass, comm!.bInterfaceSubClass, comm!.bInterfaceProtocol]).toEqual([2, 2, 1]);
    expect(comm!.extra).toMatchObject([
      { kind: 'cdc-header', bcdCDC: 0x0110 },
      { kind: 'cdc-call-management', bmCapabilities: 0, bDataInterface: 1 },
      { kind: 'cdc-acm', bmCapabilities: 0x06 },
      { kind: 'cdc-union', bControlInterface: 0, subordinates: [1] },
    ]);
    expect(comm!.endpoints).toMatchObject([{ bEndpointAddress: CDC_NOTIFY_ENDPOINT, bmAttributes: 3 }]);
    expect(data!.bInterfaceClass).toBe(10);
    expect(data!.endpoints.map((x) => [x.bEndpointAddress, x.bmAttributes])).toEqual([[CDC_BULK_OUT, 2], [CDC_BULK_IN, 2]]);
  });

  it('answers the AnyTone radio session\'s control requests exactly as the radio did', async () => {
    const recs = readUsbmonCapture(readFileSync(ANYTONE)).filter((r) => r.device === 14 && r.xferType === 2);
    const { acm, host } = await serial();
    const seen: string[] = [];
    for (const sub of recs.filter((r) => r.type === 'S')) {
      const setup = parseSetup(sub.setup!);
      const theirs = recs.find((r) => r.type === 'C' && r.urb === sub.urb && r.frame > sub.frame)!;
      const ours = await host.control(setup, sub.data);
      seen.push(describeSetup(setup, { data: sub.data }));
      expect([ours.status, ours.actualLength], `frame ${sub.frame}`).toEqual(['ok', theirs.length]);
      if (setup.bmRequestType & 0x80) expect(Array.from(ours.data), `frame ${sub.frame}`).toEqual(Array.from(theirs.data));
    }
    expect(seen).toContain('CDC GET_LINE_CODING(interface 0)');
    expect(seen).toContain('CDC SET_LINE_CODING(921600 8N1, interface 0)');
    expect(seen).toContain('CDC SET_CONTROL_LINE_STATE(RTS, interface 0)');
    expect(describeLineCoding(acm.lineCoding)).toBe('921600 8N1');
    expect(acm.controlLines).toBe(2);
  });

  it('echoes the AnyTone session\'s 6185 bulk writes back through 4096-byte reads', async () => {
    const recs = readUsbmonCapture(readFileSync(ANYTONE)).filter((r) => r.device === 14 && r.xferType === 3 && r.type === 'S');
    const { acm, host } = await serial();
    const written: Uint8Array[] = [];
    const reads: Promise<UsbCompletion>[] = [];
    for (const r of recs) {
      if (r.endpoint === 0x03) {
        written.push(r.data);
        expect((await host.bulkOut(CDC_BULK_OUT, r.data)).status).toBe('ok');
      } else {
        reads.push(host.bulkIn(CDC_BULK_IN, r.length));
      }
    }
    expect(written.length).toBe(6185);
    acm.cancelAll(); // a read posted after the last write waits forever, as on the radio
    const echoed = (await Promise.all(reads)).filter((c) => c.status === 'ok').map((c) => c.data);
    expect(text({ status: 'ok', data: written[0]!, actualLength: 0 })).toBe('PROGRAM');
    expect(bytesEqual(concatBytes(echoed), concatBytes(written))).toBe(true);
    expect(concatBytes(written).length).toBeGreaterThan(140_000);
  });

  it('echoes with partial IN lengths and keeps IN transfers pending until data arrives', async () => {
    const { acm, host } = await serial();
    const waiting = host.bulkIn(CDC_BULK_IN, 64);
    await new Promise((r) => setTimeout(r, 5));
    expect(acm.pendingCount(CDC_BULK_IN)).toBe(1);
    await host.bulkOut(CDC_BULK_OUT, ascii('hello, world'));
    expect(text(await waiting)).toBe('hello, world');
    await host.bulkOut(CDC_BULK_OUT, ascii('abcdef'));
    await host.bulkOut(CDC_BULK_OUT, ascii('gh'));
    expect(acm.buffered).toBe(8);
    expect(text(await host.bulkIn(CDC_BULK_IN, 3))).toBe('abc');
    expect(text(await host.bulkIn(CDC_BULK_IN, 4))).toBe('defg');
    expect(text(await host.bulkIn(CDC_BULK_IN, 64))).toBe('h');
    const host2far: string[] = [];
    acm.onHostData = (b) => host2far.push(String.fromCharCode(...b));
    acm.inject(ascii('from the far end'));
    await host.bulkOut(CDC_BULK_OUT, ascii('!'));
    expect(text(await host.bulkIn(CDC_BULK_IN, 64))).toBe('from the far end!');
    expect(host2far).toEqual(['!']);
  });

  it('pushes back (NAKs) writes when the echo buffer is full', async () => {
    const { acm, host } = await serial();
    await host.bulkOut(CDC_BULK_OUT, new Uint8Array(CDC_BUFFER_BYTES - 10));
    const blocked = host.bulkOut(CDC_BULK_OUT, new Uint8Array(64).fill(7));
    await new Promise((r) => setTimeout(r, 5));
    expect(acm.pendingCount(CDC_BULK_OUT)).toBe(1);
    expect((await host.bulkIn(CDC_BULK_IN, 4096)).actualLength).toBe(CDC_BUFFER_BYTES - 10);
    expect((await blocked).actualLength).toBe(64);
    expect(Array.from((await host.bulkIn(CDC_BULK_IN, 4096)).data)).toEqual(new Array(64).fill(7));
    const big = new Uint8Array(3 * CDC_BUFFER_BYTES); // larger than the buffer but the buffer is empty: taken
    expect((await host.bulkOut(CDC_BULK_OUT, big)).actualLength).toBe(big.length);
    const noEcho = await serial({ echo: false });
    await noEcho.host.bulkOut(CDC_BULK_OUT, ascii('x'));
    expect(noEcho.acm.buffered).toBe(0);
  });

  it('implements line coding, control lines with SERIAL_STATE notifications, and breaks', async () => {
    const { acm, host } = await serial();
    expect(describeLineCoding(decodeLineCoding((await host.control(req(0xa1, 0x21, 0, 7))).data))).toBe('9600 8N1');
    expect((await host.control(req(0x21, 0x20, 0, 7), hexToBytes('00 c2 01 00 02 02 07'))).status).toBe('ok');
    expect(describeLineCoding(acm.lineCoding)).toBe('115200 7E2');
    expect((await host.control(req(0x21, 0x20, 0, 7), hexToBytes('00 c2 01 00 00 00 09'))).status).toBe('stall'); // 9 data bits
    expect((await host.control(req(0x21, 0x20, 0, 3), hexToBytes('00 c2 01'))).status).toBe('stall'); // short
    expect(describeLineCoding(acm.lineCoding)).toBe('115200 7E2');

    const note = host.interruptIn(CDC_NOTIFY_ENDPOINT, 16);
    await host.control(req(0x21, 0x22, 3, 0)); // DTR + RTS
    expect(acm.controlLines).toBe(3);
    // SERIAL_STATE (PSTN 6.5.4): A1 20 0000 0000 0200, then DCD|DSR.
    expect(Array.from((await note).data)).toEqual([0xa1, 0x20, 0, 0, 0, 0, 2, 0, 0x03, 0]);
    await host.control(req(0x21, 0x22, 3, 0)); // no change: no notification
    await host.control(req(0x21, 0x23, 250, 0)); // SEND_BREAK 250 ms
    expect(acm.breaks).toBe(1);
    expect(Array.from((await host.interruptIn(CDC_NOTIFY_ENDPOINT, 16)).data).slice(8)).toEqual([0x07, 0]);
    await host.control(req(0x21, 0x22, 0, 0));
    expect(Array.from((await host.interruptIn(CDC_NOTIFY_ENDPOINT, 16)).data).slice(8)).toEqual([0, 0]);

    expect((await host.control(req(0x21, 0x20, 0, 7, 1), hexToBytes('00 c2 01 00 00 00 08'))).status).toBe('stall'); // data interface
    expect((await host.control(req(0x21, 0x02, 1, 2), hexToBytes('00 00'))).status).toBe('stall'); // SET_COMM_FEATURE: not advertised
    expect((await host.control(req(0xa1, 0x01, 0, 64))).status).toBe('stall'); // GET_ENCAPSULATED_RESPONSE
    await acm.reset();
    await host.enumerate();
    expect(describeLineCoding(acm.lineCoding)).toBe('9600 8N1');
  });
});
