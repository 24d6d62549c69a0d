// The loop that drives a guest while it runs or records, shared by the CLI (`run`, `record`,
// `gdb`'s recording) and the UI's interactive recording (app/session/live-recording.ts): slices
// of guest execution; UART input entering through the input pump between slices; waiting, when
// the guest sleeps, for input or a USB device's answer; and handing the thread back to the host
// between slices (`nextTurn`), so its other work (terminal input, a worker's messages such as
// "send these bytes" or "stop", a real device's completions) is taken while the guest runs.

import type { StopReason } from '../../engine/machine/stop-reason.js';
import type { RecordingInputPump } from '../inputs/input-pump.js';
import { uartRx } from '../inputs/uart-rx.js';
import type { TraceEnd } from '../trace/trace.js';
import type { SerialInputQueue } from './serial-input.js';
import type { UsbAttachments } from './usb-attachments.js';

/** Instructions per slice: small enough that a terminal or a UI stays responsive, large enough to be free. */
export const GUEST_SLICE = 1 << 22;

/** What the loop runs: a plain machine or a recording session. */
export interface DrivenGuest {
  readonly inputs: RecordingInputPump;
  /** The USB devices plugged in, when there are any (what the loop needs of them: it waits for their answers). */
  readonly usb?: Pick<UsbAttachments, 'pending' | 'anyAnswer'>;
  readonly icount: number;
  readonly pc: number;
  run(maxInstructions: number): StopReason;
}

/** How a run ended (a recording's end reason). */
export type GuestLoopEnd = TraceEnd['reason'];

export interface GuestLoopOptions {
  /** Stop at this icount (Infinity: no limit). */
  readonly maxInsns: number;
  /** After each slice: flush output, report progress. `r` is how the slice stopped. */
  afterSlice(r: StopReason): void;
  /** Also stop when this says so (a signal); the input's stopRequested always counts. */
  readonly interrupted?: () => boolean;
  /** Resolves on the host's next turn of its event loop (Node: setImmediate). */
  nextTurn(): Promise<void>;
}

export async function runGuestLoop(guest: DrivenGuest, input: SerialInputQueue, opts: GuestLoopOptions): Promise<GuestLoopEnd> {
  let idleAt = -1;
  for (;;) {
    input.drain((b) => guest.inputs.offer(uartRx, b));
    const remaining = opts.maxInsns - guest.icount;
    if (remaining <= 0) return { kind: 'limit' };
    const r = guest.run(Math.min(GUEST_SLICE, remaining));
    opts.afterSlice(r);
    if (r.kind === 'exit') return { kind: 'exit', code: r.code, source: r.source };
    if (input.stopRequested || opts.interrupted?.()) return { kind: 'stopped' };
    if (r.kind === 'io') {
      // A device backend has work: let its answer (a virtual device answers at once) come in.
      await opts.nextTurn();
      continue;
    }
    if (r.kind === 'idle') {
      // Bytes the UART could not take yet (without a FIFO it holds one) enter at the next slice,
      // if the guest ran since it last slept (it read one); otherwise it does not take them now.
      const progressed = guest.icount !== idleAt;
      idleAt = guest.icount;
      if (guest.inputs.pending > 0 && progressed) {
        await opts.nextTurn();
        continue;
      }
      const usbPending = guest.usb !== undefined && guest.usb.pending > 0;
      if (!usbPending && input.ended && !input.pending) return { kind: 'idle' };
      // The guest sleeps until a device answers or input comes (a key typed while an interrupt IN
      // transfer waits for its device must still get in); a stop request wakes it too.
      if (usbPending && input.ended) await guest.usb!.anyAnswer();
      else if (usbPending) await Promise.race([guest.usb!.anyAnswer(), input.waitForData()]);
      else await input.waitForData();
    }
    // Let input, messages and signals in between slices.
    await opts.nextTurn();
  }
}
