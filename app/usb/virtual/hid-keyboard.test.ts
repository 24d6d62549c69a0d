import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DESC, parseSetup } from '../usb-backend.js';
import { parseHidDescriptor, parseReportDescriptor, reportLayout, reportSizes } from '../descriptors/hid.js';
import { HidKeyboard, KEYBOARD_ENDPOINT } from './hid-keyboard.js';
import { KEY, MOD, UntypeableCharacterError, keystrokesFor } from './hid-keymap.js';
import { TestHost } from './testing/test-host.js';
import { readUsbmonCapture } from './testing/usbmon-capture.js';

const CAPTURES = '/work/shared/usb-captures';

async function keyboard(): Promise<{ kb: HidKeyboard; host: TestHost }> {
  const kb = new HidKeyboard();
  const host = new TestHost(kb);
  await host.enumerate();
  return { kb, host };
}

const hid = (bmRequestType: number, bRequest: number, wValue: number, wLength: number) =>
  ({ bmRequestType, bRequest, wValue, wIndex: 0, wLength });

async function reports(host: TestHost, n: number): Promise<number[][]> {
  const out: number[][] = [];
  for (let i = 0; i < n; i++) out.push(Array.from((await host.interruptIn(KEYBOARD_ENDPOINT, 8)).data));
  return out;
}

