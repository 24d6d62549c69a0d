// The replay slice without a browser, on a fake host and a fake clock: the pace, light views while
// playing and the whole view when it stops, breakpoints (also one exactly where a frame ends), the
// end, Pause and Resume, a move by the user stopping it, and when it cannot start.

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { MachineView, MoveResult, RecordingInfo, ServiceName, StopDto } from '../../app/protocol/index.js';
import { setHost } from './host.js';
import { createHindsightStore } from './index.js';
import { REPLAY_FRAME_MS, REPLAY_MAX_SECONDS, REPLAY_MIN_SECONDS, replayRate, replaySelectors } from './replay-slice.js';
import { fakeBridge } from '../bridge/testing/fake-bridge.js';

const BASE = 0x80000000;
/** The instruction at position i is at BASE + 4 i: a breakpoint's address names one position. */
const pcAt = (i: number): number => BASE + 4 * i;

function view(icount: number): MachineView {
  return { state: { icount, pc: pcAt(icount), priv: 'M', registers: [{ name: 'zero', value: 0 }], csrs: [], waiting: false } };
}

interface Call { readonly method: ServiceName; readonly params: Record<string, unknown> }

/** A recording of `end` instructions on a host that moves as the session does. `hold`: continue answers wait for release(). */
function fakeHost(end: number) {
  let pos = end;
  const calls: Call[] = [];
  const held: (() => void)[] = [];
  const host = { hold: false, calls, pos: () => pos, release: () => held.shift()?.() };
  const moved = (stop: StopDto): MoveResult => ({ stop, view: view(pos) });
  const answer = (method: ServiceName, p: Record<string, unknown>): unknown => {
    switch (method) {
      case 'seek': pos = Math.max(0, Math.min(end, p.icount as number)); return moved(pos === 0 ? { kind: 'start' } : pos === end ? { kind: 'end' } : { kind: 'position' });
      case 'step': pos = Math.min(end, pos + 1); return moved({ kind: 'position' });
      case 'getState': return view(pos);
      case 'continue': {
        const until = Math.min(end, (p.until as number | undefined) ?? end);
        const bps = p.breakpoints as number[];
        // Resumes past a breakpoint at its start, stops before an instruction with one.
        for (let q = pos + 1; q < until; q++) {
          if (bps.includes(pcAt(q))) { pos = q; return moved({ kind: 'breakpoint', pc: pcAt(q) }); }
        }
        pos = Math.max(pos, until);
        return moved(pos === end ? { kind: 'end' } : { kind: 'position' });
      }
      default: throw new Error(`unexpected ${method}`);
    }
  };
  const bridge = fakeBridge((method: ServiceName, params: Record<string, unknown>) => {
    calls.push({ method, params });
    if (method === 'continue' && host.hold) return new Promise((resolve) => held.push(() => resolve(answer(method, params))));
    return Promise.resolve().then(() => answer(method, params));
  });
  return { ...host, bridge };
}

const INFO = { end: 62_000, instructionsPerSecond: 1e9, path: '/r.hsrec' } as RecordingInfo;

/** A store with INFO open and shown at its end, on a fake host. */
function setup(info: RecordingInfo = INFO) {
  const host = fakeHost(info.end);
  setHost(host.bridge);
  const store = createHindsightStore();
  store.setState({ status: 'open', info, state: view(info.end).state });
  const continues = (): number[] => host.calls.filter((c) => c.method === 'continue').map((c) => c.params.until as number);
  return { host, store, continues };
}

const flush = async (): Promise<void> => { for (let i = 0; i < 10; i++) await Promise.resolve(); };

beforeEach(() => { vi.useFakeTimers(); });
afterEach(() => { vi.useRealTimers(); });

