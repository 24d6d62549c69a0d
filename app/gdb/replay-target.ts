// The machine gdb debugs: a recording, moved through with the Timeline, plus gdb's breakpoints and
// watchpoints and a possible diversion.
//
// Positions are the Timeline's: icount N is the state with N instructions retired. gdb's riscv
// architecture has non-steppable watchpoints (gdb reads `have_nonsteppable_watchpoint = 1`): a
// watchpoint stop is reported with the accessing instruction not yet executed, and gdb steps over
// it itself (watchpoints removed) before it compares values. So a forward watchpoint stop is at the
// position just before the access (the machine stops just after it; we go back one instruction),
// and a reverse one is at the position just after it (see reverse-search.ts).
//
// Diversion: memory and register writes from gdb change the replay machine only, never the
// recording. From the first write on, the session is diverted: forward execution runs the changed
// machine (still fed the recorded inputs; when it stops agreeing with the recording, that is a
// stop with a message). The next reverse operation or seek restores the recording's state and
// drops the diversion. The writes are kept with their positions, so the diverted state at a later
// position can be rebuilt (restore, replay, re-apply, replay) when a forward watchpoint stop needs
// to go back one instruction.
//
// Every run operation is asynchronous and runs in chunks, giving the host a turn between them; it
// stops early (SIGINT) when the host's `interrupted()` says so.

import type { Machine } from '../engine/machine/machine.js';
import type { StopReason, WatchHit, WatchKind, Watchpoint } from '../engine/machine/stop-reason.js';
import { ReplayDivergenceError } from '../replay/divergence.js';
import type { Timeline } from '../replay/timeline/timeline.js';
import { WriteIndex, intervalSkipper } from '../replay/write-index/write-index.js';
import { readMemory, readRegister, translateData, writeMemory, writeRegister } from './hart-access.js';
import { searchBackward } from './reverse-search.js';

export const SIGINT = 2;
export const SIGTRAP = 5;

export type StopWhy =
  /** A step ended, or an interrupt: nothing to name. */
  | { readonly kind: 'none' }
  | { readonly kind: 'breakpoint'; readonly type: 'sw' | 'hw' }
  | { readonly kind: 'watch'; readonly watch: 'watch' | 'rwatch' | 'awatch'; readonly addr: number }
  /** Reverse execution reached the start of the recording. */
  | { readonly kind: 'history-begin' }
  /** Forward execution reached the end of the recording. */
  | { readonly kind: 'history-end' };

export interface TargetStop {
  readonly signal: number;
  readonly why: StopWhy;
  /** Text for gdb's console, shown before the stop. */
  readonly message?: string;
}

export interface RunHost {
  /** Whether the user asked to stop (Ctrl-C) or the client went away. */
  readonly interrupted: () => boolean;
  /** Gives the host a turn between chunks. */
  readonly yieldToHost: () => Promise<void>;
}

/**
 * Instructions per chunk between two turns of the host. Measured on this project's 2-core machine:
 * replay runs at ~300-450 MIPS with breakpoints or write watches armed, so 4 M is ~10-15 ms; read
 * and access watches single-step at ~20 MIPS (138 M instructions of workload-O0 in 7 s), so they
 * get a 16th of it (~12 ms). A Ctrl-C is thus answered within tens of milliseconds.
 */
export const DEFAULT_CHUNK = 4_000_000;
/** Bounds on what a client may ask for (gdb asks for a handful). */
export const MAX_BREAKPOINTS = 4096;
export const MAX_WATCHPOINTS = 256;
export const MAX_WATCH_LENGTH = 1 << 20;

const NONE: StopWhy = { kind: 'none' };

interface DiversionWrite {
  readonly icount: number;
  readonly apply: (m: Machine) => boolean;
}

export class ReplayTarget {
  readonly machine: Machine;
  readonly writeIndex: WriteIndex;
  private readonly sw = new Set<number>();
  private readonly hw = new Set<number>();
  private readonly watches: Watchpoint[] = [];
  private diversion: DiversionWrite[] | null = null;

  constructor(readonly timeline: Timeline, private readonly chunk = DEFAULT_CHUNK) {
    this.machine = timeline.machine;
    this.writeIndex = new WriteIndex(timeline);
  }

  get position(): number {
    return this.timeline.position;
  }

  get end(): number {
    return this.timeline.end;
  }

  /** Whether gdb has changed memory or registers since the last reverse operation or seek. */
  get diverted(): boolean {
    return this.diversion !== null;
  }

  // ---- registers and memory ----------------------------------------------------------------------

  readRegister(regnum: number): number | null {
    return readRegister(this.machine.hart, regnum);
  }

  /** Writes a register (a diversion, unless the value is the same). */
  writeRegister(regnum: number, value: number): boolean {
    const old = this.readRegister(regnum);
    if (old === null) return false;
    if (old === value >>> 0) return true;
    return this.divert((m) => writeRegister(m.hart, regnum, value));
  }

