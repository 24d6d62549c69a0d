// What the recorder's thread and the trace writer thread say to each other (threaded-trace-writer.ts
// and trace-writer-thread.ts).
//
//   recorder -> thread   batches of writer operations, in order, over the worker's port; page data
//                        travels as one buffer per snapshot
//   thread -> recorder   its state and progress in a small SharedArrayBuffer the recorder reads and
//                        waits on with Atomics.wait (the TraceWriter contract is synchronous: flush
//                        and close return when the work is done), and its error, if it fails, as a
//                        message on a port the recorder reads synchronously (receiveMessageOnPort)

import type { MessagePort } from 'node:worker_threads';
import type { TraceEnd } from '../../replay/trace/trace.js';
import type { NewTraceHeader, TraceWriterOptions } from './sqlite-trace-writer.js';

/** Int32 slots of the shared signal buffer. */
export const SIGNAL_STATE = 0;
/** Sequence number of the last batch the thread has finished with (applied, or skipped after a failure). */
export const SIGNAL_APPLIED = 1;
/** 1 once the thread has failed; its error is on the reply port. */
export const SIGNAL_FAILED = 2;
export const SIGNAL_SLOTS = 3;

export const STATE_STARTING = 0;
export const STATE_OPEN = 1;
/** The writer is closed (the file is complete): the thread ends. */
export const STATE_CLOSED = 2;
/** The thread ended without being closed (it crashed); its error, if it could say one, is on the reply port. */
export const STATE_EXITED = 3;

export interface WriterThreadData {
  readonly path: string;
  readonly header: NewTraceHeader;
  readonly options: TraceWriterOptions;
  readonly signals: SharedArrayBuffer;
  readonly replies: MessagePort;
}

/**
 * An event's data is bytes [at, at + len) of its batch's `eventData` (one buffer a batch: a USB
 * transfer's few bytes as an ArrayBuffer of their own cost more to post and collect than to write).
 */
export type WriterOp =
  | { readonly op: 'input'; readonly icount: number; readonly ticks: number; readonly kind: string; readonly at: number; readonly len: number }
  | { readonly op: 'derived'; readonly icount: number; readonly kind: string; readonly at: number; readonly len: number }
  | {
    readonly op: 'snapshot';
    /** The id the recorder's side gave it; the thread's writer must agree. */
    readonly id: number;
    readonly icount: number;
    readonly keyframe: boolean;
    readonly state: Uint8Array;
    /** Absent when the thread computes it (appendUnhashedSnapshot). */
    readonly stateHash?: string;
    readonly writeSummary: Uint8Array;
    readonly pageNumbers: Int32Array;
    /** End offset of each page's data in `pageData`. */
    readonly pageEnds: Int32Array;
    readonly pageData: Uint8Array;
  }
  | { readonly op: 'fold'; readonly id: number; readonly intoId: number; readonly mergedSummary: Uint8Array }
  | { readonly op: 'progress'; readonly icount: number }
  | { readonly op: 'end'; readonly end: TraceEnd }
  | { readonly op: 'flush' }
  | { readonly op: 'close' };

export interface WriterBatch {
  readonly seq: number;
  readonly ops: readonly WriterOp[];
  /** The data of the batch's input and derived events, back to back. */
  readonly eventData: Uint8Array;
}

/** An error as it crosses the thread boundary (Error objects lose their class in a message). */
export interface ThreadError {
  readonly name: string;
  readonly message: string;
  readonly code?: string;
}

export interface WriterReply { readonly kind: 'error'; readonly error: ThreadError }

export function toThreadError(e: unknown): ThreadError {
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    return { name: e.name, message: e.message, ...(typeof code === 'string' ? { code } : {}) };
  }
  return { name: 'Error', message: String(e) };
}
