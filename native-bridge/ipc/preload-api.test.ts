import { describe, expect, it } from 'vitest';
import { IPC, type NativeApi } from './contract.js';
import { createNativeApi, type IpcRendererLike } from './preload-api.js';

/** A stand-in for Electron's ipcRenderer: records what the page sends, lets the test push. */
function fakeIpcRenderer(reply: (ch: string, p: unknown) => unknown = () => ({ ok: true, value: null })) {
  const calls: Array<[string, unknown]> = [];
  const listeners = new Map<string, Set<(e: unknown, p: unknown) => void>>();
  const ipc: IpcRendererLike = {
    invoke: async (ch, p) => { calls.push([ch, p]); return reply(ch, p); },
    send: (ch, p) => { calls.push([ch, p]); },
    on: (ch, l) => { if (!listeners.has(ch)) listeners.set(ch, new Set()); listeners.get(ch)!.add(l); },
    removeListener: (ch, l) => { listeners.get(ch)?.delete(l); },
  };
  const pushFromMain = (ch: string, p: unknown): void => { for (const l of listeners.get(ch) ?? []) l({ sender: 'electron event' }, p); };
  return { ipc, calls, listeners, pushFromMain };
}

describe('the preload bridge', () => {
  it('exposes exactly the small typed API, frozen, of plain functions', () => {
    const api = createNativeApi(fakeIpcRenderer().ipc);
    const keys: Array<keyof NativeApi> = ['hello', 'request', 'cancel', 'onEvent', 'onMenuCommand', 'showDialog', 'setMenuState'];
    expect(Object.keys(api).sort()).toEqual([...keys].sort());
    for (const k of keys) expect(typeof api[k]).toBe('function');
    expect(Object.isFrozen(api)).toBe(true);
  });

  it('sends each call on its channel with its payload', async () => {
    const f = fakeIpcRenderer((ch) => ({ ok: true, value: ch }));
    const api = createNativeApi(f.ipc);
    expect(await api.request('seek', { icount: 1 })).toEqual({ ok: true, value: IPC.request });
    await api.hello();
    await api.cancel();
    await api.showDialog({ kind: 'open-recording' });
    api.setMenuState({ enabled: { step: true } });
    expect(f.calls).toEqual([
      [IPC.request, { service: 'seek', params: { icount: 1 } }],
      [IPC.hello, null],
      [IPC.cancel, null],
      [IPC.dialog, { kind: 'open-recording' }],
      [IPC.menuState, { enabled: { step: true } }],
    ]);
  });

  it('hands listeners the payload only (never Electron\'s event), and unsubscribes', () => {
    const f = fakeIpcRenderer();
    const api = createNativeApi(f.ipc);
    const seen: unknown[][] = [];
    const offEvent = api.onEvent((...args) => seen.push(args));
    const offMenu = api.onMenuCommand((...args) => seen.push(args));
    f.pushFromMain(IPC.event, { event: 'positionChanged', data: { icount: 7 } });
    f.pushFromMain(IPC.menu, { id: 'stepBack' });
    expect(seen).toEqual([['positionChanged', { icount: 7 }], [{ id: 'stepBack' }]]);
    offEvent();
    offMenu();
    expect(f.listeners.get(IPC.event)!.size + f.listeners.get(IPC.menu)!.size).toBe(0);
  });

  it('turns a missing handler in main into an error envelope, not a rejection', async () => {
    const f = fakeIpcRenderer();
    f.ipc.invoke = () => Promise.reject(new Error("No handler registered for 'hindsight:request'"));
    const api = createNativeApi(f.ipc);
    expect(await api.request('getState', {})).toEqual({ ok: false, error: { code: 'internal', message: "hindsight:request: No handler registered for 'hindsight:request'" } });
  });
});
