// The UI's state: one zustand store made of slices (one per concern), read through selectors.

import { create } from 'zustand';
import { createBreakpointSlice } from './breakpoint-slice.js';
import { createConnectionSlice } from './connection-slice.js';
import { createConsoleSlice } from './console-slice.js';
import { createMemorySlice } from './memory-slice.js';
import { createPositionSlice } from './position-slice.js';
import type { Store } from './types.js';
import { createWritesSlice } from './writes-slice.js';
import { createRecordingSlice } from './recording-slice.js';
import { createFilesSlice } from './files-slice.js';
import { createGdbSlice } from './gdb-slice.js';
import { createLayoutSlice } from './layout-slice.js';
import { createSourceSlice } from './source-slice.js';
import { createStackSlice } from './stack-slice.js';
import { createVariablesSlice } from './variables-slice.js';
import { createUsbSlice } from './usb-slice.js';
import { createTimelineViewSlice } from './timeline-view-slice.js';
import { createBookmarkSlice } from './bookmark-slice.js';
import { createReplaySlice } from './replay-slice.js';

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
  ...createRecordingSlice(...a),
  ...createFilesSlice(...a),
  ...createGdbSlice(...a),
  ...createLayoutSlice(...a),
  ...createSourceSlice(...a),
  ...createStackSlice(...a),
  ...createVariablesSlice(...a),
  ...createUsbSlice(...a),
  ...createTimelineViewSlice(...a),
  ...createBookmarkSlice(...a),
  ...createReplaySlice(...a),
}));

export const useStore = createHindsightStore();
