// The call stack at the position and the selected frame (the Variables panel and the Source
// panel follow it). Moves answer with the stack and frame 0's variables; selecting another frame
// asks for that frame's variables.

import type { StackDto } from '../../app/protocol/index.js';
import { host } from './host.js';
import type { SliceCreator } from './types.js';
import { viewRequest } from './view-request.js';

export interface StackSlice {
  stack: StackDto | null;
  /** The position `stack` (and the variables) are of: behind `state.icount` while scrubbing. */
  stackAt: number | null;
  selectedFrame: number;
  selectFrame(index: number): Promise<void>;
  /** Goes to `icount` and selects frame `frame` there (a DMA write's request: the driver asking). */
  goToFrame(icount: number, frame: number): Promise<void>;
}

export const createStackSlice: SliceCreator<StackSlice> = (set, get) => ({
  stack: null,
  stackAt: null,
  selectedFrame: 0,

  async selectFrame(index) {
    // Locals are named by frame (f:FRAME:INDEX): another frame's expansions do not apply.
    const kept = Object.fromEntries(Object.entries(get().expandedVariables).filter(([k]) => k.startsWith('g:')));
    set({ selectedFrame: index, sourceShown: null, expandedVariables: kept });
    try {
      const variables = await host().call('variables', { frame: index });
      // Only if nothing moved meanwhile (the answer is about this frame at this position).
      if (get().selectedFrame === index) set({ variables });
    } catch (e) {
      get().reportError(e, `Cannot read the variables of frame ${index}`);
    }
  },

  async goToFrame(icount, frame) {
    get().stopReplay('moved');
    try {
      const r = await host().call('seek', { icount, view: viewRequest(get()) });
      get().applyView(r.view, r.stop);
      set({ leftTab: 'source' });
      await get().selectFrame(frame);
    } catch (e) {
      get().reportError(e);
    }
  },
});
