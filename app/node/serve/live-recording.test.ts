// Interactive recording through the browser host: the session in the engine worker, requests and
// events over the WebSocket. While the guest records, the worker still takes requests (bytes typed,
// stop); the output streams in as events; Stop opens the recording at its end, and its console up
// to any position is the prefix of what streamed live.

import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { HostMessage } from '../../protocol/messages.js';
import { PROTOCOL_VERSION } from '../../protocol/version.js';
import { makeScratchDir } from './node-ports.js';
import { startServer } from './server.js';
import { WorkerSessionHost } from './session-host.js';

const WORKER = path.resolve('dist/serve-worker.mjs');

type Ok = { ok: true; result: Record<string, unknown> & { [k: string]: unknown } };

async function client(port: number, token: string) {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws?token=${token}`, { origin: `http://127.0.0.1:${port}` });
  const events: { event: string; data: Record<string, unknown> }[] = [];
  const waiting = new Map<number, (m: HostMessage) => void>();
  let welcome: () => void = () => {};
  ws.on('message', (d: Buffer) => {
    const m = JSON.parse(d.toString()) as HostMessage;
    if (m.type === 'response') waiting.get(m.id)?.(m);
    else if (m.type === 'event') events.push({ event: m.event, data: m.data as Record<string, unknown> });
    else welcome();
  });
  await new Promise<void>((resolve, reject) => { ws.on('open', () => resolve()); ws.on('error', reject); });
  await new Promise<void>((resolve) => { welcome = resolve; ws.send(JSON.stringify({ type: 'hello', protocolVersion: PROTOCOL_VERSION, client: 'test' })); });
  let id = 0;
  const request = (method: string, params: unknown): Promise<HostMessage> => new Promise((resolve) => {
    const n = ++id;
    waiting.set(n, resolve);
    ws.send(JSON.stringify({ type: 'request', id: n, method, params }));
  });
  const consoleText = (): string => events.filter((e) => e.event === 'consoleOutput').map((e) => e.data.chunk as string).join('');
  const progress = () => events.filter((e) => e.event === 'recordingProgress').map((e) => e.data.recording as { icount: number; state: string; endReason: string | null });
  return { ws, events, request, consoleText, progress };
}

async function until(what: string, ok: () => boolean, ms = 20_000): Promise<void> {
  for (let waited = 0; !ok(); waited += 20) {
    if (waited > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.skipIf(!existsSync(WORKER))('hindsight serve: recording from the UI', () => {
  it('start → type → stop in the worker; the recording opens at its end with the same console', async () => {
    const scratch = makeScratchDir();
    const host = new WorkerSessionHost(new URL(`file://${WORKER}`), scratch.dir);
    const server = await startServer({ host, port: 0, staticDir: os.tmpdir(), hostName: 'test host' });
    try {
      const c = await client(server.port, server.token);
      const bad = await c.request('startRecording', { usb: ['capture:/no/such.pcapng'] });
      expect(bad).toMatchObject({ ok: false, error: { code: 'device', message: expect.stringContaining('capture:/no/such.pcapng') } });
      const devices = await c.request('listUsbDevices', {}) as unknown as Ok;
      expect(devices).toMatchObject({ ok: true, result: { ports: 2 } });

      const started = await c.request('startRecording', { usb: ['virtual:msc'] });
      expect(started).toMatchObject({ ok: true, result: { guestImageName: 'shell.elf', devices: ['virtual:msc'] } });
      await until('the prompt', () => c.consoleText().endsWith('> ') && c.progress().at(-1)?.state === 'waiting');
      const promptAt = c.consoleText().length;
      expect(await c.request('sendSerial', { bytes: 'lsusb\r' })).toMatchObject({ ok: true, result: { queued: 6 } });
      await until('the answer', () => /^lsusb\n[\s\S]*"Hindsight Virtual Disk"[\s\S]*> $/.test(c.consoleText().slice(promptAt)) && c.progress().at(-1)?.state === 'waiting');
      // A page that reconnects gets the console so far.
      expect(await c.request('liveRecording', {})).toMatchObject({ ok: true, result: { console: c.consoleText(), recording: { state: 'waiting' } } });
      expect(await c.request('seek', { icount: 0, view: {} })).toMatchObject({ ok: false, error: { code: 'no-recording', message: expect.stringMatching(/Stop it/) } });

      const stopped = await c.request('stopRecording', {}) as unknown as Ok;
      expect(stopped).toMatchObject({ ok: true, result: { endReason: 'stopped by the user', origin: 'recorded', complete: true } });
      const end = stopped.result.end as number;
      expect(c.progress().at(-1)).toMatchObject({ state: 'ended', icount: end });
      expect(c.events.some((e) => e.event === 'recordingOpened')).toBe(true);
      const live = c.consoleText();
      const atEnd = await c.request('consoleText', { upTo: end, from: 0 }) as unknown as Ok;
      expect(atEnd.result.chunk).toBe(live);
      // Anywhere back, the console is a prefix of what streamed live.
      for (const at of [1, Math.floor(end / 3), Math.floor(end / 2), end - 1]) {
        const r = await c.request('seek', { icount: at, view: { console: { from: 0 } } }) as unknown as Ok;
        const chunk = (r.result.view as { console: { chunk: string } }).console.chunk;
        expect(live.startsWith(chunk)).toBe(true);
      }
      // Stop while the guest runs flat out: taken between slices, answered at once.
      await c.request('startRecording', { guest: path.resolve('assets/firmware/elf/workload-long.elf'), usb: [] });
      await until('the long run to be under way', () => (c.progress().at(-1)?.icount ?? 0) > 50_000_000);
      const asked = Date.now();
      const long = await c.request('stopRecording', {}) as unknown as Ok;
      expect(Date.now() - asked).toBeLessThan(3000);
      expect(long).toMatchObject({ ok: true, result: { endReason: 'stopped by the user', guestImageName: 'workload-long.elf' } });
      expect(long.result.end as number).toBeLessThan(2_000_000_000);
      c.ws.close();
    } finally {
      await server.close();
      await host.close();
      scratch.remove();
    }
  });
});
