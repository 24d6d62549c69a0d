import { describe, expect, it } from 'vitest';
import { type SetupPacket, type UsbCompletion, type UsbTransfer, DESC, FEATURE, REQ } from '../../app/usb/usb-backend.js';
import { HostUsbDevice, HostUsbError, classifyTransferError } from './host-device.js';
import { listHostDevices, openHostSpec, parseHostSpec, formatHostDevice } from './host-list.js';
import { FakeUsbDevice, FakeWebUsb } from './webusb-fake.js';

const spec = {
  device: { bcdUSB: 0x0200, bDeviceClass: 0, bDeviceSubClass: 0, bDeviceProtocol: 0, bMaxPacketSize0: 64, idVendor: 0x1234, idProduct: 0x5678,
    bcdDevice: 0x0100, iManufacturer: 1, iProduct: 2, iSerialNumber: 3, bNumConfigurations: 2 },
  configurations: [1, 2].map((v) => ({
    bConfigurationValue: v, bmAttributes: 0, bMaxPower: 50,
    interfaces: [
      { bInterfaceNumber: 0, bInterfaceClass: 0xff, bInterfaceSubClass: 0, bInterfaceProtocol: 0, endpoints: [
        { bEndpointAddress: 0x81, bmAttributes: 2, wMaxPacketSize: 64, bInterval: 0 },
        { bEndpointAddress: 0x02, bmAttributes: 2, wMaxPacketSize: 64, bInterval: 0 },
        { bEndpointAddress: 0x83, bmAttributes: 3, wMaxPacketSize: 8, bInterval: 10 },
      ] },
      { bInterfaceNumber: 1, bInterfaceClass: 0xff, bInterfaceSubClass: 0, bInterfaceProtocol: 0, endpoints: [] },
      { bInterfaceNumber: 1, bAlternateSetting: 1, bInterfaceClass: 0xff, bInterfaceSubClass: 0, bInterfaceProtocol: 0, endpoints: [] },
    ],
  })),
  strings: ['Acme', 'Widget', 'SN001'],
  speed: 'full' as const,
};

async function setup() {
  const fake = new FakeUsbDevice(spec);
  const usb = new FakeWebUsb([fake]);
  const dev = await openHostSpec('host:1234:5678', usb);
  fake.calls.length = 0;
  return { fake, usb, dev };
}

const ctl = (s: SetupPacket, data: Uint8Array = new Uint8Array(0)): UsbTransfer =>
  ({ kind: 'control', endpoint: 0, dirIn: (s.bmRequestType & 0x80) !== 0, setup: s, data, length: s.bmRequestType & 0x80 ? s.wLength : data.length });
const bulkIn = (ep: number, length: number, kind: 'bulk' | 'interrupt' = 'bulk'): UsbTransfer => ({ kind, endpoint: ep, dirIn: true, data: new Uint8Array(0), length });
const bulkOut = (ep: number, data: Uint8Array): UsbTransfer => ({ kind: 'bulk', endpoint: ep, dirIn: false, data, length: data.length });
const methods = (f: FakeUsbDevice): string[] => f.calls.map((c) => c.method);
const tick = () => new Promise((r) => setTimeout(r, 5));

