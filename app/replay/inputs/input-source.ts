// One module per source of nondeterminism (as QEMU's replay/ has one file per input kind).
// A source says how its value is stored in a recording and how it enters the machine. The same
// call site (InputPump.deliver) records the value when recording, and the replay applies the stored
// value at the same icount, so adding a source (USB completions, connect/disconnect) changes
// nothing elsewhere.

import type { Machine } from '../../engine/machine/machine.js';

export interface InputSource<T> {
  /** Stable name, stored with every event of this source. */
  readonly kind: string;
  encode(value: T): Uint8Array;
  /** Throws a clear error when `data` is not a valid encoding (a corrupt recording). */
  decode(data: Uint8Array): T;
  /** Whether the machine can take the value now (e.g. the UART FIFO has room). */
  canApply(machine: Machine, value: T): boolean;
  apply(machine: Machine, value: T): void;
  /** Human-readable, for divergence messages and the timeline. */
  describe(value: T): string;
}
