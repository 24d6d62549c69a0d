// HostBridge over the WebSocket of `hindsight serve`: JSON messages of app/protocol/messages.ts.
// The page's URL carries the token (?token=...), which the socket URL repeats.

import type { HostMessage, RequestMessage, ServiceName, ServiceParams, ServiceResult } from '../../app/protocol/index.js';
import { BridgeError, EventListeners, UI_PROTOCOL_VERSION, type BridgeStatus, type HostBridge } from './bridge.js';

interface Pending { resolve(v: unknown): void; reject(e: Error): void }

export function connectWebSocket(url: string): Promise<HostBridge> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const pending = new Map<number, Pending>();
    const listeners = new EventListeners();
    const statusListeners = new Set<(s: BridgeStatus, why?: string) => void>();
    let nextId = 1;
    let hostName = '';
    let welcomed = false;

    const bridge: HostBridge = {
      call<M extends ServiceName>(method: M, params: ServiceParams<M>): Promise<ServiceResult<M>> {
        if (ws.readyState !== WebSocket.OPEN) return Promise.reject(new BridgeError({ code: 'disconnected', message: 'not connected to the host' }));
        const id = nextId++;
        const msg: RequestMessage<M> = { type: 'request', id, method, params };
        ws.send(JSON.stringify(msg));
        return new Promise((res, rej) => pending.set(id, { resolve: res as (v: unknown) => void, reject: rej }));
      },
      on: (event, listener) => listeners.on(event, listener),
      get hostName() { return hostName; },
      onStatus(listener) {
        statusListeners.add(listener);
        return () => { statusListeners.delete(listener); };
      },
      close: () => ws.close(),
    };

    ws.onopen = () => ws.send(JSON.stringify({ type: 'hello', protocolVersion: UI_PROTOCOL_VERSION, client: 'hindsight renderer' }));
    ws.onmessage = (ev: MessageEvent<string>) => {
      const m = JSON.parse(ev.data) as HostMessage;
      switch (m.type) {
        case 'welcome':
          welcomed = true;
          hostName = m.host;
          resolve(bridge);
          for (const l of statusListeners) l('open');
          return;
        case 'refused':
          reject(new BridgeError(m.error));
          return;
        case 'response': {
          const p = pending.get(m.id);
          pending.delete(m.id);
          if (!p) return;
          if (m.ok) p.resolve(m.result); else p.reject(new BridgeError(m.error));
          return;
        }
        case 'event':
          listeners.emit(m.event, m.data);
      }
    };
    ws.onclose = (ev) => {
      const why = ev.reason || `connection closed (code ${ev.code})`;
      for (const p of pending.values()) p.reject(new BridgeError({ code: 'disconnected', message: why }));
      pending.clear();
      if (!welcomed) reject(new BridgeError({ code: 'disconnected', message: `cannot connect to the host: ${why}` }));
      for (const l of statusListeners) l('closed', why);
    };
  });
}
