// recordElf: the sample shell recorded in the shared record loop (guest-loop.ts) with virtual USB
// devices: the transfers are in the recording and replay exactly; the old ending rules hold (exit,
// idle with nothing more to come, limit); cancel works between slices and while the guest waits
// for a device that never answers; a device that cannot be opened fails before anything is made.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MemoryTrace } from '../replay/trace/memory-trace.js';
import { TRACE_FORMAT_VERSION } from '../replay/trace/trace.js';
import { DERIVED_USB_REQUEST } from '../replay/trace/derived-codecs.js';
import { Timeline, OperationCancelledError } from '../replay/timeline/timeline.js';
import { createVirtualDevice } from '../usb/virtual/index.js';
import type { UsbDeviceBackend } from '../usb/usb-backend.js';
import { recordElf, type NewRecordingHeader, type RecordElfHost } from './record-elf.js';
import { SessionError } from './errors.js';

const SHELL = readFileSync('assets/firmware/elf/shell.elf');
const DEMO = readFileSync('assets/firmware/shell-demo.txt');
const bytes = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

/** A host like Node's (setImmediate, setTimeout), with virtual devices; says which devices it opened and closed. */
function testHost(): RecordElfHost & { opened: string[]; closed: string[] } {
  const opened: string[] = [];
  const closed: string[] = [];
  return {
    opened, closed,
    nextTurn: () => new Promise((r) => setImmediate(r)),
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    async openUsbDevice(spec): Promise<UsbDeviceBackend> {
      if (spec === 'virtual:broken') throw new SessionError('device', `USB device ${spec}: unknown device`);
      const d = createVirtualDevice(spec);
      opened.push(spec);
      const close = d.close.bind(d);
      d.close = async () => { closed.push(spec); await close(); };
      return d;
    },
  };
}

function memoryWriter(): { create(h: NewRecordingHeader): MemoryTrace; trace(): MemoryTrace | null; closed(): boolean } {
  let trace: MemoryTrace | null = null;
  let closed = false;
  return {
    create(h) {
      trace = new MemoryTrace({ ...h, formatVersion: TRACE_FORMAT_VERSION, guestImageSha256: 'test' });
      const close = trace.close.bind(trace);
      trace.close = () => { closed = true; close(); };
      return trace;
    },
    trace: () => trace,
    closed: () => closed,
  };
}

const opts = (more: { usb?: string[]; serialInput?: Uint8Array; maxInsns?: number } = {}) =>
  ({ image: SHELL, imageName: 'shell.elf', createdBy: 'hindsight-test', serialInput: DEMO, ...more });

describe('recordElf', () => {
  it('records the shell with a virtual CDC-ACM device: USB transfers in the recording, and it replays exactly', async () => {
    const host = testHost();
    const w = memoryWriter();
    const started = Date.now();
    const end = await recordElf(opts({ usb: ['virtual:cdc-acm'] }), (h) => w.create(h), {}, host);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(end.reason).toMatchObject({ kind: 'exit', code: 0 });
    const t = w.trace()!;
    expect(t.end).toEqual(end);
    // Enumeration and the demo's `echo` through the device: requests (outputs) and completions (inputs).
    expect(t.countDerived(DERIVED_USB_REQUEST)).toBeGreaterThan(10);
    expect(t.inputs(0, end.icount + 1).some((e) => e.kind === 'usb-completion')).toBe(true);
    expect(host.opened).toEqual(['virtual:cdc-acm']);
    expect(host.closed).toEqual(['virtual:cdc-acm']);
    expect(w.closed()).toBe(true);
    // The device's answers were recorded as inputs: a replay (no device) reaches the same end.
    const tl = new Timeline(t);
    tl.seek(end.icount);
    expect(tl.position).toBe(end.icount);
  });

  it('without devices: the same run as before, no USB transfers (and no host needed)', async () => {
    const w = memoryWriter();
    const end = await recordElf(opts(), (h) => w.create(h));
    expect(end.reason).toMatchObject({ kind: 'exit', code: 0 });
    expect(w.trace()!.countDerived(DERIVED_USB_REQUEST)).toBe(0);
  });

  it('keeps the ending rules: idle with nothing more to come, and the instruction limit', async () => {
    const idle = await recordElf(opts({ serialInput: bytes('help\n'), usb: ['virtual:cdc-acm'] }), (h) => memoryWriter().create(h), {}, testHost());
    expect(idle.reason).toEqual({ kind: 'idle' });
    const limited = await recordElf(opts({ maxInsns: 20_000 }), (h) => memoryWriter().create(h));
    expect(limited).toEqual({ icount: 20_000, reason: { kind: 'limit' } });
  });

  it('reports progress and is cancelled between slices', async () => {
    const w = memoryWriter();
    let aborted = false;
    const progress: number[] = [];
    const run = recordElf({ image: readFileSync('assets/firmware/elf/workload-long.elf'), imageName: 'workload-long.elf', createdBy: 't' },
      (h) => w.create(h), { signal: { get aborted() { return aborted; } }, onProgress: (done) => { progress.push(done); if (progress.length === 3) aborted = true; } }, testHost());
    await expect(run).rejects.toBeInstanceOf(OperationCancelledError);
    expect(progress).toHaveLength(3);
    expect(w.closed()).toBe(true);
  });

  it('is cancelled while the guest waits for a device that never answers (a keyboard nobody types on)', async () => {
    const host = testHost();
    const w = memoryWriter();
    let aborted = false;
    let last = -1;
    // `kbd 1` waits for one keyboard report: an interrupt IN transfer stays pending, the guest sleeps.
    const run = recordElf(opts({ serialInput: bytes('kbd 1\n'), usb: ['virtual:hid-keyboard'] }), (h) => w.create(h),
      { signal: { get aborted() { return aborted; } }, onProgress: (done) => { last = done; } }, host);
    let settled = false;
    void run.catch(() => {}).finally(() => { settled = true; });
    await new Promise((r) => setTimeout(r, 500));
    expect(settled).toBe(false); // still waiting for the device: the loop waits for USB answers
    const waitingAt = last;
    await new Promise((r) => setTimeout(r, 200));
    expect(last).toBe(waitingAt); // ... asleep, not running
    aborted = true;
    const cancelledAt = Date.now();
    await expect(run).rejects.toBeInstanceOf(OperationCancelledError);
    expect(Date.now() - cancelledAt).toBeLessThan(1000);
    expect(host.closed).toEqual(['virtual:hid-keyboard']);
    expect(w.closed()).toBe(true);
  });

  it('fails before anything is made when a device cannot be opened, closing those opened before it', async () => {
    const host = testHost();
    const w = memoryWriter();
    const run = recordElf(opts({ usb: ['virtual:cdc-acm', 'virtual:broken'] }), (h) => w.create(h), {}, host);
    await expect(run).rejects.toMatchObject({ code: 'device', message: 'USB device virtual:broken: unknown device' });
    expect(host.closed).toEqual(['virtual:cdc-acm']);
    expect(w.trace()).toBeNull();
    await expect(recordElf(opts({ usb: ['virtual:cdc-acm', 'virtual:msc', 'virtual:hid-keyboard'] }), (h) => w.create(h), {}, host))
      .rejects.toMatchObject({ code: 'bad-request', message: '3 USB devices, but the controller has 2 ports' });
    // A host that cannot open devices says so.
    await expect(recordElf(opts({ usb: ['virtual:cdc-acm'] }), (h) => w.create(h)))
      .rejects.toMatchObject({ code: 'bad-request', message: /cannot attach USB devices/ });
    expect(w.trace()).toBeNull();
  });
});
