// The USB transfer list and lane over real recordings of the sample shell with virtual devices:
// a mass-storage disk, a keyboard whose SET_PROTOCOL STALLs (as the Teensy's capture does), and a
// device that never answers (the driver's timeout withdraws the transfer). Recorded in-process
// the way `hindsight record --usb` does (RecordSession + UsbAttachments), into memory.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Machine } from '../engine/machine/machine.js';
import { TICKS_PER_MTIME } from '../engine/devices/clint.js';
import { uartRx } from '../replay/inputs/uart-rx.js';
import { RecordSession } from '../replay/sessions/record-session.js';
import { UsbAttachments } from '../replay/sessions/usb-attachments.js';
import { MemoryTrace } from '../replay/trace/memory-trace.js';
import { TRACE_FORMAT_VERSION, type TraceEnd } from '../replay/trace/trace.js';
import { DERIVED_USB_REQUEST, decodeUsbRequest } from '../replay/trace/derived-codecs.js';
import { HidKeyboard, MassStorage } from '../usb/virtual/index.js';
import type { UsbDeviceBackend } from '../usb/usb-backend.js';
import type { UsbTransferDto, UsbTransferPage } from '../protocol/usb-dto.js';
import { DebugSession } from './session.js';
import { mergeWrites } from './instruction-writes.js';
import { Timeline } from '../replay/timeline/timeline.js';
import { SessionError, toProtocolError } from './errors.js';

const SHELL = readFileSync('assets/firmware/elf/shell.elf');

/** A keyboard that STALLs SET_PROTOCOL (HID 7.2.6), like a device that does not know the request. */
function stallingSetProtocol(inner: HidKeyboard): UsbDeviceBackend {
  return {
    get identity() { return inner.identity; },
    submit: (t) => (t.setup?.bRequest === 0x0b && (t.setup.bmRequestType & 0x60) === 0x20
      ? Promise.resolve({ status: 'stall', data: new Uint8Array(0), actualLength: 0 })
      : inner.submit(t)),
    reset: () => inner.reset(),
    cancelAll: () => inner.cancelAll(),
    ...(inner.cancel ? { cancel: (t) => inner.cancel!(t) } : {}),
    close: () => inner.close(),
    onDisconnect: null,
  } as UsbDeviceBackend;
}

/** A device that never answers anything. */
const silent: UsbDeviceBackend = {
  identity: { spec: 'test:silent', speed: 'full', vendorId: 0, productId: 0 },
  submit: () => new Promise(() => {}),
  reset: async () => {},
  cancelAll: () => {},
  close: async () => {},
  onDisconnect: null,
};

/** Records the shell with `devices` on ports 1.. and `input` typed, into memory, as `record --usb` does. */
async function record(devices: readonly UsbDeviceBackend[], input: string): Promise<MemoryTrace> {
  const machine = Machine.create({ image: { bytes: SHELL, path: 'shell.elf' } });
  const trace = new MemoryTrace({
    formatVersion: TRACE_FORMAT_VERSION, createdBy: 'hindsight-test', guestImageSha256: 'test', guestImage: SHELL, guestImageName: 'shell.elf',
    machine: { board: 'virt', ramSize: machine.bus.ramSize, ticksPerMtime: TICKS_PER_MTIME }, snapshotInterval: 200_000,
  });
  const session = new RecordSession(machine, trace, { interval: 200_000 });
  const usb = new UsbAttachments(machine, session.inputs, (e) => session.recordDerived(e));
  devices.forEach((d, i) => usb.attach(i + 1, d));
  for (const c of input) session.inputs.offer(uartRx, c.charCodeAt(0));
  let reason: TraceEnd['reason'] | null = null;
  for (let slices = 0; !reason; slices++) {
    if (slices > 5000) throw new Error('the guest did not finish');
    const r = session.run(1 << 20);
    if (r.kind === 'exit') reason = { kind: 'exit', code: r.code, source: r.source };
    // Waiting with nothing to type: only a device answer can wake it (a silent device never does).
    else if (r.kind === 'idle' && session.inputs.pending === 0 && usb.pending === 0) reason = { kind: 'idle' };
    else if (r.kind === 'idle' && session.inputs.pending === 0) await Promise.race([usb.anyAnswer(), new Promise((res) => setTimeout(res, 20))]);
    else await new Promise((res) => setImmediate(res));
  }
  session.finish(reason);
  await usb.close();
  return trace;
}

