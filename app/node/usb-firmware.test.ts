// The sample shell's USB host stack (assets/firmware/lib/ohci.c, usb*.c) against the virtual devices
// and the devices replayed from real captures: boot enumeration lines, lsusb, kbd, echo through
// CDC-ACM, read through mass storage, and devices that STALL or never answer.
//
// The harness is local and minimal: it hands each transfer request to the backend on its port,
// waits for the answer (between run() calls, as inputs must be), and feeds UART input. A backend's
// promise that never settles is simply never completed: the firmware's own timeout must end it.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Machine } from '../engine/machine/machine.js';
import type { StopReason } from '../engine/machine/stop-reason.js';
import type { UsbTransferRequest, UsbTransferResult } from '../engine/devices/ohci/usb-types.js';
import type { UsbCompletion, UsbDeviceBackend, UsbTransfer } from '../usb/usb-backend.js';
import { CdcAcm, HidKeyboard, MassStorage } from '../usb/virtual/index.js';
import { createCaptureDevice, parseUsbCapture } from '../usb/capture/index.js';

const ELF_DIR = path.resolve(import.meta.dirname, '../../assets/firmware/elf');
const SHELL = readFileSync(path.join(ELF_DIR, 'shell.elf'));
const CAPTURES = '/work/shared/usb-captures/';
const PROMPT = 'type help for commands\n> ';

type Behaviour = 'stall' | 'silent';

/** A device whose every transfer STALLs, or never completes. */
function brokenDevice(behaviour: Behaviour): UsbDeviceBackend {
  return {
    identity: { spec: `test:${behaviour}`, speed: 'full', vendorId: 0, productId: 0 },
    submit: () => (behaviour === 'stall' ? Promise.resolve({ status: 'stall', data: new Uint8Array(0), actualLength: 0 }) : new Promise(() => {})),
    reset: async () => {},
    cancelAll: () => {},
    close: async () => {},
    onDisconnect: null,
  };
}

/** Wraps a backend so transfers matching `drop` never complete (a device that stops answering). */
function dropping(inner: UsbDeviceBackend, drop: (t: UsbTransfer) => boolean): UsbDeviceBackend {
  return {
    get identity() { return inner.identity; },
    submit: (t) => (drop(t) ? new Promise(() => {}) : inner.submit(t)),
    reset: () => inner.reset(),
    cancelAll: () => inner.cancelAll(),
    close: () => inner.close(),
    onDisconnect: null,
  };
}

/** Wraps a backend so control IN answers pass through `edit` (a device with broken descriptors). */
function editing(inner: UsbDeviceBackend, edit: (t: UsbTransfer, data: Uint8Array) => Uint8Array): UsbDeviceBackend {
  return {
    get identity() { return inner.identity; },
    submit: async (t) => {
      const c = await inner.submit(t);
      if (t.kind !== 'control' || !t.dirIn || c.status !== 'ok') return c;
      const data = edit(t, c.data.slice());
      return { status: 'ok', data, actualLength: data.length };
    },
    reset: () => inner.reset(),
    cancelAll: () => inner.cancelAll(),
    close: () => inner.close(),
    onDisconnect: null,
  };
}

const isGetDescriptor = (t: UsbTransfer, type: number): boolean => t.setup?.bRequest === 6 && t.setup.wValue >> 8 === type;

interface Attach { readonly port: number; readonly device: UsbDeviceBackend; readonly speed?: 'low' | 'full' }

class Rig {
  readonly m: Machine;
  output = '';
  readonly requests: UsbTransferRequest[] = [];
  readonly cancelled: number[] = [];
  private readonly queue: UsbTransferRequest[] = [];
  private readonly answers: { id: number; result: UsbTransferResult }[] = [];
  private readonly devices = new Map<number, UsbDeviceBackend>();
  private readonly input: number[] = [];
  exit: number | null = null;

  constructor(attach: readonly Attach[], elf: Uint8Array = SHELL) {
    this.m = Machine.create({ image: { bytes: elf } });
    this.m.onUartOutput = (b) => { this.output += String.fromCharCode(b); };
    this.m.usb.onTransferRequest = (req) => { this.queue.push(req); };
    this.m.usb.onTransferCancel = (id) => { this.cancelled.push(id); };
    this.m.usb.onPortReset = (port) => { void this.devices.get(port)?.reset(); };
    for (const a of attach) {
      this.devices.set(a.port, a.device);
      this.m.usb.attach(a.port, a.speed ?? (a.device.identity.speed === 'low' ? 'low' : 'full'));
    }
  }

