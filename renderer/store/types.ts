import type { StateCreator } from 'zustand';
import type { ConnectionSlice } from './connection-slice.js';
import type { PositionSlice } from './position-slice.js';
import type { MemorySlice } from './memory-slice.js';
import type { ConsoleSlice } from './console-slice.js';
import type { WritesSlice } from './writes-slice.js';
import type { BreakpointSlice } from './breakpoint-slice.js';

export type Store = ConnectionSlice & PositionSlice & MemorySlice & ConsoleSlice & WritesSlice & BreakpointSlice;
export type SliceCreator<T> = StateCreator<Store, [], [], T>;
