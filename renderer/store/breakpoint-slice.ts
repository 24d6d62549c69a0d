// Breakpoints: instruction addresses that continue and reverse-continue stop at.

import { host } from './host.js';
import type { SliceCreator } from './types.js';

export interface Breakpoint {
  readonly addr: number;
  readonly label: string | null;
  /** Set when it came from a source line (the Source panel's gutter shows it there). */
  readonly line?: { readonly file: string; readonly line: number };
}

export interface BreakpointSlice {
  breakpoints: readonly Breakpoint[];
  addBreakpoint(expr: string): Promise<boolean>;
  toggleBreakpoint(addr: number, label: string | null): void;
  removeBreakpoint(addr: number): void;
}

export const createBreakpointSlice: SliceCreator<BreakpointSlice> = (set, get) => ({
  breakpoints: [],
  async addBreakpoint(expr) {
    try {
      const r = await host().call('resolve', { expr });
      if (!get().breakpoints.some((b) => b.addr === r.addr)) set({ breakpoints: [...get().breakpoints, { addr: r.addr, label: r.symbol }] });
      set({ error: null });
      return true;
    } catch (e) {
      get().reportError(e);
      return false;
    }
  },
  toggleBreakpoint(addr, label) {
    const bps = get().breakpoints;
    set({ breakpoints: bps.some((b) => b.addr === addr) ? bps.filter((b) => b.addr !== addr) : [...bps, { addr, label }] });
  },
  removeBreakpoint(addr) {
    set({ breakpoints: get().breakpoints.filter((b) => b.addr !== addr) });
  },
});