  /** Plugs a device in between run() calls (as a host does at a canonical point). */
  plug(port: number, device: UsbDeviceBackend): void {
    this.devices.set(port, device);
    this.m.usb.attach(port, device.identity.speed === 'low' ? 'low' : 'full');
  }

  type(text: string): void {
    for (const c of text) this.input.push(c.charCodeAt(0));
  }

  /** One slice of guest time, then the inputs that became due: transfer answers and UART bytes. */
  private async step(): Promise<StopReason> {
    const r = this.m.run({ maxInstructions: 5_000_000 });
    for (const req of this.queue.splice(0)) {
      this.requests.push(req);
      const dev = this.devices.get(req.port);
      if (!dev) {
        this.answers.push({ id: req.id, result: { status: 'nodev', data: new Uint8Array(0), actualLength: 0 } });
        continue;
      }
      void dev.submit(req).then((c: UsbCompletion) => { this.answers.push({ id: req.id, result: c }); });
    }
    await new Promise((resolve) => setImmediate(resolve));
    for (const a of this.answers.splice(0)) this.m.usb.completeTransfer(a.id, a.result);
    while (this.input.length > 0 && this.m.uartCanReceive()) this.m.uartReceive(this.input.shift()!);
    if (r.kind === 'exit') this.exit = r.code;
    return r;
  }

  /** Runs until `done()` holds; fails if the guest exits or waits for input nobody will give. */
  async until(done: () => boolean, what: string): Promise<void> {
    let idle = 0;
    for (let i = 0; i < 20_000; i++) {
      if (done()) return;
      const r = await this.step();
      if (done()) return;
      if (r.kind === 'exit') throw new Error(`guest exited (${r.code}) while waiting for ${what}; output:\n${this.output}`);
      // Idle with nothing left to deliver: give promises a few more turns, then give up.
      idle = r.kind === 'idle' && this.input.length === 0 && this.answers.length === 0 ? idle + 1 : 0;
      if (idle > 20) throw new Error(`guest idle while waiting for ${what}; output:\n${this.output}`);
    }
    throw new Error(`gave up waiting for ${what}; output:\n${this.output}`);
  }

  /** Boots to the first prompt; returns the output up to it. */
  async boot(): Promise<string> {
    await this.until(() => this.output.endsWith(PROMPT), 'the first prompt');
    return this.output;
  }

  /** Types a command line and returns what it printed (up to the next prompt). */
  async command(line: string): Promise<string> {
    const start = this.output.length;
    this.type(`${line}\n`);
    await this.until(() => this.output.length > start + line.length + 1 && this.output.endsWith('\n> '), `"${line}" to finish`);
    return this.output.slice(start + line.length + 1, -2);
  }

  async poweroff(): Promise<void> {
    this.type('poweroff\n');
    await this.until(() => this.exit !== null, 'power off').catch((e: unknown) => { if (this.exit === null) throw e; });
    expect(this.exit).toBe(0);
  }
}

const usbLines = (out: string): string[] => out.split('\n').filter((l) => /^usb \d+:/.test(l));

