// Moving through a recording: seek, step back, run forward and backward to breakpoints and
// watchpoints (as rr's ReplayTimeline does, from checkpoints).
//
// seek(t): restore the nearest snapshot at or before t, replay forward to t. Restoring copies only
// the RAM pages that differ from what RAM holds now (each page remembers which snapshot version
// it holds; pages dirtied by replay are known from the bus), so a seek costs the pages that changed
// plus at most one snapshot interval of replay.
//
// Positions: icount N is the state at the canonical point with N instructions retired, before the
// inputs stamped N are applied (see record-session.ts).

import { Machine } from '../../engine/machine/machine.js';
import { RamHashCache } from '../../engine/machine/state-hash.js';
import { savedStateTicks } from '../../engine/machine/machine-state.js';
import type { StopReason, Watchpoint } from '../../engine/machine/stop-reason.js';
import { ReplayDivergenceError } from '../divergence.js';
import { ReplayInputPump } from '../inputs/input-pump.js';
import type { SnapshotInfo, SnapshotPage, TraceReader } from '../trace/trace.js';
import { TraceFormatError } from '../trace/trace.js';

const PAGE = 4096;
const ZERO = -1;
const DIRTY = -2;
/** warmUp: how many places of a recording it rehearses, and how many instructions at each. */
const WARM_POINTS = 32;
const WARM_INSNS = 1_000_000;
/** Snapshot pages kept in memory: 256 MiB of 4 KiB pages. */
const PAGE_CACHE_LIMIT = 65536;

/** Lets a host cancel a long operation and see how far it is. */
export interface OperationControl {
  readonly signal?: { readonly aborted: boolean };
  onProgress?(done: number, total: number): void;
}

export class OperationCancelledError extends Error {
  override name = 'OperationCancelledError';
  constructor() {
    super('operation cancelled');
  }
}

export class Timeline {
  readonly machine: Machine;
  readonly snapshots: readonly SnapshotInfo[];
  private readonly inputs = new ReplayInputPump();
  /** Which snapshot index's version of each page RAM holds (ZERO: zeros, DIRTY: unknown). */
  private readonly ramVersion: Int32Array;
  private readonly pageCache = new Map<number, PackedPages>();
  private cachedPages = 0;
  /** Snapshot indexes readAhead has still to read, the next one last (null: not started). */
  private readAheadQueue: number[] | null = null;
  private inputWindowEnd = -1;
  /**
   * False after a restore that failed its hash check: the machine holds a rejected snapshot, which
   * nothing may replay from (a seek restores again; replayTo refuses).
   */
  private stateKnown = true;
  /** Per-page hashes of RAM, so a restore can check the snapshot's state hash cheaply. */
  private readonly hashes: RamHashCache;

  constructor(readonly reader: TraceReader) {
    const h = reader.header;
    this.machine = Machine.create({ image: { bytes: h.guestImage, path: h.guestImageName }, ramSize: h.machine.ramSize });
    this.snapshots = [...reader.snapshots()].sort((a, b) => a.icount - b.icount);
    if (this.snapshots.length === 0 || this.snapshots[0]!.icount !== 0 || !this.snapshots[0]!.keyframe) {
      throw new TraceFormatError('recording has no initial keyframe snapshot at icount 0');
    }
    this.ramVersion = new Int32Array(this.machine.bus.ram.length / PAGE).fill(DIRTY);
    // Pages of the fresh machine that are zero (never touched) need no restoring to a zero page.
    const ram32 = this.machine.bus.ram32;
    const touched = this.machine.bus.touchedPages();
    for (let p = 0; p < this.ramVersion.length; p++) if (!touched[p]) this.ramVersion[p] = ZERO;
    this.hashes = new RamHashCache(ram32, touched);
    this.restore(0);
  }

  private endTicksCache: number | null = null;

  /**
   * Guest time at the end. A recorder that ended while the hart slept took its last snapshot after
   * letting time run on to the last device deadline (the idle warp); replaying to the end reaches
   * that same moment, so the state there is the recorded one (replay --verify, continue to the end).
   */
  private endTicks(): number {
    if (this.endTicksCache === null) {
      const last = this.snapshots[this.snapshots.length - 1]!;
      this.endTicksCache = last.icount === this.end ? savedStateTicks(this.reader.snapshotState(last.id)) : -Infinity;
    }
    return this.endTicksCache;
  }

  /** Current position (instructions retired). */
  get position(): number {
    return this.machine.icount;
  }

  /** The last position the recording reaches. */
  get end(): number {
    return this.reader.completeUpTo;
  }

