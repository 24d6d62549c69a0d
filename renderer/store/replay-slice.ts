// Replay: plays the open recording back (without the device: it is the recording, replayed) at a
// pace a person can watch: the position, timeline, console, registers and the other panels advance
// as it goes. It stops at a breakpoint hit (the toolbar's and the Source gutter's), at the end, on
// Pause (the toolbar, or the Debug menu's Stop), or as soon as the user moves (a step, a seek, a
// scrub, a click on a marker): it never fights with the user.
//
// How: one `continue` request at a time with `until` = where the pace says the position should be
// now, asking for the light scrubbing view and the source line (no call stack or variables); the host replays every
// instruction in between with the breakpoints armed, so none is missed between two frames. When it
// stops, one request for the whole view (as the timeline scrubber does when it rests).
//
// Pace (instructions per second of wall-clock time, `replayRate`): guest real time (the recording's
// instructionsPerSecond), slowed down so a whole replay lasts at least REPLAY_MIN_SECONDS and sped
// up so it lasts at most REPLAY_MAX_SECONDS (the minimum speed: long recordings do not take
// forever). At the recordings' 1 G instructions per guest second, guest real time applies only to
// recordings of 10 to 60 G instructions; shorter ones (the sample shell: ~70 k instructions, ~70 µs
// of guest time) play in 10 s. The target follows the wall clock, so a host slower than the pace
// shows fewer, larger steps instead of falling behind; frames are at most REPLAY_FRAME_MS apart.

import type { MoveResult, RecordingInfo, StopDto } from '../../app/protocol/index.js';
import { host } from './host.js';
import { positionSelectors, sessionSelectors } from './selectors.js';
import { timelineViewSelectors } from './timeline-view-slice.js';
import type { SliceCreator, Store } from './types.js';
import { playbackViewRequest, viewRequest } from './view-request.js';

/** A replay of the whole recording lasts at least this long (shorter ones are slowed down)… */
export const REPLAY_MIN_SECONDS = 10;
/** …and at most this long (longer ones are sped up past guest real time). */
export const REPLAY_MAX_SECONDS = 60;
/** One position shown per frame at most: 20 a second, what scrubbing a long recording sustains. */
export const REPLAY_FRAME_MS = 50;

/** Instructions per second of wall-clock time for a recording of `end` instructions (see the header). */
export function replayRate(end: number, guestPerSecond: number): number {
  if (end <= 0) return guestPerSecond;
  return Math.min(Math.max(guestPerSecond, end / REPLAY_MAX_SECONDS), end / REPLAY_MIN_SECONDS);
}

export interface ReplayRun {
  /** Where it started. */
  readonly from: number;
  /** Instructions per second of wall-clock time. */
  readonly rate: number;
}

/** How a replay ended: Pause, a move by the user, a breakpoint hit, the end, an error. */
export type ReplayEnd = 'paused' | 'stopped' | 'breakpoint' | 'end' | 'error';

export interface ReplaySlice {
  /** The replay playing now, or null. */
  replaying: ReplayRun | null;
  /** How the last replay of the recording `info` ended (Resume goes on from the position), or null. */
  replayEnded: { readonly how: ReplayEnd; readonly info: RecordingInfo } | null;
  /** Plays the recording back from the start (default) or from the position shown (`here`: Resume). */
  replay(opts?: { readonly from?: 'start' | 'here' }): Promise<void>;
  /**
   * Stops the replay where it got to (nothing if none plays). `pause`: the user asked (the whole
   * view follows); `moved`: a move by the user stops it (their move brings its own view).
   */
  stopReplay(why?: 'pause' | 'moved'): void;
}

