// The memory panel's address and what it shows.

import type { MemoryDto } from '../../app/protocol/index.js';
import { host } from './host.js';
import type { SliceCreator } from './types.js';

export const MEMORY_ROWS = 16;
export const MEMORY_BYTES_PER_ROW = 16;

export interface MemorySlice {
  memAddr: number | null;
  memLen: number;
  memLabel: string | null;
  memory: MemoryDto | null;
  /** The same range at the position shown before (for "changed" highlighting), if it was read. */
  prevMemory: MemoryDto | null;
  showMemory(expr: string): Promise<void>;
  /** Shows the stack (from sp) once the first view has arrived, so the panel starts on real memory. */
  showStackOnce(): void;
}

export const createMemorySlice: SliceCreator<MemorySlice> = (set, get, api) => ({
  memAddr: null,
  memLen: MEMORY_ROWS * MEMORY_BYTES_PER_ROW,
  memLabel: null,
  memory: null,
  prevMemory: null,
  showStackOnce() {
    const unsubscribe = api.subscribe((s) => {
      const sp = s.state?.registers[2]?.value;
      if (sp === undefined) return;
      unsubscribe();
      if (get().memAddr === null) void get().showMemory(`0x${sp.toString(16)}`).then(() => set({ memLabel: 'sp' }));
    });
  },
  async showMemory(expr) {
    try {
      const r = await host().call('resolve', { expr });
      const addr = r.addr - (r.addr % MEMORY_BYTES_PER_ROW);
      set({ memAddr: addr, memLabel: r.symbol, memory: null, prevMemory: null, error: null });
      const memory = await host().call('readMemory', { addr, len: get().memLen });
      set({ memory });
    } catch (e) {
      get().reportError(e);
    }
  },
});
