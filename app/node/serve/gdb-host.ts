// The gdb server a host runs for the recording on screen ("also startable from the UI", issue 6):
// one at a time, in its own worker thread (gdb-worker.ts) with its own Timeline over the same
// recording file, listening on 127.0.0.1 only. The session in app/session cannot open sockets,
// so this lives with the host (`hindsight serve`; Electron's main can use it the same way).
//
// The recording file must outlive the server: scratch recordings stay in the host's scratch folder
// until the host closes, and the host stops this server before removing that folder.

import { Worker } from 'node:worker_threads';
import type { GdbServerStatus } from '../../protocol/host-dto.js';
import { SessionError } from '../../session/errors.js';
import { gdbCommandLine } from '../gdb-connect.js';

/** What the host passes to the worker. */
export interface GdbWorkerData {
  readonly recordingPath: string;
  readonly host: string;
  readonly port: number;
  /** The position gdb starts at. */
  readonly at: number;
  /** Where to write the recording's guest image for gdb to load, or null (the original ELF is known). */
  readonly writeImageTo: string | null;
}

export type ToGdbWorker = { type: 'stop' };
export type FromGdbWorker =
  | { type: 'listening'; host: string; port: number; at: number }
  | { type: 'client'; connected: boolean; address: string }
  | { type: 'log'; line: string }
  | { type: 'failed'; message: string };

export interface GdbStartRequest {
  readonly recordingPath: string;
  /** The guest ELF to name in the command line: the original if known, else where to write the image. */
  readonly elf: { readonly path: string; readonly write: boolean };
  readonly at: number;
  readonly port: number;
}

const STOP_GRACE_MS = 2000;

export class GdbServerHost {
  private worker: Worker | null = null;
  private current: GdbServerStatus = { running: false, lastError: null };

  constructor(
    private readonly workerUrl: URL,
    private readonly onChange: (status: GdbServerStatus) => void,
    private readonly log: (line: string) => void = () => {},
  ) {}

  status(): GdbServerStatus {
    return this.current;
  }

  private set(s: GdbServerStatus): void {
    this.current = s;
    this.onChange(s);
  }

  /** Starts serving `req.recordingPath` (stopping a server for another recording first). */
  async start(req: GdbStartRequest): Promise<GdbServerStatus> {
    if (this.current.running && this.current.recordingPath === req.recordingPath && (req.port === 0 || req.port === this.current.port)) {
      return this.current;
    }
    await this.stop();
    const data: GdbWorkerData = {
      recordingPath: req.recordingPath, host: '127.0.0.1', port: req.port, at: req.at, writeImageTo: req.elf.write ? req.elf.path : null,
    };
    const worker = new Worker(this.workerUrl, { workerData: data });
    this.worker = worker;
    return new Promise<GdbServerStatus>((resolve, reject) => {
      let started = false;
      const fail = (message: string): void => {
        if (this.worker !== worker) return;
        this.worker = null;
        if (started) this.set({ running: false, lastError: `the gdb server stopped: ${message}` });
        else reject(new SessionError('internal', `cannot start the gdb server: ${message}`));
      };
      worker.on('message', (m: FromGdbWorker) => {
        if (this.worker !== worker) return;
        switch (m.type) {
          case 'listening':
            started = true;
            this.set({
              running: true, host: m.host, port: m.port, recordingPath: req.recordingPath, elfPath: req.elf.path,
              commandLine: gdbCommandLine(req.elf.path, `${m.host}:${m.port}`), clientConnected: false, startIcount: m.at,
            });
            resolve(this.current);
            return;
          case 'client':
            if (this.current.running) this.set({ ...this.current, clientConnected: m.connected });
            this.log(`gdb ${m.connected ? 'connected from' : 'left'} ${m.address}`);
            return;
          case 'log':
            this.log(m.line);
            return;
          case 'failed':
            // A listen error is the user's to fix (another port): a clear 'bad-request', not a bug.
            if (!started) {
              this.worker = null;
              reject(new SessionError(/cannot listen/.test(m.message) ? 'bad-request' : 'bad-file', m.message));
            } else fail(m.message);
        }
      });
      worker.on('error', (e) => fail(e.message));
      worker.on('exit', (code) => fail(`its worker exited (code ${code})`));
    });
  }

  async stop(): Promise<GdbServerStatus> {
    const w = this.worker;
    if (!w) return this.current;
    this.worker = null;
    const exited = new Promise<void>((resolve) => w.once('exit', () => resolve()));
    w.postMessage({ type: 'stop' } satisfies ToGdbWorker);
    // A gdb operation in progress holds the worker's thread; after the grace period it is ended.
    const timer = setTimeout(() => void w.terminate(), STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
    this.set({ running: false, lastError: null });
    return this.current;
  }
}
