// Files: open a recording or an ELF, save the recording as a file, the Recent list, and the in-app
// file dialog of the browser host. These actions are what every front end calls: the in-app dialog
// (renderer/features/files) and Electron's native menus and dialogs alike.
//
// Replacing a scratch recording the host made (origin 'recorded', not saved yet) first asks: the
// open waits in `replacePending` until confirmReplace() or cancelReplace() (or a save, after which
// it goes ahead). Errors go to the one error surface (reportError); what is open stays open.

import type { DirectoryListing, RecentFile } from '../../app/protocol/index.js';
import { BridgeError } from '../bridge/index.js';
import { host } from './host.js';
import type { SliceCreator } from './types.js';

export type FileDialogMode = 'open-recording' | 'open-elf' | 'save-recording';

export interface PendingOpen {
  readonly kind: 'recording' | 'elf';
  readonly path: string;
}

export interface FilesSlice {
  recent: readonly RecentFile[];
  /** The in-app file dialog (browser host), or null when closed. */
  fileDialog: { readonly mode: FileDialogMode } | null;
  listing: DirectoryListing | null;
  /** Why the folder asked for could not be listed (the dialog shows it), or null. */
  listingError: string | null;
  /** An open that would replace the unsaved recording on screen, waiting for the user's word. */
  replacePending: PendingOpen | null;
  /** A save whose target exists, waiting for "replace it?". */
  overwritePending: string | null;
  /** What the host is doing with files right now ("Opening …"), or null. */
  fileBusy: string | null;
  /** A short confirmation to show ("Saved as …"), or null. */
  notice: string | null;

  openRecording(path: string, opts?: { readonly force?: boolean }): Promise<boolean>;
  openElf(path: string, opts?: { readonly force?: boolean }): Promise<boolean>;
  /** Saves; an existing target without `overwrite` sets `overwritePending` and returns false. */
  saveRecordingAs(path: string, opts?: { readonly overwrite?: boolean }): Promise<boolean>;
  confirmReplace(): Promise<void>;
  cancelReplace(): void;
  cancelOverwrite(): void;
  refreshRecent(): Promise<void>;
  showFileDialog(mode: FileDialogMode): void;
  closeFileDialog(): void;
  /**
   * Lists a host folder into `listing` (default: the last one shown, else the host's start folder).
   * Without `quiet`, why it cannot be listed goes to `listingError`.
   */
  listDirectory(path?: string, opts?: { readonly quiet?: boolean }): Promise<boolean>;
  dismissNotice(): void;
}

const baseName = (p: string): string => p.split(/[\\/]/).pop() ?? p;

export const createFilesSlice: SliceCreator<FilesSlice> = (set, get) => {
  /** Opens (kind, path) unless it would replace an unsaved recording without `force`. */
  async function open(kind: PendingOpen['kind'], path: string, force: boolean): Promise<boolean> {
    if (!force && get().info?.origin === 'recorded') {
      set({ replacePending: { kind, path }, fileDialog: null });
      return false;
    }
    set({ replacePending: null, fileDialog: null, fileBusy: `Opening ${path}…` });
    try {
      // The host then says recordingOpened, and the connection slice loads the new recording.
      await host().call(kind === 'elf' ? 'openElf' : 'openRecording', { path });
      void get().refreshRecent();
      return true;
    } catch (e) {
      get().reportError(e, kind === 'elf' ? `Cannot open the ELF ${baseName(path)}` : `Cannot open the recording ${baseName(path)}`);
      return false;
    } finally {
      set({ fileBusy: null });
    }
  }

  return {
    recent: [],
    fileDialog: null,
    listing: null,
    listingError: null,
    replacePending: null,
    overwritePending: null,
    fileBusy: null,
    notice: null,

    openRecording: (path, opts = {}) => open('recording', path, opts.force ?? false),
    openElf: (path, opts = {}) => open('elf', path, opts.force ?? false),

    async saveRecordingAs(path, opts = {}) {
      set({ fileBusy: `Saving ${path}…`, overwritePending: null, notice: null });
      try {
        const info = await host().call('saveRecordingAs', { path, ...(opts.overwrite ? { overwrite: true } : {}) });
        // Same recording, same position: only where it lives changed.
        set({ info, fileDialog: null, notice: `Saved as ${info.path}` });
        void get().refreshRecent();
        // The save was asked for before an open that would have replaced it: that open goes ahead.
        const pending = get().replacePending;
        if (pending) await open(pending.kind, pending.path, true);
        return true;
      } catch (e) {
        if (e instanceof BridgeError && e.code === 'bad-file' && /already exists/.test(e.message) && !opts.overwrite) {
          set({ overwritePending: path });
          return false;
        }
        get().reportError(e, `Cannot save the recording as ${baseName(path)}`);
        return false;
      } finally {
        set({ fileBusy: null });
      }
    },

    async confirmReplace() {
      const p = get().replacePending;
      if (p) await open(p.kind, p.path, true);
    },
    cancelReplace: () => set({ replacePending: null }),
    cancelOverwrite: () => set({ overwritePending: null }),

    async refreshRecent() {
      try {
        set({ recent: await host().call('recentFiles', {}) });
      } catch (e) {
        get().reportError(e, 'Cannot read the Recent list');
      }
    },

    showFileDialog(mode) {
      set({ fileDialog: { mode }, listingError: null, overwritePending: null });
      void get().listDirectory(get().listing?.path);
    },
    closeFileDialog: () => set({ fileDialog: null, overwritePending: null }),

    async listDirectory(path, opts = {}) {
      try {
        set({ listing: await host().call('listDirectory', path === undefined ? {} : { path }), listingError: null });
        return true;
      } catch (e) {
        if (!opts.quiet) set({ listingError: e instanceof Error ? e.message : String(e) });
        return false;
      }
    },

    dismissNotice: () => set({ notice: null }),
  };
};