describe('virtual HID boot keyboard', () => {
  it('enumerates as a boot keyboard shaped like the real HP keyboard', async () => {
    const kb = new HidKeyboard();
    const host = new TestHost(kb);
    const e = await host.enumerate();
    expect(kb.identity).toEqual({ spec: 'virtual:hid-keyboard', speed: 'full', vendorId: 0x1209, productId: 0x0001 });
    expect([e.device.idVendor, e.device.idProduct, e.device.bMaxPacketSize0, e.device.bNumConfigurations]).toEqual([0x1209, 0x0001, 8, 1]);
    expect([e.manufacturer, e.product, e.serial]).toEqual(['Hindsight', 'Hindsight Virtual Keyboard', 'HSKBD0001']);
    expect(e.langIds).toEqual([0x0409]);
    expect(e.log.map((l) => l.split(':')[0])).toEqual(['device 8', 'SET_ADDRESS 5', 'device 18', 'config 9', 'config 34', 'string 0', 'string 1', 'string 2', 'string 3', 'SET_CONFIGURATION 1']);
    const [iface] = e.config.interfaces;
    // The HP Elite keyboard's interface 0: class 3/1/1, HID descriptor, EP 0x81 interrupt, 8 bytes, 10 ms.
    expect([iface!.bInterfaceClass, iface!.bInterfaceSubClass, iface!.bInterfaceProtocol]).toEqual([3, 1, 1]);
    expect(iface!.endpoints).toMatchObject([{ bEndpointAddress: 0x81, bmAttributes: 3, wMaxPacketSize: 8, bInterval: 10 }]);
    const hidDesc = iface!.extra[0]!;
    expect(hidDesc.kind).toBe('hid');
    const reportLength = hidDesc.kind === 'hid' ? hidDesc.hid.descriptors[0]!.length : 0;
    // Class descriptors by interface-recipient GET_DESCRIPTOR (HID 1.11 7.1.1).
    const report = await host.getDescriptor(DESC.HID_REPORT, 0, reportLength, 0, 0x81);
    expect(report.actualLength).toBe(63);
    expect(Object.fromEntries(reportSizes(reportLayout(parseReportDescriptor(report.data))))).toEqual({ 'input:0': 8, 'output:0': 1 });
    const hidAgain = await host.getDescriptor(DESC.HID, 0, 9, 0, 0x81);
    expect(parseHidDescriptor(hidAgain.data).bcdHID).toBe(0x0111);
    expect((await host.getDescriptor(DESC.HID_REPORT, 0, 63, 1, 0x81)).status).toBe('stall'); // no interface 1
  });

  it('answers every control request the HP keyboard got in the capture, as the HP did', async () => {
    // Replays the host's control requests to the HP keyboard (address 6, usbmon2). Requests for
    // its interface 1 STALL here (we have one interface), and the HP STALLed SET_IDLE there too.
    const recs = readUsbmonCapture(readFileSync(`${CAPTURES}/hid-keyboard-hp-elite_full-enum_usbmon.pcapng`))
      .filter((r) => r.interfaceId === 2 && r.device === 6 && r.xferType === 2);
    const kb = new HidKeyboard();
    const host = new TestHost(kb);
    const leds: number[] = [];
    kb.onLedsChanged = (v) => leds.push(v);
    await host.setAddress(6); // sent to address 0, so not among the device-6 records
    let replayed = 0;
    for (const sub of recs.filter((r) => r.type === 'S')) {
      const setup = parseSetup(sub.setup!);
      const theirs = recs.find((r) => r.type === 'C' && r.urb === sub.urb && r.frame > sub.frame)!;
      const ours = await host.control(setup, sub.data);
      const toInterface1 = (setup.bmRequestType & 0x1f) === 1 && setup.wIndex === 1;
      expect(ours.status, `frame ${sub.frame}`).toBe(toInterface1 ? 'stall' : 'ok');
      if (theirs.status === -32) expect(ours.status).toBe('stall'); // EPIPE
      if (theirs.status === 0 && !toInterface1 && setup.wValue >> 8 === DESC.HID_REPORT) expect(ours.actualLength).toBe(63); // theirs: 65
      replayed++;
    }
    expect(replayed).toBe(13);
    expect(leds).toEqual([1]); // SET_REPORT 00 (no change), then 01: Num Lock on
    expect(kb.leds).toBe(1);
  });

  it('types text as press/release reports in order, with shift for capitals and symbols', async () => {
    const { kb, host } = await keyboard();
    expect(kb.typeText('aB!\n')).toBe(4);
    expect(kb.queuedReports).toBe(8);
    expect(await reports(host, 8)).toEqual([
      [0, 0, 0x04, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0, 0],
      [MOD.LEFT_SHIFT, 0, 0x05, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0, 0],
      [MOD.LEFT_SHIFT, 0, 0x1e, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0, 0],
      [0, 0, KEY.ENTER, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0, 0],
    ]);
    kb.pressKey(KEY.F5, MOD.LEFT_CTRL | MOD.LEFT_ALT);
    expect(await reports(host, 2)).toEqual([[0x05, 0, 0x3e, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0, 0]]);
    kb.setKeys(0, [4, 5, 6, 7, 8, 9, 10]);
    expect(await reports(host, 1)).toEqual([[0, 0, 1, 1, 1, 1, 1, 1]]); // ErrorRollOver
  });

  it('maps the whole printable ASCII range and refuses the rest clearly, queueing nothing', async () => {
    for (let c = 0x20; c < 0x7f; c++) expect(keystrokesFor(String.fromCharCode(c))).toHaveLength(1);
    expect(keystrokesFor('0')[0]).toEqual({ usage: 0x27, modifiers: 0 });
    expect(keystrokesFor('~')[0]).toEqual({ usage: 0x35, modifiers: MOD.LEFT_SHIFT });
    expect(keystrokesFor('a\r\nb')).toHaveLength(3);
    const kb = new HidKeyboard();
    expect(() => kb.typeText('naïve')).toThrow(UntypeableCharacterError);
    expect(() => kb.typeText('naïve')).toThrow("cannot type U+00EF 'ï' at index 2");
    expect(() => kb.typeText('x🙂')).toThrow(/U\+1F642/);
    expect(() => kb.typeText('\x07')).toThrow(/cannot type U\+0007 at index 0/);
    expect(kb.queuedReports).toBe(0);
    expect(() => kb.pressKey(0xe1)).toThrow(/use modifier bits/);
  });

  it('holds an interrupt IN transfer until a key is pressed, and babbles for a too-short one', async () => {
    const { kb, host } = await keyboard();
    const p = host.interruptIn(KEYBOARD_ENDPOINT, 8);
    let settled = false;
    void p.then(() => { settled = true; });
    await new Promise((r) => setTimeout(r, 5));
    expect(settled).toBe(false);
    expect(kb.pendingCount(KEYBOARD_ENDPOINT)).toBe(1);
    kb.typeText('z');
    expect(Array.from((await p).data)).toEqual([0, 0, 0x1d, 0, 0, 0, 0, 0]);
    const short = await host.interruptIn(KEYBOARD_ENDPOINT, 4);
    expect([short.status, short.actualLength]).toEqual(['babble', 4]);
    const q = host.interruptIn(KEYBOARD_ENDPOINT, 8);
    kb.cancelAll();
    expect((await q).status).toBe('nodev');
  });

  it('implements the HID class requests', async () => {
    const { kb, host } = await keyboard();
    const c = async (bmRequestType: number, bRequest: number, wValue: number, wLength: number, data?: Uint8Array) =>
      host.control(hid(bmRequestType, bRequest, wValue, wLength), data);
    expect(Array.from((await c(0xa1, 0x02, 0, 1)).data)).toEqual([125]); // GET_IDLE: 500 ms default (HID 7.2.4)
    await c(0x21, 0x0a, 0, 0); // SET_IDLE(0)
    expect(Array.from((await c(0xa1, 0x02, 0, 1)).data)).toEqual([0]);
    expect(Array.from((await c(0xa1, 0x03, 0, 1)).data)).toEqual([1]); // report protocol after configuration
    await c(0x21, 0x0b, 0, 0); // SET_PROTOCOL(boot)
    expect(kb.protocol).toBe(0);
    expect((await c(0x21, 0x0b, 2, 0)).status).toBe('stall');
    expect((await c(0x21, 0x09, 0x0200, 1, Uint8Array.of(0x02))).status).toBe('ok'); // SET_REPORT(OUTPUT): Caps Lock
    expect(kb.leds).toBe(2);
    expect(Array.from((await c(0xa1, 0x01, 0x0200, 1)).data)).toEqual([2]); // GET_REPORT(OUTPUT)
    kb.typeText('q');
    await host.interruptIn(KEYBOARD_ENDPOINT, 8);
    expect(Array.from((await c(0xa1, 0x01, 0x0100, 8)).data)).toEqual([0, 0, 0x14, 0, 0, 0, 0, 0]); // GET_REPORT(INPUT): last sent
    expect((await c(0xa1, 0x01, 0x0300, 8)).status).toBe('stall'); // no feature report
    expect((await c(0x21, 0x09, 0x0201, 1, Uint8Array.of(1))).status).toBe('stall'); // no report IDs
    expect((await c(0x21, 0x09, 0x0200, 0)).status).toBe('stall'); // no data
    await host.setConfiguration(1);
    expect(kb.protocol).toBe(1);
    await kb.reset();
    expect(kb.leds).toBe(0);
    expect((await c(0xa1, 0x03, 0, 1)).status).toBe('stall'); // not configured: the interface does not exist yet
  });
});
