import { describe, expect, it } from 'vitest';
import { DESC, REQ, type SetupPacket, type UsbCompletion } from '../usb-backend.js';
import { CONFIG_ATTR, EP_TYPE } from '../descriptors/configuration.js';
import { type ActiveEndpoint, type ControlResult, type InResult, type MaybePromise, type OutResult, VirtualUsbDevice } from './device-model.js';
import { TestHost } from './testing/test-host.js';

/** A device with a bulk pair on interface 0 and an interrupt endpoint only in interface 1 alt 1. */
class TestDevice extends VirtualUsbDevice {
  inData: Uint8Array[] = [];
  outData: Uint8Array[] = [];
  acceptOut = true;
  asyncIn = false;
  events: string[] = [];

  constructor() {
    super({
      spec: 'virtual:test',
      device: { bcdUSB: 0x0200, bDeviceClass: 0xff, bDeviceSubClass: 0, bDeviceProtocol: 0, bMaxPacketSize0: 64, idVendor: 0x1209, idProduct: 0x000f, bcdDevice: 0x0100, iManufacturer: 1, iProduct: 2, iSerialNumber: 0, bNumConfigurations: 1 },
      configuration: {
        bConfigurationValue: 7, bmAttributes: CONFIG_ATTR.SELF_POWERED | CONFIG_ATTR.REMOTE_WAKEUP, bMaxPower: 0,
        interfaces: [
          { bInterfaceNumber: 0, bInterfaceClass: 0xff, bInterfaceSubClass: 0, bInterfaceProtocol: 0, endpoints: [
            { bEndpointAddress: 0x81, bmAttributes: EP_TYPE.BULK, wMaxPacketSize: 64, bInterval: 0 },
            { bEndpointAddress: 0x01, bmAttributes: EP_TYPE.BULK, wMaxPacketSize: 64, bInterval: 0 },
          ] },
          { bInterfaceNumber: 1, bAlternateSetting: 0, bInterfaceClass: 0xff, bInterfaceSubClass: 0, bInterfaceProtocol: 0, endpoints: [] },
          { bInterfaceNumber: 1, bAlternateSetting: 1, bInterfaceClass: 0xff, bInterfaceSubClass: 0, bInterfaceProtocol: 0, endpoints: [
            { bEndpointAddress: 0x82, bmAttributes: EP_TYPE.INTERRUPT, wMaxPacketSize: 8, bInterval: 1 },
          ] },
        ],
      },
      strings: ['Test', 'A test device with a rather long product name'],
    });
  }

  feed(b: Uint8Array): void { this.inData.push(b); this.kick(0x81); this.kick(0x82); }
  protected override dataIn(_ep: ActiveEndpoint): MaybePromise<InResult> {
    const r = this.inData.shift() ?? null;
    return this.asyncIn ? Promise.resolve(r) : r;
  }
  protected override dataOut(_ep: ActiveEndpoint, data: Uint8Array): OutResult {
    if (!this.acceptOut) return null;
    this.outData.push(data);
    return data.length;
  }
  protected override vendorRequest(s: SetupPacket, data: Uint8Array): MaybePromise<ControlResult> {
    if (s.bRequest === 0x42) throw new Error('model bug');
    if (s.bRequest === 0x01) return Promise.resolve(Uint8Array.of(1, 2, 3, 4, 5));
    return s.bmRequestType & 0x80 ? 'stall' : data;
  }
  allowOut(): void { this.acceptOut = true; this.kick(0x01); }
  protected override onConfigured(v: number): void { this.events.push(`configured ${v}`); }
  protected override onInterfaceSelected(i: number, a: number): void { this.events.push(`interface ${i} alt ${a}`); }
  protected override onReset(): void { this.events.push('reset'); }
}

async function configured(): Promise<{ dev: TestDevice; host: TestHost }> {
  const dev = new TestDevice();
  const host = new TestHost(dev);
  await host.enumerate();
  return { dev, host };
}

const bytes = (c: UsbCompletion): number[] => Array.from(c.data);

