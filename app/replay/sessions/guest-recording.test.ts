// createGuestRecording: the recording is made from the machine's header, the devices are plugged
// into ports 1, 2, ... in order, and the guest runs through the session; when the recording cannot
// be made the devices (and a writer already made) are closed; close() closes the devices, then the
// writer, and reports the first failure.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Machine } from '../../engine/machine/machine.js';
import type { UsbDeviceBackend } from '../../usb/usb-backend.js';
import { MemoryTrace } from '../trace/memory-trace.js';
import { TRACE_FORMAT_VERSION } from '../trace/trace.js';
import { createGuestRecording, type GuestRecordingOptions } from './guest-recording.js';
import type { NewRecordingHeader } from './recording-header.js';

const SHELL = readFileSync('assets/firmware/elf/shell.elf');

/** A device that never answers; says in `log` when it is closed. */
function device(spec: string, log: string[]): UsbDeviceBackend {
  return {
    identity: { spec, speed: 'full', vendorId: 0, productId: 0 },
    submit: () => new Promise(() => {}),
    reset: async () => {},
    cancelAll: () => {},
    close: async () => { log.push(`close ${spec}`); },
    onDisconnect: null,
  };
}

/** A writer into memory; says in `log` when it is closed. */
function memoryWriter(h: NewRecordingHeader, log: string[]): MemoryTrace {
  const trace = new MemoryTrace({ ...h, formatVersion: TRACE_FORMAT_VERSION, guestImageSha256: 'test' });
  trace.close = () => { log.push('close writer'); };
  return trace;
}

function options(log: string[], more: Partial<GuestRecordingOptions> = {}): GuestRecordingOptions & { machine: Machine } {
  return {
    machine: Machine.create({ image: { bytes: SHELL, path: 'firmware/shell.elf' } }),
    image: { bytes: SHELL, name: 'shell.elf' },
    createdBy: 'hindsight-test',
    snapshotInterval: 100_000,
    backends: [],
    createWriter: (h) => memoryWriter(h, log),
    ...more,
  };
}

describe('createGuestRecording', () => {
  it('makes the recording from the machine and the image, and plugs the devices into ports 1, 2 in order', async () => {
    const log: string[] = [];
    const devices = [device('test:a', log), device('test:b', log)];
    let trace: MemoryTrace | null = null;
    const opts = options(log, { backends: devices, createWriter: (h) => (trace = memoryWriter(h, log)) });
    const recording = await createGuestRecording(opts);
    expect(trace!.header).toMatchObject({
      createdBy: 'hindsight-test', guestImageName: 'shell.elf', snapshotInterval: 100_000,
      machine: { board: 'virt', ramSize: opts.machine.bus.ramSize },
    });
    expect([...recording.usb.attached()]).toEqual([[1, devices[0]], [2, devices[1]]]);
    expect(recording.session.machine).toBe(opts.machine);
    expect(log).toEqual([]);
  });

  it('the guest runs through the session: what it runs is recorded, and icount and pc follow the machine', async () => {
    const log: string[] = [];
    let trace: MemoryTrace | null = null;
    const opts = options(log, { createWriter: (h) => (trace = memoryWriter(h, log)) });
    const { guest } = await createGuestRecording(opts);
    guest.run(10_000);
    expect(guest.icount).toBeGreaterThan(0);
    expect(guest.icount).toBe(opts.machine.icount);
    expect(guest.pc).toBe(opts.machine.hart.pc);
    expect(trace!.completeUpTo).toBe(guest.icount);
  });

  it('the loop waits for device answers through usbWait when one is given, else through the attachments', async () => {
    const log: string[] = [];
    const plain = await createGuestRecording(options(log));
    expect(plain.guest.usb).toBe(plain.usb);
    const wait = { pending: 0, anyAnswer: async () => {} };
    const wrapped = await createGuestRecording(options(log, { usbWait: () => wait }));
    expect(wrapped.guest.usb).toBe(wait);
  });

  it('a failing createWriter closes the opened devices, plugs none in, and rethrows its error', async () => {
    const log: string[] = [];
    const devices = [device('test:a', log), device('test:b', log)];
    const failure = new Error('disk full');
    const made = createGuestRecording(options(log, { backends: devices, createWriter: () => { throw failure; } }));
    await expect(made).rejects.toBe(failure);
    expect(log).toEqual(['close test:a', 'close test:b']);
    // Plugging in takes over a device's disconnect.
    expect(devices.map((d) => d.onDisconnect)).toEqual([null, null]);
  });

  it('a writer that fails on the first snapshot: the devices and the writer are closed, and its error rethrown', async () => {
    const log: string[] = [];
    const failure = new Error('disk full');
    const made = createGuestRecording(options(log, {
      backends: [device('test:a', log)],
      createWriter: (h) => {
        const trace = memoryWriter(h, log);
        trace.appendSnapshot = () => { throw failure; };
        return trace;
      },
    }));
    await expect(made).rejects.toBe(failure);
    expect(log).toEqual(['close test:a', 'close writer']);
  });

  it('close() closes the devices, then the writer', async () => {
    const log: string[] = [];
    const recording = await createGuestRecording(options(log, { backends: [device('test:a', log), device('test:b', log)] }));
    await recording.close();
    expect(log).toEqual(['close test:a', 'close test:b', 'close writer']);
    expect(recording.usb.attached().size).toBe(0);
  });

  it('close() still closes the writer when a device fails to close, and throws the device\'s failure', async () => {
    const log: string[] = [];
    const failing = device('test:a', log);
    const failure = new Error('the device hung');
    failing.close = async () => { throw failure; };
    const recording = await createGuestRecording(options(log, {
      backends: [failing],
      createWriter: (h) => {
        const trace = memoryWriter(h, log);
        trace.close = () => { log.push('close writer'); throw new Error('and the writer failed too'); };
        return trace;
      },
    }));
    await expect(recording.close()).rejects.toBe(failure);
    expect(log).toEqual(['close writer']);
  });
});
