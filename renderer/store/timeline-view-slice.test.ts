import { describe, expect, it } from 'vitest';
import type { RecordingInfo } from '../../app/protocol/index.js';
import { createHindsightStore } from './index.js';
import { MIN_SPAN, centerOn, clampWindow, panBy, zoomAround } from './timeline-view-slice.js';
import { timelineViewSelectors as tv } from './timeline-view-slice.js';

const frac = (w: { start: number; end: number }, at: number) => (at - w.start) / (w.end - w.start);

describe('timeline window math', () => {
  it('zooming around a point keeps that point where it is on screen', () => {
    const w0 = { start: 0, end: 1_000_000 };
    const w1 = zoomAround(w0, 1_000_000, 300_000, 0.5);
    expect(w1.end - w1.start).toBeCloseTo(500_000);
    expect(frac(w1, 300_000)).toBeCloseTo(0.3);
    const w2 = zoomAround(w1, 1_000_000, 420_000, 0.1);
    expect(frac(w2, 420_000)).toBeCloseTo(frac(w1, 420_000));
    // Out again to the whole recording, no further.
    expect(zoomAround(w2, 1_000_000, 420_000, 1e6)).toEqual({ start: 0, end: 1_000_000 });
  });

  it('never zooms narrower than MIN_SPAN, nor past the ends', () => {
    const w = zoomAround({ start: 0, end: 1000 }, 1000, 990, 1e-9);
    expect(w.end - w.start).toBe(MIN_SPAN);
    expect(w.end).toBeLessThanOrEqual(1000);
    // A recording shorter than MIN_SPAN shows whole.
    expect(zoomAround({ start: 0, end: 5 }, 5, 2, 0.1)).toEqual({ start: 0, end: 5 });
    expect(clampWindow({ start: -50, end: 150 }, 100)).toEqual({ start: 0, end: 100 });
    expect(clampWindow({ start: 90, end: 95 }, 100)).toEqual({ start: 80, end: 100 });
  });

  it('pans by instructions and stops at the recording ends keeping the span', () => {
    expect(panBy({ start: 100, end: 200 }, 1000, 50)).toEqual({ start: 150, end: 250 });
    expect(panBy({ start: 100, end: 200 }, 1000, -500)).toEqual({ start: 0, end: 100 });
    expect(panBy({ start: 100, end: 200 }, 1000, 5000)).toEqual({ start: 900, end: 1000 });
    expect(centerOn({ start: 0, end: 100 }, 1000, 500)).toEqual({ start: 450, end: 550 });
  });
});

describe('the timeline view slice', () => {
  const info = (end: number, sha = 'ab'): RecordingInfo => ({ end, guestImageSha256: sha } as unknown as RecordingInfo);

  it('zooms, pans and fits the open recording; another recording shows whole', () => {
    const store = createHindsightStore();
    store.setState({ info: info(10_000) });
    expect([tv.start(store.getState()), tv.end(store.getState()), tv.zoomed(store.getState())]).toEqual([0, 10_000, false]);
    store.getState().zoomTimeline(5000, 0.1);
    expect([tv.start(store.getState()), tv.end(store.getState())]).toEqual([4500, 5500]);
    expect(tv.zoomed(store.getState())).toBe(true);
    store.getState().panTimeline(-10_000);
    expect([tv.start(store.getState()), tv.end(store.getState())]).toEqual([0, 1000]);
    store.setState({ info: info(20_000, 'cd') });
    expect([tv.start(store.getState()), tv.end(store.getState())]).toEqual([0, 20_000]);
    store.setState({ info: info(10_000) });
    store.getState().fitTimeline();
    expect(store.getState().timelineWindow).toBeNull();
  });
});
