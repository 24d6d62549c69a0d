// Interactive recording through the session with the Node ports (SQLite scratch recordings, real
// device specs): start → type → stop → the recording replays with the same console output, byte for
// byte and position for position; a guest that exits on its own; a device that cannot be opened.

import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { EventData, EventName } from '../protocol/events.js';
import type { LiveRecordingDto } from '../protocol/recording-dto.js';
import { makeScratchDir, nodeSessionPorts } from '../node/serve/node-ports.js';
import { replayCommand } from '../node/commands/replay.js';
import { DebugSession } from './session.js';
import { SessionError } from './errors.js';

const HELLO = path.resolve('assets/firmware/elf/hello.elf');

interface Seen { console: string; progress: LiveRecordingDto[]; events: string[] }

function liveSession(): { session: DebugSession; seen: Seen } {
  const seen: Seen = { console: '', progress: [], events: [] };
  const session = new DebugSession(nodeSessionPorts(scratch.dir), <E extends EventName>(event: E, data: EventData<E>) => {
    seen.events.push(event);
    if (event === 'consoleOutput') {
      const d = data as EventData<'consoleOutput'>;
      // Chunks come in order and without gaps.
      expect(d.offset).toBe(seen.console.length);
      seen.console += d.chunk;
    }
    if (event === 'recordingProgress') seen.progress.push((data as EventData<'recordingProgress'>).recording);
  });
  return { session, seen };
}

