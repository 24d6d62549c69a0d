// Picks the bridge for where the UI runs: Electron's preload or `hindsight serve`.

import type { HostBridge } from './bridge.js';
import { connectWebSocket } from './websocket-bridge.js';
import { connectIpc, nativeApi } from './ipc-bridge.js';

export type { HostBridge, BridgeStatus, NativeShell } from './bridge.js';
export { BridgeError } from './bridge.js';

export function connectToHost(): Promise<HostBridge> {
  // In the desktop app the preload has put its bridge on the page; otherwise this is `hindsight serve`.
  const native = nativeApi();
  if (native) return connectIpc(native);
  const token = new URLSearchParams(location.search).get('token') ?? '';
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws?token=${encodeURIComponent(token)}`;
  return connectWebSocket(url);
}
