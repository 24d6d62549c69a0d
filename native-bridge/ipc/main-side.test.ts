import { describe, expect, it } from 'vitest';
import { IPC } from './contract.js';
import { IpcReplyError, push, registerIpc, type IpcMainLike, type IpcSenderInfo, type InvokeHandlers } from './main-side.js';

const APP = { senderFrame: { url: 'hindsight://app/index.html' } };
const EVIL = { senderFrame: { url: 'https://example.com/' } };
const trusted = (s: IpcSenderInfo): boolean => s.senderFrame?.url === APP.senderFrame.url;

/** A stand-in for Electron's ipcMain: records handlers, lets the test invoke them as a renderer would. */
function fakeIpcMain() {
  const handlers = new Map<string, (e: IpcSenderInfo, p: unknown) => unknown>();
  const listeners = new Map<string, (e: IpcSenderInfo, p: unknown) => void>();
  const ipc: IpcMainLike = {
    handle: (ch, l) => { if (handlers.has(ch)) throw new Error(`second handler for ${ch}`); handlers.set(ch, l); },
    removeHandler: (ch) => { handlers.delete(ch); },
    on: (ch, l) => { listeners.set(ch, l); },
    removeAllListeners: (ch) => { listeners.delete(ch); },
  };
  return { ipc, handlers, listeners, invoke: (ch: string, sender: IpcSenderInfo, p: unknown) => handlers.get(ch)!(sender, p) };
}

function handlers(over: Partial<InvokeHandlers> = {}): InvokeHandlers {
  return {
    [IPC.hello]: () => ({ protocolVersion: 1, host: 'test' }),
    [IPC.request]: ({ service, params }) => ({ service, params }),
    [IPC.cancel]: () => ({ cancelled: true }),
    [IPC.dialog]: ({ kind }) => ({ path: `/tmp/${kind}` }),
    ...over,
  };
}

describe('main side of the typed IPC', () => {
  it('answers every channel with an envelope, and removes its handlers', async () => {
    const f = fakeIpcMain();
    const states: unknown[] = [];
    const off = registerIpc(f.ipc, trusted, handlers(), { [IPC.menuState]: (s) => states.push(s) }, () => {});
    expect([...f.handlers.keys()].sort()).toEqual([IPC.cancel, IPC.dialog, IPC.hello, IPC.request].sort());
    expect(await f.invoke(IPC.hello, APP, null)).toEqual({ ok: true, value: { protocolVersion: 1, host: 'test' } });
    expect(await f.invoke(IPC.request, APP, { service: 'getState', params: { view: {} } })).toEqual({ ok: true, value: { service: 'getState', params: { view: {} } } });
    expect(await f.invoke(IPC.dialog, APP, { kind: 'open-elf' })).toEqual({ ok: true, value: { path: '/tmp/open-elf' } });
    f.listeners.get(IPC.menuState)!(APP, { enabled: { step: true } });
    expect(states).toEqual([{ enabled: { step: true } }]);
    off();
    expect(f.handlers.size).toBe(0);
    expect(f.listeners.size).toBe(0);
  });

  it('answers a bad payload with bad-request naming the channel, without calling the handler', async () => {
    const f = fakeIpcMain();
    let called = false;
    registerIpc(f.ipc, trusted, handlers({ [IPC.request]: () => { called = true; return null; } }), { [IPC.menuState]: () => {} }, () => {});
    expect(await f.invoke(IPC.request, APP, { service: 'nope', params: {} }))
      .toEqual({ ok: false, error: { code: 'bad-request', message: 'hindsight:request: unknown service the string "nope"' } });
    expect(called).toBe(false);
  });

  it('refuses messages from any page but the app', async () => {
    const f = fakeIpcMain();
    const rejected: string[] = [];
    const states: unknown[] = [];
    registerIpc(f.ipc, trusted, handlers(), { [IPC.menuState]: (s) => states.push(s) }, (why) => rejected.push(why));
    const r = await f.invoke(IPC.hello, EVIL, null) as { ok: boolean; error: { message: string } };
    expect(r.ok).toBe(false);
    expect(r.error.message).toBe('hindsight:hello: refused a message from https://example.com/ (not the Hindsight window)');
    f.listeners.get(IPC.menuState)!(EVIL, { enabled: {} });
    f.listeners.get(IPC.menuState)!(APP, { enabled: { nope: true } });
    expect(states).toEqual([]);
    expect(rejected).toEqual([
      'hindsight:menu-state: refused a message from https://example.com/ (not the Hindsight window)',
      expect.stringContaining('hindsight:menu-state: unknown menu command "nope"'),
    ]);
  });

  it('passes a handler\'s protocol error through and wraps anything else as internal', async () => {
    const f = fakeIpcMain();
    registerIpc(f.ipc, trusted, handlers({
      [IPC.request]: () => { throw new IpcReplyError({ code: 'no-recording', message: 'no recording is open' }); },
      [IPC.dialog]: () => { throw new Error('the window is gone'); },
    }), { [IPC.menuState]: () => {} }, () => {});
    expect(await f.invoke(IPC.request, APP, { service: 'getState', params: {} })).toEqual({ ok: false, error: { code: 'no-recording', message: 'no recording is open' } });
    expect(await f.invoke(IPC.dialog, APP, { kind: 'open-elf' })).toEqual({ ok: false, error: { code: 'internal', message: 'hindsight:dialog: the window is gone' } });
  });

  it('pushes only to a live window', () => {
    const sent: unknown[] = [];
    push({ send: (ch, p) => sent.push([ch, p]), isDestroyed: () => false }, IPC.menu, { id: 'step' });
    push({ send: (ch, p) => sent.push([ch, p]), isDestroyed: () => true }, IPC.menu, { id: 'step' });
    expect(sent).toEqual([[IPC.menu, { id: 'step' }]]);
  });
});
