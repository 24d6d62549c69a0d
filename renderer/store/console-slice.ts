// The serial console: the longest prefix of the guest's output seen so far, and how much of it
// the position shows. The output up to any position is a prefix of the whole output, so moving
// back shows less of what we have, and moving forward asks only for the bytes we lack.

import type { ConsoleDto } from '../../app/protocol/index.js';
import type { SliceCreator } from './types.js';

export interface ConsoleSlice {
  consoleBytes: Uint8Array;
  /** Bytes shown at the position: consoleBytes[0, consoleLength). */
  consoleLength: number;
  consoleUpdate(c: ConsoleDto): { consoleBytes: Uint8Array; consoleLength: number };
  resetConsole(): void;
}

export const createConsoleSlice: SliceCreator<ConsoleSlice> = (set, get) => ({
  consoleBytes: new Uint8Array(0),
  consoleLength: 0,
  consoleUpdate(c) {
    const known = get().consoleBytes;
    const end = c.from + c.chunk.length;
    if (end <= known.length) return { consoleBytes: known, consoleLength: c.length };
    const next = new Uint8Array(end);
    next.set(known.subarray(0, c.from));
    for (let i = 0; i < c.chunk.length; i++) next[c.from + i] = c.chunk.charCodeAt(i);
    return { consoleBytes: next, consoleLength: c.length };
  },
  resetConsole() {
    set({ consoleBytes: new Uint8Array(0), consoleLength: 0 });
  },
});