  readMemory(addr: number, length: number): Uint8Array {
    return readMemory(this.machine, addr, length);
  }

  /** Writes memory (a diversion, unless the bytes are the same). */
  writeMemory(addr: number, data: Uint8Array): boolean {
    const old = this.readMemory(addr, data.length);
    if (old.length === data.length && old.every((b, i) => b === data[i])) return true;
    const copy = data.slice();
    return this.divert((m) => writeMemory(m, addr, copy));
  }

  /** Applies a write now and keeps it for rebuilding the diverted state. */
  private divert(apply: (m: Machine) => boolean): boolean {
    if (!apply(this.machine)) return false;
    (this.diversion ??= []).push({ icount: this.position, apply });
    return true;
  }

  // ---- breakpoints and watchpoints ---------------------------------------------------------------

  /** Inserts (or removes) a Z-packet point; returns an error text, or null when done. */
  setPoint(insert: boolean, type: 0 | 1 | 2 | 3 | 4, addr: number, length: number): string | null {
    if (type === 0 || type === 1) {
      const set = type === 0 ? this.sw : this.hw;
      if (!insert) {
        set.delete(addr >>> 0);
        return null;
      }
      if (this.sw.size + this.hw.size >= MAX_BREAKPOINTS) return `at most ${MAX_BREAKPOINTS} breakpoints`;
      set.add(addr >>> 0);
      return null;
    }
    const kind: WatchKind = type === 2 ? 'write' : type === 3 ? 'read' : 'access';
    if (!(length >= 1 && length <= MAX_WATCH_LENGTH)) return `watch length ${length} is not 1..${MAX_WATCH_LENGTH}`;
    const paddr = translateData(this.machine.hart, addr) ?? addr >>> 0;
    if (!insert) {
      const i = this.watches.findIndex((w) => w.addr === paddr && w.len === length && w.kind === kind);
      if (i >= 0) this.watches.splice(i, 1);
      return null;
    }
    if (this.watches.length >= MAX_WATCHPOINTS) return `at most ${MAX_WATCHPOINTS} watchpoints`;
    this.watches.push({ addr: paddr, len: length, kind });
    return null;
  }

  /** Read and access watchpoints make the machine run one instruction at a time (~20x slower). */
  private get runChunk(): number {
    return this.watches.some((w) => w.kind !== 'write') ? Math.max(1, this.chunk >> 4) : this.chunk;
  }

  private get breakpoints(): number[] {
    return [...this.sw, ...this.hw];
  }

  private breakpointWhy(pc: number): StopWhy {
    return { kind: 'breakpoint', type: this.sw.has(pc >>> 0) || !this.hw.has(pc >>> 0) ? 'sw' : 'hw' };
  }

  private watchWhy(hit: WatchHit): StopWhy {
    const w = hit.watch;
    // gdb finds the watchpoint by this address: it must fall inside the watched range.
    const addr = Math.min(Math.max(hit.addr >>> 0, w.addr >>> 0), (w.addr >>> 0) + w.len - 1);
    return { kind: 'watch', watch: w.kind === 'write' ? 'watch' : w.kind === 'read' ? 'rwatch' : 'awatch', addr };
  }

  // ---- moving ---------------------------------------------------------------------------------------

  /** Goes to `icount` of the recording (clamped), dropping a diversion. Nothing may be armed. */
  seek(icount: number): void {
    const tl = this.timeline;
    const t = Math.max(0, Math.min(Math.floor(icount), tl.end));
    if (this.diversion) {
      // Timeline.seek would replay forward from the diverted state when t is ahead in this interval.
      this.diversion = null;
      tl.restore(tl.snapshotIndexAt(t));
      tl.replayTo(t);
    } else {
      tl.seek(t);
    }
  }

  /** The state just before the instruction at position q (q >= the position of every diversion write). */
  private backTo(q: number): void {
    const ops = this.diversion;
    if (!ops) {
      this.timeline.seek(q);
      return;
    }
    const tl = this.timeline;
    tl.restore(tl.snapshotIndexAt(ops[0]!.icount));
    for (const op of ops) {
      tl.replayTo(op.icount);
      op.apply(this.machine);
    }
    tl.replayTo(q);
  }

  private endStop(r: StopReason | null): TargetStop {
    const end = this.timeline.reader.end;
    let message: string | undefined;
    if (r?.kind === 'exit') message = `hindsight: the guest exited with code ${r.code} (${r.source}) at icount ${this.position}, the end of the recording\n`;
    else if (end && end.icount === this.position && end.reason.kind === 'exit') message = `hindsight: the guest exits here (code ${end.reason.code}): the end of the recording\n`;
    return { signal: SIGTRAP, why: { kind: 'history-end' }, ...(message ? { message } : {}) };
  }

