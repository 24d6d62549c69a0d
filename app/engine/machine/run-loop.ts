// The machine's deterministic run loop.
//
// Canonical points: run() only ever returns at the top of the loop, after the devices whose
// deadline has come were serviced and the WFI idle warp was done, and before a pending interrupt
// is taken. "The state at icount N" is the state at the canonical point with N instructions
// retired. Hosts inject outside input (UART bytes, USB completions) only at canonical points, so a
// replay that stops at the same icount sees exactly the state the recorder saw.
//
// Determinism does not depend on how a host slices a run: the executor never runs a block past
// the next device deadline, and anything that can change interrupt state (MMIO, CSR writes, xRET,
// traps) returns control here before the next instruction.
//
// Host attention: a device with output the host should act on at once (a USB transfer request
// that a backend must start) calls requestHostAttention(); run() then returns { kind: 'io' } at
// the next canonical point (right after the deadlines were serviced, before the idle warp, or
// after the instruction that triggered it). Returning there changes nothing: the next run()
// continues exactly as if it had not stopped, so 'io' stops need not be replayed.

import type { TimedDevice } from '../bus/device.js';
import type { Executor } from '../cpu/executor.js';
import type { Hart } from '../cpu/hart.js';
import type { StopReason } from './stop-reason.js';

export interface ExitRequest {
  readonly code: number;
  readonly source: string;
}

const LIMIT: StopReason = { kind: 'limit' };
const IDLE: StopReason = { kind: 'idle' };
const IO: StopReason = { kind: 'io' };

export class RunLoop {
  exitRequest: ExitRequest | null = null;
  /** A stop that a hook asked for (watchpoint); returned at the next canonical point. */
  stopRequest: StopReason | null = null;
  /** A device asked for the host's attention; run() returns 'io' at the next canonical point. */
  hostAttention = false;

  constructor(
    private readonly hart: Hart,
    private readonly executor: Executor,
    private readonly timed: readonly TimedDevice[],
  ) {}

  /** Smallest device deadline, in ticks (Infinity when no device is waiting for time). */
  nextDeadline(): number {
    let d = Infinity;
    for (const t of this.timed) {
      const v = t.nextDeadline();
      if (v < d) d = v;
    }
    return d;
  }

  /** Makes run() return { kind: 'io' } at the next canonical point (see the header). */
  requestHostAttention(): void {
    this.hostAttention = true;
    this.executor.stopRequested = true;
  }

  private serviceDeadlines(): void {
    const now = this.hart.ticks();
    for (const t of this.timed) {
      // A device may re-arm for a time that has also passed; bounded so a buggy device can't hang us.
      for (let i = 0; i < 64 && t.nextDeadline() <= now; i++) t.onDeadline();
    }
  }

  /**
   * Runs until `target` instructions have retired (icount) and guest time has reached
   * `targetTicks`, the guest exits, or it is idle. While the hart sleeps in WFI its icount stands
   * still and time jumps from deadline to deadline; `targetTicks` picks one of those moments (an
   * input recorded while the guest slept entered at one of them).
   */
  run(target: number, targetTicks = -Infinity): StopReason {
    const h = this.hart;
    for (;;) {
      if (this.exitRequest) return { kind: 'exit', code: this.exitRequest.code, source: this.exitRequest.source };
      this.serviceDeadlines();
      if (this.hostAttention) {
        this.hostAttention = false;
        return IO;
      }
      if (h.waiting) {
        if (h.wakeable()) {
          h.waiting = false;
        } else {
          if (h.icount >= target && h.ticks() >= targetTicks) return LIMIT;
          const deadline = this.nextDeadline();
          if (deadline === Infinity) return IDLE;
          // Nothing can happen until the deadline: skip the idle cycles (QEMU's icount does the same).
          h.idleTicks += Math.max(0, deadline - h.ticks());
          continue;
        }
      }
      if (this.stopRequest) {
        const r = this.stopRequest;
        this.stopRequest = null;
        return r;
      }
      // Awake, time only moves by retiring instructions: past the target, `targetTicks` is out of
      // reach (it names a moment of a sleep that did not happen) and the caller decides what that means.
      if (h.icount >= target) return LIMIT;
      if (h.takeInterrupt()) {
        h.exit = 0;
        continue;
      }
      const deadline = this.nextDeadline();
      const limit = deadline === Infinity ? target : Math.min(target, h.icount + Math.max(1, deadline - h.ticks()));
      this.executor.run(limit);
      h.exit = 0;
      if (this.executor.breakpointHit !== null && !this.stopRequest) {
        this.stopRequest = { kind: 'breakpoint', pc: this.executor.breakpointHit };
      }
    }
  }
}
