// The one door from the UI to a host. Two implementations behind this interface: the WebSocket of
// `hindsight serve` (websocket-bridge.ts) and, later, Electron IPC through the preload. Only
// renderer/bridge talks to a host; the rest of the UI calls this interface through the store.

import type { EventData, EventName, ProtocolError, ServiceName, ServiceParams, ServiceResult } from '../../app/protocol/index.js';

export type BridgeStatus = 'connecting' | 'open' | 'closed';

export interface HostBridge {
  call<M extends ServiceName>(method: M, params: ServiceParams<M>): Promise<ServiceResult<M>>;
  on<E extends EventName>(event: E, listener: (data: EventData<E>) => void): () => void;
  /** The host's name ("hindsight serve 0.1.0") once connected. */
  readonly hostName: string;
  onStatus(listener: (status: BridgeStatus, why?: string) => void): () => void;
  close(): void;
}

/** A request the host answered with an error. */
export class BridgeError extends Error {
  override name = 'BridgeError';
  readonly code: ProtocolError['code'] | 'disconnected';
  constructor(error: ProtocolError | { code: 'disconnected'; message: string }) {
    super(error.message);
    this.code = error.code;
  }
}
