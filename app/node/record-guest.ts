// Records a guest ELF into a recording file, the CLI's way: the one routine behind `hindsight record`
// and the temporary recording of `hindsight gdb ELF`. The guest runs as under `run` (its UART output
// on the Io's stdout after every slice, the same messages on stderr, the same exit-code contract,
// app/node/guest-driver.ts), with the --usb devices plugged in and their completions recorded,
// UART input from --serial-in or (when asked) the terminal, and Ctrl-C ending the run early. Once
// the recording is closed, the guest's source files found on this machine are added to it
// (guest-sources.ts; a warning on stderr if that fails, the recording is kept).
//
// Nothing is left behind by bad input: the --usb devices are opened first (a bad spec or a device
// that cannot be opened fails before any file exists, and devices already opened are closed), then
// the --serial-in file is read, then the recording file is made (a failure of either closes the
// devices), and only then is the terminal taken for UART input.

import path from 'node:path';
import { Machine } from '../engine/machine/machine.js';
import { createGuestRecording, type GuestRecording } from '../replay/sessions/guest-recording.js';
import type { GuestLoopEnd } from '../replay/sessions/guest-loop.js';
import { createThreadedTraceWriter, TraceExistsError } from './trace-store/index.js';
import { CliError, type Io } from './io.js';
import { loadGuestImage } from './guest-image.js';
import { openUartInput, type UartInputQueue } from './uart-input.js';
import { driveGuest } from './guest-driver.js';
import { OutputBuffer } from './output-buffer.js';
import { openUsbDevices } from './usb-specs.js';
import { HINDSIGHT_VERSION } from './version.js';
import { addGuestSources } from './guest-sources.js';

export interface RecordGuestOptions {
  /** The guest ELF. */
  readonly elfPath: string;
  /** Where the recording goes. */
  readonly recordingPath: string;
  /** Replace an existing file at recordingPath (else: "exists; use --force to replace it"). */
  readonly overwrite: boolean;
  /** --usb specs, plugged into root hub ports 1, 2, ... in this order. */
  readonly usb: readonly string[];
  /** --serial-in FILE: the bytes typed into the guest's UART. */
  readonly serialIn: string | undefined;
  /** Without serialIn, whether the terminal (io.stdinTty, when there is one) types into the guest's UART. */
  readonly terminalInput: boolean;
  /** Stop after this many instructions (Infinity: no limit). */
  readonly maxInsns: number;
  readonly snapshotInterval: number;
  /** Called once everything is open, just before the guest starts (to say what is happening). */
  readonly onStart?: () => void;
}

export interface RecordGuestResult {
  /** The CLI's exit code for the run: the guest's, or 124 (--max-insns), 125 (stuck), 130 (Ctrl-C). */
  readonly exitCode: number;
  /** How the run ended (the recording's end record). */
  readonly reason: GuestLoopEnd;
  /** Instructions recorded. */
  readonly icount: number;
}

/** Records `elfPath` into `recordingPath`; the guest's output goes to io.stdout, messages to io.stderr. Throws CliError on bad input. */
export async function recordGuest(opts: RecordGuestOptions, io: Io): Promise<RecordGuestResult> {
  const image = loadGuestImage(opts.elfPath);
  const machine = Machine.create({ image });
  const backends = await openUsbDevices(machine, opts.usb);
  let readSerialIn: UartInputQueue | null = null;
  const uartIo = opts.terminalInput ? io : { ...io, stdinTty: null };
  let recording: GuestRecording;
  try {
    recording = await createGuestRecording({
      machine, image: { bytes: image.bytes, name: path.basename(image.path) }, createdBy: `hindsight ${HINDSIGHT_VERSION}`,
      snapshotInterval: opts.snapshotInterval, backends,
      createWriter: (header) => {
        // A --serial-in file is read before the recording file is made (an unreadable one leaves
        // nothing); here, so that its failure too closes the devices.
        if (opts.serialIn !== undefined) readSerialIn = openUartInput(opts.serialIn, uartIo);
        // SQLite's work on the second core: recording costs the guest's thread little (threaded-trace-writer.ts).
        return createThreadedTraceWriter(opts.recordingPath, header, { overwrite: opts.overwrite });
      },
    });
  } catch (e) {
    if (e instanceof TraceExistsError) throw new CliError(`${opts.recordingPath} exists; use --force to replace it`);
    // The folder is missing or not writable, a name that is a folder...: one line naming the file.
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code === 'string') throw new CliError(`cannot create the recording ${opts.recordingPath}: ${(e as Error).message}`);
    throw e;
  }
  // The terminal (when it types into the guest) is taken only once the recording exists.
  const input = readSerialIn ?? openUartInput(undefined, uartIo);
  const { session, guest } = recording;
  const out = new OutputBuffer(io);
  session.onUartOutput = (b) => out.push(b);
  let interrupted = false;
  const onSigint = (): void => { interrupted = true; };
  let result: RecordGuestResult;
  process.on('SIGINT', onSigint);
  try {
    opts.onStart?.();
    const r = await driveGuest(guest, input, io, { maxInsns: opts.maxInsns, flushOutput: () => out.flush(), interrupted: () => interrupted });
    session.finish(r.reason);
    result = { exitCode: r.exitCode, reason: r.reason, icount: session.icount };
  } finally {
    process.off('SIGINT', onSigint);
    input.detach();
    await recording.close();
  }
  const { warning } = addGuestSources(opts.recordingPath, { image: image.bytes, imagePath: opts.elfPath });
  if (warning) io.stderr(`hindsight: warning: ${warning}\n`);
  return result;
}
