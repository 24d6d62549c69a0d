// The recording slice without a browser: a failed Record keeps what was open and says why; a live
// recording's output streams into the console; keystrokes reach the host in order, as UTF-8 bytes,
// coalesced while one send is in flight; the end hands over to the opened recording.

import { describe, expect, it } from 'vitest';
import type { LiveRecordingDto, RecordingInfo, ServiceName } from '../../app/protocol/index.js';
import { BridgeError } from '../bridge/bridge.js';
import { setHost } from './host.js';
import { createHindsightStore } from './index.js';
import { fakeBridge } from '../bridge/testing/fake-bridge.js';

const LIVE: LiveRecordingDto = { guestImageName: 'shell.elf', devices: ['virtual:msc'], icount: 0, state: 'running', consoleLength: 0, maxInsns: null, endReason: null };

function fakeHost(answer: (method: ServiceName, params: Record<string, unknown>) => Promise<unknown>) {
  const listeners = new Map<string, (d: unknown) => void>();
  const calls: [ServiceName, Record<string, unknown>][] = [];
  const bridge = fakeBridge((method: ServiceName, params: Record<string, unknown>) => {
    calls.push([method, params]);
    return answer(method, params);
  }, (event, l) => { listeners.set(event, l); return () => {}; });
  return { bridge, calls, fire: (event: string, data: unknown) => listeners.get(event)!(data) };
}

const tick = async (): Promise<void> => { for (let i = 0; i < 10; i++) await Promise.resolve(); };

describe('recording slice', () => {
  it('a device that cannot be opened: the dialog says why, and what was open stays', async () => {
    const host = fakeHost(async (m) => {
      if (m === 'startRecording') throw new BridgeError({ code: 'device', message: 'USB device host:1234:5678: no USB device 1234:5678 is connected' });
      return null;
    });
    setHost(host.bridge);
    const store = createHindsightStore();
    const info = { end: 100, path: '/r.hsrec' } as RecordingInfo;
    store.setState({ info, recordDialogOpen: true });
    expect(await store.getState().startRecording(null, ['host:1234:5678'])).toBe(false);
    expect(store.getState()).toMatchObject({ info, live: null, recordDialogOpen: true, recordingAction: null, recordError: 'USB device host:1234:5678: no USB device 1234:5678 is connected' });
  });

  it('streams the output, sends keystrokes in order as UTF-8, and hands over at the end', async () => {
    const sends: string[] = [];
    let release: () => void = () => {};
    const host = fakeHost(async (m, p) => {
      if (m === 'liveRecording') return null;
      if (m === 'startRecording') return LIVE;
      if (m === 'sendSerial') {
        sends.push(p.bytes as string);
        await new Promise<void>((r) => { release = r; });
        return { queued: (p.bytes as string).length };
      }
      return null;
    });
    setHost(host.bridge);
    const store = createHindsightStore();
    await store.getState().watchRecording(host.bridge);
    store.setState({ info: { end: 100 } as RecordingInfo, consoleBytes: new TextEncoder().encode('old'), consoleLength: 3, recordDialogOpen: true });
    expect(await store.getState().startRecording('/fw.elf', ['virtual:msc'])).toBe(true);
    expect(host.calls.find(([m]) => m === 'startRecording')![1]).toEqual({ guest: '/fw.elf', usb: ['virtual:msc'] });
    expect(store.getState()).toMatchObject({ info: null, summary: null, state: null, live: LIVE, recordDialogOpen: false, consoleLength: 0 });

    host.fire('consoleOutput', { offset: 0, chunk: '> ' });
    host.fire('consoleOutput', { offset: 2, chunk: 'h\xc3\xa9' });
    expect(new TextDecoder().decode(store.getState().consoleBytes)).toBe('> hé');
    expect(store.getState().consoleLength).toBe(5);

    store.getState().sendSerial('l');
    store.getState().sendSerial('s');
    store.getState().sendSerial('é\r');
    await tick();
    expect(sends).toEqual(['l']); // one in flight; the rest waits and goes together
    release();
    await tick();
    expect(sends).toEqual(['l', 's\xc3\xa9\r']);
    release();
    await tick();

    host.fire('recordingProgress', { recording: { ...LIVE, icount: 500, state: 'waiting' } });
    expect(store.getState().live?.icount).toBe(500);
    host.fire('recordingProgress', { recording: { ...LIVE, icount: 600, state: 'ended', endReason: 'stopped by the user' } });
    expect(store.getState().live).toBeNull();
    // Typing after the end goes nowhere.
    store.getState().sendSerial('x');
    await tick();
    expect(sends).toHaveLength(2);
  });
});