interface Run {
  stopped: 'pause' | 'moved' | 'restart' | null;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export const createReplaySlice: SliceCreator<ReplaySlice> = (set, get) => {
  let current: Run | null = null;

  /** Keeps the playhead in a zoomed timeline's window: turns the page when it leaves it. */
  function follow(pos: number): void {
    const s = get();
    if (!timelineViewSelectors.zoomed(s)) return;
    const start = timelineViewSelectors.start(s), end = timelineViewSelectors.end(s);
    if (pos >= start && pos <= end) return;
    s.setTimelineWindow({ start: pos, end: pos + (end - start) });
  }

  /** The host answers in order: this answer is where the host is now, even if stopped meanwhile. */
  function show(r: MoveResult, stop: StopDto): boolean {
    const s = get();
    // A live recording or another file replaced what was playing: its answer is about nothing on screen.
    if (s.live !== null || s.info === null) return false;
    s.applyView(r.view, stop);
    return true;
  }

  return {
    replaying: null,
    replayEnded: null,

    async replay(opts) {
      const s0 = get();
      // Resume while playing: it plays already.
      if (!replaySelectors.canReplay(s0) || (s0.replaying !== null && opts?.from === 'here')) return;
      if (current) current.stopped = 'restart';
      const run: Run = { stopped: null };
      current = run;
      const info = s0.info!;
      const end = info.end;
      const from = opts?.from === 'here' ? positionSelectors.playhead(s0) : 0;
      const rate = replaySelectors.rate(s0);
      set({ replaying: { from, rate }, replayEnded: null, error: null });
      let how: ReplayEnd | null = null;
      try {
        const first = await host().call('seek', { icount: from, view: playbackViewRequest(get()) });
        if (run.stopped === null) show(first, first.stop);
        let pos = first.view.state.icount;
        const t0 = performance.now();
        let sent = t0;
        while (run.stopped === null) {
          if (pos >= end) { how = 'end'; break; }
          await sleep(Math.max(0, sent + REPLAY_FRAME_MS - performance.now()));
          const s = get();
          if (run.stopped !== null) break;
          if (s.live !== null || s.info !== info || s.fileBusy !== null) { run.stopped = 'moved'; break; }
          sent = performance.now();
          const target = Math.min(end, from + Math.floor((rate * (sent - t0)) / 1000));
          if (target <= pos) continue;
          const r = await host().call('continue', { breakpoints: s.breakpoints.map((b) => b.addr), until: target, view: playbackViewRequest(s) });
          pos = r.view.state.icount;
          // Stopped by `until` on an instruction with a breakpoint: the next continue would step
          // over it (it resumes past a breakpoint at its start), so that is the hit.
          const pc = r.view.state.pc;
          const atBreakpoint = r.stop.kind === 'position' && get().breakpoints.some((b) => b.addr === pc);
          const stop: StopDto = atBreakpoint ? { kind: 'breakpoint', pc } : r.stop;
          if (!show(r, stop) || run.stopped !== null) break;
          follow(pos);
          if (stop.kind === 'breakpoint') { how = 'breakpoint'; break; }
          if (stop.kind === 'end' || stop.kind === 'exit' || pos >= end) { how = 'end'; break; }
        }
      } catch (e) {
        if (run.stopped === null && get().live === null) {
          how = 'error';
          get().reportError(e, 'The replay stopped');
        }
      }
      if (current === run) {
        current = null;
        set({ replaying: null, replayEnded: how === null || how === 'end' ? null : { how, info } });
      }
      // The whole view (call stack, variables) where it stopped, unless a move by the user or
      // another replay follows (they bring their own).
      if ((how === 'breakpoint' || how === 'end' || run.stopped === 'pause') && get().live === null && get().info === info) {
        try {
          const view = await host().call('getState', { view: viewRequest(get()) });
          if (get().live === null && get().info === info) get().applyView(view, null);
        } catch (e) {
          get().reportError(e);
        }
      }
    },

    stopReplay(why = 'pause') {
      const run = current;
      if (!run) return;
      run.stopped = why;
      current = null;
      const info = get().info;
      set({ replaying: null, replayEnded: info ? { how: why === 'pause' ? 'paused' : 'stopped', info } : null });
    },
  };
};

export const replaySelectors = {
  playing: (s: Store): boolean => s.replaying !== null,
  /** Replay can start: a recording is open and shown, nothing records, opens or runs on the host. */
  canReplay: (s: Store): boolean => s.status === 'open' && s.live === null && s.recordingAction === null
    && s.info !== null && s.state !== null && s.busy === null && s.fileBusy === null,
  /** Resume: the last replay of this recording stopped short of the end, and the position is not at the end. */
  canResume: (s: Store): boolean => s.replaying === null && replaySelectors.canReplay(s) && s.replayEnded !== null
    && s.replayEnded.info === s.info && s.replayEnded.how !== 'end' && positionSelectors.playhead(s) < positionSelectors.end(s),
  /** The pace of a replay of the open recording (instructions per wall-clock second). */
  rate: (s: Store): number => replayRate(positionSelectors.end(s), sessionSelectors.instructionsPerSecond(s)),
};
