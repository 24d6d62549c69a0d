// Native open/save dialogs for the renderer's requests (ipc channel hindsight:dialog): what each
// kind shows and filters. The options are a pure function; main.ts shows them for the window.

import type { OpenDialogOptions, SaveDialogOptions } from 'electron';
import type { DialogKind } from '../native-bridge/ipc/contract.js';

const RECORDINGS = { name: 'Hindsight recordings', extensions: ['hsrec'] };
// RISC-V ELFs often have no extension (a.out, zephyr.elf, vmlinux), so "all files" comes with them.
const ELFS = { name: 'ELF executables', extensions: ['elf', 'axf', 'out'] };
const ALL = { name: 'All files', extensions: ['*'] };

export type DialogOptions = { readonly save: false; readonly options: OpenDialogOptions } | { readonly save: true; readonly options: SaveDialogOptions };

export function dialogOptions(kind: DialogKind, defaultPath: string | undefined): DialogOptions {
  const at = defaultPath !== undefined ? { defaultPath } : {};
  switch (kind) {
    case 'open-elf':
      return { save: false, options: { title: 'Open a RISC-V ELF to record', properties: ['openFile'], filters: [ELFS, ALL], ...at } };
    case 'open-recording':
      return { save: false, options: { title: 'Open a recording', properties: ['openFile'], filters: [RECORDINGS, ALL], ...at } };
    case 'save-recording':
      return {
        save: true,
        options: { title: 'Save the recording as', filters: [RECORDINGS], properties: ['createDirectory', 'showOverwriteConfirmation'], ...at },
      };
  }
}

/** A saved recording gets the .hsrec extension when the user typed none (Linux dialogs do not add it). */
export function withRecordingExtension(file: string): string {
  return /\.[^/\\]+$/.test(file.slice(Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\')) + 1)) ? file : `${file}.hsrec`;
}