describe('shell USB host stack: virtual devices', () => {
  it('boots quietly with no device (as under QEMU, where there is no controller)', async () => {
    const rig = new Rig([]);
    expect(await rig.boot()).toBe(`Hindsight sample firmware\n${PROMPT}`);
    expect(await rig.command('lsusb')).toBe('ohci at 0x10010000, irq 12, 2 ports\nno USB devices\n');
    expect(await rig.command('kbd')).toBe('kbd: no USB keyboard\n');
    expect(await rig.command('read 0')).toBe('read: no USB disk\n');
    expect(await rig.command('echo hi there')).toBe('hi there\n(no CDC device: printed locally)\n');
    expect(rig.requests).toHaveLength(0);
    await rig.poweroff();
  });

  it('enumerates the HID keyboard, lists it, and prints key reports and typed characters', async () => {
    const kbd = new HidKeyboard();
    const rig = new Rig([{ port: 1, device: kbd }]);
    const boot = await rig.boot();
    expect(usbLines(boot)).toEqual(['usb 1: 1209:0001 class 03 "Hindsight Virtual Keyboard"']);
    expect(kbd.state).toBe('configured');
    expect(kbd.deviceAddress).toBe(1);
    expect(kbd.protocol).toBe(0); // SET_PROTOCOL(boot)
    const ls = await rig.command('lsusb');
    expect(ls).toContain('usb 1: 1209:0001 class 03 "Hindsight Virtual Keyboard"\n');
    expect(ls).toContain('address 1, full speed, USB 2.00, EP0 8 bytes, manufacturer "Hindsight", serial "HSKBD0001"');
    expect(ls).toContain('configuration 1: if0 03/01/01');
    expect(ls).toContain('driver hid-kbd: interface 0, interrupt IN 0x81, 8 bytes every 8 ms, boot protocol');

    rig.type('kbd 6\n');
    await rig.until(() => rig.output.includes('kbd: usb 1, 6 reports'), 'kbd to start');
    kbd.typeText('Hi!');
    await rig.until(() => rig.output.endsWith('\n> '), 'kbd to finish');
    const out = rig.output.slice(rig.output.indexOf('kbd: usb 1'));
    expect(out).toBe([
      'kbd: usb 1, 6 reports (a key here stops)',
      'report 02 00 0b 00 00 00 00 00  "H"',
      'report 00 00 00 00 00 00 00 00',
      'report 00 00 0c 00 00 00 00 00  "i"',
      'report 00 00 00 00 00 00 00 00',
      'report 02 00 1e 00 00 00 00 00  "!"',
      'report 00 00 00 00 00 00 00 00',
      'typed "Hi!"',
      '> ',
    ].join('\n'));

    // Without a count, a key on the console ends it (the interrupt transfer is cancelled).
    rig.type('kbd\n');
    await rig.until(() => rig.output.includes('kbd: usb 1, until a key here'), 'kbd to start');
    await rig.until(() => kbd.pendingCount(0x81) > 0, 'the interrupt IN transfer');
    rig.type('q');
    await rig.until(() => rig.output.endsWith('typed ""\n> '), 'kbd to stop');
    expect(rig.cancelled.length).toBeGreaterThan(0);
    await rig.poweroff();
  });

  it('echoes through the CDC-ACM device', async () => {
    const acm = new CdcAcm();
    const rig = new Rig([{ port: 1, device: acm }]);
    expect(usbLines(await rig.boot())).toEqual(['usb 1: 1209:0002 class 02 "Hindsight Virtual Serial"']);
    expect(acm.lineCoding).toEqual({ dwDTERate: 115200, bCharFormat: 0, bParityType: 0, bDataBits: 8 });
    expect(acm.controlLines).toBe(3);
    const sent: string[] = [];
    acm.onHostData = (b) => sent.push(Buffer.from(b).toString('latin1'));
    expect(await rig.command('echo hello world')).toBe('cdc: hello world\n');
    expect(sent).toEqual(['hello world']);
    const long = 'x'.repeat(100);
    expect(await rig.command(`echo ${long}`)).toBe(`cdc: ${long}\n`);
    expect(await rig.command('lsusb')).toContain('driver cdc-acm: interfaces 0+1, bulk OUT 0x02, bulk IN 0x81, 115200 8N1\n');
    await rig.poweroff();
  });

  it('reads blocks of the mass-storage device (INQUIRY and READ CAPACITY at attach)', async () => {
    const rig = new Rig([{ port: 1, device: new MassStorage() }]);
    expect(usbLines(await rig.boot())).toEqual(['usb 1: 1209:0003 class 08 "Hindsight Virtual Disk"']);
    const ls = await rig.command('lsusb');
    expect(ls).toContain('driver msc: interface 0, bulk IN 0x81, bulk OUT 0x02, 1 LUN(s)\n');
    expect(ls).toContain('disk "HINDSGHT" "Virtual Disk" "1.00", 2048 blocks of 512 bytes\n');
    const block = await rig.command('read 0');
    const lines = block.split('\n');
    expect(lines[0]).toBe('block 0, 512 bytes:');
    expect(lines[1]).toBe('0000  eb 3c 90 48 49 4e 44 53 47 48 54 00 02 01 01 00  |.<.HINDSGHT.....|');
    expect(lines[32]).toBe('01f0  00 00 00 00 00 00 00 00 00 00 00 00 00 00 55 aa  |..............U.|');
    expect(block).toContain('0040  eb fd 48 69 6e 64 73 69 67 68 74 20 76 69 72 74  |..Hindsight virt|');
    // Past the end: the device STALLs the data stage and fails the command (BOT case 4).
    expect(await rig.command('read 0x10000')).toBe('read: CHECK CONDITION, sense key 5, ASC/ASCQ 21/00\n');
    // And works again afterwards (the halt was cleared).
    expect((await rig.command('read 1')).split('\n')[1]).toMatch(/^0000  f8 ff ff/);
    await rig.poweroff();
  });

  it('enumerates two devices at once, one per port, in port order', async () => {
    const rig = new Rig([{ port: 2, device: new MassStorage() }, { port: 1, device: new CdcAcm() }]);
    expect(usbLines(await rig.boot())).toEqual([
      'usb 1: 1209:0002 class 02 "Hindsight Virtual Serial"',
      'usb 2: 1209:0003 class 08 "Hindsight Virtual Disk"',
    ]);
    expect(await rig.command('echo two')).toBe('cdc: two\n');
    expect((await rig.command('read 0')).split('\n')[0]).toBe('block 0, 512 bytes:');
    const ls = await rig.command('lsusb');
    expect(ls).toContain('address 1, full speed');
    expect(ls).toContain('address 2, full speed');
    await rig.poweroff();
  });

  it('lsusb enumerates a device attached after boot', async () => {
    const rig = new Rig([]);
    await rig.boot();
    rig.plug(2, new MassStorage());
    const ls = await rig.command('lsusb');
    expect(ls.split('\n').slice(0, 3)).toEqual([
      'ohci at 0x10010000, irq 12, 2 ports',
      'usb 2: 1209:0003 class 08 "Hindsight Virtual Disk"',
      'usb 2: 1209:0003 class 08 "Hindsight Virtual Disk"',
    ]);
    expect((await rig.command('read 0')).split('\n')[0]).toBe('block 0, 512 bytes:');
    // Unplugged: listed as gone, and a read fails instead of hanging.
    rig.m.usb.detach(2);
    expect(await rig.command('lsusb')).toContain('(disconnected: the port has no device any more)');
    expect(await rig.command('read 0')).toBe('read: device not responding\n');
    await rig.poweroff();
  });

  it('enumerates a low-speed keyboard (LSDA, low-speed EDs)', async () => {
    const kbd = new HidKeyboard();
    const rig = new Rig([{ port: 2, device: kbd, speed: 'low' }]);
    expect(usbLines(await rig.boot())).toEqual(['usb 2: 1209:0001 class 03 "Hindsight Virtual Keyboard"']);
    expect(await rig.command('lsusb')).toContain('address 1, low speed');
    rig.type('kbd 2\n');
    await rig.until(() => rig.output.includes('kbd: usb 2'), 'kbd to start');
    kbd.typeText('z');
    await rig.until(() => rig.output.endsWith('typed "z"\n> '), 'kbd to finish');
    await rig.poweroff();
  });
});

