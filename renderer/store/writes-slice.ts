// "Previous write" / "Next write" of an address range: the answer, and a jump to it.

import type { ResolvedRange, WriteAnswerDto } from '../../app/protocol/index.js';
import { host } from './host.js';
import type { SliceCreator } from './types.js';

export interface WriteQuery {
  readonly direction: 'previous' | 'next';
  readonly range: ResolvedRange;
  /** The position the question was asked at. */
  readonly at: number;
  readonly answer: WriteAnswerDto;
  /** What the user clicked (a variable's name), when the range came from a variable. */
  readonly label?: string;
}

export interface WritesSlice {
  writeQuery: WriteQuery | null;
  /** The range the Writes panel asks about (typed there, or picked in another panel). */
  writeExpr: string;
  setWriteExpr(expr: string): void;
  findWrite(expr: string, direction: 'previous' | 'next', label?: string): Promise<void>;
}

export const createWritesSlice: SliceCreator<WritesSlice> = (set, get) => ({
  writeQuery: null,
  writeExpr: '',
  setWriteExpr(expr) {
    set({ writeExpr: expr });
  },
  async findWrite(expr, direction, label) {
    try {
      set({ error: null, busy: { operation: `${direction} write`, done: 0, total: 1 } });
      const range = await host().call('resolve', { expr });
      const at = get().state?.icount ?? 0;
      const answer = await host().call(direction === 'previous' ? 'previousWrite' : 'nextWrite', { addr: range.addr, len: range.len, at });
      set({ writeQuery: { direction, range, at, answer, ...(label !== undefined ? { label } : {}) }, busy: null });
      if (answer.found) get().seekTo(answer.icount);
    } catch (e) {
      get().reportError(e);
    }
  },
});
