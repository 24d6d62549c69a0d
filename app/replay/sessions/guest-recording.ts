// The part of making a recording that every recorder of a guest shares (the CLI's `record` and
// `gdb ELF`, app/node/record-guest.ts; the UI's Record, app/session/live-recording.ts; openElf,
// app/session/record-elf.ts): the recording file made from the machine's header, the session that
// writes into it, the USB devices plugged in with their transfers recorded, and the guest as the
// record loop (guest-loop.ts) drives it. Each recorder opens its machine and devices its own way
// before, and runs the loop its own way after.

import type { Machine } from '../../engine/machine/machine.js';
import type { TraceWriter } from '../trace/trace.js';
import type { UsbDeviceBackend } from '../../usb/usb-backend.js';
import type { DrivenGuest } from './guest-loop.js';
import { RecordSession } from './record-session.js';
import { newRecordingHeader, type NewRecordingHeader } from './recording-header.js';
import { UsbAttachments } from './usb-attachments.js';

/** What the loop needs of the devices: how many answers are awaited, and a wait for the next one. */
export type UsbAnswerWait = Pick<UsbAttachments, 'pending' | 'anyAnswer'>;

export interface GuestRecordingOptions {
  /** The machine with the guest loaded, nothing run yet. */
  readonly machine: Machine;
  /** The guest image as the recording names it. */
  readonly image: { readonly bytes: Uint8Array; readonly name: string };
  readonly createdBy: string;
  readonly snapshotInterval: number;
  /**
   * The devices, already opened, for root hub ports 1, 2, ... in this order. From here on they are
   * this recording's to close: by close(), or at once when the recording cannot be made.
   */
  readonly backends: readonly UsbDeviceBackend[];
  /** Makes the recording file (the host owns files). What it throws, the call rethrows. */
  createWriter(header: NewRecordingHeader): TraceWriter;
  /** The wait the loop uses for the devices' answers, when it must also end another way (a cancel). Default: the attachments. */
  readonly usbWait?: (attachments: UsbAttachments) => UsbAnswerWait;
}

export interface GuestRecording {
  readonly session: RecordSession;
  readonly usb: UsbAttachments;
  /** The guest for runGuestLoop / driveGuest: it runs through the session, so everything it takes in is recorded. */
  readonly guest: DrivenGuest;
  /** Closes the devices, then the writer; tries both and throws the first failure. Call session.finish first for a finished recording. */
  close(): Promise<void>;
}

/**
 * Makes the recording and plugs the devices in. When that fails, the devices are closed (a real
 * device must not stay claimed) and whatever was made is closed, and the failure is rethrown.
 */
export async function createGuestRecording(opts: GuestRecordingOptions): Promise<GuestRecording> {
  const { machine, backends, snapshotInterval: interval } = opts;
  let writer: TraceWriter;
  try {
    writer = opts.createWriter(newRecordingHeader(machine, opts.image, { createdBy: opts.createdBy, snapshotInterval: interval }));
  } catch (e) {
    await closeBackends(backends);
    throw e;
  }
  try {
    // The first snapshot is written here: a failing writer (disk full) fails already.
    const session = new RecordSession(machine, writer, { interval });
    // The controller's outside world even with no device (a transfer to an empty port answers 'nodev').
    const usb = new UsbAttachments(machine, session.inputs, (e) => session.recordDerived(e)).attachInOrder(backends);
    return {
      session,
      usb,
      guest: {
        inputs: session.inputs,
        usb: opts.usbWait?.(usb) ?? usb,
        get icount() { return session.icount; },
        get pc() { return machine.hart.pc; },
        run: (max) => session.run(max),
      },
      async close() {
        try {
          await usb.close();
        } catch (e) {
          await closeIgnoringFailures(() => writer.close());
          throw e;
        }
        writer.close();
      },
    };
  } catch (e) {
    await closeIgnoringFailures(() => closeBackends(backends), () => writer.close());
    throw e;
  }
}

function closeBackends(backends: readonly UsbDeviceBackend[]): Promise<unknown> {
  return Promise.all(backends.map((b) => b.close()));
}

/** Runs every close, even those after one that fails: the caller reports the failure that came first. */
async function closeIgnoringFailures(...closes: (() => unknown)[]): Promise<void> {
  for (const close of closes) {
    try {
      await close();
    } catch {
      // A consequence of the failure being reported, not news.
    }
  }
}