  /** Index of the last snapshot at or before icount. */
  snapshotIndexAt(icount: number): number {
    let lo = 0, hi = this.snapshots.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.snapshots[mid]!.icount <= icount) lo = mid; else hi = mid - 1;
    }
    return lo;
  }

  /** Puts the machine in the state at `icount` (clamped to the recording). */
  seek(icount: number): void {
    const t = Math.max(0, Math.min(Math.floor(icount), this.end));
    const pos = this.position;
    // Replaying forward from here is cheaper than a restore when the target is in this interval.
    if (this.stateKnown && t >= pos && this.snapshotIndexAt(t) === this.snapshotIndexAt(pos)) {
      this.replayTo(t);
      return;
    }
    this.restore(this.snapshotIndexAt(t));
    this.replayTo(t);
  }

  stepBack(): void {
    if (this.position > 0) this.seek(this.position - 1);
  }

  /**
   * Replays forward to `target` (>= position) applying recorded inputs; stops early at a
   * breakpoint or watchpoint set on the machine and returns why it stopped.
   */
  replayTo(target: number, opts: { skipBreakpointAtStart?: boolean } = {}): StopReason {
    const m = this.machine;
    let skip = opts.skipBreakpointAtStart ?? true;
    if (!this.stateKnown) throw new TraceFormatError('the machine holds a snapshot that failed its check: seek to a position first');
    if (target < m.icount) throw new RangeError(`replayTo(${target}) is behind the position ${m.icount}`);
    if (target > this.end) throw new RangeError(`replayTo(${target}) is past the end of the recording (${this.end})`);
    if (target > this.inputWindowEnd || m.icount < this.inputWindowStart) this.loadInputs(m.icount, target);
    for (;;) {
      // The state at `target` does not include the inputs stamped `target`: check before delivering.
      if (m.icount >= target) return { kind: 'limit' };
      this.inputs.deliver(m);
      // Stop at the next input's exact moment (icount and time), or at the target's first moment.
      const inputFirst = this.inputs.nextIcount() < target;
      const next = inputFirst ? this.inputs.nextIcount() : target;
      const untilTicks = inputFirst ? this.inputs.nextTicks() : next === this.end ? this.endTicks() : -Infinity;
      const r = m.run({ maxInstructions: next - m.icount, skipBreakpointAtStart: skip, untilTicks });
      skip = false;
      if (r.kind === 'limit') {
        // The hart is awake at the stop with guest time short of the input's moment: the recorded
        // guest slept here and this one does not (a diverted or diverging run). Never spin on it.
        if (inputFirst && m.icount >= next && m.hart.ticks() < untilTicks) {
          throw new ReplayDivergenceError(m.icount, `input at icount ${next} (time ${untilTicks}) while the guest sleeps`, `a guest awake at time ${m.hart.ticks()}`);
        }
        continue;
      }
      if (r.kind === 'breakpoint' || r.kind === 'watchpoint') return r;
      if (r.kind === 'exit') {
        const end = this.reader.end;
        if (end && end.reason.kind === 'exit' && end.icount === m.icount) return r;
        throw new ReplayDivergenceError(m.icount, end ? `the run going on to icount ${end.icount}` : 'no exit here', `an exit with code ${r.code}`);
      }
      // idle: the guest waits for input, and the recording has none before `next`.
      throw new ReplayDivergenceError(m.icount, `progress to icount ${next}`, 'a guest waiting (WFI) for input that the recording does not have');
    }
  }

  private inputWindowStart = 0;

  private loadInputs(from: number, to: number): void {
    // Load a generous window, so stepping forward does not query the recording each time.
    const end = Math.min(this.end, Math.max(to, from + 50_000_000));
    this.inputs.reset(this.reader.inputs(from, end + 1), from);
    this.inputWindowStart = from;
    this.inputWindowEnd = end;
  }

  /** Restores snapshot `index` (CPU, devices and RAM). */
  restore(index: number): void {
    const snap = this.snapshots[index]!;
    const m = this.machine;
    const bus = m.bus;
    for (const p of bus.takeDirtyPages()) this.ramVersion[p] = DIRTY;
    // The version of each page at this snapshot: the latest of keyframe..index that has it.
    let k = index;
    while (!this.snapshots[k]!.keyframe) k--;
    const target = new Map<number, { version: number; packed: PackedPages; at: number }>();
    for (let i = k; i <= index; i++) {
      const packed = this.pagesOf(i);
      for (let at = 0; at < packed.pages.length; at++) target.set(packed.pages[at]!, { version: i, packed, at });
    }
    const rewritten: number[] = [];
    for (let p = 0; p < this.ramVersion.length; p++) {
      const t = target.get(p);
      const version = t ? t.version : ZERO;
      if (this.ramVersion[p] === version) continue;
      m.restoreRamPage(p, t ? t.packed.data.subarray(t.at * PAGE, (t.at + 1) * PAGE) : null);
      this.ramVersion[p] = version;
      rewritten.push(p);
    }
    const state = this.reader.snapshotState(snap.id);
    m.loadState(state);
    // SQLite has no checksums: a damaged snapshot page would otherwise show up as guest memory.
    this.hashes.update(rewritten);
    const hash = this.hashes.digest(m.saveState());
    if (hash !== snap.stateHash) {
      this.ramVersion.fill(DIRTY);
      this.stateKnown = false;
      this.inputWindowEnd = -1;
      throw new TraceFormatError(`snapshot ${snap.id} at icount ${snap.icount} is corrupt: the restored state's hash ${hash} is not the recorded ${snap.stateHash}`);
    }
    bus.markAllClean();
    bus.clearWrittenGranules();
    this.inputWindowEnd = -1;
    this.stateKnown = true;
  }

  /**
   * Reads one more snapshot's pages into the page cache while there is room for them without
   * dropping any; false once there is nothing more to read ahead. Hosts call it while idle, so
   * that seeks restore from memory instead of reading SQLite: keyframes first (every restore
   * needs one), then the others in order. Measured (e2e/scrub-speed.spec.ts, 2.17 G
   * workload-long recording, 219 snapshots, ~55,000 pages read in ~270 ms in all): scrubbing
   * 28-30 positions/s with request-to-screen max 150-196 ms without, 37-39/s and 134-142 ms with
   * every page in memory. Memory: up to the cache's bound (256 MiB), as a long session reaches anyway.
   */
  readAhead(): boolean {
    if (!this.readAheadQueue) {
      const all = this.snapshots.map((_, i) => i);
      const order = [...all.filter((i) => this.snapshots[i]!.keyframe), ...all.filter((i) => !this.snapshots[i]!.keyframe)];
      this.readAheadQueue = order.reverse();
    }
    const queue = this.readAheadQueue;
    while (queue.length > 0) {
      const i = queue.pop()!;
      const snap = this.snapshots[i]!;
      if (this.pageCache.has(snap.id)) continue;
      if (this.cachedPages + snap.pageCount > PAGE_CACHE_LIMIT) {
        queue.length = 0; // full: what seeks read from now on replaces the least recently used
        return false;
      }
      this.pagesOf(i);
      return true;
    }
    return false;
  }

  /** Snapshot indexes warmUp has still to visit, the next one last (null: not planned yet). */
  private warmQueue: number[] | null = null;

  /**
   * Idle work after readAhead, one step a call; false once there is nothing more to do. Replays
   * the first WARM_INSNS instructions after one of WARM_POINTS snapshots spread over the recording,
   * then seeks back to where it was (same position, same state: replay is exact). Why: the guest's
   * code runs as compiled blocks (cpu/block-compiler.ts) that V8 optimises only once they have run
   * a while, so the first seeks into each part of a recording in a fresh engine replay at half
   * speed (measured on workload-long: ~200 M instructions/s instead of ~450, 30-35 ms instead of
   * 15-20 for a seek across a 10 M interval); rehearsing a little of each part in idle time moves
   * that cost out of the user's first drag. A step costs a restore, the stretch, and the way back
   * (up to one snapshot interval of replay): tens of ms, which a request arriving meanwhile waits.
   * A damaged snapshot met on the way ends the rehearsals; the way back then replays across it from
   * an earlier one (the position may have been reached that way), so the position and state are
   * still what they were, or the error says why not.
   */
  warmUp(): boolean {
    if (!this.warmQueue) {
      // Snapshots inside the recording (a recorder that was killed may have left one past its end).
      const n = this.snapshots.filter((s) => s.icount < this.end).length;
      const points = Math.min(n, WARM_POINTS);
      const plan = new Set<number>();
      for (let k = 0; k < points; k++) plan.add(Math.floor(((k + 0.5) * n) / points));
      this.warmQueue = [...plan].reverse();
    }
    const i = this.warmQueue.pop();
    if (i === undefined) return false;
    const pos = this.position;
    const from = this.snapshots[i]!.icount;
    const next = this.snapshots[i + 1]?.icount ?? this.end;
    try {
      this.restore(i);
      this.replayTo(Math.min(next, from + WARM_INSNS));
    } catch (e) {
      this.warmQueue.length = 0; // a damaged snapshot: a seek that needs it will say so, in context
      throw e;
    } finally {
      this.returnTo(pos);
    }
    return this.warmQueue.length > 0;
  }

  /** Back to `pos` after a rehearsal: from the nearest snapshot before it that passes its check. */
  private returnTo(pos: number): void {
    let failure: unknown = null;
    for (let k = this.snapshotIndexAt(pos); k >= 0; k--) {
      try {
        this.restore(k);
        this.replayTo(pos);
        return;
      } catch (e) {
        failure ??= e;
      }
    }
    throw failure;
  }

  /**
   * The pages a snapshot stores, from a cache of recently used snapshots bounded by bytes (least
   * recently used first out), so a long session does not end up holding the whole recording.
   */
  private pagesOf(index: number): PackedPages {
    const snap = this.snapshots[index]!;
    const id = snap.id;
    let packed = this.pageCache.get(id);
    if (packed) {
      this.pageCache.delete(id); // move to the most recently used end
      this.pageCache.set(id, packed);
      return packed;
    }
    packed = packPages(snap, this.reader.snapshotPages(id));
    this.pageCache.set(id, packed);
    this.cachedPages += packed.pages.length;
    for (const [oldId, old] of this.pageCache) {
      if (this.cachedPages <= PAGE_CACHE_LIMIT || oldId === id) break;
      this.pageCache.delete(oldId);
      this.cachedPages -= old.pages.length;
    }
    return packed;
  }

  /**
   * Runs forward until a breakpoint or watchpoint stops it, or the end of the recording.
   * Breakpoints and watchpoints are those set on `machine` by the caller.
   */
  continueForward(): StopReason {
    return this.replayTo(this.end, { skipBreakpointAtStart: true });
  }

  /**
   * Runs backward to the most recent stop (breakpoint or watchpoint hit) before the current
   * position, leaving the machine there; returns null (and stays put) when there is none.
   * Each snapshot interval is replayed at most once. `skipInterval` lets write-only watches skip
   * intervals whose write summary shows no write to the watched ranges.
   */
  reverseContinue(
    bps: readonly number[],
    watches: readonly Watchpoint[],
    control: OperationControl = {},
    skipInterval: (index: number) => boolean = () => false,
  ): { icount: number; reason: StopReason } | null {
    const m = this.machine;
    const from = this.position;
    if (from === 0) return null;
    const lastIndex = this.snapshotIndexAt(from - 1);
    let found: { icount: number; reason: StopReason } | null = null;
    try {
      m.setBreakpoints(bps);
      for (let i = lastIndex; i >= 0 && !found; i--) {
        if (control.signal?.aborted) throw new OperationCancelledError();
        control.onProgress?.(lastIndex - i, lastIndex + 1);
        if (skipInterval(i)) continue;
        const end = Math.min(from, i + 1 < this.snapshots.length ? this.snapshots[i + 1]!.icount : this.end);
        this.restore(i);
        let last: { icount: number; reason: StopReason } | null = null;
        m.setWatchpoints(watches, () => 'stop');
        // A breakpoint at the restored position itself counts: it is a hit at the snapshot's icount.
        let skip = false;
        for (;;) {
          const r = this.replayTo(end, { skipBreakpointAtStart: skip });
          skip = true;
          if (r.kind !== 'breakpoint' && r.kind !== 'watchpoint') break;
          if (m.icount < from) last = { icount: m.icount, reason: r };
          if (m.icount >= end) break;
        }
        found = last;
      }
    } finally {
      m.setWatchpoints([]);
      m.setBreakpoints([]);
    }
    this.seek(found ? found.icount : from);
    return found;
  }
}

/**
 * A snapshot's pages in one buffer (page `pages[i]` is bytes i*PAGE..(i+1)*PAGE of `data`): two
 * objects per snapshot for the garbage collector, not one per page. With the whole 2.17 G
 * workload-long recording read ahead (~55,000 pages), one buffer per page made major collections
 * in the engine worker take 30-40 ms, in the middle of seeks.
 */
interface PackedPages {
  readonly pages: Int32Array;
  readonly data: Uint8Array;
}

function packPages(snap: SnapshotInfo, list: readonly SnapshotPage[]): PackedPages {
  const pages = new Int32Array(list.length);
  const data = new Uint8Array(list.length * PAGE);
  list.forEach((p, i) => {
    if (p.data.length !== PAGE) {
      throw new TraceFormatError(`snapshot ${snap.id} at icount ${snap.icount} is corrupt: its page ${p.page} has ${p.data.length} bytes, not ${PAGE}`);
    }
    pages[i] = p.page;
    data.set(p.data, i * PAGE);
  });
  return { pages, data };
}
