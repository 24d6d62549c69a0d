// The renderer's half of the typed IPC: the NativeApi object the preload exposes through
// contextBridge. Written against the few members of Electron's ipcRenderer it uses, so its shape is
// tested without Electron. Listeners get only the payload, never Electron's event object (which
// would hand the page the sender and a way to send on any channel).

import type { EventName } from '../../app/protocol/index.js';
import { IPC, type InvokeChannel, type InvokeContract, type IpcReply, type MenuCommand, type NativeApi, type PushChannel, type PushContract, type SendChannel, type SendContract } from './contract.js';

export interface IpcRendererLike {
  invoke(channel: string, payload: unknown): Promise<unknown>;
  send(channel: string, payload: unknown): void;
  on(channel: string, listener: (event: unknown, payload: unknown) => void): void;
  removeListener(channel: string, listener: (event: unknown, payload: unknown) => void): void;
}

export function createNativeApi(ipc: IpcRendererLike): NativeApi {
  const invoke = <C extends InvokeChannel>(channel: C, payload: InvokeContract[C]['payload']): Promise<IpcReply<InvokeContract[C]['reply']>> =>
    ipc.invoke(channel, payload).then(
      (r) => r as IpcReply<InvokeContract[C]['reply']>,
      // Only when main has no handler (it is starting or gone): say so as an envelope too.
      (e: unknown) => ({ ok: false, error: { code: 'internal', message: `${channel}: ${e instanceof Error ? e.message : String(e)}` } }),
    );
  const send = <C extends SendChannel>(channel: C, payload: SendContract[C]): void => ipc.send(channel, payload);
  const listen = <C extends PushChannel>(channel: C, listener: (payload: PushContract[C]) => void): (() => void) => {
    const wrapped = (_event: unknown, payload: unknown): void => listener(payload as PushContract[C]);
    ipc.on(channel, wrapped);
    return () => ipc.removeListener(channel, wrapped);
  };

  // A frozen object of plain functions: what contextBridge copies into the page's world.
  return Object.freeze({
    hello: () => invoke(IPC.hello, null),
    request: (service, params) => invoke(IPC.request, { service, params }),
    cancel: () => invoke(IPC.cancel, null),
    onEvent: (listener: (event: EventName, data: unknown) => void) => listen(IPC.event, (p) => listener(p.event, p.data)),
    onMenuCommand: (listener: (command: MenuCommand) => void) => listen(IPC.menu, listener),
    showDialog: (request) => invoke(IPC.dialog, request),
    setMenuState: (state) => send(IPC.menuState, state),
  } satisfies NativeApi);
}
