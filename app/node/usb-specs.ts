// Turns the CLI's --usb SPEC into a device backend:
//   virtual:hid-keyboard, virtual:cdc-acm, virtual:msc[:IMAGE]   device models (app/usb/virtual)
//   capture:FILE[@BUS.ADDR]                                      a device replayed from a usbmon/USBPcap capture
//   host:VID:PID[:SERIAL]                                        a real device (native-bridge/usb, the `usb` package)

import { closeSync, fstatSync, openSync, readFileSync, readSync, writeSync, fsyncSync } from 'node:fs';
import type { UsbDeviceBackend } from '../usb/usb-backend.js';
import type { BlockStore } from '../usb/virtual/block-store.js';
import { createVirtualDevice, VirtualDeviceSpecError } from '../usb/virtual/index.js';
import { CaptureFormatError, createCaptureDevice, parseUsbCapture } from '../usb/capture/index.js';
import { HostUsbError } from '../../native-bridge/usb/host-device.js';
import { openHostSpec } from '../../native-bridge/usb/host-list.js';
import { CliError } from './io.js';
import type { Machine } from '../engine/machine/machine.js';
import type { RecordingInputPump } from '../replay/inputs/input-pump.js';
import { UsbAttachments, openUsbBackends } from '../replay/sessions/usb-attachments.js';

const BLOCK = 512;

/** A --usb SPEC that cannot be opened: which spec and why (the UI shows the two without the CLI's "--usb"). */
export class UsbSpecError extends CliError {
  override name = 'UsbSpecError';
  constructor(readonly spec: string, readonly reason: string) {
    super(`--usb ${spec}: ${reason}`);
  }
}

/** A disk image file as a mass-storage medium; writes go to the file. */
export class FileBlockStore implements BlockStore {
  readonly blockCount: number;
  private readonly fd: number;

  constructor(readonly path: string, readonly readOnly = false) {
    try {
      this.fd = openSync(path, readOnly ? 'r' : 'r+');
    } catch (e) {
      throw new UsbSpecError(`virtual:msc:${path}`, `cannot open the image: ${(e as Error).message}`);
    }
    const size = fstatSync(this.fd).size;
    if (size < BLOCK || size % BLOCK !== 0) {
      closeSync(this.fd);
      throw new UsbSpecError(`virtual:msc:${path}`, `the image is ${size} bytes; it must be a non-empty multiple of ${BLOCK}`);
    }
    this.blockCount = size / BLOCK;
  }

  read(lba: number, count: number): Uint8Array {
    const out = new Uint8Array(count * BLOCK);
    readSync(this.fd, out, 0, out.length, lba * BLOCK);
    return out;
  }

  write(lba: number, data: Uint8Array): void {
    writeSync(this.fd, data, 0, data.length, lba * BLOCK);
  }

  flush(): void {
    fsyncSync(this.fd);
  }
}

/** Opens the device a --usb SPEC names (async: a real device is found and opened). Throws CliError. */
export async function createUsbBackend(spec: string): Promise<UsbDeviceBackend> {
  try {
    if (spec.startsWith('virtual:')) {
      const m = /^virtual:msc:(.+)$/.exec(spec);
      return createVirtualDevice(spec, m ? { image: new FileBlockStore(m[1]!) } : {});
    }
    if (spec.startsWith('capture:')) {
      const m = /^capture:(.+?)(?:@(\d+)\.(\d+))?$/.exec(spec);
      if (!m) throw new UsbSpecError(spec, 'name the capture file: capture:FILE[@BUS.ADDR]');
      const file = m[1]!;
      let bytes: Uint8Array;
      try {
        bytes = readFileSync(file);
      } catch (e) {
        const err = e as NodeJS.ErrnoException;
        throw new UsbSpecError(spec, `cannot read ${file}: ${err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'it is a directory' : err.message}`);
      }
      const capture = parseUsbCapture(bytes, file);
      return createCaptureDevice(capture, { spec, ...(m[2] ? { bus: Number(m[2]), address: Number(m[3]) } : {}) });
    }
    if (spec.startsWith('host:')) {
      return await openHostSpec(spec);
    }
  } catch (e) {
    if (e instanceof VirtualDeviceSpecError || e instanceof CaptureFormatError || e instanceof RangeError || e instanceof HostUsbError) {
      throw new UsbSpecError(spec, e.message);
    }
    throw e;
  }
  throw new UsbSpecError(spec, 'unknown device; use virtual:hid-keyboard, virtual:cdc-acm, virtual:msc[:IMAGE], capture:FILE or host:VID:PID[:SERIAL]');
}

/** Opens the --usb devices (before anything else is created, so a bad spec leaves nothing behind). */
export async function openUsbDevices(machine: Machine, specs: readonly string[]): Promise<UsbDeviceBackend[]> {
  if (specs.length > machine.usb.portCount) throw new CliError(`${specs.length} --usb devices, but the controller has ${machine.usb.portCount} ports`);
  return openUsbBackends(specs, createUsbBackend);
}

/** Plugs the devices into root hub ports 1, 2, ... in the order given. */
export function attachUsbDevices(machine: Machine, pump: RecordingInputPump, backends: readonly UsbDeviceBackend[]): UsbAttachments {
  return new UsbAttachments(machine, pump).attachInOrder(backends);
}
