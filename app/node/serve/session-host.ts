// Where the session runs for a host: in a worker thread (the product: the engine never blocks the
// socket or the UI; DESIGN.md section 3), or inline on the calling thread (tests, debugging).
// Either way requests run one at a time, in order; `cancel` reaches the running one at once
// through a shared flag the session's OperationControl reads between units of work.

import { Worker } from 'node:worker_threads';
import type { ProtocolError } from '../../protocol/errors.js';
import type { EventData, EventName } from '../../protocol/events.js';
import type { ServiceName } from '../../protocol/services.js';
import { DebugSession, isAsyncService } from '../../session/session.js';
import { toProtocolError } from '../../session/errors.js';
import { nodeSessionPorts } from './node-ports.js';

export type HostResult = { ok: true; result: unknown } | { ok: false; error: ProtocolError };
export type EventListener = <E extends EventName>(event: E, data: EventData<E>) => void;

export interface SessionHost {
  request(method: ServiceName, params: unknown): Promise<HostResult>;
  /** Cancels the request that is running, if any; true when there was one. */
  cancel(): boolean;
  onEvent(listener: EventListener): void;
  close(): Promise<void>;
}

/** Messages between the host and its worker (worker.ts). */
export type ToWorker = { type: 'request'; id: number; method: ServiceName; params: unknown };
export type FromWorker =
  | { type: 'response'; id: number; ok: true; result: unknown }
  | { type: 'response'; id: number; ok: false; error: ProtocolError }
  | { type: 'event'; event: EventName; data: unknown };

export interface WorkerData {
  readonly scratchDir: string;
  /** Int32Array over it: [0] = id of the request to cancel. */
  readonly cancelFlag: SharedArrayBuffer;
}

abstract class QueueHost implements SessionHost {
  protected readonly pending = new Map<number, (r: HostResult) => void>();
  protected readonly listeners: EventListener[] = [];
  protected nextId = 1;
  protected readonly cancelFlag = new Int32Array(new SharedArrayBuffer(4));

  abstract request(method: ServiceName, params: unknown): Promise<HostResult>;
  abstract close(): Promise<void>;

  cancel(): boolean {
    const running = this.pending.keys().next();
    if (running.done) return false;
    Atomics.store(this.cancelFlag, 0, running.value);
    return true;
  }

  onEvent(listener: EventListener): void {
    this.listeners.push(listener);
  }

  protected emit(event: EventName, data: unknown): void {
    for (const l of this.listeners) l(event, data as never);
  }
}

/** The session in a worker thread running `workerUrl` (the bundled dist/serve-worker.mjs). */
export class WorkerSessionHost extends QueueHost {
  private readonly worker: Worker;
  private dead: ProtocolError | null = null;

  constructor(workerUrl: URL, scratchDir: string) {
    super();
    const data: WorkerData = { scratchDir, cancelFlag: this.cancelFlag.buffer as SharedArrayBuffer };
    this.worker = new Worker(workerUrl, { workerData: data });
    this.worker.on('message', (m: FromWorker) => {
      if (m.type === 'event') { this.emit(m.event, m.data); return; }
      const resolve = this.pending.get(m.id);
      this.pending.delete(m.id);
      resolve?.(m.ok ? { ok: true, result: m.result } : { ok: false, error: m.error });
    });
    const fail = (why: string): void => {
      this.dead = { code: 'internal', message: `the engine worker stopped: ${why}` };
      for (const resolve of this.pending.values()) resolve({ ok: false, error: this.dead });
      this.pending.clear();
      this.emit('error', { error: this.dead });
    };
    this.worker.on('error', (e) => fail(e.message));
    this.worker.on('exit', (code) => { if (!this.dead) fail(`exit code ${code}`); });
  }

  request(method: ServiceName, params: unknown): Promise<HostResult> {
    if (this.dead) return Promise.resolve({ ok: false, error: this.dead });
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      const msg: ToWorker = { type: 'request', id, method, params };
      this.worker.postMessage(msg);
    });
  }

  async close(): Promise<void> {
    this.dead = { code: 'internal', message: 'the host is closing' };
    await this.worker.terminate();
  }
}

/** The session on this thread (tests): requests still run one at a time, after the current turn. */
export class InlineSessionHost extends QueueHost {
  readonly session: DebugSession;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(scratchDir: string) {
    super();
    this.session = new DebugSession(nodeSessionPorts(scratchDir), (event, data) => this.emit(event, data));
  }

  request(method: ServiceName, params: unknown): Promise<HostResult> {
    const id = this.nextId++;
    const result = new Promise<HostResult>((resolve) => { this.pending.set(id, resolve); });
    this.queue = this.queue.then(() => {
      // Pending until answered: an async request (openElf) is what cancel() reaches while it runs.
      const answer = (r: HostResult): void => {
        const resolve = this.pending.get(id)!;
        this.pending.delete(id);
        resolve(r);
      };
      const r = runRequest(this.session, id, method, params, this.cancelFlag);
      if (r instanceof Promise) void r.then(answer); else answer(r);
    });
    return result;
  }

  async close(): Promise<void> {
    await this.queue;
    await this.session.shutdown(); // a recording being made would keep this thread busy
  }
}

/**
 * Runs one request on a session, with cancellation through `flag` (shared with the host). The
 * session's async services answer later; meanwhile the caller goes on taking requests (so
 * sendSerial and stopRecording reach a running recording).
 */
export function runRequest(session: DebugSession, id: number, method: ServiceName, params: unknown, flag: Int32Array): HostResult | Promise<HostResult> {
  const signal = { get aborted() { return Atomics.load(flag, 0) === id; } };
  if (isAsyncService(method)) {
    // openElf is cancellable too: its run reads the flag between slices.
    return session.handleAsync(method, params as never, { signal }).then((result): HostResult => ({ ok: true, result }), (e: unknown): HostResult => ({ ok: false, error: toProtocolError(e) }));
  }
  try {
    return { ok: true, result: session.handle(method, params as never, { signal }) };
  } catch (e) {
    return { ok: false, error: toProtocolError(e) };
  }
}
