// Journey: only the person who started `hindsight serve` gets in. Pages without the token, and
// WebSocket connections without it or from another origin, are refused; an old UI is told why.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import WebSocket from 'ws';
import { e2eSkipReason, launch, screenshot, serve, type Served } from './support.js';

const skip = e2eSkipReason();

function upgrade(url: string, origin: string): Promise<{ status: number } | { open: WebSocket }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { origin });
    ws.on('unexpected-response', (_req, res) => { resolve({ status: res.statusCode ?? 0 }); ws.terminate(); });
    ws.on('open', () => resolve({ open: ws }));
    ws.on('error', () => {});
  });
}

describe.skipIf(skip !== null)('the token keeps others out', () => {
  let served: Served;
  let browser: Browser;
  beforeAll(async () => {
    [served, browser] = await Promise.all([serve(), launch()]);
  });
  afterAll(async () => {
    await browser?.close();
    await served?.stop();
  });

  it('refuses pages without the token', async () => {
    const page = await browser.newPage({ viewport: { width: 1000, height: 300 } });
    const none = await page.goto(served.origin + '/');
    expect(none!.status()).toBe(403);
    expect(await page.textContent('body')).toContain('403 Forbidden');
    await screenshot(page, 'token-refused');
    const wrong = await page.goto(`${served.origin}/?token=${'0'.repeat(64)}`);
    expect(wrong!.status()).toBe(403);
    const asset = await page.goto(`${served.origin}/assets/x.js`);
    expect(asset!.status()).toBe(403);
    const right = await page.goto(served.url);
    expect(right!.status()).toBe(200);
  });

  it('refuses WebSocket upgrades from another origin or without the token', async () => {
    const ws = `ws://127.0.0.1:${served.port}/ws`;
    expect(await upgrade(`${ws}?token=${served.token}`, 'http://evil.example')).toEqual({ status: 403 });
    expect(await upgrade(`${ws}?token=${served.token}`, `http://127.0.0.1:${served.port + 1}`)).toEqual({ status: 403 });
    expect(await upgrade(ws, served.origin)).toEqual({ status: 403 });
    expect(await upgrade(`${ws}?token=nope`, served.origin)).toEqual({ status: 403 });
  });

  it('tells a UI of another protocol version why it is refused', async () => {
    const r = await upgrade(`ws://127.0.0.1:${served.port}/ws?token=${served.token}`, served.origin);
    if (!('open' in r)) throw new Error(`upgrade refused: ${r.status}`);
    const reply = await new Promise<string>((resolve) => {
      r.open.on('message', (d: Buffer) => resolve(d.toString()));
      r.open.send(JSON.stringify({ type: 'hello', protocolVersion: 999, client: 'old ui' }));
    });
    expect(JSON.parse(reply)).toMatchObject({ type: 'refused', error: { code: 'version-mismatch' } });
    r.open.terminate();
  });
});