describe.skipIf(!(() => { try { readFileSync(`${CAPTURES}README.md`); return true; } catch { return false; } })())('shell USB host stack: devices from real captures', () => {
  const capture = (file: string) => parseUsbCapture(new Uint8Array(readFileSync(CAPTURES + file)), file);

  it('enumerates the Teensy HID composite and the SanDisk stick, and reads the Teensy\'s captured keys', async () => {
    const teensy = createCaptureDevice(capture('hid-teensy-kbd-mouse-joy_full-enum_usbmon.pcap'));
    const sandisk = createCaptureDevice(capture('msc-sandisk-cruzer_enum-scsi_usbmon.pcapng'));
    const rig = new Rig([{ port: 1, device: teensy }, { port: 2, device: sandisk }]);
    expect(usbLines(await rig.boot())).toEqual([
      'usb 1: 16c0:0482 class 03 "Teensy Keyboard/Mouse/Joystick"',
      'usb 2: 0781:5599 class 08 "Cruzer Dial"',
    ]);
    const ls = await rig.command('lsusb');
    // The Teensy never saw SET_PROTOCOL in its capture: it STALLs, and the driver carries on.
    expect(ls).toContain('configuration 1: if0 03/01/01 if1 03/01/02 if2 03/00/00 if3 03/00/00');
    expect(ls).toContain('driver hid-kbd: interface 0, interrupt IN 0x83, 8 bytes every 1 ms, report protocol (SET_PROTOCOL stalled)');
    expect(ls).toContain('manufacturer "SanDisk", serial "4C531001470512102500"');
    expect(ls).toContain('disk "SanDisk" "Cruzer Dial" "1.00", 124059648 blocks of 512 bytes');
    // The keyboard session of the capture, replayed through the interrupt endpoint.
    const keys = await rig.command('kbd 12');
    expect(keys.split('\n').filter((l) => l.startsWith('report'))).toHaveLength(12);
    expect(keys).toMatch(/typed "[a-z ]+"/);
    await rig.poweroff();
  });
});

