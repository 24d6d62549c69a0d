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

export class RunLoop {
  exitRequest: ExitRequest | null = null;
  /** A stop that a hook asked for (watchpoint); returned at the next canonical point. */
  stopRequest: StopReason | null = null;

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

  private serviceDeadlines(): void {
    const now = this.hart.ticks();
    for (const t of this.timed) {
      // A device may re-arm for a time that has also passed; bounded so a buggy device can't hang us.
      for (let i = 0; i < 64 && t.nextDeadline() <= now; i++) t.onDeadline();
    }
  }

  /** Runs until `target` instructions have retired (icount), the guest exits, or it is idle. */
  run(target: number): StopReason {
    const h = this.hart;
    for (;;) {
      if (this.exitRequest) return { kind: 'exit', code: this.exitRequest.code, source: this.exitRequest.source };
      this.serviceDeadlines();
      if (h.waiting) {
        if (h.wakeable()) {
          h.waiting = false;
        } else {
          const deadline = this.nextDeadline();
          if (deadline === Infinity) return h.icount >= target ? LIMIT : IDLE;
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
