// Events a host pushes to the UI, unasked.

import type { Icount, RecordingInfo } from './dto.js';
import type { ProtocolError } from './errors.js';
import type { GdbServerStatus } from './host-dto.js';
import type { LiveRecordingDto } from './recording-dto.js';

export interface HindsightEvents {
  /** The position changed (by any request, or by another client of the same host). */
  positionChanged: { readonly icount: Icount };
  /** A recording was opened (the UI reloads the timeline). */
  recordingOpened: { readonly info: RecordingInfo };
  /** A long operation's progress: `done` of `total` units (intervals, instructions). */
  progress: { readonly operation: string; readonly done: number; readonly total: number };
  /** Something went wrong outside any request (the engine host died, a background task failed). */
  error: { readonly error: ProtocolError };
  /** The host's gdb server started, stopped, or a gdb connected or left. */
  gdbServerChanged: { readonly status: GdbServerStatus };
  /** Serial output of the recording being made: bytes from byte `offset` (a binary string, one char code each). */
  consoleOutput: { readonly offset: number; readonly chunk: string };
  /** The recording being made moved on (its end grew), went to sleep or woke, or ended. */
  recordingProgress: { readonly recording: LiveRecordingDto };
}

export type EventName = keyof HindsightEvents;
export type EventData<E extends EventName> = HindsightEvents[E];
