import { describe, expect, it } from 'vitest';
import type { EventName } from '../../app/protocol/index.js';
import type { IpcReply, MenuCommand, MenuState, NativeApi } from '../../native-bridge/ipc/contract.js';
import { BridgeError } from './bridge.js';
import { connectIpc } from './ipc-bridge.js';

/** A preload bridge as main would answer it. */
function fakeNative(protocolVersion = 1) {
  const calls: unknown[] = [];
  let emit: (e: EventName, d: unknown) => void = () => {};
  let menu: (c: MenuCommand) => void = () => {};
  const states: MenuState[] = [];
  const api: NativeApi = {
    hello: async () => ({ ok: true, value: { protocolVersion, host: 'hindsight 0.1.0 (Electron 45.4.1)' } }),
    request: async (service, params): Promise<IpcReply<unknown>> => {
      calls.push([service, params]);
      return service === 'recordingInfo' ? { ok: false, error: { code: 'no-recording', message: 'nothing open' } } : { ok: true, value: { service } };
    },
    cancel: async () => { calls.push(['cancel']); return { ok: true, value: { cancelled: true } }; },
    onEvent: (l) => { emit = l; return () => { emit = () => {}; }; },
    onMenuCommand: (l) => { menu = l; return () => {}; },
    showDialog: async (r) => ({ ok: true, value: { path: r.kind === 'open-elf' ? '/fw.elf' : null } }),
    setMenuState: (s) => { states.push(s); },
  };
  return { api, calls, states, emit: (e: EventName, d: unknown) => emit(e, d), menu: (c: MenuCommand) => menu(c) };
}

describe('the Electron IPC bridge', () => {
  it('calls services through the preload, cancel on its own channel, and rejects with the host\'s error', async () => {
    const f = fakeNative();
    const b = await connectIpc(f.api);
    expect(b.hostName).toBe('hindsight 0.1.0 (Electron 45.4.1)');
    expect(await b.call('symbols', {})).toEqual({ service: 'symbols' });
    expect(await b.call('cancel', {})).toEqual({ cancelled: true });
    const err = await b.call('recordingInfo', {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BridgeError);
    expect(err).toMatchObject({ code: 'no-recording', message: 'nothing open' });
    expect(f.calls).toEqual([['symbols', {}], ['cancel'], ['recordingInfo', {}]]);
  });

  it('delivers events to their listeners until unsubscribed', async () => {
    const f = fakeNative();
    const b = await connectIpc(f.api);
    const seen: unknown[] = [];
    const off = b.on('positionChanged', (d) => seen.push(d));
    f.emit('positionChanged', { icount: 3 });
    f.emit('progress', { operation: 'x', done: 1, total: 2 });
    off();
    f.emit('positionChanged', { icount: 4 });
    expect(seen).toEqual([{ icount: 3 }]);
  });

  it('refuses a host of another protocol version', async () => {
    await expect(connectIpc(fakeNative(2).api)).rejects.toMatchObject({ code: 'version-mismatch', message: expect.stringContaining('protocol version 2') });
  });

  it('offers native dialogs and the menu', async () => {
    const f = fakeNative();
    const b = await connectIpc(f.api);
    expect(await b.native!.showDialog('open-elf')).toBe('/fw.elf');
    expect(await b.native!.showDialog('save-recording', 'x.hsrec')).toBeNull();
    b.native!.setMenuState({ enabled: { step: true } });
    expect(f.states).toEqual([{ enabled: { step: true } }]);
  });
});
