// The main process's half of the typed IPC: register a handler per channel of contract.ts. Each
// payload is checked by its validator and each sender by `trusted` (our own window's frame) before
// the handler runs; the reply is always an IpcReply envelope. Written against the few members of
// Electron's ipcMain it uses, so it is tested without Electron.

import type { ProtocolError } from '../../app/protocol/index.js';
import {
  type InvokeChannel, type InvokeContract, type IpcReply, type PushChannel, type PushContract, type SendChannel, type SendContract,
} from './contract.js';
import { INVOKE_VALIDATORS, IpcPayloadError, SEND_VALIDATORS } from './validate.js';

/** What main needs to know about who sent a message (Electron's IpcMainInvokeEvent / IpcMainEvent). */
export interface IpcSenderInfo {
  readonly senderFrame: { readonly url: string } | null;
}

export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcSenderInfo, payload: unknown) => unknown): void;
  removeHandler(channel: string): void;
  on(channel: string, listener: (event: IpcSenderInfo, payload: unknown) => void): void;
  removeAllListeners(channel: string): void;
}

/** An error the handler means to show (its code and message reach the renderer as they are). */
export class IpcReplyError extends Error {
  constructor(readonly error: ProtocolError) {
    super(error.message);
  }
}

export type InvokeHandlers = {
  readonly [C in InvokeChannel]: (payload: InvokeContract[C]['payload']) => Promise<InvokeContract[C]['reply']> | InvokeContract[C]['reply'];
};
export type SendHandlers = { readonly [C in SendChannel]: (payload: SendContract[C]) => void };

function refusal(channel: string, sender: IpcSenderInfo): ProtocolError {
  return { code: 'bad-request', message: `${channel}: refused a message from ${sender.senderFrame?.url ?? 'a destroyed frame'} (not the Hindsight window)` };
}

/** Runs one invoke: sender check, validation, handler; every outcome is an envelope. */
export async function answerInvoke<C extends InvokeChannel>(
  channel: C, handler: InvokeHandlers[C], trusted: (sender: IpcSenderInfo) => boolean, sender: IpcSenderInfo, raw: unknown,
): Promise<IpcReply<InvokeContract[C]['reply']>> {
  if (!trusted(sender)) return { ok: false, error: refusal(channel, sender) };
  try {
    const payload = INVOKE_VALIDATORS[channel](raw) as never;
    return { ok: true, value: await (handler as (p: unknown) => unknown)(payload) as InvokeContract[C]['reply'] };
  } catch (e) {
    if (e instanceof IpcPayloadError) return { ok: false, error: { code: 'bad-request', message: e.message } };
    if (e instanceof IpcReplyError) return { ok: false, error: e.error };
    return { ok: false, error: { code: 'internal', message: `${channel}: ${e instanceof Error ? e.message : String(e)}` } };
  }
}

/**
 * Registers every channel's handler; returns the function that removes them (window closed).
 * `onRejected` hears about fire-and-forget messages that were refused (there is no reply to carry it).
 */
export function registerIpc(
  ipc: IpcMainLike, trusted: (sender: IpcSenderInfo) => boolean, invoke: InvokeHandlers, send: SendHandlers,
  onRejected: (why: string) => void,
): () => void {
  const invokeChannels = Object.keys(invoke) as InvokeChannel[];
  for (const ch of invokeChannels) {
    ipc.handle(ch, (event, raw) => answerInvoke(ch, invoke[ch] as never, trusted, event, raw));
  }
  const sendChannels = Object.keys(send) as SendChannel[];
  for (const ch of sendChannels) {
    ipc.on(ch, (event, raw) => {
      if (!trusted(event)) { onRejected(refusal(ch, event).message); return; }
      try {
        send[ch](SEND_VALIDATORS[ch](raw));
      } catch (e) {
        onRejected(e instanceof Error ? e.message : String(e));
      }
    });
  }
  return () => {
    for (const ch of invokeChannels) ipc.removeHandler(ch);
    for (const ch of sendChannels) ipc.removeAllListeners(ch);
  };
}

/** What main needs from a window's webContents to push to it. */
export interface PushTarget {
  send(channel: string, payload: unknown): void;
  isDestroyed(): boolean;
}

/** Sends a typed push (event, menu command) to the renderer, if its window still exists. */
export function push<C extends PushChannel>(target: PushTarget, channel: C, payload: PushContract[C]): void {
  if (!target.isDestroyed()) target.send(channel, payload);
}
