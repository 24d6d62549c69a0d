// The memory slice without a browser: reads coalesced while scrolling (one in flight, latest
// wins), the move's view carries the window, and what the highlighting may claim.

import { describe, expect, it } from 'vitest';
import type { MachineView, MemoryDto, ServiceName } from '../../app/protocol/index.js';
import type { HostBridge } from '../bridge/bridge.js';
import { setHost } from './host.js';
import { createHindsightStore } from './index.js';
import { memoryDiffKind } from './memory-slice.js';
import { viewRequest } from './view-request.js';

function state(icount: number): MachineView['state'] {
  return { icount, pc: 0x80000000, priv: 'M', registers: [{ name: 'zero', value: 0 }], csrs: [], waiting: false };
}
const bytes = (addr: number, len: number, v: number): MemoryDto => ({ addr, bytes: Array.from({ length: len }, () => v) });

/** A host whose reads answer only when the test says so. */
function fakeHost(): { bridge: HostBridge; reads: { addr: number; len: number }[]; answer(v?: number): Promise<void> } {
  const reads: { addr: number; len: number }[] = [];
  const waiting: ((v: number) => void)[] = [];
  const bridge = {
    call(method: ServiceName, params: { addr: number; len: number; expr?: string }) {
      if (method === 'resolve') return Promise.resolve({ addr: 0x80001234, len: 8, symbol: 'buf' });
      if (method !== 'readMemory') return Promise.reject(new Error(`unexpected ${method}`));
      reads.push({ addr: params.addr, len: params.len });
      return new Promise<MemoryDto>((resolve) => waiting.push((v) => resolve(bytes(params.addr, params.len, v))));
    },
    on: () => () => {},
    onStatus: () => () => {},
    hostName: 'fake',
    close() {},
  } as unknown as HostBridge;
  return {
    bridge, reads,
    async answer(v = 1) {
      waiting.shift()!(v);
      for (let i = 0; i < 8; i++) await Promise.resolve();
    },
  };
}

describe('memory slice', () => {
  it('keeps one read in flight while scrolling and reads only the latest window', async () => {
    const host = fakeHost();
    setHost(host.bridge);
    const store = createHindsightStore();
    store.setState({ state: state(7) });
    const s = store.getState();
    s.scrollMemory(1000, 20);
    s.scrollMemory(2000, 20);
    s.scrollMemory(3000, 20);
    s.scrollMemory(4000, 20);
    expect(host.reads).toEqual([{ addr: (1000 - 32) * 16, len: 84 * 16 }]);
    await host.answer();
    expect(host.reads.map((r) => r.addr)).toEqual([(1000 - 32) * 16, (4000 - 32) * 16]);
    await host.answer();
    expect(store.getState().memory?.addr).toBe((4000 - 32) * 16);
    expect(store.getState().memIcount).toBe(7);
    // Within the margin: no read.
    store.getState().scrollMemory(4010, 20);
    expect(host.reads).toHaveLength(2);
    // A move asks for the window on screen in its own request.
    expect(viewRequest(store.getState()).memory).toEqual({ addr: (4000 - 32) * 16, len: 84 * 16 });
  });

  it('scrolls a go-to (symbol+off) near the top and highlights it', async () => {
    const host = fakeHost();
    setHost(host.bridge);
    const store = createHindsightStore();
    store.setState({ state: state(1) });
    await store.getState().showMemory('buf+0x10');
    expect(store.getState().memTarget).toEqual({ addr: 0x80001244, len: 1, label: 'buf+0x10' });
    expect(store.getState().memTopRow).toBe(0x80001244 / 16 - 2 | 0);
    expect(host.reads).toHaveLength(1);
  });

  it('keeps the bytes of the position before a move, and says what a difference means', () => {
    const store = createHindsightStore();
    store.setState({ state: state(10) });
    store.getState().applyView({ state: state(10), memory: bytes(0x100, 16, 1) }, null);
    store.getState().applyView({ state: state(11), memory: bytes(0x100, 16, 2) }, null);
    expect(store.getState().prevMemory?.bytes[0]).toBe(1);
    expect(store.getState().prevMemIcount).toBe(10);
    expect(memoryDiffKind(10, 11)).toBe('written');
    // A new recording resets the bytes: no claim about a previous position survives it.
    store.setState({ state: null, memory: null, prevMemory: null });
    store.getState().applyView({ state: state(3), memory: bytes(0x100, 16, 2) }, null);
    expect(store.getState().prevMemIcount).toBeNull();
    expect(memoryDiffKind(11, 10)).toBe('changed');
    expect(memoryDiffKind(10, 500)).toBe('changed');
    expect(memoryDiffKind(null, 5)).toBeNull();
  });
});
