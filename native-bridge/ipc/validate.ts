// Checks what the renderer sends before main acts on it. The renderer is sandboxed, but it renders
// data from recordings and ELFs; main treats every payload as untrusted input and answers a bad
// one with an error that names the channel and what is wrong (never a crash, never a guess).

import { isServiceName } from '../../app/protocol/services.js';
import {
  IPC, MENU_COMMAND_IDS, type DialogKind, type DialogPayload, type InvokeChannel, type InvokeContract, type MenuState,
  type RequestPayload, type SendChannel, type SendContract,
} from './contract.js';

export class IpcPayloadError extends Error {
  override name = 'IpcPayloadError';
  constructor(readonly channel: string, what: string) {
    super(`${channel}: ${what}`);
  }
}

const DIALOG_KINDS: readonly DialogKind[] = ['open-elf', 'open-recording', 'save-recording'];
/** Paths and names longer than this are not something a user typed or a dialog produced. */
const MAX_PATH = 4096;

function describe(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'an array';
  if (typeof x === 'string') return `the string ${JSON.stringify(x.length > 40 ? `${x.slice(0, 40)}…` : x)}`;
  return typeof x === 'object' ? 'an object' : `${typeof x} ${String(x)}`;
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function none(channel: string) {
  return (x: unknown): null => {
    if (x !== null && x !== undefined) throw new IpcPayloadError(channel, `takes no payload, got ${describe(x)}`);
    return null;
  };
}

export function validateRequest(x: unknown): RequestPayload {
  const ch = IPC.request;
  if (!isPlainObject(x)) throw new IpcPayloadError(ch, `expected { service, params }, got ${describe(x)}`);
  const { service, params } = x;
  if (!isServiceName(service)) throw new IpcPayloadError(ch, `unknown service ${describe(service)}`);
  if (service === 'cancel') throw new IpcPayloadError(ch, `cancel has its own channel (${IPC.cancel}): it must not wait behind the running request`);
  if (!isPlainObject(params)) throw new IpcPayloadError(ch, `params of ${service} must be an object, got ${describe(params)}`);
  return { service, params };
}

export function validateDialog(x: unknown): DialogPayload {
  const ch = IPC.dialog;
  if (!isPlainObject(x)) throw new IpcPayloadError(ch, `expected { kind, defaultPath? }, got ${describe(x)}`);
  const { kind, defaultPath } = x;
  if (!DIALOG_KINDS.includes(kind as DialogKind)) throw new IpcPayloadError(ch, `kind must be one of ${DIALOG_KINDS.join(', ')}, got ${describe(kind)}`);
  if (defaultPath === undefined) return { kind: kind as DialogKind };
  if (typeof defaultPath !== 'string' || defaultPath.length > MAX_PATH || defaultPath.includes('\0')) {
    throw new IpcPayloadError(ch, `defaultPath must be a path (a string without NUL, at most ${MAX_PATH} characters), got ${describe(defaultPath)}`);
  }
  return { kind: kind as DialogKind, defaultPath };
}

export function validateMenuState(x: unknown): MenuState {
  const ch = IPC.menuState;
  if (!isPlainObject(x) || !isPlainObject(x.enabled)) throw new IpcPayloadError(ch, `expected { enabled: { command: boolean } }, got ${describe(x)}`);
  const enabled: Record<string, boolean> = {};
  for (const [id, on] of Object.entries(x.enabled)) {
    if (!(MENU_COMMAND_IDS as readonly string[]).includes(id)) throw new IpcPayloadError(ch, `unknown menu command ${JSON.stringify(id)} (known: ${MENU_COMMAND_IDS.join(', ')})`);
    if (typeof on !== 'boolean') throw new IpcPayloadError(ch, `enabled.${id} must be true or false, got ${describe(on)}`);
    enabled[id] = on;
  }
  return { enabled };
}

/** One validator per renderer -> main channel; the mapped types keep this complete. */
export const INVOKE_VALIDATORS: { readonly [C in InvokeChannel]: (x: unknown) => InvokeContract[C]['payload'] } = {
  [IPC.hello]: none(IPC.hello),
  [IPC.request]: validateRequest,
  [IPC.cancel]: none(IPC.cancel),
  [IPC.dialog]: validateDialog,
};

export const SEND_VALIDATORS: { readonly [C in SendChannel]: (x: unknown) => SendContract[C] } = {
  [IPC.menuState]: validateMenuState,
};
