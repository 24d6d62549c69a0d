// The wire envelope shared by the message-based transports (WebSocket text frames as JSON, worker
// postMessage). Electron IPC uses invoke/handle per service with the same params and results.
//
// Connect: the UI sends `hello` with its protocol version first; the host answers `welcome` (and
// then serves requests) or `refused` with a 'version-mismatch' error and closes.
// Requests carry an id chosen by the UI; each gets exactly one response with the same id.

import type { ProtocolError } from './errors.js';
import type { EventData, EventName } from './events.js';
import type { ServiceName, ServiceParams, ServiceResult } from './services.js';

export interface HelloMessage {
  readonly type: 'hello';
  readonly protocolVersion: number;
  readonly client: string;
}

export interface WelcomeMessage {
  readonly type: 'welcome';
  readonly protocolVersion: number;
  /** The host's name and version ("hindsight serve 0.1.0"). */
  readonly host: string;
}

export interface RefusedMessage {
  readonly type: 'refused';
  readonly error: ProtocolError;
}

export interface RequestMessage<M extends ServiceName = ServiceName> {
  readonly type: 'request';
  readonly id: number;
  readonly method: M;
  readonly params: ServiceParams<M>;
}

export type ResponseMessage<M extends ServiceName = ServiceName> =
  | { readonly type: 'response'; readonly id: number; readonly ok: true; readonly result: ServiceResult<M> }
  | { readonly type: 'response'; readonly id: number; readonly ok: false; readonly error: ProtocolError };

export interface EventMessage<E extends EventName = EventName> {
  readonly type: 'event';
  readonly event: E;
  readonly data: EventData<E>;
}

/** What a UI sends. */
export type ClientMessage = HelloMessage | RequestMessage;
/** What a host sends. */
export type HostMessage = WelcomeMessage | RefusedMessage | ResponseMessage | EventMessage;
