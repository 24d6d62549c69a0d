// Interactive recording (Record / Stop in the UI): a guest recorded with USB devices attached while
// the user types into its console. The guest runs in the CLI's loop (app/replay/sessions/guest-loop.ts)
// on the thread that owns the session, handing it back to the host between slices, so requests
// ("send these bytes", "stop") are taken while it runs and a real device's completions come in.
// Output is pushed as consoleOutput events, progress as recordingProgress; the session opens the
// recording once the loop has ended (stop, guest exit, instruction limit) and the files are closed.

import type { LiveRecordingDto, LiveRecordingView } from '../protocol/recording-dto.js';
import { ElfError } from '../engine/loader/elf.js';
import { Machine } from '../engine/machine/machine.js';
import type { StopReason } from '../engine/machine/stop-reason.js';
import { runGuestLoop, type GuestLoopEnd } from '../replay/sessions/guest-loop.js';
import { createGuestRecording, type GuestRecording } from '../replay/sessions/guest-recording.js';
import type { NewRecordingHeader } from '../replay/sessions/recording-header.js';
import { SerialInputQueue } from '../replay/sessions/serial-input.js';
import { openUsbBackends } from '../replay/sessions/usb-attachments.js';
import { DEFAULT_CHECKPOINT_POLICY } from '../replay/timeline/checkpoint-policy.js';
import type { TraceWriter } from '../replay/trace/trace.js';
import type { UsbDeviceBackend } from '../usb/usb-backend.js';
import { SessionError, badElf } from './errors.js';
import type { HostUsbList } from './usb-choices.js';

/** What a host provides for interactive recording (Node: app/node/serve/node-ports.ts). */
export interface RecordingPorts {
  /** The bundled sample firmware, recorded when no guest is named. */
  readonly defaultGuest: string;
  /** Opens the device a spec names (the CLI's --usb specs); rejects with SessionError 'device' saying why. */
  openUsbDevice(spec: string): Promise<UsbDeviceBackend>;
  /** The host's real USB devices, or why there are none. Never rejects. */
  listHostUsbDevices(): Promise<HostUsbList>;
  /** Resolves on the host's next turn of its event loop (Node: setImmediate): the recording yields there. */
  nextTurn(): Promise<void>;
  /** Resolves after about `ms` of host time (Node: setTimeout): how openElf, waiting for a device, notices a cancel. */
  sleep?(ms: number): Promise<void>;
}

export interface LiveRecordingOptions {
  readonly guestPath: string;
  readonly image: Uint8Array;
  readonly usb: readonly string[];
  readonly maxInsns?: number;
  readonly createdBy: string;
  readonly scratch: { readonly path: string; create(header: NewRecordingHeader): TraceWriter };
}

/** Progress events at most every this many instructions while the guest runs flat out (about 10 a second). */
const PROGRESS_EVERY = 32 << 20;

export class LiveRecording {
  private output = new Uint8Array(4096);
  private outputLength = 0;
  /** Output bytes already sent as consoleOutput events. */
  private sent = 0;
  private state: LiveRecordingDto['state'] = 'running';
  private endReason: string | null = null;
  private reportedIcount = -1;
  private reportedState: LiveRecordingDto['state'] | null = null;
  private readonly input = new SerialInputQueue();
  /** Resolves when the run has ended and the recording file is closed; the failure, if it failed. */
  readonly ended: Promise<{ reason: GuestLoopEnd | null; failure: unknown }>;

  private constructor(
    readonly path: string,
    private readonly guestImageName: string,
    private readonly devices: readonly string[],
    private readonly maxInsns: number | null,
    private readonly recording: GuestRecording,
    private readonly ports: RecordingPorts,
    private readonly emit: {
      console(offset: number, chunk: string): void;
      progress(r: LiveRecordingDto): void;
    },
  ) {
    recording.session.onUartOutput = (b) => this.push(b);
    this.ended = this.run();
  }