describe('shell USB host stack: devices that misbehave', () => {
  it('reports a device that STALLs everything, disables its port and goes on', async () => {
    const rig = new Rig([{ port: 1, device: brokenDevice('stall') }, { port: 2, device: new HidKeyboard() }]);
    expect(usbLines(await rig.boot())).toEqual([
      'usb 1: enumeration failed: GET_DESCRIPTOR(device): stall',
      'usb 2: 1209:0001 class 03 "Hindsight Virtual Keyboard"',
    ]);
    expect(rig.m.usb.port(1).enabled).toBe(false);
    expect(await rig.command('lsusb')).toContain('usb 2: 1209:0001');
    await rig.poweroff();
  });

  it('times out on a device that never answers (it is cancelled), and goes on', async () => {
    const rig = new Rig([{ port: 1, device: brokenDevice('silent') }, { port: 2, device: new CdcAcm() }]);
    const start = Date.now();
    expect(usbLines(await rig.boot())).toEqual([
      'usb 1: enumeration failed: GET_DESCRIPTOR(device): timeout',
      'usb 2: 1209:0002 class 02 "Hindsight Virtual Serial"',
    ]);
    expect(Date.now() - start).toBeLessThan(10_000);
    expect(rig.cancelled).toContain(rig.requests[0]!.id);
    expect(await rig.command('echo still here')).toBe('cdc: still here\n');
    await rig.poweroff();
  });

  it('reports a controller stopped by UnrecoverableError (HCCA pointed outside RAM) and carries on', async () => {
    const rig = new Rig([{ port: 1, device: new CdcAcm() }]);
    await rig.boot();
    rig.type('poke 10010018 00001000\n'); // HcHCCA = the reset ROM: the next frame cannot read it
    await rig.until(() => rig.output.includes('ohci: unrecoverable error: the controller stopped\n'), 'the UE report');
    expect(rig.m.usb.status().unrecoverable).toMatch(/outside RAM/);
    expect(await rig.command('echo x')).toBe('cdc: write failed: host controller unavailable\n');
    expect(await rig.command('lsusb')).toContain('ohci at 0x10010000, irq 12, 2 ports, stopped (unrecoverable error)\n');
    await rig.poweroff();
  });

  it('copes with malformed descriptors: a zero bLength, an oversized wTotalLength, a bad bMaxPacketSize0', async () => {
    const badConfig = editing(new HidKeyboard(), (t, d) => {
      if (!isGetDescriptor(t, 2)) return d;
      if (d.length >= 4) { d[2] = 0x58; d[3] = 0x02; } // wTotalLength 600: more than the driver's buffer, more than sent
      if (d.length > 18) d[18] = 0; // the HID class descriptor after the interface: bLength 0
      return d;
    });
    const badEp0 = editing(new CdcAcm(), (t, d) => {
      if (isGetDescriptor(t, 1) && d.length >= 8) d[7] = 7;
      return d;
    });
    const rig = new Rig([{ port: 1, device: badConfig }, { port: 2, device: badEp0 }]);
    expect(usbLines(await rig.boot())).toEqual([
      'usb 1: 1209:0001 class 03 "Hindsight Virtual Keyboard"',
      'usb 1: hid: keyboard interface 0 has no interrupt IN endpoint',
      'usb 2: enumeration failed: bMaxPacketSize0 is 7, not 8, 16, 32 or 64',
    ]);
    const ls = await rig.command('lsusb');
    expect(ls).toContain('configuration 1: if0 03/01/01\n    no driver\n');
    await rig.poweroff();
  });

  it('survives a disk whose bulk IN never answers: each command times out and the shell goes on', async () => {
    const disk = dropping(new MassStorage(), (t) => t.kind === 'bulk' && t.dirIn);
    const rig = new Rig([{ port: 1, device: disk }]);
    const boot = await rig.boot();
    expect(usbLines(boot)).toEqual([
      'usb 1: 1209:0003 class 08 "Hindsight Virtual Disk"',
      'usb 1: msc: INQUIRY: timeout',
      'usb 1: msc: READ CAPACITY: timeout',
    ]);
    expect(await rig.command('read 0')).toBe('read: timeout\n');
    await rig.poweroff();
  });
});