describe('replay pace', () => {
  it('is guest real time, slowed to last at least 10 s and sped up to last at most 60 s', () => {
    expect(REPLAY_MIN_SECONDS).toBe(10);
    expect(REPLAY_MAX_SECONDS).toBe(60);
    // The sample shell: 62 k instructions, 62 µs of guest time: 10 s.
    expect(replayRate(62_000, 1e9)).toBe(6_200);
    // 30 s of guest time: real time.
    expect(replayRate(30e9, 1e9)).toBe(1e9);
    // 10 minutes of guest time: a minute.
    expect(replayRate(600e9, 1e9)).toBe(10e9);
  });
});

describe('replay slice', () => {
  it('plays from the start at the pace with light views, and shows the whole view at the end', async () => {
    const { host, store, continues } = setup();
    const done = store.getState().replay();
    await flush();
    expect(host.calls[0]).toMatchObject({ method: 'seek', params: { icount: 0 } });
    expect(store.getState().state?.icount).toBe(0);
    expect(store.getState().replaying).toEqual({ from: 0, rate: 6_200 });
    expect(replaySelectors.playing(store.getState())).toBe(true);
    await vi.advanceTimersByTimeAsync(1_000);
    // 20 frames a second, each where the wall clock says: 6 200 instructions a second.
    const firstSecond = continues();
    expect(firstSecond.length).toBeGreaterThanOrEqual(18);
    expect(firstSecond.length).toBeLessThanOrEqual(21);
    expect(firstSecond[0]).toBe(Math.floor(6_200 * REPLAY_FRAME_MS / 1000));
    expect(firstSecond.at(-1)).toBeGreaterThan(5_900);
    expect(firstSecond.at(-1)).toBeLessThanOrEqual(6_200);
    expect(store.getState().state?.icount).toBe(host.pos());
    // Light views while playing: no call stack or variables (as scrubbing).
    for (const c of host.calls.filter((x) => x.method === 'continue')) expect(c.params.view).not.toHaveProperty('stack');
    await vi.advanceTimersByTimeAsync(10_000);
    await done;
    expect(host.pos()).toBe(62_000);
    expect(store.getState().state?.icount).toBe(62_000);
    expect(store.getState().lastStop).toEqual({ kind: 'end' });
    expect(store.getState().replaying).toBeNull();
    // Played to the end: nothing to resume; the whole view where it ended.
    expect(replaySelectors.canResume(store.getState())).toBe(false);
    const last = host.calls.at(-1)!;
    expect(last.method).toBe('getState');
    expect(last.params.view).toMatchObject({ stack: true, variables: { frame: 0 } });
  });

  it('stops at a breakpoint hit, also one exactly where a frame ends, and resumes from there', async () => {
    const { host, store, continues } = setup();
    // Frames after resuming at 1 000 end at 1 000 + 310 k: the second breakpoint is where the third ends.
    const perFrame = Math.floor(6_200 * REPLAY_FRAME_MS / 1000);
    const second = 1_000 + 3 * perFrame;
    store.setState({ breakpoints: [{ addr: pcAt(1_000), label: 'a' }, { addr: pcAt(second), label: 'b' }] });
    const done = store.getState().replay();
    await vi.advanceTimersByTimeAsync(1_000);
    await done;
    expect(store.getState().state?.icount).toBe(1_000);
    expect(store.getState().lastStop).toEqual({ kind: 'breakpoint', pc: pcAt(1_000) });
    expect(store.getState().replaying).toBeNull();
    expect(store.getState().replayEnded?.how).toBe('breakpoint');
    expect(replaySelectors.canResume(store.getState())).toBe(true);
    expect(host.calls.at(-1)!.method).toBe('getState');
    const before = continues().length;
    await vi.advanceTimersByTimeAsync(500);
    expect(continues().length).toBe(before);

    // Resume: from the position; the next frame ends on the second breakpoint (the host's continue
    // would step over it next time): that is a hit too.
    const resumed = store.getState().replay({ from: 'here' });
    await flush();
    expect(host.calls.filter((c) => c.method === 'seek').at(-1)!.params.icount).toBe(1_000);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(store.getState().replaying).toBeNull();
    await resumed;
    expect(continues().at(-1)).toBe(second);
    expect(store.getState().state?.icount).toBe(second);
    expect(store.getState().lastStop).toEqual({ kind: 'breakpoint', pc: pcAt(second) });
  });

  it('Pause stops it where it got to, even with a frame in flight, and shows the whole view there', async () => {
    const { host, store, continues } = setup();
    const done = store.getState().replay();
    await vi.advanceTimersByTimeAsync(300);
    host.hold = true;
    await vi.advanceTimersByTimeAsync(REPLAY_FRAME_MS);
    const inFlight = continues().at(-1)!;
    store.getState().stopReplay('pause');
    expect(store.getState().replaying).toBeNull();
    expect(store.getState().replayEnded?.how).toBe('paused');
    host.release();
    await vi.advanceTimersByTimeAsync(1_000);
    await done;
    // The answer in flight is where the host is: shown; nothing was asked after it but the whole view.
    expect(store.getState().state?.icount).toBe(inFlight);
    expect(continues().at(-1)).toBe(inFlight);
    expect(host.calls.at(-1)!.method).toBe('getState');
    expect(replaySelectors.canResume(store.getState())).toBe(true);
  });

  it('a move by the user (step, seek) stops it, and the move is not undone', async () => {
    const { host, store, continues } = setup();
    let done = store.getState().replay();
    await vi.advanceTimersByTimeAsync(500);
    await store.getState().step();
    const after = host.pos();
    await vi.advanceTimersByTimeAsync(1_000);
    await done;
    expect(store.getState().replaying).toBeNull();
    expect(store.getState().state?.icount).toBe(after);
    expect(host.calls.at(-1)!.method).toBe('step');

    done = store.getState().replay();
    await vi.advanceTimersByTimeAsync(500);
    const n = continues().length;
    store.getState().seekTo(123);
    await vi.advanceTimersByTimeAsync(1_000);
    await done;
    expect(continues().length).toBe(n);
    expect(store.getState().state?.icount).toBe(123);
    expect(store.getState().replayEnded?.how).toBe('stopped');
  });

  it('turns the page of a zoomed timeline when the position leaves its window', async () => {
    const { store } = setup();
    store.getState().setTimelineWindow({ start: 0, end: 1_000 });
    const done = store.getState().replay();
    await vi.advanceTimersByTimeAsync(300);
    const pos = store.getState().state!.icount;
    expect(pos).toBeGreaterThan(1_000);
    expect(store.getState().timelineWindow).toMatchObject({ end: expect.any(Number) as number });
    const w = store.getState().timelineWindow!;
    expect(w.end - w.start).toBe(1_000);
    expect(pos).toBeGreaterThanOrEqual(w.start);
    expect(pos).toBeLessThanOrEqual(w.end);
    store.getState().stopReplay();
    await vi.advanceTimersByTimeAsync(100);
    await done;
  });

  it('cannot start with nothing open, while recording, or while the host is busy', async () => {
    const { host, store } = setup();
    const cannot = async (over: Record<string, unknown>): Promise<void> => {
      store.setState(over);
      expect(replaySelectors.canReplay(store.getState())).toBe(false);
      await store.getState().replay();
      expect(host.calls).toEqual([]);
      store.setState({ info: INFO, state: view(INFO.end).state, live: null, busy: null, status: 'open' });
    };
    await cannot({ info: null, state: null });
    await cannot({ live: { guestImageName: 'shell.elf', devices: [], icount: 5, state: 'running', consoleLength: 0, maxInsns: null, endReason: null } });
    await cannot({ busy: { operation: 'reverse-continue', done: 0, total: 1 } });
    await cannot({ status: 'closed' });
    expect(replaySelectors.canReplay(store.getState())).toBe(true);
  });
});