  /**
   * Opens the devices, then creates the recording and starts the guest. A device that cannot be
   * opened fails the start with nothing created (devices opened before it are closed again).
   */
  static async start(opts: LiveRecordingOptions, ports: RecordingPorts, emit: LiveRecording['emit']): Promise<LiveRecording> {
    const name = opts.guestPath.split(/[\\/]/).pop() ?? opts.guestPath;
    let machine: Machine;
    try {
      machine = Machine.create({ image: { bytes: opts.image, path: name } });
    } catch (e) {
      if (e instanceof ElfError) throw badElf(opts.guestPath, e);
      throw e;
    }
    if (opts.usb.length > machine.usb.portCount) {
      throw new SessionError('bad-request', `${opts.usb.length} USB devices, but the controller has ${machine.usb.portCount} ports`);
    }
    const backends = await openUsbBackends(opts.usb, (spec) => ports.openUsbDevice(spec));
    const recording = await createGuestRecording({
      machine, image: { bytes: opts.image, name }, createdBy: opts.createdBy,
      snapshotInterval: DEFAULT_CHECKPOINT_POLICY.interval, backends, createWriter: (header) => opts.scratch.create(header),
    });
    return new LiveRecording(opts.scratch.path, name, [...opts.usb], opts.maxInsns ?? null, recording, ports, emit);
  }

  /** Queues bytes for the guest's UART; they enter as its receive FIFO takes them, recorded as uart-rx. */
  sendSerial(bytes: readonly number[]): number {
    if (this.state === 'ended') throw new SessionError('bad-request', 'the recording has ended; nothing can be typed into it');
    this.input.push(bytes);
    return bytes.length;
  }

  /** Asks the loop to end after the slice it is in; `ended` resolves when the files are closed. */
  stop(): void {
    this.input.requestStop();
  }

  get dto(): LiveRecordingDto {
    return {
      guestImageName: this.guestImageName, devices: this.devices, icount: this.recording.session.icount, state: this.state,
      consoleLength: this.outputLength, maxInsns: this.maxInsns, endReason: this.endReason,
    };
  }

  view(consoleFrom: number): LiveRecordingView {
    const from = Math.min(consoleFrom, this.outputLength);
    return { recording: this.dto, console: binary(this.output, from, this.outputLength), consoleFrom: from };
  }

  private push(b: number): void {
    if (this.outputLength === this.output.length) {
      const grown = new Uint8Array(this.output.length * 2);
      grown.set(this.output);
      this.output = grown;
    }
    this.output[this.outputLength++] = b;
  }

  private async run(): Promise<{ reason: GuestLoopEnd | null; failure: unknown }> {
    let reason: GuestLoopEnd | null = null;
    let failure: unknown = null;
    try {
      // startRecording's answer goes out first, then the events of the first slice (a UI learns of
      // the recording before its output).
      await this.ports.nextTurn();
      reason = await runGuestLoop(this.recording.guest, this.input, {
        maxInsns: this.maxInsns ?? Infinity,
        afterSlice: (r) => this.afterSlice(r),
        nextTurn: () => this.ports.nextTurn(),
      });
      this.recording.session.finish(reason);
    } catch (e) {
      // A failing writer (disk full) or a bug: what is durable still opens, as a recording that did not finish.
      failure = e;
    }
    try {
      await this.recording.close();
    } catch (e) {
      failure ??= e;
    }
    this.flushConsole();
    this.state = 'ended';
    this.endReason = reason ? endReasonText(reason) : `failed: ${failure instanceof Error ? failure.message : String(failure)}`;
    this.report(true);
    return { reason, failure };
  }

  private afterSlice(r: StopReason): void {
    this.flushConsole();
    this.state = r.kind === 'idle' ? 'waiting' : 'running';
    this.report(false);
  }

  private flushConsole(): void {
    if (this.sent === this.outputLength) return;
    this.emit.console(this.sent, binary(this.output, this.sent, this.outputLength));
    this.sent = this.outputLength;
  }

  /** A progress event when the state changed or the end grew by enough (or always, at the end). */
  private report(always: boolean): void {
    const icount = this.recording.session.icount;
    if (!always && this.state === this.reportedState && (icount === this.reportedIcount || (this.state === 'running' && icount - this.reportedIcount < PROGRESS_EVERY))) return;
    this.reportedIcount = icount;
    this.reportedState = this.state;
    this.emit.progress(this.dto);
  }
}

export function endReasonText(r: GuestLoopEnd): string {
  switch (r.kind) {
    case 'exit': return `guest exit code ${r.code} (${r.source})`;
    case 'limit': return 'instruction limit reached';
    case 'stopped': return 'stopped by the user';
    case 'idle': return 'guest waiting for input that never came';
  }
}

function binary(b: Uint8Array, from: number, to: number): string {
  let s = '';
  for (let i = from; i < to; i += 8192) s += String.fromCharCode(...b.subarray(i, Math.min(to, i + 8192)));
  return s;
}
