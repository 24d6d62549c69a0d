// The one door from the UI to a host. Two implementations behind this interface: the WebSocket of
// `hindsight serve` (websocket-bridge.ts) and Electron IPC through the preload (ipc-bridge.ts). Only
// renderer/bridge talks to a host; the rest of the UI calls this interface through the store.

import type { EventData, EventName, ProtocolError, ProtocolVersion, ServiceName, ServiceParams, ServiceResult } from '../../app/protocol/index.js';
import type { DialogKind, MenuCommand, MenuState } from '../../native-bridge/ipc/contract.js';

export type BridgeStatus = 'connecting' | 'open' | 'closed';

export interface HostBridge {
  call<M extends ServiceName>(method: M, params: ServiceParams<M>): Promise<ServiceResult<M>>;
  on<E extends EventName>(event: E, listener: (data: EventData<E>) => void): () => void;
  /** The host's name ("hindsight serve 0.1.0") once connected. */
  readonly hostName: string;
  onStatus(listener: (status: BridgeStatus, why?: string) => void): () => void;
  close(): void;
  /** The desktop app's extras (Electron IPC only): menus and native dialogs. */
  readonly native?: NativeShell;
}

/** What only the desktop host offers the UI: its menu and native file dialogs. */
export interface NativeShell {
  /** Shows a native open/save dialog; the chosen path, or null when cancelled. */
  showDialog(kind: DialogKind, defaultPath?: string): Promise<string | null>;
  /** The user chose a menu item; returns the function that stops listening. */
  onMenuCommand(listener: (command: MenuCommand) => void): () => void;
  /** Which menu items can run now (the rest are greyed out). */
  setMenuState(state: MenuState): void;
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

/** The protocol version this UI speaks; the type makes the build fail if app/protocol's differs. */
export const UI_PROTOCOL_VERSION: ProtocolVersion = 1;

/** The listeners of a bridge's events, by event name (both bridges keep them the same way). */
export class EventListeners {
  private readonly byEvent = new Map<string, Set<(data: unknown) => void>>();

  /** Adds a listener; returns the function that removes it. */
  on<E extends EventName>(event: E, listener: (data: EventData<E>) => void): () => void {
    let set = this.byEvent.get(event);
    if (!set) this.byEvent.set(event, (set = new Set()));
    const l = listener as (d: unknown) => void;
    set.add(l);
    return () => { set.delete(l); };
  }

  emit(event: string, data: unknown): void {
    for (const l of this.byEvent.get(event) ?? []) l(data);
  }
}
