// HostBridge over Electron IPC: the preload's typed bridge (window.hindsightNative, see
// native-bridge/ipc/contract.ts), chosen at startup when it exists. The same calls and events as
// the WebSocket bridge; plus `native` (menu commands, native dialogs), which only this host has.
// Only types cross from native-bridge/: the renderer never loads Electron code.

import type { ServiceName, ServiceParams, ServiceResult } from '../../app/protocol/index.js';
import type { IpcReply, NATIVE_API_GLOBAL, NativeApi } from '../../native-bridge/ipc/contract.js';
import { BridgeError, EventListeners, UI_PROTOCOL_VERSION, type HostBridge, type NativeShell } from './bridge.js';
/** Where the preload puts the bridge; the type ties it to the preload's constant. */
export const NATIVE_GLOBAL: typeof NATIVE_API_GLOBAL = 'hindsightNative';

/** The preload's bridge, when the UI runs in the desktop app. */
export function nativeApi(): NativeApi | null {
  return (globalThis as { [NATIVE_GLOBAL]?: NativeApi })[NATIVE_GLOBAL] ?? null;
}

function unwrap<T>(r: IpcReply<T>): T {
  if (r.ok) return r.value;
  throw new BridgeError(r.error);
}

export async function connectIpc(api: NativeApi): Promise<HostBridge> {
  const hello = unwrap(await api.hello());
  if (hello.protocolVersion !== UI_PROTOCOL_VERSION) {
    throw new BridgeError({ code: 'version-mismatch', message: `the desktop host speaks protocol version ${hello.protocolVersion}, this UI ${UI_PROTOCOL_VERSION}: rebuild (npm run build)` });
  }
  const listeners = new EventListeners();
  const stop = api.onEvent((event, data) => listeners.emit(event, data));
  const native: NativeShell = {
    showDialog: async (kind, defaultPath) => unwrap(await api.showDialog({ kind, ...(defaultPath !== undefined ? { defaultPath } : {}) })).path,
    onMenuCommand: (listener) => api.onMenuCommand(listener),
    setMenuState: (state) => api.setMenuState(state),
  };
  return {
    async call<M extends ServiceName>(method: M, params: ServiceParams<M>): Promise<ServiceResult<M>> {
      // cancel has its own channel: it must not queue behind the request it cancels.
      if (method === 'cancel') return unwrap(await api.cancel()) as ServiceResult<M>;
      return unwrap(await api.request(method as Exclude<ServiceName, 'cancel'>, params)) as ServiceResult<M>;
    },
    on: (event, listener) => listeners.on(event, listener),
    hostName: hello.host,
    // The page and its host live and die together: the status never changes after connecting
    // (an engine that dies says so with an 'error' event).
    onStatus: () => () => {},
    close: stop,
    native,
  };
}
