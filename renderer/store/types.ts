import type { StateCreator } from 'zustand';
import type { ConnectionSlice } from './connection-slice.js';
import type { PositionSlice } from './position-slice.js';
import type { MemorySlice } from './memory-slice.js';
import type { ConsoleSlice } from './console-slice.js';
import type { WritesSlice } from './writes-slice.js';
import type { BreakpointSlice } from './breakpoint-slice.js';
import type { RecordingSlice } from './recording-slice.js';
import type { FilesSlice } from './files-slice.js';
import type { GdbSlice } from './gdb-slice.js';
import type { LayoutSlice } from './layout-slice.js';
import type { SourceSlice } from './source-slice.js';
import type { StackSlice } from './stack-slice.js';
import type { VariablesSlice } from './variables-slice.js';
import type { UsbSlice } from './usb-slice.js';
import type { TimelineViewSlice } from './timeline-view-slice.js';
import type { BookmarkSlice } from './bookmark-slice.js';
import type { ReplaySlice } from './replay-slice.js';

export type Store = RecordingSlice & ConnectionSlice & PositionSlice & MemorySlice & ConsoleSlice & WritesSlice & BreakpointSlice & FilesSlice & GdbSlice
  & LayoutSlice & SourceSlice & StackSlice & VariablesSlice & UsbSlice
  & TimelineViewSlice & BookmarkSlice & ReplaySlice;
export type SliceCreator<T> = StateCreator<Store, [], [], T>;
