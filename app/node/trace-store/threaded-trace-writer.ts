// The recorder's TraceWriter when SQLite runs on another thread: the calls are checked and queued
// here, on the recorder's (the guest's) thread, and a worker thread (trace-writer-thread.ts) does
// the inserts, commits and WAL checkpoints on the second core.
//
// Why: on workload-long.elf (2.17 G instructions, ~250 MB of snapshot pages) the in-thread writer
// cost the recorder's thread ~1.4 s of its ~5.3-6 s, mostly COMMITs (each writes whole 64 KiB SQLite
// pages into the WAL) and the fsyncs of WAL checkpoints; `record` was 28-57 % slower than `run`
// (load 0.3-1). The guest's thread now copies the pages, posts them and waits for nothing but
// flush and close; the thread also computes the snapshots' state hashes (appendUnhashedSnapshot).
// Measured with the other RecordSession savings: record 5-12 % slower than run at load ~1.
//
// Batching: operations are posted in batches (every POST_INTERVAL_MS, or POST_BYTES of data, or at
// once for setEnd, flush and close); a snapshot's pages travel as one buffer: shared with the
// thread when RecordSession made it a SharedArrayBuffer (no copy at all), else copied by
// postMessage. Never transferred: detaching an ArrayBuffer in the guest's isolate costs the engine
// ~12 % for the rest of the process (measured: 4.02 s -> 4.53 s on workload-long.elf with one 1 MB
// buffer transferred every 12 M instructions, while copying the same buffers cost nothing
// measurable; V8 then has to check typed arrays for detachment in optimized code).
//
// Durability (SIGKILL or a crash loses at most ~1 s): a batch is posted at most POST_INTERVAL_MS
// after its first operation; the thread applies batches in order and its SQLite writer commits
// about every 250 ms; and the recorder never runs more than MAX_LAG_MS ahead of the thread: when
// the oldest batch the thread has not finished is older than that (a slow disk, a busy second
// core), or more than MAX_IN_FLIGHT_BYTES are queued, the recorder waits. So the open window is
// ~POST_INTERVAL_MS + MAX_LAG_MS + 250 ms. Progress marks keep their meaning: a mark is applied
// after every input appended before it, in the same or a later transaction.
//
// Errors: the thread's writer stops at its first error (as the in-thread writer does); the next
// call here throws it, with its message ("<file>: cannot write the recording (...): ..."); close()
// throws it if no call has yet. Calls with bad arguments throw at once, here.

