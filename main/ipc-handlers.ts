// What main answers on each IPC channel (native-bridge/ipc/contract.ts): protocol requests go to
// the engine's host unchanged, cancel goes around the queue, dialogs are native. Composition only;
// free of Electron so it is tested with a fake host.

import type { DialogKind, MenuState } from '../native-bridge/ipc/contract.js';
import { IpcReplyError, type InvokeHandlers, type SendHandlers } from '../native-bridge/ipc/main-side.js';
import { PROTOCOL_VERSION } from '../app/protocol/version.js';
import type { SessionHost } from '../app/node/serve/session-host.js';

export interface IpcDeps {
  readonly host: Pick<SessionHost, 'request' | 'cancel'>;
  /** "hindsight 0.1.0 (Electron 45.4.1)". */
  readonly hostName: string;
  /** Shows a native dialog; the chosen path or null. */
  showDialog(kind: DialogKind, defaultPath: string | undefined): Promise<string | null>;
  menuStateChanged(state: MenuState): void;
  /** A file was opened or saved (the Recent menu changes). */
  filesChanged(path: string, kind: 'recording' | 'elf'): void;
}

const OPENS = new Set(['openRecording', 'openElf', 'saveRecordingAs']);

export function ipcHandlers(deps: IpcDeps): { invoke: InvokeHandlers; send: SendHandlers } {
  return {
    invoke: {
      'hindsight:hello': () => ({ protocolVersion: PROTOCOL_VERSION, host: deps.hostName }),
      'hindsight:request': async ({ service, params }) => {
        const r = await deps.host.request(service, params);
        if (!r.ok) throw new IpcReplyError(r.error);
        if (OPENS.has(service)) {
          const info = r.result as { path: string };
          deps.filesChanged(service === 'openElf' ? (params as { path: string }).path : info.path, service === 'openElf' ? 'elf' : 'recording');
        }
        return r.result;
      },
      'hindsight:cancel': () => ({ cancelled: deps.host.cancel() }),
      'hindsight:dialog': async ({ kind, defaultPath }) => ({ path: await deps.showDialog(kind, defaultPath) }),
    },
    send: {
      'hindsight:menu-state': (state) => deps.menuStateChanged(state),
    },
  };
}
