// Connection to the host, what is open, the timeline summary and symbols, errors and progress.

import type { RecordingInfo, SymbolDto, TimelineSummary } from '../../app/protocol/index.js';
import { BridgeError, connectToHost } from '../bridge/index.js';
import { host, setHost } from './host.js';
import { bindNativeShell } from './native-shell.js';
import type { SliceCreator } from './types.js';

export type ConnectionStatus = 'connecting' | 'open' | 'closed';

export interface Busy {
  readonly operation: string;
  readonly done: number;
  readonly total: number;
}

export interface ConnectionSlice {
  status: ConnectionStatus;
  statusText: string;
  hostName: string;
  info: RecordingInfo | null;
  summary: TimelineSummary | null;
  symbols: readonly SymbolDto[];
  /** The last error to show (a request that failed), or null. */
  error: string | null;
  /** What was being done when it happened ("Cannot open the recording x.hsrec"), or null. */
  errorTitle: string | null;
  /** The long operation running on the host, if any. */
  busy: Busy | null;
  connect(): Promise<void>;
  loadRecording(): Promise<void>;
  /** Shows `e` in the error banner; `title` says what failed. Any part of the UI reports here. */
  reportError(e: unknown, title?: string): void;
  dismissError(): void;
  cancel(): Promise<void>;
}

export const createConnectionSlice: SliceCreator<ConnectionSlice> = (set, get, api) => ({
  status: 'connecting',
  statusText: 'connecting to the host…',
  hostName: '',
  info: null,
  summary: null,
  symbols: [],
  error: null,
  errorTitle: null,
  busy: null,

  async connect() {
    try {
      const b = await connectToHost();
      setHost(b);
      // The desktop app: its menu and native dialogs run the store's actions.
      if (b.native) bindNativeShell(api, b.native);
      b.onStatus((s, why) => set({ status: s, statusText: s === 'closed' ? `disconnected: ${why ?? ''}` : 'connected' }));
      b.on('progress', (p) => set({ busy: p }));
      b.on('recordingOpened', () => { void get().loadRecording(); });
      b.on('error', (e) => set({ error: e.error.message, errorTitle: 'The host reports a problem' }));
      b.on('gdbServerChanged', (e) => get().setGdbStatus(e.status));
      set({ status: 'open', statusText: 'connected', hostName: b.hostName });
      await get().loadRecording();
      await get().watchRecording(b);
      void get().refreshRecent();
      void get().refreshGdbStatus();
    } catch (e) {
      set({ status: 'closed', statusText: e instanceof Error ? e.message : String(e) });
    }
  },

  async loadRecording() {
    try {
      const info = await host().call('recordingInfo', {});
      if (!info) {
        set({ info: null, summary: null, symbols: [] });
        return;
      }
      const [summary, symbols] = await Promise.all([host().call('timelineSummary', {}), host().call('symbols', {})]);
      set({ info, summary, symbols, state: null, prevRegisters: null, disasm: null, lastStop: null, memory: null, prevMemory: null, memWrites: null, writeQuery: null });
      get().resetConsole();
      // Open at the end: the whole run is behind, and the console shows everything it printed.
      get().seekTo(info.end);
      if (get().memAddr === null) get().showStackOnce();
    } catch (e) {
      get().reportError(e);
    }
  },

  reportError(e, title) {
    const message = e instanceof BridgeError || e instanceof Error ? e.message : String(e);
    if (e instanceof BridgeError && e.code === 'cancelled') {
      set({ error: 'cancelled', errorTitle: title ?? null, busy: null });
      return;
    }
    set({ error: message, errorTitle: title ?? null, busy: null });
  },

  dismissError() {
    set({ error: null, errorTitle: null });
  },

  async cancel() {
    await host().call('cancel', {});
  },
});