import { accessSync, constants, existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { receiveMessageOnPort, MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import type {
  DerivedEvent, InputEvent, SnapshotRecord, TraceEnd, TraceHeader, TraceWriter, UnhashedSnapshotRecord,
} from '../../replay/trace/trace.js';
import {
  TraceExistsError, assertReplaceableTarget, completeTraceHeader, refuseToOverwrite, type NewTraceHeader, type TraceWriterOptions,
} from './sqlite-trace-writer.js';
import { assertIcount, assertNotBeforeProgress, checkPages } from './trace-writer-checks.js';
import { writerThreadScript } from './writer-thread-script.js';
import {
  SIGNAL_APPLIED, SIGNAL_FAILED, SIGNAL_SLOTS, SIGNAL_STATE, STATE_CLOSED, STATE_EXITED, STATE_OPEN, STATE_STARTING,
  type ThreadError, type WriterBatch, type WriterOp, type WriterReply, type WriterThreadData,
} from './writer-thread-protocol.js';

const POST_INTERVAL_MS = 25;
const POST_BYTES = 8 << 20;
const MAX_LAG_MS = 300;
const MAX_IN_FLIGHT_BYTES = 64 << 20;
/** How long a synchronous wait for the thread may last before the recorder gives up on it. */
const THREAD_TIMEOUT_MS = 60_000;

export function createThreadedTraceWriter(path: string, header: NewTraceHeader, options: TraceWriterOptions = {}): TraceWriter {
  return ThreadedTraceWriter.start(path, header, options);
}

interface Posted { readonly seq: number; readonly bytes: number; readonly at: number }

class ThreadedTraceWriter implements TraceWriter {
  private readonly signals: Int32Array;
  private ops: WriterOp[] = [];
  /** The open batch's event data (WriterBatch.eventData): `eventBytes` of it used, reused batch after batch. */
  private eventData = new Uint8Array(64 << 10);
  private eventBytes = 0;
  private batchBytes = 0;
  private batchStartedAt = 0;
  private postTimer: ReturnType<typeof setTimeout> | null = null;
  private seq = 0;
  /** Batches posted and not yet finished by the thread, oldest first. */
  private readonly inFlight: Posted[] = [];
  private inFlightBytes = 0;
  private progress = 0;
  private nextSnapshotId = 1;
  private readonly liveSnapshots = new Set<number>();
  /** Whether snapshots come with their state hash (appendSnapshot) or not; the first one decides. */
  private hashedSnapshots: boolean | null = null;
  private closed = false;
  /** The thread's error, once known; `reported` once a call has thrown it. */
  private failure: Error | null = null;
  private reported = false;

  private constructor(
    readonly path: string,
    readonly header: TraceHeader,
    private readonly worker: Worker,
    signals: SharedArrayBuffer,
    private readonly replies: MessagePort,
  ) {
    this.signals = new Int32Array(signals);
  }

  static start(path: string, newHeader: NewTraceHeader, options: TraceWriterOptions): ThreadedTraceWriter {
    // The thread creates the file while the recorder starts: the recorder does not wait the ~40-70 ms
    // of a new thread, SQLite's schema and its syncs. The usual mistakes are caught here, at once, as
    // the in-thread writer catches them; anything else the thread meets is reported at the next call
    // (or by close). A reader that must open the file at once calls flush() first.
    assertReplaceableTarget(path);
    if (!options.overwrite && existsSync(path)) throw refuseToOverwrite(path);
    accessSync(dirname(path), constants.W_OK);
    const signals = new SharedArrayBuffer(SIGNAL_SLOTS * 4);
    const { port1: replies, port2: threadReplies } = new MessageChannel();
    const data: WriterThreadData = { path, header: newHeader, options, signals, replies: threadReplies };
    const worker = new Worker(writerThreadScript(), { workerData: data, transferList: [threadReplies] });
    // A recording must not keep the process alive (as the in-thread writer's timer does not).
    worker.unref();
    replies.unref();
    return new ThreadedTraceWriter(path, completeTraceHeader(newHeader), worker, signals, replies);
  }

  appendInput(e: InputEvent): void {
    this.check('appendInput');
    assertIcount('appendInput', e.icount);
    assertNotBeforeProgress(e.icount, this.progress);
    this.push({ op: 'input', icount: e.icount, ticks: e.ticks, kind: e.kind, at: this.copyEventData(e.data), len: e.data.length }, e.data.length);
  }

  appendDerived(e: DerivedEvent): void {
    this.check('appendDerived');
    assertIcount('appendDerived', e.icount);
    this.push({ op: 'derived', icount: e.icount, kind: e.kind, at: this.copyEventData(e.data), len: e.data.length }, e.data.length);
  }

  /**
   * Copies an event's data into the open batch's buffer (the caller may reuse its own once the call
   * returns, the batch leaves later); returns where it starts.
   */
  private copyEventData(data: Uint8Array): number {
    const at = this.eventBytes;
    if (at + data.length > this.eventData.length) {
      const grown = new Uint8Array(Math.max(this.eventData.length * 2, at + data.length));
      grown.set(this.eventData.subarray(0, at));
      this.eventData = grown;
    }
    this.eventData.set(data, at);
    this.eventBytes = at + data.length;
    return at;
  }

  appendSnapshot(s: SnapshotRecord): number {
    return this.snapshot('appendSnapshot', s, s.stateHash);
  }

  /** The thread computes the state hash (snapshot-state-hasher.ts): ~140 ms less on the guest's thread. */
  appendUnhashedSnapshot(s: UnhashedSnapshotRecord): number {
    return this.snapshot('appendUnhashedSnapshot', s, undefined);
  }

  private snapshot(what: string, s: UnhashedSnapshotRecord, stateHash: string | undefined): number {
    this.check(what);
    assertIcount(what, s.icount);
    checkPages(s.pages);
    const hashed = stateHash !== undefined;
    this.hashedSnapshots ??= hashed;
    if (this.hashedSnapshots !== hashed) {
      throw new Error(`${what}: this recording's snapshots came ${hashed ? 'without' : 'with'} their state hash so far; a recording gives all or none (the hash depends on every snapshot before)`);
    }
    const n = s.pages.length;
    const pageNumbers = new Int32Array(n);
    const pageEnds = new Int32Array(n);
    let total = 0;
    for (let i = 0; i < n; i++) {
      const p = s.pages[i]!;
      pageNumbers[i] = p.page;
      total += p.data.length;
      pageEnds[i] = total;
    }
    const pageData = ownedContiguousPages(s, total) ?? copyPages(s, total);
    const id = this.nextSnapshotId++;
    this.liveSnapshots.add(id);
    this.push({
      op: 'snapshot', id, icount: s.icount, keyframe: s.keyframe, state: s.state.slice(), ...(hashed ? { stateHash } : {}),
      writeSummary: s.writeSummary.slice(), pageNumbers, pageEnds, pageData,
    }, total + s.state.length + s.writeSummary.length);
    return id;
  }

  foldSnapshot(id: number, intoId: number, mergedSummary: Uint8Array): void {
    this.check('foldSnapshot');
    if (id === intoId) throw new RangeError(`foldSnapshot: cannot fold snapshot ${id} into itself`);
    if (!this.liveSnapshots.has(id) || !this.liveSnapshots.has(intoId)) {
      throw new RangeError(`foldSnapshot: no snapshot ${this.liveSnapshots.has(id) ? intoId : id}`);
    }
    this.liveSnapshots.delete(id);
    this.push({ op: 'fold', id, intoId, mergedSummary: mergedSummary.slice() }, mergedSummary.length);
  }

  markProgress(icount: number): void {
    this.check('markProgress');
    assertIcount('markProgress', icount);
    if (icount <= this.progress) return; // marks only move forward
    this.progress = icount;
    // RecordSession marks after every run slice: consecutive marks need only the last.
    const last = this.ops[this.ops.length - 1];
    if (last?.op === 'progress') this.ops[this.ops.length - 1] = { op: 'progress', icount };
    else this.push({ op: 'progress', icount }, 0);
  }

  setEnd(end: TraceEnd): void {
    this.check('setEnd');
    assertIcount('setEnd', end.icount);
    this.push({ op: 'end', end }, 0);
    this.post();
  }

  flush(): void {
    this.check('flush');
    this.push({ op: 'flush' }, 0);
    const seq = this.post();
    this.waitApplied(seq, 'flush');
    this.check('flush');
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.push({ op: 'close' }, 0);
      this.post();
      const deadline = performance.now() + THREAD_TIMEOUT_MS;
      for (let state; (state = Atomics.load(this.signals, SIGNAL_STATE)) === STATE_STARTING || state === STATE_OPEN;) {
        if (performance.now() > deadline) throw new Error(`${this.path}: the trace writer thread did not close the recording within ${THREAD_TIMEOUT_MS / 1000} s`);
        Atomics.wait(this.signals, SIGNAL_STATE, state, 100);
      }
    } finally {
      this.takeFailure();
      this.replies.close();
    }
    if (Atomics.load(this.signals, SIGNAL_STATE) === STATE_EXITED && !this.failure) {
      this.failure = new Error(`${this.path}: the trace writer thread ended before closing the recording`);
    }
    if (this.failure && !this.reported) {
      this.reported = true;
      throw this.failure;
    }
  }

  /** Throws the thread's error (or that this writer is closed) before accepting a call. */
  private check(what: string): void {
    if (this.closed) throw new Error(`${what}: the trace writer for ${this.path} is closed`);
    if (!this.failure && (Atomics.load(this.signals, SIGNAL_FAILED) !== 0 || Atomics.load(this.signals, SIGNAL_STATE) === STATE_EXITED)) {
      this.takeFailure();
      this.failure ??= new Error(`${this.path}: the trace writer thread ended unexpectedly`);
    }
    if (!this.failure) return;
    if (!this.reported) {
      this.reported = true;
      throw this.failure;
    }
    throw new Error(`${what}: the trace writer for ${this.path} failed earlier`, { cause: this.failure });
  }

  private takeFailure(): void {
    for (let msg; !this.failure && (msg = receiveMessageOnPort(this.replies)?.message as WriterReply | undefined);) {
      this.failure = fromThread(msg.error);
    }
  }

  private push(op: WriterOp, bytes: number): void {
    if (this.ops.length === 0) {
      this.batchStartedAt = performance.now();
      // The recorder may go quiet (the guest waits for input): the tail must still go out.
      this.postTimer = setTimeout(() => { this.postTimer = null; this.postFromTimer(); }, POST_INTERVAL_MS);
      this.postTimer.unref();
    }
    this.ops.push(op);
    this.batchBytes += bytes;
    if (this.batchBytes >= POST_BYTES || performance.now() - this.batchStartedAt >= POST_INTERVAL_MS) this.post();
  }

  private postFromTimer(): void {
    if (this.closed) return;
    try {
      this.post();
    } catch (e) {
      // Only a thread that stopped answering gets here; the recorder's next call reports it.
      this.failure ??= e instanceof Error ? e : new Error(String(e));
    }
  }

  /** Posts the open batch (if any); returns the sequence number of the last batch posted. */
  private post(): number {
    if (this.postTimer) {
      clearTimeout(this.postTimer);
      this.postTimer = null;
    }
    if (this.ops.length === 0) return this.seq;
    this.throttle();
    const seq = ++this.seq;
    // A copy of the used part (postMessage would copy the whole buffer behind a view).
    const batch: WriterBatch = { seq, ops: this.ops, eventData: this.eventData.slice(0, this.eventBytes) };
    this.worker.postMessage(batch);
    this.inFlight.push({ seq, bytes: this.batchBytes, at: performance.now() });
    this.inFlightBytes += this.batchBytes;
    this.ops = [];
    this.eventBytes = 0;
    this.batchBytes = 0;
    return seq;
  }

  /** Keeps the recorder within MAX_LAG_MS and MAX_IN_FLIGHT_BYTES of the thread (see the top). */
  private throttle(): void {
    for (;;) {
      this.forgetApplied();
      const oldest = this.inFlight[0];
      if (!oldest) return;
      if (performance.now() - oldest.at <= MAX_LAG_MS && this.inFlightBytes + this.batchBytes <= MAX_IN_FLIGHT_BYTES) return;
      this.waitApplied(oldest.seq, 'keep up with the recorder');
    }
  }

  private threadGone(): boolean {
    const state = Atomics.load(this.signals, SIGNAL_STATE);
    return state === STATE_CLOSED || state === STATE_EXITED;
  }

  private forgetApplied(): void {
    const applied = Atomics.load(this.signals, SIGNAL_APPLIED);
    while (this.inFlight.length && this.inFlight[0]!.seq <= applied) this.inFlightBytes -= this.inFlight.shift()!.bytes;
  }

  private waitApplied(seq: number, what: string): void {
    const deadline = performance.now() + THREAD_TIMEOUT_MS;
    for (;;) {
      const applied = Atomics.load(this.signals, SIGNAL_APPLIED);
      if (applied >= seq) break;
      if (this.threadGone()) break;
      if (performance.now() > deadline) throw new Error(`${this.path}: the trace writer thread did not ${what} within ${THREAD_TIMEOUT_MS / 1000} s`);
      Atomics.wait(this.signals, SIGNAL_APPLIED, applied, 100);
    }
    this.forgetApplied();
  }
}

/**
 * The pages' data as one buffer, as RecordSession gives it (consecutive views of one buffer of
 * their own; the contract lets the writer keep page data), or null when the pages are laid out any
 * other way. A view of the whole buffer: postMessage copies a view's whole ArrayBuffer (a
 * SharedArrayBuffer it shares).
 */
function ownedContiguousPages(s: UnhashedSnapshotRecord, total: number): Uint8Array | null {
  const first = s.pages[0]?.data;
  if (!first || first.byteOffset !== 0 || first.buffer.byteLength !== total) return null;
  let offset = 0;
  for (const p of s.pages) {
    if (p.data.buffer !== first.buffer || p.data.byteOffset !== offset) return null;
    offset += p.data.length;
  }
  return new Uint8Array(first.buffer, 0, total);
}

function copyPages(s: UnhashedSnapshotRecord, total: number): Uint8Array {
  const out = new Uint8Array(total);
  let offset = 0;
  for (const p of s.pages) {
    out.set(p.data, offset);
    offset += p.data.length;
  }
  return out;
}

/** The thread's error as an Error of the class the in-thread writer would have thrown. */
function fromThread(e: ThreadError): Error {
  const Ctor = e.name === 'TraceExistsError' ? TraceExistsError : e.name === 'RangeError' ? RangeError : e.name === 'TypeError' ? TypeError : Error;
  const err = new Ctor(e.message);
  if (e.code !== undefined) Object.assign(err, { code: e.code });
  return err;
}
