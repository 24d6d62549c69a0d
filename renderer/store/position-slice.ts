// The position and the machine view at it; moving (seek, step, continue, reverse-continue).
//
// Seeks are coalesced: at most one is in flight; while it runs, newer targets replace each other
// and only the latest is sent when it returns (latest wins). Dragging the scrubber therefore shows
// as many positions as the host can answer, never a growing queue.

import type { DisassemblyDto, MachineStateDto, MachineView, MoveResult, StopDto } from '../../app/protocol/index.js';
import { host } from './host.js';
import { metrics, type SeekSample } from './metrics.js';
import type { SliceCreator, Store } from './types.js';
import { scrubViewRequest, viewRequest } from './view-request.js';

export interface PositionSlice {
  state: MachineStateDto | null;
  /** Register values at the position shown before this one (for "changed" highlighting). */
  prevRegisters: readonly number[] | null;
  disasm: DisassemblyDto | null;
  lastStop: StopDto | null;
  /** Where the scrubber's playhead is while a seek to it is pending (null: at `state.icount`). */
  pendingIcount: number | null;
  seekInFlight: boolean;
  /**
   * Moves to `icount`. `scrubbing`: one of many positions of a drag: the answer leaves out the call
   * stack and variables, which follow once the scrubber rests (a discrete move gets them at once).
   */
  seekTo(icount: number, opts?: { readonly scrubbing?: boolean }): void;
  /** The scrubber was let go: the call stack and variables follow as soon as its last seek lands. */
  scrubEnded(): void;
  step(): Promise<void>;
  stepBack(): Promise<void>;
  continueForward(): Promise<void>;
  reverseContinue(): Promise<void>;
  /** Asks for the view at the current position again (after changing what the panels show). */
  refresh(): Promise<void>;
  applyView(view: MachineView, stop: StopDto | null): void;
}

/** How long the scrubber must rest before the call stack and variables follow it. */
const SETTLE_MS = 120;

export const createPositionSlice: SliceCreator<PositionSlice> = (set, get) => {
  /** The latest position asked for and not sent yet, and whether it came from a drag. */
  let seekTarget: number | null = null;
  let targetScrubbing = false;
  /** The scrubber is let go: settle without waiting SETTLE_MS. */
  let released = false;

  async function pump(): Promise<void> {
    if (get().seekInFlight || seekTarget === null) return;
    const icount = seekTarget;
    const scrubbing = targetScrubbing;
    seekTarget = null;
    set({ seekInFlight: true });
    const sentAt = performance.now();
    try {
      const r = await host().call('seek', { icount, view: scrubbing ? scrubViewRequest(get()) : viewRequest(get()) });
      get().applyView(r.view, r.stop);
      const sample: SeekSample = { icount, sentAt, appliedAt: performance.now() };
      metrics.seeks.push(sample);
      globalThis.requestAnimationFrame?.(() => { sample.shownAt = performance.now(); });
    } catch (e) {
      get().reportError(e);
    } finally {
      set({ seekInFlight: false, pendingIcount: seekTarget });
    }
    if (seekTarget !== null) await pump();
    else if (scrubbing) scheduleSettle();
  }

  /**
   * The whole view (call stack, variables: ~20 ms on the host) once the scrubber has rested for
   * SETTLE_MS; sooner, it would run between two drag steps and hold the next seek up.
   */
  let settleTimer: ReturnType<typeof setTimeout> | null = null;
  function scheduleSettle(): void {
    if (settleTimer !== null) clearTimeout(settleTimer);
    if (released) { settleTimer = null; void settle(); return; }
    settleTimer = setTimeout(() => { settleTimer = null; void settle(); }, SETTLE_MS);
  }

  async function settle(): Promise<void> {
    // Nothing moved meanwhile, no live recording replaced what was open, no replay plays (it brings the whole view when it stops).
    if (seekTarget !== null || get().seekInFlight || get().live !== null || get().state === null || get().replaying !== null) return;
    try {
      const view = await host().call('getState', { view: viewRequest(get()) });
      // A newer seek started meanwhile: its own settle will come.
      if (seekTarget === null && !get().seekInFlight) get().applyView(view, null);
    } catch (e) {
      get().reportError(e);
    }
  }

  async function move(run: (s: Store) => Promise<MoveResult>): Promise<void> {
    // A move by the user stops a replay (replay-slice.ts) where it got to.
    get().stopReplay('moved');
    if (seekTarget !== null) metrics.coalesced++;
    seekTarget = null;
    set({ pendingIcount: null, error: null });
    try {
      const r = await run(get());
      get().applyView(r.view, r.stop);
    } catch (e) {
      get().reportError(e);
    } finally {
      set({ busy: null });
    }
  }

  const bps = (s: Store): number[] => s.breakpoints.map((b) => b.addr);

  return {
    state: null,
    prevRegisters: null,
    disasm: null,
    lastStop: null,
    pendingIcount: null,
    seekInFlight: false,

    seekTo(icount, opts) {
      get().stopReplay('moved');
      const end = get().info?.end ?? 0;
      const t = Math.max(0, Math.min(end, Math.round(icount)));
      if (seekTarget !== null) metrics.coalesced++;
      seekTarget = t;
      targetScrubbing = opts?.scrubbing === true;
      released = false;
      if (settleTimer !== null) { clearTimeout(settleTimer); settleTimer = null; }
      set({ pendingIcount: t });
      void pump();
    },
    scrubEnded() {
      released = true;
      // The last seek has landed already and waits for SETTLE_MS: settle now.
      if (settleTimer !== null) scheduleSettle();
    },
    step: () => move((s) => host().call('step', { view: viewRequest(s) })),
    stepBack: () => move((s) => host().call('stepBack', { view: viewRequest(s) })),
    continueForward: () => move((s) => host().call('continue', { breakpoints: bps(s), view: viewRequest(s) })),
    reverseContinue: () => move((s) => host().call('reverseContinue', { breakpoints: bps(s), view: viewRequest(s) })),

    async refresh() {
      try {
        get().applyView(await host().call('getState', { view: viewRequest(get()) }), null);
      } catch (e) {
        get().reportError(e);
      }
    },

    applyView(view, stop) {
      const s = get();
      const moved = s.state !== null && s.state.icount !== view.state.icount;
      set({
        state: view.state,
        prevRegisters: moved ? s.state!.registers.map((r) => r.value) : s.prevRegisters,
        disasm: view.disasm ?? s.disasm,
        lastStop: stop ?? s.lastStop,
        ...s.memoryViewUpdate(view, moved),
        ...(view.console ? s.consoleUpdate(view.console) : {}),
        ...s.sourceViewUpdate(view, moved),
      });
    },
  };
};
