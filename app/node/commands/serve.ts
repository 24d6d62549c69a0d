// `hindsight serve [--port N] [FILE] [--serial-in FILE] [--max-insns N] [--usb SPEC]... [--inline]`
// The browser host: serves the UI and the protocol on 127.0.0.1 (see ../serve/server.ts) and prints
// exactly one line on stdout, the URL to open (with its token). FILE is a recording (.hsrec) or a
// RISC-V ELF, which is recorded first (with --serial-in as its UART input and the --usb devices, the
// same specs as `record`'s, attached); without FILE the bundled sample firmware is recorded with its
// demo input and a virtual CDC-ACM device (--usb replaces that device), so the page shows something real.
// The session runs in a worker thread (--inline: on the main thread, for debugging).

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { ProtocolError } from '../../protocol/errors.js';
import type { ServiceName } from '../../protocol/services.js';
import { CliError, parseCount, projectRoot, type Io } from '../io.js';
import { makeScratchDir } from '../serve/node-ports.js';
import { startServer } from '../serve/server.js';
import { InlineSessionHost, WorkerSessionHost, type SessionHost } from '../serve/session-host.js';
import { HostServices } from '../serve/host-services.js';
import { RecentFiles } from '../serve/recent-files.js';
import { HINDSIGHT_VERSION } from '../version.js';
import { defaultOpenRequest } from '../serve/default-open.js';
import { isElfFile } from '../guest-image.js';

export interface ServeControl {
  /** Resolves to stop the server (default: SIGINT or SIGTERM). */
  readonly stopped?: Promise<void>;
  /** Called with the running server's URL (tests). */
  readonly onListening?: (url: string) => void;
}

export async function serveCommand(args: string[], io: Io, control: ServeControl = {}): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      port: { type: 'string' },
      'serial-in': { type: 'string' },
      'max-insns': { type: 'string' },
      usb: { type: 'string', multiple: true },
      inline: { type: 'boolean' },
    },
    strict: true,
  });
  if (positionals.length > 1) throw new CliError(`serve takes at most one FILE, got ${positionals.length}`);
  const port = values.port !== undefined ? parseCount('--port', values.port) : 0;
  if (port > 65535) throw new CliError(`--port ${port} is not a port (0..65535)`);
  const dist = path.join(projectRoot(), 'dist');
  const staticDir = path.join(dist, 'renderer');
  const workerFile = path.join(dist, 'serve-worker.mjs');
  const gdbWorkerFile = path.join(dist, 'gdb-worker.mjs');
  if (!existsSync(path.join(staticDir, 'index.html'))) throw new CliError(`the UI is not built (${staticDir}): run npm run build`);

  // What to open first.
  const file = positionals[0];
  let first: { method: ServiceName; params: unknown };
  if (file === undefined) {
    const def = defaultOpenRequest();
    first = values.usb !== undefined ? { method: def.method, params: { ...def.params, usb: values.usb } } : def;
  } else if (isElfFile(file)) {
    let serialInput: string | undefined;
    if (values['serial-in'] !== undefined) {
      try {
        serialInput = readFileSync(values['serial-in'], 'latin1');
      } catch (e) {
        throw new CliError(`--serial-in: cannot read ${values['serial-in']}: ${(e as Error).message}`);
      }
    }
    first = { method: 'openElf', params: { path: path.resolve(file), ...(serialInput !== undefined ? { serialInput } : {}),
      ...(values['max-insns'] !== undefined ? { maxInsns: parseCount('--max-insns', values['max-insns']) } : {}),
      ...(values.usb !== undefined ? { usb: values.usb } : {}) } };
  } else {
    if (values['serial-in'] !== undefined || values['max-insns'] !== undefined || values.usb !== undefined) throw new CliError('--serial-in, --max-insns and --usb are for an ELF, not a recording');
    first = { method: 'openRecording', params: { path: path.resolve(file) } };
  }

  const scratch = makeScratchDir();
  let host: HostServices | null = null;
  try {
    let session: SessionHost;
    if (values.inline) {
      session = new InlineSessionHost(scratch.dir);
    } else {
      if (!existsSync(workerFile)) throw new CliError(`the engine worker is not built (${workerFile}): run npm run build`);
      session = new WorkerSessionHost(new URL(`file://${workerFile}`), scratch.dir);
    }
    // Files, Recent and the gdb server are the host's (host-services.ts); Recent lives in the user's config folder.
    host = new HostServices(session, {
      startDir: process.cwd(), recent: new RecentFiles(), gdbWorkerUrl: new URL(`file://${gdbWorkerFile}`), scratchDir: scratch.dir,
      log: (line) => io.stderr(`hindsight: ${line}\n`),
    });
    // The bundled demo is not something the user opened: it stays off the Recent list.
    const opened = await host.request(first.method, first.params, { remember: file !== undefined });
    if (!opened.ok) throw new CliError(openError(opened.error));
    const info = opened.result as { guestImageName: string; end: number; path: string };
    io.stderr(`hindsight: serving ${info.guestImageName}, ${info.end} instructions (${info.path})\n`);

    let server;
    try {
      server = await startServer({ host, port, staticDir, hostName: `hindsight serve ${HINDSIGHT_VERSION}` });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE') throw new CliError(`--port ${port}: the port is in use`);
      if (code === 'EACCES') throw new CliError(`--port ${port}: not allowed to listen there`);
      throw e;
    }
    io.stdout(`${server.url}\n`);
    control.onListening?.(server.url);
    await (control.stopped ?? new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    }));
    await server.close();
    return 0;
  } finally {
    await host?.close();
    scratch.remove();
  }
}

function openError(e: ProtocolError): string {
  return e.code === 'internal' ? `cannot open it: ${e.message}` : e.message;
}
