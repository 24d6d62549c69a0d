// The loop shared by `run` and `record`: slices of guest execution, UART input from a file or the
// terminal entering through the input pump, output to stdout, and the exit-code contract.

import type { StopReason } from '../engine/machine/stop-reason.js';
import type { RecordingInputPump } from '../replay/inputs/input-pump.js';
import type { UsbAttachments } from '../replay/sessions/usb-attachments.js';
import { uartRx } from '../replay/inputs/uart-rx.js';
import type { Io } from './io.js';
import type { UartInputQueue } from './uart-input.js';

/** Instructions per slice: small enough that a terminal stays responsive, large enough to be free. */
const SLICE = 1 << 22;

export const EXIT_MAX_INSNS = 124;
export const EXIT_STUCK = 125;
export const EXIT_INTERRUPTED = 130;

/** What the driver runs: a plain machine or a recording session. */
export interface DrivenGuest {
  readonly inputs: RecordingInputPump;
  /** The USB devices plugged in, when there are any. */
  readonly usb?: UsbAttachments;
  readonly icount: number;
  readonly pc: number;
  run(maxInstructions: number): StopReason;
}

export interface DriveResult {
  readonly exitCode: number;
  /** How the run ended, for a recording's end record. */
  readonly reason: { kind: 'exit'; code: number; source: string } | { kind: 'limit' } | { kind: 'stopped' } | { kind: 'idle' };
}

export async function driveGuest(
  guest: DrivenGuest,
  input: UartInputQueue,
  io: Io,
  opts: { maxInsns: number; flushOutput: () => void; interrupted?: () => boolean },
): Promise<DriveResult> {
  for (;;) {
    input.drain((b) => guest.inputs.offer(uartRx, b));
    const remaining = opts.maxInsns - guest.icount;
    if (remaining <= 0) {
      opts.flushOutput();
      io.stderr(`hindsight: stopped after --max-insns ${opts.maxInsns} instructions (pc 0x${(guest.pc >>> 0).toString(16)})\n`);
      return { exitCode: EXIT_MAX_INSNS, reason: { kind: 'limit' } };
    }
    const r = guest.run(Math.min(SLICE, remaining));
    opts.flushOutput();
    if (r.kind === 'exit') return { exitCode: r.code, reason: { kind: 'exit', code: r.code, source: r.source } };
    if (input.quitRequested || opts.interrupted?.()) {
      io.stderr('hindsight: stopped by the user\n');
      return { exitCode: input.quitRequested ? 0 : EXIT_INTERRUPTED, reason: { kind: 'stopped' } };
    }
    if (r.kind === 'io') {
      // A device backend has work: let its answer (a virtual device answers at once) come in.
      await new Promise((resolve) => setImmediate(resolve));
      continue;
    }
    if (r.kind === 'idle' && guest.usb && guest.usb.pending > 0) {
      // The guest sleeps until a USB device answers.
      await guest.usb.anyAnswer();
      await new Promise((resolve) => setImmediate(resolve));
      continue;
    }
    if (r.kind === 'idle') {
      if (input.ended && !input.pending && guest.inputs.pending === 0) {
        io.stderr('hindsight: the guest is waiting (WFI) with no timer armed and no more UART input; stopping\n');
        return { exitCode: EXIT_STUCK, reason: { kind: 'idle' } };
      }
      await input.waitForData();
    } else {
      // Let terminal input and signals in between slices.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
}
