// Records a guest ELF with scripted UART input and USB devices into a recording, without a
// terminal: the way a host makes "something real to show" (hindsight serve's default: the sample
// shell with a virtual CDC-ACM device) and what openElf does. The guest runs in the one record
// loop the CLI and interactive Record share (app/replay/sessions/guest-loop.ts): input bytes are
// offered up front and enter the UART as it can take them; when the guest sleeps with USB
// transfers in flight it waits for the devices' answers; the run ends when the guest exits, waits
// (WFI) with nothing more to come, or reaches maxInsns. Cancellable through the control's signal,
// also while it waits for a device.

import { Machine } from '../engine/machine/machine.js';
import { runGuestLoop } from '../replay/sessions/guest-loop.js';
import { createGuestRecording, type UsbAnswerWait } from '../replay/sessions/guest-recording.js';
import type { NewRecordingHeader } from '../replay/sessions/recording-header.js';
import { SerialInputQueue } from '../replay/sessions/serial-input.js';
import { openUsbBackends, type UsbAttachments } from '../replay/sessions/usb-attachments.js';
import { DEFAULT_CHECKPOINT_POLICY } from '../replay/timeline/checkpoint-policy.js';
import type { OperationControl } from '../replay/timeline/timeline.js';
import { OperationCancelledError } from '../replay/timeline/timeline.js';
import type { TraceEnd, TraceWriter } from '../replay/trace/trace.js';
import type { UsbDeviceBackend } from '../usb/usb-backend.js';
import { SessionError } from './errors.js';

export type { NewRecordingHeader };

export interface RecordElfOptions {
  readonly image: Uint8Array;
  readonly imageName: string;
  readonly createdBy: string;
  readonly serialInput?: Uint8Array;
  /** USB devices by the CLI's --usb specs, plugged into root hub ports 1, 2, ... in this order. */
  readonly usb?: readonly string[];
  /** Stop after this many instructions (default 2 G). */
  readonly maxInsns?: number;
  readonly snapshotInterval?: number;
}

/** What the host gives the run (a subset of RecordingPorts, live-recording.ts). */
export interface RecordElfHost {
  /** Resolves on the host's next turn of its event loop: the run yields there between slices. */
  nextTurn(): Promise<void>;
  /** Opens the device a spec names; rejects with SessionError 'device' saying why. Needed only with `usb`. */
  openUsbDevice?(spec: string): Promise<UsbDeviceBackend>;
  /**
   * Resolves after about `ms` of host time: how a run waiting for a device's answer notices a
   * cancel. Without it that wait polls on nextTurn.
   */
  sleep?(ms: number): Promise<void>;
}

export const DEFAULT_RECORD_LIMIT = 2_000_000_000;
/** How often a run waiting for a USB device looks at the cancel signal. */
const CANCEL_POLL_MS = 50;

/** Yields through microtasks only: for a run with no devices where nothing else needs the thread. */
const MICROTASK_HOST: RecordElfHost = { nextTurn: () => Promise.resolve() };

/**
 * Runs the guest and writes the recording through the writer `createWriter` makes (the host owns
 * files). Resolves with how it ended. The devices are opened after the ELF has loaded and before
 * the writer is made (a device that cannot be opened: nothing is created, devices opened before
 * it are closed); the devices are closed and the writer finished and closed either way.
 */
export async function recordElf(
  opts: RecordElfOptions,
  createWriter: (header: NewRecordingHeader) => TraceWriter,
  control: OperationControl = {},
  host: RecordElfHost = MICROTASK_HOST,
): Promise<TraceEnd> {
  const machine = Machine.create({ image: { bytes: opts.image, path: opts.imageName } });
  const specs = opts.usb ?? [];
  if (specs.length > machine.usb.portCount) {
    throw new SessionError('bad-request', `${specs.length} USB devices, but the controller has ${machine.usb.portCount} ports`);
  }
  const aborted = (): boolean => control.signal?.aborted === true;
  const backends = await openUsbBackends(specs, (spec) => {
    if (!host.openUsbDevice) throw new SessionError('bad-request', `this host cannot attach USB devices (asked for ${spec})`);
    if (aborted()) throw new OperationCancelledError();
    return host.openUsbDevice(spec);
  });
  const recording = await createGuestRecording({
    machine, image: { bytes: opts.image, name: opts.imageName }, createdBy: opts.createdBy,
    snapshotInterval: opts.snapshotInterval ?? DEFAULT_CHECKPOINT_POLICY.interval,
    backends, createWriter,
    usbWait: (attachments) => cancellableWait(attachments, aborted, host),
  });
  const { session, guest } = recording;
  try {
    const input = new SerialInputQueue();
    input.push(opts.serialInput ?? []);
    input.end();
    const limit = opts.maxInsns ?? DEFAULT_RECORD_LIMIT;
    if (aborted()) throw new OperationCancelledError();
    const reason = await runGuestLoop(guest, input, {
      maxInsns: limit,
      afterSlice: () => control.onProgress?.(session.icount, limit),
      // Nothing asks this run to stop but a cancel: its 'stopped' is a cancellation.
      interrupted: aborted,
      nextTurn: () => host.nextTurn(),
    });
    if (reason.kind === 'stopped') throw new OperationCancelledError();
    session.finish(reason);
    return { icount: session.icount, reason };
  } finally {
    await recording.close();
  }
}

/**
 * The devices as the loop sees them, with a wait for their answers that also ends on a cancel
 * (a device may never answer: a keyboard nobody types on, a real device that hangs).
 */
function cancellableWait(usb: UsbAttachments, aborted: () => boolean, host: RecordElfHost): UsbAnswerWait {
  return {
    get pending() { return usb.pending; },
    async anyAnswer() {
      let answered = false;
      const answer = usb.anyAnswer().finally(() => { answered = true; });
      while (!answered && !aborted()) await Promise.race([answer, host.sleep ? host.sleep(CANCEL_POLL_MS) : host.nextTurn()]);
    },
  };
}
