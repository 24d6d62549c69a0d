// The host's gdb server for the recording on screen: its status (kept current by the host's
// gdbServerChanged events), start and stop. The gdb panel shows it; Electron's menu may call it too.

import type { GdbServerStatus } from '../../app/protocol/index.js';
import { host } from './host.js';
import type { SliceCreator } from './types.js';

export interface GdbSlice {
  /** null until the host has said (and on hosts without a gdb server). */
  gdb: GdbServerStatus | null;
  /** A start or stop is on its way. */
  gdbBusy: boolean;
  gdbPanelOpen: boolean;
  /** Starts serving the recording on screen (port 0 or none: a free one). */
  startGdbServer(port?: number): Promise<void>;
  stopGdbServer(): Promise<void>;
  refreshGdbStatus(): Promise<void>;
  setGdbStatus(status: GdbServerStatus): void;
  showGdbPanel(open: boolean): void;
}

export const createGdbSlice: SliceCreator<GdbSlice> = (set, get) => {
  async function run(call: () => Promise<GdbServerStatus>, title: string): Promise<void> {
    set({ gdbBusy: true });
    try {
      set({ gdb: await call() });
    } catch (e) {
      get().reportError(e, title);
    } finally {
      set({ gdbBusy: false });
    }
  }
  return {
    gdb: null,
    gdbBusy: false,
    gdbPanelOpen: false,
    startGdbServer: (port) => run(() => host().call('startGdbServer', port ? { port } : {}), 'Cannot start the gdb server'),
    stopGdbServer: () => run(() => host().call('stopGdbServer', {}), 'Cannot stop the gdb server'),
    async refreshGdbStatus() {
      try {
        set({ gdb: await host().call('gdbServerStatus', {}) });
      } catch {
        set({ gdb: null }); // a host without a gdb server: the panel says so
      }
    },
    setGdbStatus: (status) => set({ gdb: status }),
    showGdbPanel: (open) => set({ gdbPanelOpen: open }),
  };
};
