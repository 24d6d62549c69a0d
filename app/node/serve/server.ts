// The browser host's server: the built renderer over HTTP and the protocol over a WebSocket, on
// 127.0.0.1 only, behind a random token (as Jupyter does).
//
// - Every HTTP request needs the token: `?token=` in the URL (the one line `serve` prints), or the
//   HttpOnly SameSite=Strict cookie set when that URL is opened, for the page's own assets.
//   Without it: 403.
// - A WebSocket upgrade needs the token in its URL and an Origin of this server itself; any other
//   Origin (a web page the user happens to have open elsewhere) gets 403, as does a missing token.
// - The Host header must name this server (127.0.0.1:PORT or localhost:PORT): a DNS-rebinding page
//   cannot reach it under another name.
// - The first WebSocket message must be `hello` with this protocol version (app/protocol).

import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { PROTOCOL_VERSION } from '../../protocol/version.js';
import { isServiceName } from '../../protocol/services.js';
import type { ClientMessage, HostMessage } from '../../protocol/messages.js';
import type { SessionHost } from './session-host.js';

export interface ServerOptions {
  readonly host: SessionHost;
  /** 0 picks a free port. */
  readonly port: number;
  /** The built renderer (index.html and assets/). */
  readonly staticDir: string;
  /** "hindsight serve 0.1.0", sent in `welcome`. */
  readonly hostName: string;
  /** For tests; otherwise 32 random bytes. */
  readonly token?: string;
}

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  readonly token: string;
  close(): Promise<void>;
}

const COOKIE = 'hindsight-token';
const MAX_MESSAGE = 1 << 20;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png',
  '.woff2': 'font/woff2', '.ttf': 'font/ttf', '.map': 'application/json', '.ico': 'image/x-icon',
};

function sameSecret(a: string | null | undefined, b: string): boolean {
  if (typeof a !== 'string') return false;
  const x = Buffer.from(a), y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function cookieToken(header: string | undefined): string | null {
  for (const part of (header ?? '').split(';')) {
    const [k, v] = part.trim().split('=');
    if (k === COOKIE && v !== undefined) return v;
  }
  return null;
}

export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const token = opts.token ?? randomBytes(32).toString('hex');
  const staticDir = path.resolve(opts.staticDir);
  const server = http.createServer();
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE });
  const clients = new Set<WebSocket>();
  let port = 0;

  const hostOk = (h: string | undefined): boolean => h === `127.0.0.1:${port}` || h === `localhost:${port}`;
  const originOk = (o: string | undefined): boolean => o === `http://127.0.0.1:${port}` || o === `http://localhost:${port}`;

  server.on('request', (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const deny = (why: string): void => {
      res.writeHead(403, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end(`403 Forbidden: ${why}\n`);
    };
    if (!hostOk(req.headers.host)) return deny('this server answers only as 127.0.0.1 or localhost');
    const queryToken = url.searchParams.get('token');
    if (!sameSecret(queryToken, token) && !sameSecret(cookieToken(req.headers.cookie), token)) {
      return deny('open the URL with the token that `hindsight serve` printed');
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' });
      res.end();
      return;
    }
    let rel: string;
    try {
      rel = decodeURIComponent(url.pathname);
    } catch {
      res.writeHead(400).end();
      return;
    }
    if (rel === '/' || rel === '') rel = '/index.html';
    const file = path.resolve(staticDir, `.${rel}`);
    if (!file.startsWith(staticDir + path.sep) || !existsSync(file) || !statSync(file).isFile()) {
      if (rel === '/index.html') {
        res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end(`the UI is not built (${staticDir} has no index.html): run npm run build\n`);
        return;
      }
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('404 Not Found\n');
      return;
    }
    const headers: Record<string, string> = {
      'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream',
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': rel.startsWith('/assets/') ? 'private, max-age=31536000, immutable' : 'no-store',
    };
    if (rel === '/index.html') {
      headers['Content-Security-Policy'] = `default-src 'self'; connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port}; ` +
        "style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; worker-src 'self' blob:; frame-ancestors 'none'";
      headers['X-Frame-Options'] = 'DENY';
    }
    if (sameSecret(queryToken, token)) headers['Set-Cookie'] = `${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`;
    res.writeHead(200, headers);
    if (req.method === 'HEAD') { res.end(); return; }
    createReadStream(file).pipe(res);
  });

  server.on('upgrade', (req, socket: Duplex, head) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const refuse = (why: string): void => {
      socket.end(`HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n403 Forbidden: ${why}\n`);
    };
    if (url.pathname !== '/ws') return refuse('no such endpoint');
    if (!hostOk(req.headers.host)) return refuse('wrong Host');
    if (!originOk(req.headers.origin)) return refuse('foreign Origin');
    if (!sameSecret(url.searchParams.get('token'), token)) return refuse('missing or wrong token');
    wss.handleUpgrade(req, socket, head, (ws) => serveClient(ws));
  });

  function send(ws: WebSocket, m: HostMessage): void {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(m));
  }

  function serveClient(ws: WebSocket): void {
    let welcomed = false;
    ws.on('message', (raw, isBinary) => {
      let m: ClientMessage;
      try {
        if (isBinary) throw new Error('binary frame');
        m = JSON.parse(raw.toString()) as ClientMessage;
      } catch {
        ws.close(1003, 'messages are JSON text');
        return;
      }
      if (!welcomed) {
        if (m.type !== 'hello' || m.protocolVersion !== PROTOCOL_VERSION) {
          const theirs = m.type === 'hello' ? `version ${String(m.protocolVersion)}` : 'no hello';
          send(ws, { type: 'refused', error: { code: 'version-mismatch', message: `this host speaks protocol version ${PROTOCOL_VERSION}, the UI sent ${theirs}; reload the page or update` } });
          ws.close(1008, 'protocol version');
          return;
        }
        welcomed = true;
        clients.add(ws);
        send(ws, { type: 'welcome', protocolVersion: PROTOCOL_VERSION, host: opts.hostName });
        return;
      }
      if (m.type !== 'request' || typeof m.id !== 'number') {
        ws.close(1008, 'expected a request');
        return;
      }
      const { id, method } = m;
      if (!isServiceName(method)) {
        send(ws, { type: 'response', id, ok: false, error: { code: 'bad-request', message: `unknown service ${JSON.stringify(method)}` } });
        return;
      }
      if (method === 'cancel') {
        send(ws, { type: 'response', id, ok: true, result: { cancelled: opts.host.cancel() } });
        return;
      }
      void opts.host.request(method, m.params).then((r) => {
        send(ws, r.ok ? { type: 'response', id, ok: true, result: r.result as never } : { type: 'response', id, ok: false, error: r.error });
      });
    });
    ws.on('close', () => clients.delete(ws));
  }

  opts.host.onEvent((event, data) => {
    const text = JSON.stringify({ type: 'event', event, data } satisfies HostMessage);
    for (const ws of clients) if (ws.readyState === ws.OPEN) ws.send(text);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, '127.0.0.1', () => resolve());
  });
  const addr = server.address();
  port = typeof addr === 'object' && addr ? addr.port : opts.port;

  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    close: () => new Promise<void>((resolve) => {
      for (const ws of clients) ws.terminate();
      wss.close();
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
