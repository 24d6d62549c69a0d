// The timeline's visible window (start..end icount): zoom around a point, pan, fit. The window math
// is pure (exported for tests); the slice keys the window by recording so opening another one
// shows it whole without the connection slice having to know about the timeline.

import type { RecordingInfo } from '../../app/protocol/index.js';
import type { SliceCreator, Store } from './types.js';

export interface TimeWindow {
  readonly start: number;
  readonly end: number;
}

/** Narrowest window: a few instructions still get distinct pixels, and the math never divides by 0. */
export const MIN_SPAN = 20;

/** The window moved inside [0, length] keeping its span (shrunk to fit), never narrower than MIN_SPAN. */
export function clampWindow(w: TimeWindow, length: number): TimeWindow {
  if (length <= 0) return { start: 0, end: 0 };
  const span = Math.min(length, Math.max(Math.min(MIN_SPAN, length), w.end - w.start));
  const start = Math.max(0, Math.min(length - span, w.start));
  return { start, end: start + span };
}

/** Zoom by `factor` (<1 in, >1 out) keeping `at` (an icount in the window) where it is on screen. */
export function zoomAround(w: TimeWindow, length: number, at: number, factor: number): TimeWindow {
  const span = w.end - w.start;
  if (span <= 0) return clampWindow(w, length);
  const newSpan = Math.min(length, Math.max(Math.min(MIN_SPAN, length), span * factor));
  const frac = Math.max(0, Math.min(1, (at - w.start) / span));
  return clampWindow({ start: at - frac * newSpan, end: at - frac * newSpan + newSpan }, length);
}

/** Pan by `delta` instructions; stops at the recording's ends. */
export function panBy(w: TimeWindow, length: number, delta: number): TimeWindow {
  return clampWindow({ start: w.start + delta, end: w.end + delta }, length);
}

/** The same window with `at` in its middle (to bring an off-window playhead back). */
export function centerOn(w: TimeWindow, length: number, at: number): TimeWindow {
  const span = w.end - w.start;
  return clampWindow({ start: at - span / 2, end: at + span / 2 }, length);
}

/** Which recording a window (or a bookmark list) belongs to: its guest image and length. */
export function recordingKey(info: RecordingInfo | null): string | null {
  return info ? `${info.guestImageSha256}:${info.end}` : null;
}

export interface TimelineViewSlice {
  /** Null: the whole recording. `key` is the recording it was set for (another one shows whole). */
  timelineWindow: (TimeWindow & { readonly key: string }) | null;
  zoomTimeline(at: number, factor: number): void;
  panTimeline(delta: number): void;
  setTimelineWindow(w: TimeWindow): void;
  centerTimelineOn(at: number): void;
  fitTimeline(): void;
}

const whole = (s: Store): TimeWindow => ({ start: 0, end: s.info?.end ?? 0 });

function current(s: Store): TimeWindow {
  const w = s.timelineWindow;
  return w && w.key === recordingKey(s.info) ? { start: w.start, end: w.end } : whole(s);
}

export const createTimelineViewSlice: SliceCreator<TimelineViewSlice> = (set, get) => {
  const put = (w: TimeWindow): void => {
    const s = get();
    const key = recordingKey(s.info);
    const length = s.info?.end ?? 0;
    if (key === null) return;
    const c = clampWindow(w, length);
    // The whole recording is stored as null, so "fitted" is one state however it was reached.
    set({ timelineWindow: c.start <= 0 && c.end >= length ? null : { ...c, key } });
  };
  return {
    timelineWindow: null,
    zoomTimeline(at, factor) { put(zoomAround(current(get()), get().info?.end ?? 0, at, factor)); },
    panTimeline(delta) { put(panBy(current(get()), get().info?.end ?? 0, delta)); },
    setTimelineWindow(w) { put(w); },
    centerTimelineOn(at) { put(centerOn(current(get()), get().info?.end ?? 0, at)); },
    fitTimeline() { set({ timelineWindow: null }); },
  };
};

export const timelineViewSelectors = {
  /** Numbers, so components re-render only when the window really moves. */
  start: (s: Store): number => current(s).start,
  end: (s: Store): number => current(s).end,
  zoomed: (s: Store): boolean => { const w = current(s); return w.start > 0 || w.end < (s.info?.end ?? 0); },
};
