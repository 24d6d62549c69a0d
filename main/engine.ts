// The engine for the desktop window: the same session host as `hindsight serve` (a DebugSession
// in a worker thread, app/node/serve/session-host.ts) behind the same host services (files,
// Recent, gdb server: host-services.ts). Nothing here knows the debugger; it only wires.

import { pathToFileURL } from 'node:url';
import os from 'node:os';
import { unpacked } from '../app/node/gdb-connect.js';
import { HostServices } from '../app/node/serve/host-services.js';
import { makeScratchDir } from '../app/node/serve/node-ports.js';
import { RecentFiles } from '../app/node/serve/recent-files.js';
import { WorkerSessionHost } from '../app/node/serve/session-host.js';

export interface EngineFiles {
  /** dist/serve-worker.mjs: the session's worker thread, the same one `hindsight serve` runs. */
  readonly engineWorker: string;
  /** dist/gdb-worker.mjs. */
  readonly gdbWorker: string;
}

export interface Engine {
  readonly host: HostServices;
  close(): Promise<void>;
}

export function startEngine(files: EngineFiles, log: (line: string) => void): Engine {
  const scratch = makeScratchDir();
  const session = new WorkerSessionHost(pathToFileURL(unpacked(files.engineWorker)), scratch.dir);
  const host = new HostServices(session, {
    // The desktop's dialogs are native; the in-app file dialog (browser host) would start at home.
    startDir: os.homedir(),
    recent: new RecentFiles(),
    gdbWorkerUrl: pathToFileURL(unpacked(files.gdbWorker)),
    scratchDir: scratch.dir,
    log,
  });
  let closing: Promise<void> | null = null;
  return {
    host,
    close: () => (closing ??= host.close().finally(() => scratch.remove())),
  };
}
