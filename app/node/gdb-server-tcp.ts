// The gdb server's TCP transport: listens on one address, serves one client at a time with a
// GdbSession (app/gdb), and is done when that client's session ends (as gdbserver without --multi),
// or, with keepListening, serves the next client until closed.
// A second client while one is connected is turned away. The session's long operations yield to
// the event loop between chunks (setImmediate runs after pending socket reads), which is how a
// Ctrl-C from gdb reaches a running reverse-continue.

import net from 'node:net';
import { GdbSession } from '../gdb/session.js';
import type { ReplayTarget } from '../gdb/replay-target.js';

export interface GdbTcpServer {
  /** The address and port actually listened on (port 0 asks the OS for a free one). */
  readonly host: string;
  readonly port: number;
  /** Resolves when the first client's session has ended and the server has closed. */
  readonly finished: Promise<void>;
  /** Stops listening and drops the client, if any. */
  close(): void;
}

export interface GdbTcpOptions {
  readonly host: string;
  readonly port: number;
  readonly target: ReplayTarget;
  /** Diagnostics for the operator (stderr in the CLI). */
  readonly log: (line: string) => void;
  /** Protocol noise (malformed packets and the like); dropped unless given. */
  readonly debug?: (line: string) => void;
  /**
   * Serve one client after another until close() (the UI's server: gdb may reconnect), instead of
   * ending with the first client's session (the CLI's, as gdbserver without --multi).
   */
  readonly keepListening?: boolean;
  /** A client connected (true) or left (false). */
  readonly onClient?: (connected: boolean, address: string) => void;
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Starts listening; rejects with the listen error (EADDRINUSE, EACCES, a bad address). */
export function listenGdbTcp(opts: GdbTcpOptions): Promise<GdbTcpServer> {
  const server = net.createServer();
  let client: net.Socket | null = null;
  let served = false;
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => { finish = resolve; });
  server.on('close', () => finish());

  server.on('connection', (socket) => {
    if (client || (served && !opts.keepListening)) {
      opts.log(`gdb: turned away a second client from ${socket.remoteAddress ?? '?'} (one at a time)`);
      socket.destroy();
      return;
    }
    client = socket;
    served = true;
    const address = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    opts.onClient?.(true, address);
    socket.setNoDelay(true);
    const session = new GdbSession(opts.target, {
      send: (bytes) => {
        if (!socket.destroyed && socket.writable) socket.write(bytes);
      },
      end: () => { socket.end(); },
      yieldToHost: yieldToEventLoop,
      log: opts.log,
      ...(opts.debug ? { debug: opts.debug } : {}),
    });
    socket.on('data', (chunk: Buffer) => session.receive(chunk));
    socket.on('error', (e) => opts.log(`gdb: connection error: ${e.message}`));
    socket.on('close', () => {
      session.close();
      client = null;
      opts.onClient?.(false, address);
      if (!opts.keepListening) server.close();
    });
  });

  return new Promise((resolve, reject) => {
    const onError = (e: Error): void => reject(e);
    server.once('error', onError);
    server.listen(opts.port, opts.host, () => {
      server.off('error', onError);
      server.on('error', (e) => opts.log(`gdb: server error: ${e.message}`));
      const a = server.address() as net.AddressInfo;
      resolve({
        host: a.address,
        port: a.port,
        finished,
        close: () => {
          client?.destroy();
          server.close();
        },
      });
    });
  });
}
