// The browser host without a browser: token and origin checks, the hello handshake, requests and
// events over the WebSocket, and (with the built worker) cancellation while the engine is busy.

import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { HostMessage } from '../../protocol/messages.js';
import { PROTOCOL_VERSION } from '../../protocol/version.js';
import { makeScratchDir } from './node-ports.js';
import { startServer, type RunningServer } from './server.js';
import { InlineSessionHost, WorkerSessionHost, type SessionHost } from './session-host.js';

const SHELL = path.resolve('assets/firmware/elf/shell.elf');
const WORKLOAD = path.resolve('assets/firmware/elf/workload.elf');
const WORKER = path.resolve('dist/serve-worker.mjs');

/** A WebSocket client that has said hello, with request() and the events it received. */
async function client(server: RunningServer): Promise<{ ws: WebSocket; request(method: string, params: unknown): Promise<HostMessage>; events: HostMessage[] }> {
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`, { origin: `http://127.0.0.1:${server.port}` });
  const events: HostMessage[] = [];
  const waiting = new Map<number, (m: HostMessage) => void>();
  let welcome: (m: HostMessage) => void = () => {};
  ws.on('message', (d: Buffer) => {
    const m = JSON.parse(d.toString()) as HostMessage;
    if (m.type === 'response') waiting.get(m.id)?.(m);
    else if (m.type === 'event') events.push(m);
    else welcome(m);
  });
  await new Promise<void>((resolve, reject) => { ws.on('open', () => resolve()); ws.on('error', reject); });
  const hello = await new Promise<HostMessage>((resolve) => {
    welcome = resolve;
    ws.send(JSON.stringify({ type: 'hello', protocolVersion: PROTOCOL_VERSION, client: 'test' }));
  });
  expect(hello).toMatchObject({ type: 'welcome', protocolVersion: PROTOCOL_VERSION });
  let id = 0;
  return {
    ws, events,
    request: (method, params) => new Promise((resolve) => {
      const n = ++id;
      waiting.set(n, resolve);
      ws.send(JSON.stringify({ type: 'request', id: n, method, params }));
    }),
  };
}

async function status(url: string, headers: Record<string, string> = {}): Promise<number> {
  return (await fetch(url, { headers })).status;
}