describe('HostUsbDevice: opening', () => {
  it('opens, claims every interface of the active configuration, reports identity', async () => {
    const fake = new FakeUsbDevice(spec);
    const dev = await openHostSpec('host:1234:5678', new FakeWebUsb([fake]));
    expect(methods(fake)).toEqual(['open', 'claimInterface', 'claimInterface']);
    expect(dev.identity).toEqual({ spec: 'host:1234:5678', speed: 'full', vendorId: 0x1234, productId: 0x5678 });
    await dev.close();
    expect(methods(fake).slice(-3)).toEqual(['releaseInterface', 'releaseInterface', 'close']);
  });

  it('EACCES on open gives the udev fix, naming the device', async () => {
    const fake = new FakeUsbDevice(spec);
    fake.failOpen = Object.assign(new Error('LIBUSB_ERROR_ACCESS: permission denied'), { code: 'EACCES' });
    const err = await HostUsbDevice.open(fake, { platform: 'linux' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HostUsbError);
    expect((err as HostUsbError).reason).toBe('permission');
    const msg = (err as Error).message;
    expect(msg).toContain('1234:5678 "Widget"');
    expect(msg).toContain('permission denied');
    expect(msg).toContain('SUBSYSTEM=="usb", ATTR{idVendor}=="1234", ATTR{idProduct}=="5678", MODE="0660", GROUP="plugdev"');
    expect(msg).toContain('/etc/udev/rules.d/');
    expect(msg).toContain('udevadm control --reload');
  });

  it('finds by serial, and explains a missing or ambiguous device', async () => {
    const a = new FakeUsbDevice(spec);
    const b = new FakeUsbDevice({ ...spec, strings: ['Acme', 'Widget', 'SN002'] });
    const usb = new FakeWebUsb([a, b]);
    await expect(openHostSpec('host:1234:5678', usb)).rejects.toThrow(/2 devices match.*SERIAL/);
    const dev = await openHostSpec('host:1234:5678:SN002', usb);
    expect(b.opened).toBe(true);
    expect(a.opened).toBe(false);
    await dev.close();
    await expect(openHostSpec('host:dead:beef', usb)).rejects.toThrow(/no USB device dead:beef is connected; present: 1234:5678/);
    expect(() => parseHostSpec('host:xyz')).toThrow(/host:VID:PID/);
    expect(parseHostSpec('host:0403:6001:A1')).toEqual({ vendorId: 0x0403, productId: 0x6001, serial: 'A1' });
  });
});

describe('HostUsbDevice: passthrough rules', () => {
  it('never forwards SET_ADDRESS', async () => {
    const { fake, dev } = await setup();
    const c = await dev.submit(ctl({ bmRequestType: 0x00, bRequest: REQ.SET_ADDRESS, wValue: 7, wIndex: 0, wLength: 0 }));
    expect(c.status).toBe('ok');
    expect(fake.calls).toEqual([]);
  });

  it('SET_CONFIGURATION selects and re-claims; configuration 0 stays local', async () => {
    const { fake, dev } = await setup();
    expect((await dev.submit(ctl({ bmRequestType: 0x00, bRequest: REQ.SET_CONFIGURATION, wValue: 2, wIndex: 0, wLength: 0 }))).status).toBe('ok');
    expect(methods(fake)).toEqual(['releaseInterface', 'releaseInterface', 'selectConfiguration', 'claimInterface', 'claimInterface']);
    expect(fake.configuration?.configurationValue).toBe(2);
    expect([...fake.claimedInterfaces]).toEqual([0, 1]);
    fake.calls.length = 0;
    expect((await dev.submit(ctl({ bmRequestType: 0x00, bRequest: REQ.SET_CONFIGURATION, wValue: 0, wIndex: 0, wLength: 0 }))).status).toBe('ok');
    expect(fake.calls).toEqual([]);
    // A configuration the device does not have is a request error: STALL.
    expect((await dev.submit(ctl({ bmRequestType: 0x00, bRequest: REQ.SET_CONFIGURATION, wValue: 9, wIndex: 0, wLength: 0 }))).status).toBe('stall');
  });

  it('SET_INTERFACE and CLEAR_FEATURE(ENDPOINT_HALT) become API calls; reset becomes reset()', async () => {
    const { fake, dev } = await setup();
    expect((await dev.submit(ctl({ bmRequestType: 0x01, bRequest: REQ.SET_INTERFACE, wValue: 1, wIndex: 1, wLength: 0 }))).status).toBe('ok');
    expect(fake.calls.at(-1)).toEqual({ method: 'selectAlternateInterface', args: [1, 1] });
    expect((await dev.submit(ctl({ bmRequestType: 0x01, bRequest: REQ.SET_INTERFACE, wValue: 5, wIndex: 1, wLength: 0 }))).status).toBe('stall');
    expect((await dev.submit(ctl({ bmRequestType: 0x02, bRequest: REQ.CLEAR_FEATURE, wValue: FEATURE.ENDPOINT_HALT, wIndex: 0x81, wLength: 0 }))).status).toBe('ok');
    expect(fake.calls.at(-1)).toEqual({ method: 'clearHalt', args: ['in', 1] });
    await dev.submit(ctl({ bmRequestType: 0x02, bRequest: REQ.CLEAR_FEATURE, wValue: FEATURE.ENDPOINT_HALT, wIndex: 0x02, wLength: 0 }));
    expect(fake.calls.at(-1)).toEqual({ method: 'clearHalt', args: ['out', 2] });
    await dev.reset();
    expect(fake.calls.at(-1)).toEqual({ method: 'reset', args: [] });
  });

  it('forwards other control requests with their data and lengths', async () => {
    const { fake, dev } = await setup();
    const d = await dev.submit(ctl({ bmRequestType: 0x80, bRequest: REQ.GET_DESCRIPTOR, wValue: DESC.DEVICE << 8, wIndex: 0, wLength: 18 }));
    expect(d.status).toBe('ok');
    expect(d.actualLength).toBe(18);
    expect([d.data[8], d.data[9], d.data[10], d.data[11]]).toEqual([0x34, 0x12, 0x78, 0x56]);
    expect(fake.calls[0]).toEqual({ method: 'controlTransferIn', args: [{ requestType: 'standard', recipient: 'device', request: 6, value: 0x100, index: 0 }, 18] });
    // Short answer: asked 255, the configuration is shorter.
    const c = await dev.submit(ctl({ bmRequestType: 0x80, bRequest: REQ.GET_DESCRIPTOR, wValue: DESC.CONFIGURATION << 8, wIndex: 0, wLength: 255 }));
    expect(c.status).toBe('ok');
    expect(c.actualLength).toBe(c.data[2]! | (c.data[3]! << 8));
    // Vendor IN, scripted.
    fake.script(0, { data: Uint8Array.of(1, 2, 3) });
    const v = await dev.submit(ctl({ bmRequestType: 0xc1, bRequest: 0x42, wValue: 1, wIndex: 2, wLength: 8 }));
    expect(v).toEqual({ status: 'ok', data: Uint8Array.of(1, 2, 3), actualLength: 3 });
    expect(fake.calls.at(-1)!.args[0]).toEqual({ requestType: 'vendor', recipient: 'interface', request: 0x42, value: 1, index: 2 });
    // Class OUT with data, and with none.
    const o = await dev.submit(ctl({ bmRequestType: 0x21, bRequest: 0x20, wValue: 0, wIndex: 0, wLength: 7 }, Uint8Array.of(1, 2, 3, 4, 5, 6, 7)));
    expect(o).toEqual({ status: 'ok', data: new Uint8Array(0), actualLength: 7 });
    expect(fake.calls.at(-1)!.args[1]).toEqual(Uint8Array.of(1, 2, 3, 4, 5, 6, 7));
    const z = await dev.submit(ctl({ bmRequestType: 0x21, bRequest: 0x22, wValue: 3, wIndex: 0, wLength: 0 }));
    expect(z.status).toBe('ok');
    expect(fake.calls.at(-1)!.args[1]).toEqual(new Uint8Array(0));
    // A control STALL.
    fake.script(0, { status: 'stall' });
    expect((await dev.submit(ctl({ bmRequestType: 0xc0, bRequest: 0x99, wValue: 0, wIndex: 0, wLength: 4 }))).status).toBe('stall');
  });
});

describe('HostUsbDevice: data transfers', () => {
  it('bulk IN and OUT', async () => {
    const { fake, dev } = await setup();
    fake.script(0x81, { data: Uint8Array.of(9, 8, 7, 6) });
    expect(await dev.submit(bulkIn(1, 64))).toEqual({ status: 'ok', data: Uint8Array.of(9, 8, 7, 6), actualLength: 4 });
    expect(fake.calls.at(-1)!.args.slice(0, 2)).toEqual([1, 64]);
    expect(await dev.submit(bulkOut(2, Uint8Array.of(1, 2, 3)))).toEqual({ status: 'ok', data: new Uint8Array(0), actualLength: 3 });
    fake.script(0x02, { bytesWritten: 2 });
    expect((await dev.submit(bulkOut(2, Uint8Array.of(1, 2, 3)))).actualLength).toBe(2);
  });

  it('a stall halts the endpoint until CLEAR_FEATURE(ENDPOINT_HALT)', async () => {
    const { fake, dev } = await setup();
    fake.script(0x81, { status: 'stall' });
    expect((await dev.submit(bulkIn(1, 64))).status).toBe('stall');
    expect((await dev.submit(bulkIn(1, 64))).status).toBe('stall');
    await dev.submit(ctl({ bmRequestType: 0x02, bRequest: REQ.CLEAR_FEATURE, wValue: FEATURE.ENDPOINT_HALT, wIndex: 0x81, wLength: 0 }));
    fake.script(0x81, { data: Uint8Array.of(5) });
    expect((await dev.submit(bulkIn(1, 64))).status).toBe('ok');
  });

  it('timeout, short packet, babble, error', async () => {
    const { fake, dev } = await setup();
    fake.script(0x81, { throws: 'timeout' }, { data: Uint8Array.of(1) }, { data: new Uint8Array(100) }, { throws: 'error' });
    expect((await dev.submit(bulkIn(1, 64))).status).toBe('timeout');
    expect(await dev.submit(bulkIn(1, 64))).toEqual({ status: 'ok', data: Uint8Array.of(1), actualLength: 1 });
    const b = await dev.submit(bulkIn(1, 64));
    expect(b.status).toBe('babble');
    expect(b.actualLength).toBe(64);
    expect((await dev.submit(bulkIn(1, 64))).status).toBe('error');
    fake.script(0, { throws: 'timeout' });
    expect((await dev.submit(ctl({ bmRequestType: 0xc0, bRequest: 1, wValue: 0, wIndex: 0, wLength: 1 }))).status).toBe('timeout');
    expect((await dev.submit({ kind: 'isochronous', endpoint: 4, dirIn: true, data: new Uint8Array(0), length: 8 })).status).toBe('error');
  });

  it('an interrupt IN stays pending until the device answers', async () => {
    const { fake, dev } = await setup();
    let got: UsbCompletion | null = null;
    const p = dev.submit(bulkIn(3, 8, 'interrupt')).then((c) => { got = c; });
    await tick();
    expect(got).toBeNull();
    expect(fake.waiting(0x83)).toBe(1);
    fake.script(0x83, { data: Uint8Array.of(0, 0, 4, 0, 0, 0, 0, 0) });
    await p;
    expect(got).toEqual({ status: 'ok', data: Uint8Array.of(0, 0, 4, 0, 0, 0, 0, 0), actualLength: 8 });
  });

  it('disconnect in the middle of a transfer: nodev, onDisconnect once, later transfers nodev', async () => {
    const { fake, dev } = await setup();
    let disconnects = 0;
    dev.onDisconnect = () => { disconnects++; };
    const p = dev.submit(bulkIn(3, 8, 'interrupt'));
    const q = dev.submit(bulkIn(1, 64));
    await tick();
    fake.disconnect();
    expect((await p).status).toBe('nodev');
    expect((await q).status).toBe('nodev');
    expect(disconnects).toBe(1);
    expect((await dev.submit(bulkOut(2, Uint8Array.of(1)))).status).toBe('nodev');
    await dev.close();
  });

  it('a scripted disconnect during a transfer is seen without the event source too', async () => {
    const fake = new FakeUsbDevice(spec);
    const dev = await HostUsbDevice.open(fake);
    let disconnects = 0;
    dev.onDisconnect = () => { disconnects++; };
    fake.script(0x02, { throws: 'disconnect' });
    expect((await dev.submit(bulkOut(2, Uint8Array.of(1)))).status).toBe('nodev');
    expect(disconnects).toBe(1);
  });

  it('cancelAll ends pending transfers; data arriving later goes to the next IN on that endpoint', async () => {
    const { fake, dev } = await setup();
    const p = dev.submit(bulkIn(3, 8, 'interrupt'));
    await tick();
    dev.cancelAll();
    expect((await p).status).toBe('nodev');
    const next = dev.submit(bulkIn(3, 8, 'interrupt'));
    await tick();
    expect(fake.calls.filter((c) => c.method === 'transferIn')).toHaveLength(1); // adopted, not resubmitted
    fake.script(0x83, { data: Uint8Array.of(1, 2) });
    expect(await next).toEqual({ status: 'ok', data: Uint8Array.of(1, 2), actualLength: 2 });
  });

  it('classifies exceptions of the real package', () => {
    expect(classifyTransferError(new Error('device disconnected'))).toBe('nodev');
    expect(classifyTransferError(Object.assign(new Error('x'), { name: 'NetworkError' }))).toBe('nodev');
    expect(classifyTransferError(new Error('LIBUSB_ERROR_TIMEOUT'))).toBe('timeout');
    expect(classifyTransferError(new Error('endpoint stalled'))).toBe('stall');
    expect(classifyTransferError(new Error('hardware fault or protocol violation'))).toBe('error');
  });
});

describe('listHostDevices', () => {
  it('lists devices with VID:PID, serial, product, bus and port', async () => {
    const r = await listHostDevices(new FakeWebUsb([new FakeUsbDevice({ ...spec, bus: '3-1.2', ports: [1, 2], address: 5 })]));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.devices[0]).toMatchObject({ vendorId: 0x1234, productId: 0x5678, serial: 'SN001', product: 'Widget', bus: '3-1.2', ports: [1, 2], spec: 'host:1234:5678:SN001' });
    expect(formatHostDevice(r.devices[0]!)).toMatch(/^1234:5678 {2}Acme Widget {2}serial SN001 {2}bus 3-1\.2, port 1\.2, address 5/);
  });

  it('says why there are none', async () => {
    expect(await listHostDevices(new FakeWebUsb([]))).toMatchObject({ ok: false, reason: 'no-devices' });
    const noBus = new FakeWebUsb([]);
    noBus.failEnumerate = new Error('getDevices error: /sys/bus/usb/devices/ not found (errno 2)');
    expect(await listHostDevices(noBus)).toMatchObject({ ok: false, reason: 'unavailable', message: expect.stringMatching(/no USB bus/) });
    const denied = new FakeWebUsb([]);
    denied.failEnumerate = new Error('/sys/bus/usb/devices/ permission denied');
    expect(await listHostDevices(denied)).toMatchObject({ ok: false, reason: 'permission' });
  });

  it('loads the real `usb` package and answers without throwing on this machine', async () => {
    const r = await listHostDevices();
    if (!r.ok) expect(r.message.length).toBeGreaterThan(10);
  });
});