async function until(what: string, ok: () => boolean, ms = 20_000): Promise<void> {
  for (let waited = 0; !ok(); waited += 10) {
    if (waited > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const last = (s: Seen): LiveRecordingDto | undefined => s.progress[s.progress.length - 1];
const scratch = makeScratchDir();
afterAll(() => scratch.remove());

describe('interactive recording in the session', () => {
  it('records the shell with a virtual disk while bytes are typed; Stop opens a recording that replays the same console', async () => {
    const { session, seen } = liveSession();
    const started = await session.handleAsync('startRecording', { usb: ['virtual:msc'] });
    expect(started).toMatchObject({ guestImageName: 'shell.elf', devices: ['virtual:msc'], state: 'running' });
    // Requests are taken while it runs; replay services say why they cannot answer.
    expect(() => session.handle('getState', { view: {} })).toThrow(/a recording is being made/);
    await until('the shell prompt', () => seen.console.endsWith('> ') && last(seen)?.state === 'waiting');
    expect(seen.console).toContain('usb 1: 1209:0003 class 08 "Hindsight Virtual Disk"');
    const promptAt = seen.console.length;
    expect(session.handle('sendSerial', { bytes: 'lsusb\r' })).toEqual({ queued: 6 });
    await until('the lsusb answer', () => /lsusb\n[\s\S]*> $/.test(seen.console.slice(promptAt)) && last(seen)?.state === 'waiting');
    expect(seen.console.slice(promptAt)).toMatch(/^lsusb\nohci at 0x10010000.*driver msc: interface 0.*2048 blocks of 512 bytes\n> $/s);
    const live = session.handle('liveRecording', { consoleFrom: 3 })!;
    expect(live.console).toBe(seen.console.slice(3));
    const waitedAt = last(seen)!.icount;

    const info = await session.handleAsync('stopRecording', {});
    expect(info).toMatchObject({ origin: 'recorded', endReason: 'stopped by the user', complete: true, end: waitedAt });
    expect(last(seen)).toMatchObject({ state: 'ended', endReason: 'stopped by the user', icount: waitedAt });
    expect(seen.events).toContain('recordingOpened');
    // The recording's console is the live one, and at any position a prefix of it.
    const all = session.handle('consoleText', { upTo: info.end, from: 0 });
    expect(all.chunk).toBe(seen.console);
    const mid = session.handle('seek', { icount: Math.floor(info.end / 2), view: { console: { from: 0 } } });
    expect(seen.console.startsWith(mid.view.console!.chunk)).toBe(true);
    expect(mid.view.console!.length).toBeLessThan(seen.console.length);
    // Replay without the device, checking every snapshot's state hash and every output byte (replay --verify).
    let replayed = '';
    const errors: string[] = [];
    const code = await replayCommand([info.path, '--verify'], {
      stdout: (d) => { replayed += typeof d === 'string' ? d : Buffer.from(d).toString('latin1'); },
      stderr: (t) => { errors.push(t); }, stdinTty: null,
    });
    expect(errors.join('')).toMatch(/verified \d+ snapshots, all identical/);
    expect(code).toBe(0);
    expect(replayed).toBe(seen.console);
    // Typing after the end is refused, clearly.
    expect(() => session.handle('sendSerial', { bytes: 'x' })).toThrow(/no recording is being made/);
    await session.shutdown();
  });

  it('ends and opens by itself when the guest exits', async () => {
    const { session, seen } = liveSession();
    await session.handleAsync('startRecording', { guest: HELLO, usb: [] });
    await until('the recording to open', () => seen.events.includes('recordingOpened'));
    const info = session.handle('recordingInfo', {})!;
    expect(info.endReason).toMatch(/guest exit code 0/);
    expect(last(seen)).toMatchObject({ state: 'ended', icount: info.end });
    expect(session.handle('consoleText', { upTo: info.end, from: 0 }).chunk).toBe(seen.console);
    expect(seen.console.length).toBeGreaterThan(0);
    await expect(session.handleAsync('stopRecording', {})).rejects.toThrow(/no recording is being made/);
    await session.shutdown();
  });

  it('stops a guest that runs flat out, within a slice', async () => {
    const { session, seen } = liveSession();
    await session.handleAsync('startRecording', { guest: path.resolve('assets/firmware/elf/workload-long.elf'), usb: [] });
    await until('progress', () => (last(seen)?.icount ?? 0) > 50_000_000);
    const info = await session.handleAsync('stopRecording', {});
    expect(info.endReason).toBe('stopped by the user');
    expect(info.end).toBeLessThan(last(seen)!.icount + (1 << 23));
    expect(info.end).toBe(last(seen)!.icount);
    await session.shutdown();
  });

  it('a device that cannot be opened fails the start, and what was open stays open', async () => {
    const { session } = liveSession();
    await session.handleAsync('startRecording', { guest: HELLO, usb: [] });
    await until('the first recording', () => session.handle('recordingInfo', {}) !== null);
    const before = session.handle('recordingInfo', {})!;
    const fail = (usb: string[]) => session.handleAsync('startRecording', { usb });
    await expect(fail(['virtual:msc', 'capture:/nonexistent.pcapng'])).rejects.toMatchObject({ code: 'device', message: expect.stringMatching(/^USB device capture:\/nonexistent.pcapng: cannot read/) });
    await expect(fail(['host:1234:5678'])).rejects.toMatchObject({ code: 'device', message: expect.stringMatching(/^USB device host:1234:5678: /) });
    await expect(fail(['virtual:floppy'])).rejects.toMatchObject({ code: 'device', message: expect.stringMatching(/unknown virtual device/) });
    await expect(fail(['virtual:msc', 'virtual:msc', 'virtual:msc'])).rejects.toMatchObject({ code: 'bad-request', message: expect.stringMatching(/3 USB devices, but the controller has 2 ports/) });
    await expect(session.handleAsync('startRecording', { usb: 'virtual:msc' as never })).rejects.toBeInstanceOf(SessionError);
    await expect(session.handleAsync('startRecording', { guest: '/nonexistent.elf', usb: [] })).rejects.toMatchObject({ code: 'bad-file' });
    expect(session.handle('recordingInfo', {})).toEqual(before);
    await session.shutdown();
  });

  it('lists the virtual devices and says why there are no real ones', async () => {
    const { session } = liveSession();
    const list = await session.handleAsync('listUsbDevices', {});
    expect(list.virtual.map((d) => d.spec)).toEqual(['virtual:hid-keyboard', 'virtual:cdc-acm', 'virtual:msc']);
    expect(list.ports).toBe(2);
    // This machine has no USB bus: no devices, and the reason in words (elsewhere: the devices).
    if (list.host.length === 0) expect(list.hostUnavailable).toMatch(/\w+/);
    else expect(list.hostUnavailable).toBeNull();
  });
});
