// The services a host answers itself (app/protocol HOST_SERVICE_NAMES), in front of the session:
// listing folders for the in-app file dialog, the Recent list, and the gdb server for the
// recording on screen. Everything else goes to the session (a worker, or inline) unchanged.
// It is itself a SessionHost, so the server (server.ts) needs to know nothing about it.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Icount, RecordingInfo } from '../../protocol/dto.js';
import type { EventData, EventName } from '../../protocol/events.js';
import type { HostServiceName, ServiceName } from '../../protocol/services.js';
import { isHostServiceName } from '../../protocol/services.js';
import { SessionError, toProtocolError } from '../../session/errors.js';
import { obj, optInt } from '../../session/params.js';
import { listDirectory } from './directory-listing.js';
import { GdbServerHost } from './gdb-host.js';
import type { RecentFiles } from './recent-files.js';
import type { EventListener, HostResult, SessionHost } from './session-host.js';

export interface HostServicesOptions {
  /** Where the file dialog starts (the folder `serve` was started in). */
  readonly startDir: string;
  /** The Recent list, or null to keep none (tests that must not touch the user's config). */
  readonly recent: RecentFiles | null;
  /** The built gdb worker (dist/gdb-worker.mjs). */
  readonly gdbWorkerUrl: URL;
  /** Where guest images for gdb are written (the host's scratch folder). */
  readonly scratchDir: string;
  /** Diagnostics for the operator (serve's stderr). */
  readonly log?: (line: string) => void;
}

export interface RequestOptions {
  /** Put what was opened on the Recent list (not for the bundled demo `serve` opens by itself). */
  readonly remember?: boolean;
}

function sha256File(file: string): string | null {
  try {
    return createHash('sha256').update(readFileSync(file)).digest('hex');
  } catch {
    return null;
  }
}

export class HostServices implements SessionHost {
  private readonly listeners: EventListener[] = [];
  private readonly gdb: GdbServerHost;
  /** What the session has open and where it is (from its events), for the gdb server. */
  private info: RecordingInfo | null = null;
  private position: Icount = 0;
  /** The ELF each scratch recording was made from (openElf), so gdb can load the original. */
  private readonly elfOf = new Map<string, string>();

  constructor(private readonly inner: SessionHost, private readonly opts: HostServicesOptions) {
    this.gdb = new GdbServerHost(opts.gdbWorkerUrl, (status) => this.emit('gdbServerChanged', { status }), opts.log);
    inner.onEvent((event, data) => {
      if (event === 'recordingOpened') this.info = (data as EventData<'recordingOpened'>).info;
      if (event === 'positionChanged') this.position = (data as EventData<'positionChanged'>).icount;
      this.emit(event, data);
    });
    if (opts.recent?.problem) opts.log?.(opts.recent.problem);
  }

  async request(method: ServiceName, params: unknown, ro: RequestOptions = {}): Promise<HostResult> {
    if (isHostServiceName(method)) {
      try {
        return { ok: true, result: await this.answer(method, params) };
      } catch (e) {
        return { ok: false, error: toProtocolError(e) };
      }
    }
    const r = await this.inner.request(method, params);
    if (r.ok && (method === 'openRecording' || method === 'openElf' || method === 'saveRecordingAs')) this.opened(method, params, r.result as RecordingInfo, ro);
    return r;
  }

  cancel(): boolean {
    return this.inner.cancel();
  }

  onEvent(listener: EventListener): void {
    this.listeners.push(listener);
  }

  async close(): Promise<void> {
    // The gdb worker reads a recording that may be a scratch file the host removes next.
    await this.gdb.stop();
    await this.inner.close();
  }

  private emit<E extends EventName>(event: E, data: EventData<E>): void {
    for (const l of this.listeners) l(event, data);
  }

  private opened(method: 'openRecording' | 'openElf' | 'saveRecordingAs', params: unknown, info: RecordingInfo, ro: RequestOptions): void {
    const before = this.info?.path;
    this.info = info;
    const requested = (params as { path: string }).path;
    if (method === 'openElf') this.elfOf.set(info.path, path.resolve(requested));
    // A saved scratch recording still comes from the same ELF.
    if (method === 'saveRecordingAs' && before !== undefined && this.elfOf.has(before)) this.elfOf.set(info.path, this.elfOf.get(before)!);
    if (ro.remember === false || !this.opts.recent) return;
    try {
      this.opts.recent.add(method === 'saveRecordingAs' ? info.path : requested, method === 'openElf' ? 'elf' : 'recording');
    } catch (e) {
      this.emit('error', { error: { code: 'internal', message: `the Recent list could not be saved (${this.opts.recent.file}): ${(e as Error).message}` } });
    }
  }

  private async answer(method: HostServiceName, params: unknown): Promise<unknown> {
    const p = obj(params ?? {}, method);
    switch (method) {
      case 'listDirectory': {
        if (p.path !== undefined && typeof p.path !== 'string') throw new SessionError('bad-request', 'path: expected a string');
        return listDirectory(p.path as string | undefined, this.opts.startDir);
      }
      case 'recentFiles': return this.opts.recent?.list() ?? [];
      case 'gdbServerStatus': return this.gdb.status();
      case 'stopGdbServer': return this.gdb.stop();
      case 'startGdbServer': return this.startGdb(optInt(p, 'port', 0, 65535) ?? 0);
    }
  }

  private async startGdb(port: number): Promise<unknown> {
    if (!this.info) {
      const r = await this.inner.request('recordingInfo', {});
      if (r.ok) this.info = r.result as RecordingInfo | null;
    }
    const info = this.info;
    if (!info) throw new SessionError('no-recording', 'no recording is open: open one before starting the gdb server');
    // The ELF the recording was made from, if it is still the same bytes; else the recording's own copy.
    const original = this.elfOf.get(info.path) ?? null;
    const elf = original && sha256File(original) === info.guestImageSha256
      ? { path: original, write: false }
      : { path: path.join(this.opts.scratchDir, 'gdb', info.guestImageSha256.slice(0, 16), path.basename(info.guestImageName) || 'guest.elf'), write: true };
    return this.gdb.start({ recordingPath: info.path, elf, at: this.position, port });
  }
}
