// The desktop app's menu and native dialogs, wired to the store's actions (the same ones the
// toolbar and the file dialog run). Bound once at connect, only when the host is Electron:
// - menu commands run store actions; items the store cannot run now are greyed out, from
//   menuStateOf() — the same conditions that disable the toolbar's buttons;
// - showFileDialog (the in-app file dialog of the browser host) becomes the native dialog, so any
//   "Open…" or "Save As…" in the UI is native in the desktop app without knowing it.
//
// Debug > Replay plays the open recording back from the start (replay-slice.ts); Debug > Stop ends
// a live recording, or else pauses a replay, as the toolbar's Stop and Pause do.

import type { StoreApi } from 'zustand';
import type { MenuCommand, MenuState } from '../../native-bridge/ipc/contract.js';
import type { NativeShell } from '../bridge/index.js';
import type { FileDialogMode } from './files-slice.js';
import { replaySelectors } from './replay-slice.js';
import { positionSelectors } from './selectors.js';
import type { Store } from './types.js';

/** What the menu may run now. */
export function menuStateOf(s: Store): MenuState {
  const connected = s.status === 'open';
  const idle = s.busy === null && s.fileBusy === null;
  const ready = positionSelectors.ready(s) && s.busy === null;
  return {
    enabled: {
      openElf: connected && idle,
      openRecording: connected && idle,
      saveRecordingAs: connected && idle && s.info !== null,
      step: ready, stepBack: ready, continue: ready, reverseContinue: ready,
      record: connected && s.live === null && s.recordingAction === null && idle,
      stop: (s.live !== null && s.recordingAction === null) || replaySelectors.playing(s),
      replay: replaySelectors.canReplay(s) && !replaySelectors.playing(s),
    },
  };
}

/** Runs one menu command on the store. */
export function runMenuCommand(store: StoreApi<Store>, command: MenuCommand): void {
  const s = store.getState();
  switch (command.id) {
    case 'openElf': s.showFileDialog('open-elf'); return;
    case 'openRecording': s.showFileDialog('open-recording'); return;
    case 'saveRecordingAs': s.showFileDialog('save-recording'); return;
    case 'openRecent': void (command.kind === 'elf' ? s.openElf(command.path) : s.openRecording(command.path)); return;
    case 'step': void s.step(); return;
    case 'stepBack': void s.stepBack(); return;
    case 'continue': void s.continueForward(); return;
    case 'reverseContinue': void s.reverseContinue(); return;
    case 'record': s.openRecordDialog(); return;
    case 'stop':
      if (s.live !== null) void s.stopRecording();
      else s.stopReplay('pause');
      return;
    case 'replay': void s.replay(); return;
  }
}

/** Chooses a file with the native dialog and runs the files slice's action on it. */
async function nativeFileDialog(store: StoreApi<Store>, native: NativeShell, mode: FileDialogMode): Promise<void> {
  const s = store.getState();
  try {
    const path = await native.showDialog(mode, mode === 'save-recording' ? suggestedName(s) : undefined);
    if (path === null) return;
    if (mode === 'open-elf') await s.openElf(path);
    else if (mode === 'open-recording') await s.openRecording(path);
    // The native save dialog has already asked whether to replace an existing file.
    else await s.saveRecordingAs(path, { overwrite: true });
  } catch (e) {
    s.reportError(e, 'The file dialog failed');
  }
}

function suggestedName(s: Store): string | undefined {
  const name = s.info?.guestImageName.split(/[\\/]/).pop();
  return name ? `${name.replace(/\.[^.]*$/, '')}.hsrec` : undefined;
}

/** Wires the native shell to the store; returns the function that unwires it. */
export function bindNativeShell(store: StoreApi<Store>, native: NativeShell): () => void {
  store.setState({ showFileDialog: (mode: FileDialogMode) => { void nativeFileDialog(store, native, mode); } });
  const stopMenu = native.onMenuCommand((command) => runMenuCommand(store, command));
  let last = '';
  const report = (s: Store): void => {
    const state = menuStateOf(s);
    const key = JSON.stringify(state);
    if (key !== last) { last = key; native.setMenuState(state); }
  };
  report(store.getState());
  const stopState = store.subscribe(report);
  return () => { stopMenu(); stopState(); };
}
