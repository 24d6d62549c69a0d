// The memory slice without a browser: reads coalesced while scrolling (one in flight, latest
// wins), the move's view carries the window, and what the highlighting may claim.

import { describe, expect, it } from 'vitest';
import type { MachineView, MemoryDto, ServiceName } from '../../app/protocol/index.js';
import type { HostBridge } from '../bridge/bridge.js';
import { setHost } from './host.js';
import { createHindsightStore } from './index.js';
import { byteMark, memoryDiffKind, writerAt } from './memory-slice.js';
import { memorySelectors } from './selectors.js';
import { viewRequest } from './view-request.js';
import { fakeBridge } from '../bridge/testing/fake-bridge.js';

function state(icount: number): MachineView['state'] {
  return { icount, pc: 0x80000000, priv: 'M', registers: [{ name: 'zero', value: 0 }], csrs: [], waiting: false };
}
const bytes = (addr: number, len: number, v: number): MemoryDto => ({ addr, bytes: Array.from({ length: len }, () => v) });

/** A host whose reads answer only when the test says so. */
function fakeHost(): { bridge: HostBridge; reads: { addr: number; len: number }[]; answer(v?: number): Promise<void> } {
  const reads: { addr: number; len: number }[] = [];
  const waiting: ((v: number) => void)[] = [];
  const bridge = fakeBridge((method: ServiceName, params: { addr: number; len: number; expr?: string }) => {
    if (method === 'resolve') return Promise.resolve({ addr: 0x80001234, len: 8, symbol: 'buf' });
    if (method !== 'readMemory') return Promise.reject(new Error(`unexpected ${method}`));
    reads.push({ addr: params.addr, len: params.len });
    return new Promise<MemoryDto>((resolve) => waiting.push((v) => resolve(bytes(params.addr, params.len, v))));
  });
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
    // One position forward without the host naming writes (a seek): only "changed", by value.
    expect(memoryDiffKind(store.getState())).toBe('changed');
    expect(byteMark('changed', null, store.getState().memory, store.getState().prevMemory, 0x100)).toEqual({ kind: 'changed', writer: null, was: 1 });
    // A new recording resets the bytes: no claim about a previous position survives it.
    store.setState({ state: null, memory: null, prevMemory: null });
    store.getState().applyView({ state: state(3), memory: bytes(0x100, 16, 2) }, null);
    expect(store.getState().prevMemIcount).toBeNull();
    expect(memoryDiffKind(store.getState())).toBeNull();
  });

  it('after a step, highlights exactly the bytes the host says it wrote, unchanged values too', () => {
    const store = createHindsightStore();
    const mem = (v: number): MemoryDto => ({ addr: 0x100, bytes: Array.from({ length: 32 }, (_, i) => (i === 0x14 ? v : 7)) });
    store.getState().applyView({ state: state(10), memory: mem(1) }, null);
    // The store at 0x104 wrote the 7s already there; a DMA burst wrote 0x110..0x117 (one byte changed).
    const writes = [{ addr: 0x104, len: 4, writer: 'cpu' as const }, { addr: 0x110, len: 8, writer: 'dma' as const }];
    store.getState().applyView({ state: state(11), memory: mem(2), writes }, null);
    const s = store.getState();
    expect(memoryDiffKind(s)).toBe('written');
    expect(memorySelectors.writes(s)).toBe(writes);
    expect(memorySelectors.writers(s)).toBe('cpu+dma');
    const marked = (st: typeof s) => {
      const out: string[] = [];
      for (let a = 0x100; a < 0x120; a++) {
        const m = byteMark(memorySelectors.diffKind(st), memorySelectors.writes(st), st.memory, st.prevMemory, a);
        if (m) out.push(`${a.toString(16)}:${m.kind}:${m.writer}`);
      }
      return out;
    };
    expect(marked(s)).toEqual([
      '104:written:cpu', '105:written:cpu', '106:written:cpu', '107:written:cpu',
      ...[0x110, 0x111, 0x112, 0x113, 0x114, 0x115, 0x116, 0x117].map((a) => `${a.toString(16)}:written:dma`),
    ]);
    expect(byteMark('written', writes, s.memory, memorySelectors.before(s), 0x104)?.was).toBe(7); // unchanged, still written
    // The same position again (the scrubber settling, a refresh): the writes stay.
    store.getState().applyView({ state: state(11), memory: mem(2) }, null);
    expect(memoryDiffKind(store.getState())).toBe('written');
    // Any other move (step back): back to comparing values; only 0x114 differs.
    store.getState().applyView({ state: state(10), memory: mem(1) }, null);
    expect(memoryDiffKind(store.getState())).toBe('changed');
    expect(memorySelectors.writes(store.getState())).toBeNull();
    expect(marked(store.getState())).toEqual(['114:changed:null']);
    // A step that wrote no RAM: 'written', nothing highlighted.
    store.getState().applyView({ state: state(11), memory: mem(1), writes: [] }, null);
    expect(memoryDiffKind(store.getState())).toBe('written');
    expect(marked(store.getState())).toEqual([]);
    expect(memorySelectors.writers(store.getState())).toBe('');
  });

  it('names the writes once the memory of the step\'s position is read, not before', async () => {
    const host = fakeHost();
    setHost(host.bridge);
    const store = createHindsightStore();
    // No memory window yet: the step's view has no bytes; the writes wait for them.
    store.getState().applyView({ state: state(4) }, null);
    store.getState().applyView({ state: state(5), writes: [{ addr: 0x40, len: 1, writer: 'cpu' }] }, null);
    expect(memoryDiffKind(store.getState())).toBeNull();
    store.getState().scrollMemory(0, 4);
    await host.answer(9);
    expect(store.getState().memIcount).toBe(5);
    expect(memoryDiffKind(store.getState())).toBe('written');
    expect(writerAt(memorySelectors.writes(store.getState())!, 0x40)).toBe('cpu');
    expect(memorySelectors.before(store.getState())).toBeNull(); // no bytes of position 4: no "was"
    // A new recording forgets them.
    store.setState({ state: null, memory: null, prevMemory: null, memWrites: null });
    expect(memorySelectors.writes(store.getState())).toBeNull();
  });
});
