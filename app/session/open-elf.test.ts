// openElf through the session with the Node ports (SQLite scratch recordings, the CLI's device
// specs): the ELF is recorded in the shared record loop with USB devices attached, the recording
// opens with its transfers; bad specs and devices that cannot be opened are clear errors that keep
// what was open; cancel ends it (also through a host); the default open (serve, npm start)
// attaches the virtual CDC-ACM device and ends by itself in a few seconds.

import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RecordingInfo } from '../protocol/dto.js';
import { makeScratchDir, nodeSessionPorts } from '../node/serve/node-ports.js';
import { defaultOpenRequest } from '../node/serve/default-open.js';
import { InlineSessionHost } from '../node/serve/session-host.js';
import { DebugSession } from './session.js';
import { toProtocolError } from './errors.js';

const SHELL = path.resolve('assets/firmware/elf/shell.elf');
const HELLO = path.resolve('assets/firmware/elf/hello.elf');
const LONG = path.resolve('assets/firmware/elf/workload-long.elf');
const scratch = makeScratchDir();
afterAll(() => scratch.remove());

const errorOf = async (p: Promise<unknown>): Promise<{ code: string; message: string }> => {
  try {
    await p;
  } catch (e) {
    return toProtocolError(e);
  }
  throw new Error('expected a failure');
};

describe('openElf with USB devices', () => {
  it('the default open: the sample shell with its demo input and the virtual CDC-ACM device, with USB transfers', async () => {
    const req = defaultOpenRequest();
    expect(req.params.usb).toEqual(['virtual:cdc-acm']);
    const session = new DebugSession(nodeSessionPorts(scratch.dir));
    const started = Date.now();
    const info = await session.handleAsync(req.method, req.params);
    // It ends by itself (the demo powers off), quickly.
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(info).toMatchObject({ guestImageName: 'shell.elf', origin: 'recorded', complete: true });
    expect(info.endReason).toMatch(/guest exit code 0/);
    // The shell enumerated the device and echoed through it.
    const text = session.handle('consoleText', { upTo: info.end, from: 0 }).chunk;
    expect(text).toContain('usb 1: 1209:0002 class 02 "Hindsight Virtual Serial"');
    expect(text).toContain('cdc: Hello from the guest');
    // The USB panel's list and the timeline's USB lane have them.
    const page = session.handle('usbTransfers', { limit: 10 });
    expect(page.recorded).toBeGreaterThan(10);
    expect(page.transfers.length).toBe(10);
    expect(session.handle('timelineSummary', {}).usb.length).toBeGreaterThan(0);
    await session.shutdown();
  });

  it('says clearly when a spec is bad or a device cannot be opened, and keeps what was open', async () => {
    const session = new DebugSession(nodeSessionPorts(scratch.dir));
    const first = await session.handleAsync('openElf', { path: HELLO });
    const bad = await errorOf(session.handleAsync('openElf', { path: SHELL, usb: ['virtual:nope'] }));
    expect(bad.code).toBe('device');
    expect(bad.message).toMatch(/^USB device virtual:nope: /);
    const unknown = await errorOf(session.handleAsync('openElf', { path: SHELL, usb: ['bogus'] }));
    expect(unknown).toMatchObject({ code: 'device', message: expect.stringMatching(/^USB device bogus: unknown device/) as unknown as string });
    const missing = await errorOf(session.handleAsync('openElf', { path: SHELL, usb: ['capture:/nonexistent/x.pcapng'] }));
    expect(missing).toMatchObject({ code: 'device', message: 'USB device capture:/nonexistent/x.pcapng: cannot read /nonexistent/x.pcapng: no such file' });
    for (const usb of ['virtual:cdc-acm', [1], [''], ['virtual:cdc-acm', '  ']]) {
      expect(await errorOf(session.handleAsync('openElf', { path: SHELL, usb: usb as never }))).toEqual({ code: 'bad-request', message: 'usb: expected a list of device specs (strings)' });
    }
    expect(await errorOf(session.handleAsync('openElf', { path: SHELL, usb: ['virtual:cdc-acm', 'virtual:msc', 'virtual:hid-keyboard'] })))
      .toEqual({ code: 'bad-request', message: '3 USB devices, but the controller has 2 ports' });
    expect(session.handle('recordingInfo', {})).toEqual(first);
    // openElf answers later: a host that calls handle for it is told so.
    expect(() => session.handle('openElf', { path: SHELL })).toThrow(/answers later/);
    await session.shutdown();
  });

  it('is cancelled by the signal; meanwhile other requests are answered and other opens refused', async () => {
    const events: string[] = [];
    const session = new DebugSession(nodeSessionPorts(scratch.dir), (e) => events.push(e));
    const first = await session.handleAsync('openElf', { path: HELLO });
    let aborted = false;
    let progress = 0;
    const long = session.handleAsync('openElf', { path: LONG, maxInsns: 2_000_000_000 }, {
      signal: { get aborted() { return aborted; } }, onProgress: () => { progress++; },
    });
    for (let waited = 0; progress < 2 && waited < 20_000; waited += 10) await new Promise((r) => setTimeout(r, 10));
    expect(progress).toBeGreaterThanOrEqual(2);
    expect(events).toContain('progress');
    // The run yields between slices: what is open answers, and nothing else opens meanwhile.
    expect(session.handle('recordingInfo', {})).toEqual(first);
    expect(await errorOf(session.handleAsync('openElf', { path: SHELL }))).toMatchObject({ code: 'bad-request', message: /an ELF is being recorded/ });
    expect(await errorOf(Promise.resolve().then(() => session.handle('openRecording', { path: first.path })))).toMatchObject({ code: 'bad-request' });
    expect(await errorOf(session.handleAsync('startRecording', { usb: [] }))).toMatchObject({ code: 'bad-request', message: /an ELF is being recorded/ });
    aborted = true;
    expect(await errorOf(long)).toEqual({ code: 'cancelled', message: 'cancelled' });
    expect(session.handle('recordingInfo', {})).toEqual(first);
    // ... and then opens work again.
    expect((await session.handleAsync('openElf', { path: HELLO })).guestImageName).toBe('hello.elf');
    await session.shutdown();
  });

  it('is cancelled through a host (the request stays the one cancel reaches while it runs)', async () => {
    const host = new InlineSessionHost(scratch.dir);
    let progressed = false;
    host.onEvent((e) => { if (e === 'progress') progressed = true; });
    const long = host.request('openElf', { path: LONG, maxInsns: 2_000_000_000, usb: ['virtual:cdc-acm'] });
    for (let waited = 0; !progressed && waited < 20_000; waited += 10) await new Promise((r) => setTimeout(r, 10));
    expect(progressed).toBe(true);
    // Answered while openElf runs.
    expect(await host.request('recordingInfo', {})).toEqual({ ok: true, result: null });
    expect(host.cancel()).toBe(true);
    expect(await long).toEqual({ ok: false, error: { code: 'cancelled', message: 'cancelled' } });
    const opened = await host.request('openElf', { path: SHELL, serialInput: 'echo hi\n', usb: ['virtual:cdc-acm'] });
    expect(opened.ok && (opened.result as RecordingInfo).endReason).toMatch(/guest waiting for input/);
    await host.close();
  });

  it('a host closing while openElf runs ends it', async () => {
    const session = new DebugSession(nodeSessionPorts(scratch.dir));
    const long = session.handleAsync('openElf', { path: LONG, maxInsns: 2_000_000_000 });
    await new Promise((r) => setTimeout(r, 100));
    await session.shutdown();
    expect(await errorOf(long)).toMatchObject({ code: 'cancelled' });
  });
});