function openIn(trace: MemoryTrace): DebugSession {
  const s = new DebugSession({
    createdBy: 'hindsight-test',
    openTrace: (path) => { if (path !== 'mem:usb') throw new SessionError('bad-file', path); return trace; },
    readFile: () => { throw new Error('not used'); },
    scratchRecording: () => { throw new Error('not used'); },
    copyRecording: () => { throw new Error('not used'); },
  } as ConstructorParameters<typeof DebugSession>[0]);
  s.openRecording('mem:usb');
  return s;
}

const all = (s: DebugSession, extra: Record<string, unknown> = {}): UsbTransferPage =>
  s.handle('usbTransfers', { limit: 500, ...extra });

describe('USB transfers of a recording with a disk and a keyboard that stalls SET_PROTOCOL', async () => {
  const trace = await record([new MassStorage(), stallingSetProtocol(new HidKeyboard())], 'lsusb\nread 0\npoweroff\n');
  const session = openIn(trace);
  const page = all(session);
  const list = page.transfers;
  const find = (re: RegExp): UsbTransferDto => {
    const t = list.find((x) => re.test(x.request));
    if (!t) throw new Error(`no transfer ${re}; have:\n${list.map((x) => x.request).join('\n')}`);
    return t;
  };

  it('lists every request of the recording, in issue order, with its outcome', () => {
    const requests = trace.derived(0, Number.MAX_SAFE_INTEGER, DERIVED_USB_REQUEST).map((e) => ({ icount: e.icount, ...decodeUsbRequest(e.data) }));
    expect(page.recorded).toBe(requests.length);
    expect(page.total).toBe(requests.length);
    expect(list.map((t) => t.id)).toEqual(requests.map((r) => r.id));
    expect(list.map((t) => t.icount)).toEqual(requests.map((r) => r.icount));
    expect(list.map((t) => t.number)).toEqual(list.map((_, i) => i));
    for (const t of list) if (t.endIcount !== null) expect(t.endIcount).toBeGreaterThanOrEqual(t.icount);
  });

  it('decodes enumeration requests per port', () => {
    const first = list[0]!;
    expect(first).toMatchObject({ port: 1, address: 0, endpoint: 0, kind: 'control', dirIn: true, request: 'GET_DESCRIPTOR(DEVICE, 0, 8)', status: 'ok', length: 8, actualLength: 8 });
    expect(first.setup).toBe('8006000100000800');
    expect(first.data).toMatchObject({ direction: 'in', length: 8, truncated: false });
    expect(first.data.hex.slice(0, 4)).toBe('1201'); // bLength 18, DEVICE
    expect(find(/^SET_ADDRESS\(1\)$/)).toMatchObject({ port: 1, address: 0, status: 'ok', data: { direction: 'none' } });
    expect(find(/^SET_ADDRESS\(2\)$/)).toMatchObject({ port: 2, address: 0 });
    const cfg = list.find((t) => t.port === 1 && t.request === 'GET_DESCRIPTOR(CONFIGURATION, 0, 9)')!;
    expect(cfg).toMatchObject({ address: 1, status: 'ok', actualLength: 9, endpointKey: '1:1:0x00' });
    expect(find(/^MSC GET_MAX_LUN\(interface 0\)$/).port).toBe(1);
  });

  it('shows the STALL of the keyboard\'s SET_PROTOCOL, decoded with its interface class', () => {
    const stall = find(/^HID SET_PROTOCOL/);
    expect(stall).toMatchObject({ port: 2, kind: 'control', status: 'stall', actualLength: 0 });
    expect(stall.endIcount).not.toBeNull();
    const stalls = all(session, { filter: { status: ['stall'] } });
    expect(stalls.transfers.map((t) => t.number)).toEqual(list.filter((t) => t.status === 'stall').map((t) => t.number));
    expect(stalls.total).toBeGreaterThanOrEqual(1);
    expect(stalls.transfers.some((t) => t.number === stall.number)).toBe(true);
    // The lane shows it, coloured by its status.
    const summary = session.handle('timelineSummary', {});
    expect(summary.usb.find((m) => m.number === stall.number)).toMatchObject({ status: 'stall', icount: stall.icount });
    expect(summary.usb.length).toBe(list.length);
    expect(summary.truncated.usb).toBe(false);
  });

  it('decodes the mass-storage wrappers and keeps OUT and IN bytes', () => {
    const read = find(/^CBW \d+: READ\(10\) LBA 0, 1 blocks, 512 bytes IN$/);
    expect(read).toMatchObject({ kind: 'bulk', dirIn: false, length: 31, status: 'ok', endpointKey: '1:1:0x02' });
    expect(read.data).toMatchObject({ direction: 'out', length: 31, truncated: false });
    expect(read.data.hex.slice(0, 8)).toBe('55534243'); // "USBC"
    const block = list[read.number + 1]!;
    expect(block).toMatchObject({ kind: 'bulk', dirIn: true, request: 'bulk IN, 512 bytes', actualLength: 512, endpointKey: '1:1:0x81' });
    expect(block.data).toMatchObject({ direction: 'in', length: 512, truncated: true });
    expect(block.data.hex).toHaveLength(64); // 32 bytes by default
    expect(block.data.hex.slice(0, 6)).toBe('eb3c90'); // the disk's boot sector
    const full = session.handle('usbTransfer', { number: block.number });
    expect(full.data.hex).toHaveLength(1024);
    expect(full.data.hex.slice(-4)).toBe('55aa');
    expect(list[read.number + 2]!.request).toMatch(/^CSW \d+: passed, residue 0$/);
  });

  it('names the bytes a step wrote by DMA (the disk\'s block landing), apart from the CPU\'s', () => {
    const block = list[find(/^CBW \d+: READ\(10\) LBA 0, 1 blocks, 512 bytes IN$/).number + 1]!;
    // Brute force, independent of the session: every write from the block's request on, with its position.
    const tl = new Timeline(trace);
    const hits: { icount: number; addr: number; len: number; writer: 'cpu' | 'dma' }[] = [];
    tl.seek(block.icount);
    tl.machine.setWatchpoints([{ addr: tl.machine.bus.ramBase, len: tl.machine.bus.ramSize, kind: 'write' }], (h) => {
      hits.push({ icount: h.icount, addr: h.addr, len: h.len, writer: h.writer });
      return 'continue';
    });
    try {
      tl.replayTo(Math.min(tl.end, (block.endIcount ?? block.icount) + 10));
    } finally {
      tl.machine.setWatchpoints([]);
    }
    const dma = hits.find((h) => h.writer === 'dma' && h.len === 512);
    expect(dma).toBeDefined();
    const at = dma!.icount;
    session.handle('seek', { icount: at, view: {} });
    const step = session.handle('step', { view: { memory: { addr: dma!.addr, len: 4 } } });
    expect(step.view.writes).toEqual(mergeWrites(hits.filter((h) => h.icount === at).map(({ addr, len, writer }) => ({ addr, len, writer }))));
    expect(step.view.writes).toContainEqual({ addr: dma!.addr, len: 512, writer: 'dma' });
    expect(step.view.memory!.bytes.slice(0, 3)).toEqual([0xeb, 0x3c, 0x90]); // the boot sector
  });

  it('pages over a window and a filter, and says which row is current at a position', () => {
    const mid = list[Math.floor(list.length / 2)]!;
    const from = list[5]!.icount, to = mid.icount;
    const inWindow = list.filter((t) => t.icount >= from && t.icount < to);
    const window = all(session, { filter: { from, to } });
    expect(window.transfers.map((t) => t.number)).toEqual(inWindow.map((t) => t.number));
    // Page through it three at a time: the same rows.
    const paged: number[] = [];
    for (let start = 0; start < window.total; start += 3) {
      const p = session.handle('usbTransfers', { filter: { from, to }, start, limit: 3 });
      expect(p.start).toBe(start);
      paged.push(...p.transfers.map((t) => t.number));
    }
    expect(paged).toEqual(inWindow.map((t) => t.number));
    // One endpoint only.
    const ep = page.endpoints.find((e) => e.key === '1:1:0x81')!;
    expect(ep).toMatchObject({ port: 1, address: 1, endpointAddress: 0x81, kind: 'bulk' });
    const bulkIn = all(session, { filter: { endpoint: ep.key } });
    expect(bulkIn.total).toBe(ep.transfers);
    expect(bulkIn.transfers.every((t) => t.endpointKey === ep.key && t.dirIn && t.kind === 'bulk')).toBe(true);
    // The current row: the last transfer issued at or before the position.
    const at = session.handle('usbTransfers', { limit: 0, at: mid.icount });
    expect(at.transfers).toEqual([]);
    const last = list.filter((t) => t.icount <= mid.icount).pop()!;
    expect(at.at).toEqual({ row: last.number, number: last.number });
    expect(session.handle('usbTransfers', { limit: 0, at: 0 }).at).toBeNull();
    // Locate a transfer in a filtered list, or learn that the filter hides it.
    const located = session.handle('usbTransfers', { filter: { endpoint: ep.key }, limit: 0, locate: block(list, ep.key).number });
    expect(located.located).toBe(bulkIn.transfers.findIndex((t) => t.number === block(list, ep.key).number));
    expect(session.handle('usbTransfers', { filter: { endpoint: ep.key }, limit: 0, locate: 0 }).located).toBeNull();
  });

  it('answers bad params with clear errors', () => {
    const err = (params: unknown): string => {
      try { session.handle('usbTransfers', params as never); return 'none'; } catch (e) { return `${toProtocolError(e).code}: ${toProtocolError(e).message}`; }
    };
    expect(err({ limit: 501 })).toMatch(/^bad-request: limit/);
    expect(err({})).toMatch(/^bad-request: limit/);
    expect(err({ limit: 5, filter: { status: ['nak'] } })).toMatch(/^bad-request: filter.status/);
    expect(err({ limit: 5, filter: { endpoint: '9:9:0x81' } })).toMatch(/no endpoint "9:9:0x81"/);
    expect(() => session.handle('usbTransfer', { number: list.length })).toThrow(/has \d+ USB transfers/);
  });
});

function block(list: readonly UsbTransferDto[], key: string): UsbTransferDto {
  return list.filter((t) => t.endpointKey === key)[1]!;
}

describe('USB transfers of a recording with a device that never answers', async () => {
  const trace = await record([silent], 'lsusb\npoweroff\n');
  const session = openIn(trace);

  it('says the driver withdrew the unanswered transfers, and keeps the position', () => {
    session.handle('seek', { icount: 1000, view: {} });
    const p = session.handle('usbTransfers', { limit: 100 });
    expect(p.total).toBeGreaterThan(0);
    expect(p.transfers[0]).toMatchObject({ port: 1, request: 'GET_DESCRIPTOR(DEVICE, 0, 8)', status: 'cancelled', endIcount: null, actualLength: null });
    expect(p.transfers.every((t) => t.status === 'cancelled' || t.status === 'pending')).toBe(true);
    expect(session.handle('getState', { view: {} }).state.icount).toBe(1000);
  });
});