describe('hindsight serve: the server', () => {
  const scratch = makeScratchDir();
  const ui = path.join(os.tmpdir(), `hindsight-ui-${process.pid}`);
  let host: InlineSessionHost;
  let server: RunningServer;
  beforeAll(async () => {
    mkdirSync(path.join(ui, 'assets'), { recursive: true });
    writeFileSync(path.join(ui, 'index.html'), '<!doctype html><title>ui</title>');
    writeFileSync(path.join(ui, 'assets', 'a.js'), 'export {}');
    host = new InlineSessionHost(scratch.dir);
    server = await startServer({ host, port: 0, staticDir: ui, hostName: 'test host' });
  });
  afterAll(async () => {
    await server.close();
    await host.close();
    scratch.remove();
    rmSync(ui, { recursive: true, force: true });
  });

  it('serves the UI only with the token, and its assets with the cookie it sets', async () => {
    const base = `http://127.0.0.1:${server.port}`;
    expect(await status(`${base}/`)).toBe(403);
    expect(await status(`${base}/?token=${'f'.repeat(64)}`)).toBe(403);
    expect(await status(`${base}/assets/a.js`)).toBe(403);
    const r = await fetch(server.url);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-security-policy')).toContain("default-src 'self'");
    const cookie = r.headers.get('set-cookie')!.split(';')[0]!;
    expect(r.headers.get('set-cookie')).toMatch(/HttpOnly; SameSite=Strict/);
    expect(await status(`${base}/assets/a.js`, { cookie })).toBe(200);
    expect(await status(`${base}/assets/../../etc/passwd`, { cookie })).toBe(404);
    expect(await status(`${base}/nope.js`, { cookie })).toBe(404);
  });

  it('refuses another Host name (DNS rebinding)', async () => {
    const http = await import('node:http');
    const code = await new Promise<number>((resolve) => {
      http.get({ host: '127.0.0.1', port: server.port, path: `/?token=${server.token}`, headers: { host: `evil.example:${server.port}` } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
    });
    expect(code).toBe(403);
  });

  it('refuses upgrades without the token or from a foreign origin', async () => {
    const attempt = (url: string, origin: string): Promise<number> => new Promise((resolve) => {
      const ws = new WebSocket(url, { origin });
      ws.on('unexpected-response', (_q, res) => { resolve(res.statusCode ?? 0); ws.terminate(); });
      ws.on('open', () => { resolve(101); ws.terminate(); });
      ws.on('error', () => {});
    });
    const ws = `ws://127.0.0.1:${server.port}/ws`;
    const origin = `http://127.0.0.1:${server.port}`;
    expect(await attempt(`${ws}?token=${server.token}`, 'https://evil.example')).toBe(403);
    expect(await attempt(ws, origin)).toBe(403);
    expect(await attempt(`${ws}?token=${server.token}`, origin)).toBe(101);
  });

  it('serves requests, answers errors with codes, and pushes events', async () => {
    const c = await client(server);
    const none = await c.request('getState', { view: {} });
    expect(none).toMatchObject({ type: 'response', ok: false, error: { code: 'no-recording' } });
    const opened = await c.request('openElf', { path: SHELL, serialInput: 'echo hi\r' });
    expect(opened).toMatchObject({ ok: true, result: { guestImageName: 'shell.elf', origin: 'recorded' } });
    const moved = await c.request('seek', { icount: 100, view: { console: { from: 0 } } });
    expect(moved).toMatchObject({ ok: true, result: { stop: { kind: 'position' }, view: { state: { icount: 100 } } } });
    expect(await c.request('nosuch', {})).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    expect(await c.request('openRecording', { path: SHELL })).toMatchObject({ ok: false, error: { code: 'bad-file' } });
    expect(c.events.some((e) => e.type === 'event' && e.event === 'positionChanged')).toBe(true);
    c.ws.close();
  });

  it('refuses a UI of another protocol version', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`, { origin: `http://127.0.0.1:${server.port}` });
    await new Promise((r) => ws.on('open', r));
    const reply = await new Promise<HostMessage>((resolve) => {
      ws.on('message', (d: Buffer) => resolve(JSON.parse(d.toString()) as HostMessage));
      ws.send(JSON.stringify({ type: 'hello', protocolVersion: PROTOCOL_VERSION + 1, client: 'future' }));
    });
    expect(reply).toMatchObject({ type: 'refused', error: { code: 'version-mismatch' } });
  });
});

describe.skipIf(!existsSync(WORKER))('hindsight serve: the engine worker', () => {
  it('answers on the socket while the worker is busy, and cancels', async () => {
    const scratch = makeScratchDir();
    const host: SessionHost = new WorkerSessionHost(new URL(`file://${WORKER}`), scratch.dir);
    const server = await startServer({ host, port: 0, staticDir: os.tmpdir(), hostName: 'test host' });
    try {
      const c = await client(server);
      // Recording the workload to 2 G instructions would take seconds: the socket stays live meanwhile,
      // and progress events arrive while the worker is busy (wait for the first; a loaded machine is slow).
      const long = c.request('openElf', { path: WORKLOAD, maxInsns: 2_000_000_000 });
      const progressSeen = (): boolean => c.events.some((e) => e.type === 'event' && e.event === 'progress');
      for (let waited = 0; !progressSeen() && waited < 20_000; waited += 50) await new Promise((r) => setTimeout(r, 50));
      expect(progressSeen()).toBe(true);
      const started = Date.now();
      const cancel = await c.request('cancel', {});
      expect(cancel).toMatchObject({ ok: true, result: { cancelled: true } });
      expect(await long).toMatchObject({ ok: false, error: { code: 'cancelled' } });
      expect(Date.now() - started).toBeLessThan(3000);
      // The worker goes on serving.
      expect(await c.request('recordingInfo', {})).toMatchObject({ ok: true, result: null });
      c.ws.close();
    } finally {
      await server.close();
      await host.close();
      scratch.remove();
    }
  });
});
