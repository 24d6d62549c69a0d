// Interactive recording (Record / Stop): the Record dialog's choices, the recording being made
// (its growing end, whether the guest runs or waits), its live console, and typing into it.
//
// While a recording is made nothing is open for replay: the view is cleared and the console shows
// the guest's output as it streams in (consoleOutput events). When it ends (Stop, the guest exits,
// the instruction limit) the host opens it, and recordingOpened loads it at its end as any other.

import type { LiveRecordingDto, UsbDeviceList } from '../../app/protocol/index.js';
import type { HostBridge } from '../bridge/index.js';
import { host } from './host.js';
import type { SliceCreator, Store } from './types.js';

export interface RecordingSlice {
  /** The recording being made, or null. */
  live: LiveRecordingDto | null;
  /** A Record or Stop request in flight. */
  recordingAction: 'starting' | 'stopping' | null;
  recordDialogOpen: boolean;
  /** Why the last Record failed (shown in the dialog, which stays open with its choices), or null. */
  recordError: string | null;
  usbDevices: UsbDeviceList | null;
  openRecordDialog(): void;
  closeRecordDialog(): void;
  loadUsbDevices(): Promise<void>;
  /** Starts recording `guest` (null: the bundled firmware) with the devices `usb` (specs); true when it runs. */
  startRecording(guest: string | null, usb: readonly string[]): Promise<boolean>;
  stopRecording(): Promise<void>;
  /** Types text into the recording guest's UART (as UTF-8 bytes). */
  sendSerial(text: string): void;
  /** Listens to the host's recording events and picks up a recording already running (a reload). */
  watchRecording(bridge: HostBridge): Promise<void>;
}

/** What a cleared view is while a recording is made (the same fields loadRecording resets). */
const NOTHING_OPEN = {
  info: null, summary: null, symbols: [], state: null, prevRegisters: null, disasm: null, lastStop: null,
  memory: null, prevMemory: null, memWrites: null, writeQuery: null, pendingIcount: null,
  // The source, call stack and variables panels' answers were about the recording that is gone.
  sourceAt: null, sourceAtIcount: null, sourceShown: null, stack: null, variables: null, selectedFrame: 0, expandedVariables: {},
} satisfies Partial<Store>;

const utf8 = new TextEncoder();

export const createRecordingSlice: SliceCreator<RecordingSlice> = (set, get) => {
  /** Keystrokes wait here while a sendSerial is in flight, so they arrive in order and in few messages. */
  let typed = '';
  let sending = false;

  async function flushTyped(): Promise<void> {
    if (sending || typed === '') return;
    const bytes = typed;
    typed = '';
    sending = true;
    try {
      await host().call('sendSerial', { bytes });
    } catch (e) {
      get().reportError(e, 'Cannot type into the guest');
    } finally {
      sending = false;
    }
    await flushTyped();
  }

  function appendConsole(offset: number, chunk: string): void {
    const s = get();
    // The live console is the whole output so far: the same prefix rule as replay's console.
    if (offset > s.consoleBytes.length) return; // a gap (events before a reload): liveRecording fills it
    set(s.consoleUpdate({ upTo: 0, length: offset + chunk.length, from: offset, chunk }));
  }

  return {
    live: null,
    recordingAction: null,
    recordDialogOpen: false,
    recordError: null,
    usbDevices: null,

    openRecordDialog() {
      set({ recordDialogOpen: true, recordError: null });
      void get().loadUsbDevices();
    },
    closeRecordDialog() {
      set({ recordDialogOpen: false, recordError: null });
    },

    async loadUsbDevices() {
      try {
        set({ usbDevices: await host().call('listUsbDevices', {}) });
      } catch (e) {
        set({ recordError: e instanceof Error ? e.message : String(e) });
      }
    },

    async startRecording(guest, usb) {
      set({ recordingAction: 'starting', recordError: null });
      try {
        const live = await host().call('startRecording', { usb, ...(guest !== null ? { guest } : {}) });
        get().resetConsole();
        set({ ...NOTHING_OPEN, live, recordDialogOpen: false, recordingAction: null });
        return true;
      } catch (e) {
        // The dialog stays open with the choices; what was open stays open (the host kept it).
        set({ recordError: e instanceof Error ? e.message : String(e), recordingAction: null });
        return false;
      }
    },

    async stopRecording() {
      if (!get().live) return;
      set({ recordingAction: 'stopping' });
      try {
        await flushTyped();
        await host().call('stopRecording', {});
      } catch (e) {
        // The guest may have ended on its own meanwhile: then the recording is open already.
        if (get().live) get().reportError(e, 'Cannot stop the recording');
      } finally {
        set({ recordingAction: null });
      }
    },

    sendSerial(text) {
      if (!get().live || get().live!.state === 'ended') return;
      typed += String.fromCharCode(...utf8.encode(text));
      void flushTyped();
    },

    async watchRecording(bridge) {
      bridge.on('consoleOutput', (d) => { if (get().live) appendConsole(d.offset, d.chunk); });
      bridge.on('recordingProgress', (d) => {
        // Ended: recordingOpened follows and loads it; until then the last progress stays on screen.
        set({ live: d.recording.state === 'ended' ? null : d.recording });
      });
      try {
        const running = await bridge.call('liveRecording', { consoleFrom: 0 });
        if (!running) return;
        get().resetConsole();
        set({ ...NOTHING_OPEN, live: running.recording });
        appendConsole(0, running.console);
      } catch (e) {
        get().reportError(e, 'Cannot ask the host about a recording in progress');
      }
    },
  };
};

export const recordingSelectors = {
  live: (s: Store): LiveRecordingDto | null => s.live,
  recording: (s: Store): boolean => s.live !== null,
  /** Record can start: connected, nothing recording or in flight. */
  canRecord: (s: Store): boolean => s.status === 'open' && s.live === null && s.recordingAction === null,
};
