// The UI's state: one zustand store made of slices (one per concern), read through selectors.

import { create } from 'zustand';
import { createBreakpointSlice } from './breakpoint-slice.js';
import { createConnectionSlice } from './connection-slice.js';
import { createConsoleSlice } from './console-slice.js';
import { createMemorySlice } from './memory-slice.js';
import { createPositionSlice } from './position-slice.js';
import type { Store } from './types.js';
import { createWritesSlice } from './writes-slice.js';

export type { Store } from './types.js';
export { MEMORY_BYTES_PER_ROW } from './memory-slice.js';

/** A new store (the app has one, `useStore`; tests make their own). */
export const createHindsightStore = () => create<Store>()((...a) => ({
  ...createConnectionSlice(...a),
  ...createPositionSlice(...a),
  ...createMemorySlice(...a),
  ...createConsoleSlice(...a),
  ...createWritesSlice(...a),
  ...createBreakpointSlice(...a),
}));

export const useStore = createHindsightStore();
