// Picks the bridge for where the UI runs: Electron's preload (later) or `hindsight serve`.

import type { HostBridge } from './bridge.js';
import { connectWebSocket } from './websocket-bridge.js';

export type { HostBridge, BridgeStatus } from './bridge.js';
export { BridgeError } from './bridge.js';

export function connectToHost(): Promise<HostBridge> {
  const token = new URLSearchParams(location.search).get('token') ?? '';
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws?token=${encodeURIComponent(token)}`;
  return connectWebSocket(url);
}