  private divergenceStop(e: ReplayDivergenceError): TargetStop {
    const what = this.diverted ? 'the diverted run (gdb changed memory or registers) no longer follows the recording' : 'the replay diverged from the recording';
    return {
      signal: SIGTRAP, why: NONE,
      message: `hindsight: ${what}: ${e.message}\nhindsight: a reverse command or "monitor seek N" goes back to the recording\n`,
    };
  }

  /** Runs forward until a breakpoint or watchpoint stop, the end of the recording, or an interrupt. */
  async continueForward(host: RunHost): Promise<TargetStop> {
    const tl = this.timeline;
    const m = this.machine;
    let watchHit: WatchHit | null = null;
    try {
      m.setBreakpoints(this.breakpoints);
      m.setWatchpoints(this.watches);
      for (;;) {
        if (this.position >= tl.end) return this.endStop(null);
        // No breakpoint skipping: gdb steps over a breakpoint at the pc itself before continuing.
        const r = tl.replayTo(Math.min(tl.end, this.position + this.runChunk), { skipBreakpointAtStart: false });
        if (r.kind === 'breakpoint') return { signal: SIGTRAP, why: this.breakpointWhy(r.pc) };
        if (r.kind === 'watchpoint') {
          watchHit = r.hit;
          break;
        }
        if (r.kind === 'exit') return this.endStop(r);
        if (this.position >= tl.end) return this.endStop(null);
        await host.yieldToHost();
        if (host.interrupted()) return { signal: SIGINT, why: NONE };
      }
    } catch (e) {
      if (e instanceof ReplayDivergenceError) return this.divergenceStop(e);
      throw e;
    } finally {
      m.setWatchpoints([]);
      m.setBreakpoints([]);
    }
    this.backTo(watchHit.icount);
    return { signal: SIGTRAP, why: this.watchWhy(watchHit) };
  }

  /** Executes one instruction (a watched access is reported before it, and not executed). */
  async step(): Promise<TargetStop> {
    const tl = this.timeline;
    const m = this.machine;
    const from = this.position;
    if (from >= tl.end) return this.endStop(null);
    let r: StopReason;
    try {
      m.setWatchpoints(this.watches);
      r = tl.replayTo(from + 1, { skipBreakpointAtStart: true });
    } catch (e) {
      if (e instanceof ReplayDivergenceError) return this.divergenceStop(e);
      throw e;
    } finally {
      m.setWatchpoints([]);
    }
    if (r.kind === 'watchpoint') {
      this.backTo(from);
      return { signal: SIGTRAP, why: this.watchWhy(r.hit) };
    }
    return { signal: SIGTRAP, why: NONE };
  }

  /** Undoes one instruction (an access to a watched range by it is reported first, without moving). */
  async reverseStep(): Promise<TargetStop> {
    const from = this.position;
    if (this.diversion) this.seek(from);
    if (from === 0) return { signal: SIGTRAP, why: { kind: 'history-begin' } };
    this.seek(from - 1);
    if (this.watches.length > 0) {
      const m = this.machine;
      let r: StopReason;
      try {
        m.setWatchpoints(this.watches);
        r = this.timeline.replayTo(from, { skipBreakpointAtStart: true });
      } finally {
        m.setWatchpoints([]);
      }
      if (r.kind === 'watchpoint') {
        this.seek(from);
        return { signal: SIGTRAP, why: this.watchWhy(r.hit) };
      }
      this.seek(from - 1);
    }
    return { signal: SIGTRAP, why: NONE };
  }

  /** Runs backward to the last breakpoint or watchpoint hit, or to the start of the recording. */
  async reverseContinue(host: RunHost): Promise<TargetStop> {
    const from = this.position;
    if (this.diversion) this.seek(from);
    const bps = this.breakpoints;
    if (bps.length === 0 && this.watches.length === 0) {
      this.seek(0);
      return { signal: SIGTRAP, why: { kind: 'history-begin' } };
    }
    const r = await searchBackward(this.timeline, from, {
      breakpoints: bps,
      watches: this.watches,
      skipInterval: intervalSkipper(this.writeIndex, bps, this.watches),
      cancelled: host.interrupted,
      yieldToHost: host.yieldToHost,
      chunk: this.runChunk,
    });
    if (r.hit) {
      this.seek(r.hit.icount);
      return { signal: SIGTRAP, why: r.hit.kind === 'breakpoint' ? this.breakpointWhy(r.hit.pc) : this.watchWhy(r.hit.hit) };
    }
    // Interrupted: stop where everything between here and the start position has been searched.
    this.seek(r.searchedFrom);
    if (r.cancelled) return { signal: SIGINT, why: NONE };
    return { signal: SIGTRAP, why: { kind: 'history-begin' } };
  }
}