describe('chapter 9 device framework', () => {
  it('walks Default → Address → Configured and back', async () => {
    const dev = new TestDevice();
    const host = new TestHost(dev);
    expect(dev.state).toBe('default');
    await host.setAddress(9);
    expect([dev.state, dev.deviceAddress]).toEqual(['address', 9]);
    expect((await host.setConfiguration(3)).status).toBe('stall'); // no such configuration
    expect((await host.setConfiguration(7)).status).toBe('ok');
    expect(dev.state).toBe('configured');
    expect(bytes(await host.control({ bmRequestType: 0x80, bRequest: REQ.GET_CONFIGURATION, wValue: 0, wIndex: 0, wLength: 1 }))).toEqual([7]);
    await host.setConfiguration(0);
    expect(dev.state).toBe('address');
    await dev.reset();
    expect([dev.state, dev.deviceAddress]).toEqual(['default', 0]);
    expect(dev.events).toEqual(['configured 7', 'configured 0', 'reset']);
    expect((await host.setAddress(128)).status).toBe('stall');
  });

  it('honours wLength: short replies for short requests, never more than asked', async () => {
    const { host } = await configured();
    const d8 = await host.getDescriptor(DESC.DEVICE, 0, 8);
    expect([d8.status, d8.actualLength]).toEqual(['ok', 8]);
    const d64 = await host.getDescriptor(DESC.DEVICE, 0, 64);
    expect(d64.actualLength).toBe(18); // a short reply: the descriptor is 18 bytes
    const s = await host.getDescriptor(DESC.STRING, 2, 10, 0x0409);
    expect([s.actualLength, s.data[0]]).toEqual([10, 92]); // bLength still says the whole string
    const v = await host.control({ bmRequestType: 0xc0, bRequest: 0x01, wValue: 0, wIndex: 0, wLength: 3 });
    expect(bytes(v)).toEqual([1, 2, 3]); // asynchronous class/vendor answers are cut too
  });

  it('STALLs what it does not support', async () => {
    const { host } = await configured();
    const stall = async (s: SetupPacket): Promise<void> => expect((await host.control(s)).status).toBe('stall');
    await stall({ bmRequestType: 0x80, bRequest: REQ.GET_DESCRIPTOR, wValue: DESC.DEVICE_QUALIFIER << 8, wIndex: 0, wLength: 10 }); // full speed only
    await stall({ bmRequestType: 0x80, bRequest: REQ.GET_DESCRIPTOR, wValue: 0x0700, wIndex: 0, wLength: 9 }); // other speed
    await stall({ bmRequestType: 0x80, bRequest: REQ.GET_DESCRIPTOR, wValue: 0x0f00, wIndex: 0, wLength: 5 }); // BOS
    await stall({ bmRequestType: 0x80, bRequest: REQ.GET_DESCRIPTOR, wValue: 0x0201, wIndex: 0, wLength: 9 }); // configuration index 1
    await stall({ bmRequestType: 0x80, bRequest: REQ.GET_DESCRIPTOR, wValue: 0x0309, wIndex: 0x0409, wLength: 255 }); // no string 9
    await stall({ bmRequestType: 0x00, bRequest: REQ.SET_DESCRIPTOR, wValue: 0x0100, wIndex: 0, wLength: 0 });
    await stall({ bmRequestType: 0x82, bRequest: REQ.SYNCH_FRAME, wValue: 0, wIndex: 0x82, wLength: 2 });
    await stall({ bmRequestType: 0x00, bRequest: 0x42 & 0x0f, wValue: 0, wIndex: 0, wLength: 0 }); // unknown standard request 2
    await stall({ bmRequestType: 0x21, bRequest: 0x01, wValue: 0, wIndex: 0, wLength: 0 }); // class request: none defined
    await stall({ bmRequestType: 0xc0, bRequest: 0x07, wValue: 0, wIndex: 0, wLength: 4 }); // vendor IN the model refuses
    await stall({ bmRequestType: 0x00, bRequest: REQ.GET_STATUS, wValue: 0, wIndex: 0, wLength: 2 }); // wrong direction
    await stall({ bmRequestType: 0x00, bRequest: REQ.SET_FEATURE, wValue: 2, wIndex: 0x0100, wLength: 0 }); // TEST_MODE
    await stall({ bmRequestType: 0xe0, bRequest: 0, wValue: 0, wIndex: 0, wLength: 0 }); // reserved type
  });

  it('reports status and remote wakeup', async () => {
    const { host } = await configured();
    expect(bytes(await host.getStatus(0))).toEqual([1, 0]); // self-powered
    await host.control({ bmRequestType: 0x00, bRequest: REQ.SET_FEATURE, wValue: 1, wIndex: 0, wLength: 0 });
    expect(bytes(await host.getStatus(0))).toEqual([3, 0]);
    expect(bytes(await host.getStatus(1, 0))).toEqual([0, 0]);
    expect((await host.getStatus(1, 5)).status).toBe('stall');
    expect((await host.getStatus(2, 0x82)).status).toBe('stall'); // not in the current alternate setting
    expect(bytes(await host.getStatus(2, 0x80))).toEqual([0, 0]); // default pipe
  });

  it('halts and clears endpoints, failing queued transfers while halted', async () => {
    const { dev, host } = await configured();
    const pending = host.bulkIn(0x81, 64);
    expect(dev.pendingCount(0x81)).toBe(1);
    await host.setHalt(0x81);
    expect((await pending).status).toBe('stall');
    expect(bytes(await host.getStatus(2, 0x81))).toEqual([1, 0]);
    expect((await host.bulkIn(0x81, 64)).status).toBe('stall');
    await host.clearHalt(0x81);
    expect(dev.isHalted(0x81)).toBe(false);
    dev.feed(Uint8Array.of(9));
    expect(bytes(await host.bulkIn(0x81, 64))).toEqual([9]);
    expect((await host.clearHalt(0x85)).status).toBe('stall'); // no such endpoint
    expect((await host.clearHalt(0x00)).status).toBe('ok');
  });

  it('keeps IN transfers pending until there is data, in order, even when answered asynchronously', async () => {
    const { dev, host } = await configured();
    dev.asyncIn = true;
    const a = host.bulkIn(0x81, 64);
    const b = host.bulkIn(0x81, 64);
    let done = 0;
    void a.then(() => done++);
    await Promise.resolve();
    expect(done).toBe(0);
    dev.feed(Uint8Array.of(1));
    dev.feed(Uint8Array.of(2, 2));
    expect([bytes(await a), bytes(await b)]).toEqual([[1], [2, 2]]);
    dev.feed(new Uint8Array(10));
    const babble = await host.bulkIn(0x81, 4);
    expect([babble.status, babble.actualLength]).toEqual(['babble', 4]);
  });

  it('NAKs OUT transfers until the model takes them', async () => {
    const { dev, host } = await configured();
    dev.acceptOut = false;
    const p = host.bulkOut(0x01, Uint8Array.of(1, 2, 3));
    await Promise.resolve();
    expect(dev.outData).toEqual([]);
    dev.allowOut();
    expect((await p).actualLength).toBe(3);
    expect(dev.outData).toEqual([Uint8Array.of(1, 2, 3)]);
  });

  it('switches alternate settings', async () => {
    const { dev, host } = await configured();
    expect((await host.interruptIn(0x82, 8)).status).toBe('timeout'); // not in alt 0
    expect((await host.control({ bmRequestType: 0x01, bRequest: REQ.SET_INTERFACE, wValue: 2, wIndex: 1, wLength: 0 })).status).toBe('stall');
    expect((await host.control({ bmRequestType: 0x01, bRequest: REQ.SET_INTERFACE, wValue: 1, wIndex: 1, wLength: 0 })).status).toBe('ok');
    expect(bytes(await host.control({ bmRequestType: 0x81, bRequest: REQ.GET_INTERFACE, wValue: 0, wIndex: 1, wLength: 1 }))).toEqual([1]);
    const p = host.interruptIn(0x82, 8);
    dev.feed(Uint8Array.of(5));
    expect(bytes(await p)).toEqual([5]);
    const q = host.interruptIn(0x82, 8);
    await host.control({ bmRequestType: 0x01, bRequest: REQ.SET_INTERFACE, wValue: 0, wIndex: 1, wLength: 0 });
    expect((await q).status).toBe('timeout'); // the endpoint went away under it
    expect(dev.events).toContain('interface 1 alt 1');
  });

  it('answers nothing on data endpoints before configuration, and errors for isochronous or wrong kinds', async () => {
    const dev = new TestDevice();
    const host = new TestHost(dev);
    expect((await host.bulkIn(0x81, 64)).status).toBe('timeout');
    await host.enumerate();
    expect((await dev.submit({ kind: 'isochronous', endpoint: 1, dirIn: true, data: new Uint8Array(0), length: 64 })).status).toBe('error');
    expect((await dev.submit({ kind: 'bulk', endpoint: 0, dirIn: true, data: new Uint8Array(0), length: 64 })).status).toBe('error');
    expect((await dev.submit({ kind: 'control', endpoint: 0, dirIn: true, data: new Uint8Array(0), length: 8 })).status).toBe('error'); // no SETUP
  });

  it('turns a model exception into an error completion and keeps it', async () => {
    const { dev, host } = await configured();
    expect((await host.control({ bmRequestType: 0x40, bRequest: 0x42, wValue: 0, wIndex: 0, wLength: 0 })).status).toBe('error');
    expect(String(dev.lastError)).toMatch(/model bug/);
    expect((await host.control({ bmRequestType: 0x40, bRequest: 0x43, wValue: 0, wIndex: 0, wLength: 2 }, Uint8Array.of(1, 2))).actualLength).toBe(2);
  });

  it('cancelAll, reset, close and unplug end pending transfers with nodev', async () => {
    const { dev, host } = await configured();
    const a = host.bulkIn(0x81, 64);
    const b = host.bulkIn(0x81, 64);
    dev.cancelAll();
    expect([(await a).status, (await b).status]).toEqual(['nodev', 'nodev']);
    expect(dev.pendingCount(0x81)).toBe(0);
    dev.feed(Uint8Array.of(1)); // a later transfer still works
    expect(bytes(await host.bulkIn(0x81, 64))).toEqual([1]);

    const c = host.bulkIn(0x81, 64);
    await dev.reset();
    expect((await c).status).toBe('nodev');
    expect((await host.bulkIn(0x81, 64)).status).toBe('timeout'); // unconfigured again

    await host.enumerate();
    let disconnected = 0;
    dev.onDisconnect = () => disconnected++;
    const d = host.bulkIn(0x81, 64);
    dev.unplug();
    expect([(await d).status, disconnected]).toEqual(['nodev', 1]);
    expect((await host.getDescriptor(DESC.DEVICE, 0, 18)).status).toBe('nodev');
    dev.unplug();
    expect(disconnected).toBe(1);
  });
});
