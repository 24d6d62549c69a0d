// The store without a browser: seek coalescing (one in flight, latest wins) and the console prefix.

import { describe, expect, it } from 'vitest';
import type { MachineView, MoveResult, ServiceName } from '../../app/protocol/index.js';
import type { HostBridge } from '../bridge/bridge.js';
import { setHost } from './host.js';
import { createHindsightStore } from './index.js';
import { sourceSelectors } from './selectors.js';
import { scrubViewRequest, viewRequest } from './view-request.js';
import { fakeBridge } from '../bridge/testing/fake-bridge.js';

function view(icount: number): MachineView {
  return { state: { icount, pc: 0x80000000 + icount * 4, priv: 'M', registers: [{ name: 'zero', value: 0 }, { name: 'ra', value: icount }], csrs: [], waiting: false } };
}

/** A host whose seeks answer only when the test says so. */
function fakeHost(): { bridge: HostBridge; seeks: number[]; answer(): Promise<void> } {
  const seeks: number[] = [];
  const waiting: (() => void)[] = [];
  const bridge = fakeBridge((method: ServiceName, params: { icount: number }) => {
    if (method !== 'seek') return Promise.reject(new Error(`unexpected ${method}`));
    seeks.push(params.icount);
    return new Promise<MoveResult>((resolve) => waiting.push(() => resolve({ stop: { kind: 'position' }, view: view(params.icount) })));
  });
  return {
    bridge, seeks,
    async answer() {
      waiting.shift()!();
      for (let i = 0; i < 5; i++) await Promise.resolve();
    },
  };
}

describe('store', () => {
  it('keeps one seek in flight and sends only the latest target when it returns', async () => {
    const host = fakeHost();
    setHost(host.bridge);
    const store = createHindsightStore();
    store.setState({ info: { end: 1000 } as never });
    store.getState().seekTo(10);
    store.getState().seekTo(20);
    store.getState().seekTo(30);
    store.getState().seekTo(5000); // clamped to the end
    expect(host.seeks).toEqual([10]);
    expect(store.getState().pendingIcount).toBe(1000);
    await host.answer();
    expect(store.getState().state?.icount).toBe(10);
    expect(host.seeks).toEqual([10, 1000]);
    await host.answer();
    expect(store.getState().state?.icount).toBe(1000);
    expect(store.getState().pendingIcount).toBeNull();
    expect(store.getState().seekInFlight).toBe(false);
    // Registers changed since the position shown before are known.
    expect(store.getState().prevRegisters).toEqual([0, 10]);
  });

  it('fills in the whole view as soon as the scrubber is let go, not a settle time later', async () => {
    const calls: { method: ServiceName; view: unknown }[] = [];
    const waiting: (() => void)[] = [];
    setHost(fakeBridge((method: ServiceName, params: { icount?: number; view: unknown }) => {
      calls.push({ method, view: params.view });
      return new Promise((resolve) => waiting.push(() => resolve(method === 'seek' ? { stop: { kind: 'position' }, view: view(params.icount!) } : view(77))));
    }));
    const flush = async (): Promise<void> => { for (let i = 0; i < 5; i++) await Promise.resolve(); };
    const store = createHindsightStore();
    store.setState({ info: { end: 1000 } as never });
    store.getState().seekTo(10, { scrubbing: true });
    store.getState().seekTo(20, { scrubbing: true });
    waiting.shift()!(); await flush();
    // Still dragging: the seek to 20 runs, nothing else.
    expect(calls.map((c) => c.method)).toEqual(['seek', 'seek']);
    expect(calls[1]!.view).toEqual(scrubViewRequest(store.getState()));
    store.getState().scrubEnded();
    waiting.shift()!(); await flush();
    // Let go while the last seek was in flight: the whole view is asked for when it lands.
    expect(calls.map((c) => c.method)).toEqual(['seek', 'seek', 'getState']);
    expect(calls[2]!.view).toEqual(viewRequest(store.getState()));
    waiting.shift()!(); await flush();
    expect(store.getState().state?.icount).toBe(77);
    // Let go after the last seek landed: at once.
    store.getState().seekTo(30, { scrubbing: true });
    waiting.shift()!(); await flush();
    expect(calls.map((c) => c.method)).toEqual(['seek', 'seek', 'getState', 'seek']);
    store.getState().scrubEnded();
    expect(calls.map((c) => c.method)).toEqual(['seek', 'seek', 'getState', 'seek', 'getState']);
  });

  it('keeps the longest console prefix and shows as much as the position has', () => {
    const store = createHindsightStore();
    const s = store.getState();
    store.setState(s.consoleUpdate({ upTo: 100, length: 5, from: 0, chunk: 'hello' }));
    expect(store.getState().consoleLength).toBe(5);
    // Back: fewer bytes shown, nothing lost.
    store.setState(store.getState().consoleUpdate({ upTo: 50, length: 2, from: 2, chunk: '' }));
    expect(store.getState().consoleLength).toBe(2);
    expect(new TextDecoder().decode(store.getState().consoleBytes)).toBe('hello');
    // Forward past what we had: only the new bytes came.
    store.setState(store.getState().consoleUpdate({ upTo: 200, length: 8, from: 5, chunk: ' \xe9!' }));
    expect(Array.from(store.getState().consoleBytes.subarray(5))).toEqual([0x20, 0xe9, 0x21]);
    expect(store.getState().consoleLength).toBe(8);
  });

  it('leaves the source line at the last full view while scrubbing, and says it is behind', () => {
    const store = createHindsightStore();
    const at = (line: number) => ({ location: { file: 'usb.c', line, function: 'f' }, note: null });
    store.setState(store.getState().sourceViewUpdate({ ...view(10), source: at(5) } as MachineView, true));
    store.setState({ state: view(10).state });
    expect(sourceSelectors.sourceBehind(store.getState())).toBe(false);
    // A scrubbing move asks for no source line: the panel keeps line 5, behind position 20.
    expect(scrubViewRequest(store.getState()).source).toBeUndefined();
    expect(viewRequest(store.getState()).source).toBe(true);
    store.setState(store.getState().sourceViewUpdate(view(20), true));
    store.setState({ state: view(20).state });
    expect(store.getState().sourceAt?.location?.line).toBe(5);
    expect(sourceSelectors.sourceBehind(store.getState())).toBe(true);
    // The settle's full view catches up.
    store.setState(store.getState().sourceViewUpdate({ ...view(20), source: at(9) } as MachineView, false));
    expect(sourceSelectors.sourceBehind(store.getState())).toBe(false);
    expect(sourceSelectors.shown(store.getState())?.line).toBe(9);
  });
});
