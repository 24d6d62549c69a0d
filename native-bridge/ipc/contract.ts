// The typed IPC contract between Electron's main process and the renderer: the one place that names
// the channels and the payload each carries, used by both sides (main/ registers handlers through
// main-side.ts, the preload calls them through preload-api.ts). Modelled on VS Code's typed IPC:
// a channel is a name plus a payload type plus a validator (validate.ts), never a loose string.
//
// Pure types and constants: no Electron, no Node, no DOM, so the renderer can import its types
// (type-only, by the lint rule) and tests can run anywhere.
//
// What crosses: the protocol's services (app/protocol) as one `request` channel, cancel, events,
// and the desktop's own extras: menu commands (main -> renderer), the menu's enabled state
// (renderer -> main), native file dialogs (renderer asks, main shows them).

import type { EventName, ProtocolError, ServiceName } from '../../app/protocol/index.js';

/** Channel names. One prefix, so a stray listener can never mistake another module's channel for ours. */
export const IPC = {
  /** invoke: version handshake (as the WebSocket's hello/welcome). */
  hello: 'hindsight:hello',
  /** invoke: one protocol request; answered with the service's result or its error. */
  request: 'hindsight:request',
  /** invoke: cancel the running request (answered at once, even while the engine is busy). */
  cancel: 'hindsight:cancel',
  /** invoke: show a native open/save dialog; answers the chosen path or null. */
  dialog: 'hindsight:dialog',
  /** send (renderer -> main): which menu commands can run now. */
  menuState: 'hindsight:menu-state',
  /** push (main -> renderer): a protocol event. */
  event: 'hindsight:event',
  /** push (main -> renderer): the user chose a menu item. */
  menu: 'hindsight:menu',
} as const;

/** Every invoke reply: never a thrown error (Electron flattens those to "Error invoking remote method…"). */
export type IpcReply<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: ProtocolError };

export interface HelloReply {
  readonly protocolVersion: number;
  /** "hindsight 0.1.0 (Electron 45.4.1)". */
  readonly host: string;
}

export interface RequestPayload {
  readonly service: Exclude<ServiceName, 'cancel'>;
  readonly params: unknown;
}

export type DialogKind = 'open-elf' | 'open-recording' | 'save-recording';

export interface DialogPayload {
  readonly kind: DialogKind;
  /** A suggested file or folder (save: the suggested name). */
  readonly defaultPath?: string;
}

export interface DialogReply {
  /** The chosen path, or null when the user cancelled. */
  readonly path: string | null;
}

/** Menu items that run a renderer action. The same actions the toolbar runs. */
export const MENU_COMMAND_IDS = [
  'openElf', 'openRecording', 'saveRecordingAs',
  'record', 'stop', 'replay', 'step', 'stepBack', 'continue', 'reverseContinue',
] as const;
export type MenuCommandId = (typeof MENU_COMMAND_IDS)[number];

export type MenuCommand =
  | { readonly id: MenuCommandId }
  /** File > Recent: open this file (no dialog). */
  | { readonly id: 'openRecent'; readonly path: string; readonly kind: 'recording' | 'elf' };

/** What the renderer can do now; the menu greys out the rest (absent = disabled). */
export interface MenuState {
  readonly enabled: Partial<Record<MenuCommandId, boolean>>;
}

export interface EventPayload {
  readonly event: EventName;
  readonly data: unknown;
}

/** renderer -> main, with a reply. */
export interface InvokeContract {
  [IPC.hello]: { payload: null; reply: HelloReply };
  [IPC.request]: { payload: RequestPayload; reply: unknown };
  [IPC.cancel]: { payload: null; reply: { readonly cancelled: boolean } };
  [IPC.dialog]: { payload: DialogPayload; reply: DialogReply };
}

/** renderer -> main, no reply. */
export interface SendContract {
  [IPC.menuState]: MenuState;
}

/** main -> renderer. */
export interface PushContract {
  [IPC.event]: EventPayload;
  [IPC.menu]: MenuCommand;
}

export type InvokeChannel = keyof InvokeContract;
export type SendChannel = keyof SendContract;
export type PushChannel = keyof PushContract;

/** The name of the preload's global in the renderer (window.hindsightNative). */
export const NATIVE_API_GLOBAL = 'hindsightNative';

/**
 * What the preload exposes to the renderer (contextBridge): one small typed bridge. Replies are
 * envelopes, not exceptions, because errors lose their fields crossing the context bridge.
 */
export interface NativeApi {
  hello(): Promise<IpcReply<HelloReply>>;
  request(service: RequestPayload['service'], params: unknown): Promise<IpcReply<unknown>>;
  cancel(): Promise<IpcReply<{ readonly cancelled: boolean }>>;
  /** Returns the function that stops listening. */
  onEvent(listener: (event: EventName, data: unknown) => void): () => void;
  onMenuCommand(listener: (command: MenuCommand) => void): () => void;
  showDialog(request: DialogPayload): Promise<IpcReply<DialogReply>>;
  setMenuState(state: MenuState): void;
}
