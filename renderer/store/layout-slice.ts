// Which tab each tabbed area of the window shows (the left column: Source or Disassembly).

import type { SliceCreator } from './types.js';

export type LeftTab = 'source' | 'disassembly';

export interface LayoutSlice {
  leftTab: LeftTab;
  setLeftTab(tab: LeftTab): void;
}

export const createLayoutSlice: SliceCreator<LayoutSlice> = (set) => ({
  leftTab: 'source',
  setLeftTab(tab) {
    set({ leftTab: tab });
  },
});
