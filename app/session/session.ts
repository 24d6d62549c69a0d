// The debug session: implements the protocol's services (app/protocol/services.ts) by composing
// the timeline, the write index, the recording reader, the console output and the disassembler.
// The only module that knows all of them; hosts (Electron main's engine worker, `hindsight serve`)
// only move messages. It uses no Node API: opening files is the host's, passed in as SessionPorts.
//
// Synchronous: each request runs to completion on the thread that owns the session (a worker), in
// order. Long operations take an OperationControl, whose signal the host can set from another
// thread (cancel) and whose progress it forwards as events. The exceptions (ASYNC_SERVICES: openElf
// and interactive recording) run the guest in slices and answer later (handleAsync); the host takes
// other requests meanwhile.

import type {
  Address, ConsoleDto, MachineStateDto, MachineView, MemoryDto, MoveResult, RecordingInfo, ResolvedRange,
  StopDto, ViewRequest, WriteAnswerDto,
} from '../protocol/dto.js';
import type { LiveRecordingDto } from '../protocol/recording-dto.js';
import type { EventData, EventName } from '../protocol/events.js';
import type { ServiceName, ServiceParams, ServiceResult } from '../protocol/services.js';
import { isServiceName } from '../protocol/services.js';
import { CSR } from '../engine/cpu/csr-numbers.js';
import { ElfError } from '../engine/loader/elf.js';
import { csrRead } from '../engine/cpu/csr.js';
import { ABI_NAMES } from '../engine/isa/instructions.js';
import type { StopReason } from '../engine/machine/stop-reason.js';
import type { OperationControl } from '../replay/timeline/timeline.js';
import { Timeline } from '../replay/timeline/timeline.js';
import type { TraceEnd, TraceReader, TraceWriter } from '../replay/trace/trace.js';
import { WriteIndex } from '../replay/write-index/write-index.js';
import { ConsoleOutput } from './console-output.js';
import { disassembleAround } from './disassembly.js';
import { SessionError, badElf, toProtocolError } from './errors.js';
import { GuestSymbols } from './guest-symbols.js';
import { addresses, int, MAX_ICOUNT, obj, optBool, optInt, optStr, optUsbSpecs, str, U32_MAX } from './params.js';
import { recordElf, type NewRecordingHeader } from './record-elf.js';
import { endReasonText, LiveRecording, type RecordingPorts } from './live-recording.js';
import { usbDeviceList } from './usb-choices.js';
import { OHCI_NUM_PORTS } from '../engine/machine/board.js';
import { timelineSummary } from './timeline-summary.js';
import { UsbTransfers } from './usb-transfers.js';
import { usbPageRequest, usbTransferRequest } from './usb-params.js';
import { privName } from './trap-causes.js';
import { dmaOrigin } from './dma-origin.js';
import { executeWatchingWrites } from './instruction-writes.js';
import type { SourceFileRead, SourceFileRequest } from './source-files.js';
import { SourceLevel } from './source-level.js';
import { isSourceService, machineAccess, runSourceService, sourceView, sourceViewRequest } from './source-services.js';

/** What the host provides: files and where scratch recordings go. */
export interface SessionPorts {
  /** "hindsight 0.1.0": written into recordings the session makes. */
  readonly createdBy: string;
  openTrace(path: string): TraceReader;
  readFile(path: string): Uint8Array;
  /** A new recording file owned by the host (it deletes it when done): its path and a writer factory. */
  scratchRecording(): { readonly path: string; create(header: NewRecordingHeader): TraceWriter };
  /** Copies the recording at `from` into one complete file at `to` (Save Recording As); throws SessionError. */
  copyRecording(from: string, to: string, overwrite: boolean): void;
  /** Interactive recording (devices, the default guest, yielding); a host without it cannot Record. */
  readonly recording?: RecordingPorts;
  /**
   * A guest source file for the Source panel, by its DWARF path: the host decides where to look
   * (beside the guest image, its source folders) and, when it is not there, says where it looked.
   */
  readSourceFile?(request: SourceFileRequest): SourceFileRead;
  /**
   * Called once a recording the session made from the guest ELF at `imagePath` on this machine is
   * finished and its writer closed: the host may add the guest's source files to it (the Source
   * panel then reads them from the recording, on any machine). Returns a warning to show, or null.
   * Must not throw or harm the recording.
   */
  storeGuestSources?(recordingPath: string, guest: { readonly imagePath: string; readonly image: Uint8Array }): string | null;
}

export type EmitEvent = <E extends EventName>(event: E, data: EventData<E>) => void;

/** Guest time: the board's nominal clock, one instruction per nanosecond. */
export const INSTRUCTIONS_PER_SECOND = 1e9;
const MAX_MEMORY_READ = 64 * 1024;
const MAX_DISASM_LINES = 512;
const MAX_WRITE_RANGE = 1 << 20;

const CSR_NAMES = ['mstatus', 'misa', 'medeleg', 'mideleg', 'mie', 'mip', 'mtvec', 'mscratch', 'mepc', 'mcause', 'mtval',
  'sstatus', 'sie', 'sip', 'stvec', 'sscratch', 'sepc', 'scause', 'stval', 'satp', 'mcycle', 'minstret'] as const;

interface Open {
  readonly reader: TraceReader;
  readonly timeline: Timeline;
  readonly writes: WriteIndex;
  readonly console: ConsoleOutput;
  readonly symbols: GuestSymbols;
  readonly info: RecordingInfo;
  /** The recording's USB transfers (indexed on first use). */
  readonly usb: UsbTransfers;
}

function endReason(end: TraceEnd | null): string {
  if (!end) return 'incomplete: the recorder stopped without finishing';
  return endReasonText(end.reason);
}

/** Services whose answer comes later (devices open, a recording stops): hosts call handleAsync for them. */
const ASYNC_SERVICES = new Set<ServiceName>(['openElf', 'startRecording', 'stopRecording', 'listUsbDevices']);

export function isAsyncService(method: ServiceName): boolean {
  return ASYNC_SERVICES.has(method);
}

export class DebugSession {
  private open: Open | null = null;
  /** The recording being made (Record .. Stop), or null; 'starting' while its devices open. */
  private live: LiveRecording | 'starting' | null = null;
  /** Resolves with what is open once the live recording has ended and been opened. */
  private liveOpened: Promise<RecordingInfo> | null = null;
  /** Source-level views of open recordings (DWARF read on first use). */
  private readonly sourceLevels = new WeakMap<Open, SourceLevel>();
  /** The host path of the ELF the open recording was made from, when the session made it (openElf). */
  private imagePath: string | undefined;
  /** The ELF being recorded by openElf (it yields between slices), and how to end it. */
  private elfRun: { abort(): void; readonly done: Promise<unknown> } | null = null;

  constructor(private readonly ports: SessionPorts, private readonly emit: EmitEvent = () => {}) {}

  /** Runs one request. Throws SessionError (or a core error; see errors.ts) on failure. */
  handle<M extends ServiceName>(method: M, params: ServiceParams<M>, control: OperationControl = {}): ServiceResult<M> {
    if (!isServiceName(method)) throw new SessionError('bad-request', `unknown service ${JSON.stringify(method)}`);
    const p = obj(params ?? {}, method);
    return (this.dispatch(method, p, control) as ServiceResult<M>);
  }

  private dispatch(method: ServiceName, p: Record<string, unknown>, control: OperationControl): unknown {
    switch (method) {
      case 'openRecording': this.notRecording(); return this.openRecording(str(p, 'path'));
      case 'recordingInfo': return this.open?.info ?? null;
      case 'timelineSummary': {
        const o = this.need();
        return timelineSummary(o.reader, o.timeline.end, o.timeline.snapshots.map((s) => s.icount), optInt(p, 'limit', 1, 1_000_000), o.usb);
      }
      case 'usbTransfers': return this.need().usb.page(usbPageRequest(p));
      case 'usbTransfer': {
        const r = usbTransferRequest(p);
        return this.need().usb.transfer(r.number, r.dataBytes);
      }
      case 'getState': return this.view(viewRequest(p.view));
      case 'seek': return this.move(int(p, 'icount', 0, MAX_ICOUNT), viewRequest(p.view));
      case 'step': return this.step(viewRequest(p.view));
      case 'stepBack': {
        const tl = this.need().timeline;
        return this.move(tl.position - 1, viewRequest(p.view));
      }
      case 'continue': return this.continueForward(addresses(p, 'breakpoints'), viewRequest(p.view), optInt(p, 'until', 0, MAX_ICOUNT));
      case 'reverseContinue': return this.reverseContinue(addresses(p, 'breakpoints'), viewRequest(p.view), control);
      case 'readMemory': return this.readMemory(int(p, 'addr', 0, U32_MAX), int(p, 'len', 0, MAX_MEMORY_READ));
      case 'disassemble': {
        const o = this.need();
        const around = optInt(p, 'around', 0, U32_MAX) ?? o.timeline.machine.hart.pc;
        return disassembleAround(o.timeline.machine.bus, o.symbols, around, int(p, 'before', 0, MAX_DISASM_LINES), int(p, 'after', 0, MAX_DISASM_LINES));
      }
      case 'consoleText': {
        const o = this.need();
        return this.consoleAt(optInt(p, 'upTo', 0, MAX_ICOUNT) ?? o.timeline.position, int(p, 'from', 0, MAX_ICOUNT));
      }
      case 'previousWrite':
      case 'nextWrite':
        return this.writeQuery(method, int(p, 'addr', 0, U32_MAX), int(p, 'len', 1, MAX_WRITE_RANGE), optInt(p, 'at', 0, MAX_ICOUNT), control);
      case 'resolve': return this.resolve(str(p, 'expr'));
      case 'symbols': return this.need().symbols.list;
      case 'sourceFile': case 'lineAddresses': case 'callStack': case 'variables': case 'expandVariable': case 'evaluate': {
        const o = this.need();
        if (!isSourceService(method)) throw new SessionError('bad-request', method);
        return runSourceService(method, p, {
          src: this.sourceOf(o), machine: o.timeline.machine, imagePath: this.imagePath,
          readSourceFile: (r) => this.ports.readSourceFile?.(r) ?? { notFound: 'this host does not read source files' },
          readStoredSource: (path) => o.reader.readStoredSource?.(path) ?? null,
        });
      }
      case 'cancel':
        // The host answers cancel itself (the session is busy when it matters); here nothing runs.
        return { cancelled: false };
      case 'saveRecordingAs': return this.saveRecordingAs(str(p, 'path'), optBool(p, 'overwrite') ?? false);
      case 'sendSerial': return this.sendSerial(str(p, 'bytes'));
      case 'liveRecording': return this.live instanceof LiveRecording ? this.live.view(optInt(p, 'consoleFrom', 0, MAX_ICOUNT) ?? 0) : null;
      case 'openElf': case 'startRecording': case 'stopRecording': case 'listUsbDevices':
        throw new SessionError('bad-request', `${method} answers later: hosts call handleAsync for it`);
      case 'listDirectory': case 'recentFiles': case 'startGdbServer': case 'stopGdbServer': case 'gdbServerStatus':
        throw new SessionError('bad-request', `${method} is answered by the host, not by the session`);
    }
  }

  /** The source-level view of an open recording (its DWARF is read on first use). */
  private sourceOf(o: Open): SourceLevel {
    let s = this.sourceLevels.get(o);
    if (!s) this.sourceLevels.set(o, (s = new SourceLevel(o.reader.header.guestImage)));
    return s;
  }

  private need(): Open {
    if (!this.open) throw new SessionError('no-recording', this.live ? 'a recording is being made: Stop it to replay it' : 'no recording is open');
    return this.open;
  }

  close(): void {
    this.open?.reader.close();
    this.open = null;
  }

  // ---- interactive recording (live-recording.ts) -----------------------------------------------

  /**
   * Runs a request of ASYNC_SERVICES. The host keeps taking other requests while it is pending
   * (that is the point: sendSerial and stopRecording reach a running recording).
   */
  async handleAsync<M extends ServiceName>(method: M, params: ServiceParams<M>, control: OperationControl = {}): Promise<ServiceResult<M>> {
    const p = obj(params ?? {}, method);
    switch (method) {
      case 'openElf': {
        const path = str(p, 'path');
        const opts = { serialInput: optStr(p, 'serialInput'), maxInsns: optInt(p, 'maxInsns', 1, MAX_ICOUNT), usb: optUsbSpecs(p, 'usb') };
        return await this.openElf(path, opts, control) as ServiceResult<M>;
      }
      case 'startRecording': {
        const usb = p.usb;
        if (!Array.isArray(usb) || usb.some((s) => typeof s !== 'string' || s.trim() === '')) throw new SessionError('bad-request', 'usb: expected a list of device specs (strings)');
        return await this.startRecording(optStr(p, 'guest'), usb as string[], optInt(p, 'maxInsns', 1, MAX_ICOUNT)) as ServiceResult<M>;
      }
      case 'stopRecording': return await this.stopRecording() as ServiceResult<M>;
      case 'listUsbDevices': return usbDeviceList(await this.recordingPorts().listHostUsbDevices(), OHCI_NUM_PORTS) as ServiceResult<M>;
      default: return this.handle(method, params, control);
    }
  }

  /**
   * Work for idle time, one small step a call (a host calls it between requests while it returns
   * true): reads the open recording's snapshots ahead into memory (Timeline.readAhead), so that
   * seeks and scrubbing restore without reading the file, then rehearses a little of each part of
   * the recording (Timeline.warmUp), so that the first drag runs warm code. Each step leaves the
   * position and state as they were. Nothing while a recording is being made.
   */
  idleStep(): boolean {
    if (this.live !== null || this.elfRun !== null || this.open === null) return false;
    try {
      const tl = this.open.timeline;
      return tl.readAhead() || tl.warmUp();
    } catch {
      return false; // a damaged snapshot: the seek that needs it reports it, with its context
    }
  }

  /** Ends a recording being made (the host is closing: it stops, opens, and is closed) and closes what is open. */
  async shutdown(): Promise<void> {
    if (this.elfRun) {
      this.elfRun.abort();
      await this.elfRun.done.catch(() => {});
    }
    if (this.live instanceof LiveRecording) {
      this.live.stop();
      await this.liveOpened?.catch(() => {});
    }
    this.close();
  }

  private recordingPorts(): RecordingPorts {
    if (!this.ports.recording) throw new SessionError('bad-request', 'this host cannot record (it offers no USB devices or guest run loop)');
    return this.ports.recording;
  }

  private notRecording(): void {
    if (this.live) throw new SessionError('bad-request', 'a recording is being made: Stop it first');
    if (this.elfRun) throw new SessionError('bad-request', 'an ELF is being recorded (Open ELF): wait for it, or cancel it');
  }

  /** Opens the devices and starts the guest; what was open stays open until that has worked. */
  private async startRecording(guest: string | undefined, usb: string[], maxInsns: number | undefined): Promise<LiveRecordingDto> {
    const ports = this.recordingPorts();
    this.notRecording();
    this.live = 'starting';
    let rec: LiveRecording;
    const guestPath = guest ?? ports.defaultGuest;
    let image: Uint8Array;
    try {
      image = this.ports.readFile(guestPath);
      rec = await LiveRecording.start({
        guestPath, image, usb, createdBy: this.ports.createdBy,
        scratch: this.ports.scratchRecording(), ...(maxInsns !== undefined ? { maxInsns } : {}),
      }, ports, {
        console: (offset, chunk) => this.emit('consoleOutput', { offset, chunk }),
        progress: (recording) => this.emit('recordingProgress', { recording }),
      });
    } catch (e) {
      this.live = null;
      throw e;
    }
    this.close();
    this.live = rec;
    const recorded = { imagePath: guestPath, image };
    this.liveOpened = rec.ended.then(({ failure }) => {
      this.live = null;
      this.liveOpened = null;
      if (failure) this.emit('error', { error: toProtocolError(failure) });
      this.storeGuestSources(rec.path, recorded);
      // A failed run still left a durable prefix: it opens as a recording that did not finish.
      return this.openRecording(rec.path, 'recorded');
    });
    // Nobody may be waiting (the guest exited on its own): a failure to open is reported, not lost.
    this.liveOpened.catch((e: unknown) => this.emit('error', { error: toProtocolError(e) }));
    return rec.dto;
  }

  /** The host adds the guest's sources to a finished recording; what goes wrong is a warning (an error event), never a lost recording. */
  private storeGuestSources(recordingPath: string, guest: { readonly imagePath: string; readonly image: Uint8Array }): void {
    let warning: string | null;
    try {
      warning = this.ports.storeGuestSources?.(recordingPath, guest) ?? null;
    } catch (e) {
      warning = `the recording is kept, but the guest's source files could not be stored in it: ${e instanceof Error ? e.message : String(e)}`;
    }
    if (warning) this.emit('error', { error: { code: 'bad-file', message: warning } });
  }

  private async stopRecording(): Promise<RecordingInfo> {
    if (!(this.live instanceof LiveRecording) || !this.liveOpened) throw new SessionError('bad-request', 'no recording is being made');
    const opened = this.liveOpened;
    this.live.stop();
    return await opened;
  }

  private sendSerial(bytes: string): { queued: number } {
    if (!(this.live instanceof LiveRecording)) throw new SessionError('bad-request', 'no recording is being made: press Record to type into the guest');
    const codes: number[] = [];
    for (let i = 0; i < bytes.length; i++) {
      const c = bytes.charCodeAt(i);
      if (c > 0xff) throw new SessionError('bad-request', `bytes: character ${i} is U+${c.toString(16).padStart(4, '0')}, not a byte (send UTF-8 as one char code per byte)`);
      codes.push(c);
    }
    return { queued: this.live.sendSerial(codes) };
  }

  openRecording(path: string, origin: RecordingInfo['origin'] = 'file'): RecordingInfo {
    const open = this.load(path, origin);
    this.close();
    this.open = open;
    this.imagePath = undefined;
    this.emit('recordingOpened', { info: open.info });
    this.emit('positionChanged', { icount: open.timeline.position });
    return open.info;
  }

  /**
   * Saves the open recording as `path`, which then is the recording on screen at the same position
   * (reads come from the saved file, so a scratch recording can go). Nothing changes on failure.
   */
  saveRecordingAs(path: string, overwrite: boolean): RecordingInfo {
    const o = this.need();
    this.ports.copyRecording(o.info.path, path, overwrite);
    const saved = this.load(path, 'file');
    saved.timeline.seek(o.timeline.position);
    this.close();
    this.open = saved;
    return saved.info;
  }

  /** Opens a recording with everything the session reads from it, without making it current. */
  private load(path: string, origin: RecordingInfo['origin']): Open {
    const reader = this.ports.openTrace(path);
    let open: Open;
    try {
      const timeline = new Timeline(reader);
      const h = reader.header;
      const info: RecordingInfo = {
        path, origin, formatVersion: h.formatVersion, createdBy: h.createdBy, guestImageName: h.guestImageName,
        guestImageSha256: h.guestImageSha256, ramBase: timeline.machine.bus.ramBase, ramSize: timeline.machine.bus.ramSize,
        end: timeline.end, endReason: endReason(reader.end), complete: reader.end !== null,
        instructionsPerSecond: INSTRUCTIONS_PER_SECOND,
      };
      open = { reader, timeline, writes: new WriteIndex(timeline), console: new ConsoleOutput(reader), symbols: new GuestSymbols(h.guestImage), info, usb: new UsbTransfers(timeline) };
    } catch (e) {
      reader.close();
      throw e;
    }
    return open;
  }

  /**
   * Records the ELF at `path` (with `serialInput` typed into its UART and the `usb` devices
   * attached) into a scratch recording and opens it. The run yields to the host between slices
   * (other requests are answered meanwhile, on what is open); what was open stays open until the
   * new recording opens. Cancellable through `control`.
   */
  async openElf(path: string, opts: { serialInput?: string | undefined; maxInsns?: number | undefined; usb?: readonly string[] | undefined }, control: OperationControl = {}): Promise<RecordingInfo> {
    this.notRecording();
    const usb = opts.usb ?? [];
    const recording = this.ports.recording;
    if (usb.length > 0 && !recording) throw new SessionError('bad-request', 'this host cannot attach USB devices to an ELF it records');
    let abort = false;
    const signal = { get aborted() { return abort || control.signal?.aborted === true; } };
    const done = this.recordAndOpenElf(path, { ...opts, usb }, { signal, onProgress: control.onProgress }, recording);
    const run = { abort: () => { abort = true; }, done };
    this.elfRun = run;
    try {
      return await done;
    } finally {
      if (this.elfRun === run) this.elfRun = null;
    }
  }

  private async recordAndOpenElf(path: string, opts: { serialInput?: string | undefined; maxInsns?: number | undefined; usb: readonly string[] },
    control: OperationControl, recording: RecordingPorts | undefined): Promise<RecordingInfo> {
    const image = this.ports.readFile(path);
    const scratch = this.ports.scratchRecording();
    const input = opts.serialInput === undefined ? undefined : Uint8Array.from(opts.serialInput, (c) => c.charCodeAt(0) & 0xff);
    const name = path.split(/[\\/]/).pop() ?? path;
    try {
      await recordElf({
        image, imageName: name, createdBy: this.ports.createdBy, usb: opts.usb,
        ...(input ? { serialInput: input } : {}), ...(opts.maxInsns !== undefined ? { maxInsns: opts.maxInsns } : {}),
      }, (h) => scratch.create(h), this.progress('record', control), recording);
    } catch (e) {
      if (e instanceof ElfError) throw badElf(path, e);
      throw e;
    }
    this.storeGuestSources(scratch.path, { imagePath: path, image });
    const info = this.openRecording(scratch.path, 'recorded');
    // Sources are often beside the ELF: the host looks there first (see SessionPorts.readSourceFile).
    this.imagePath = path;
    return info;
  }

  // ---- moving ----------------------------------------------------------------------------------

  private move(target: number, view: ViewRequest): MoveResult {
    const tl = this.need().timeline;
    tl.seek(Math.max(0, target));
    const pos = tl.position;
    const stop: StopDto = target < 0 || (pos === 0 && target <= 0) ? { kind: 'start' } : target >= tl.end && pos === tl.end ? { kind: 'end' } : { kind: 'position' };
    return this.moved(stop, view);
  }

  /**
   * One instruction forward, executed with a write watch (instruction-writes.ts): the view names the
   * RAM it wrote (the watch costs ~0.1 ms a step). Step back does not name any: the instruction it
   * undoes is the one at the new position, and its writes need that instruction replayed forward
   * with the watch and the position sought again, a second seek. Measured on workload.elf's
   * recording (635 M instructions, snapshots read ahead, 200 random positions): step back p50
   * 10.5 ms, p99 24 ms; with its writes p50 21 ms, p99 48 ms: twice the cost of the move held down
   * most in reverse debugging, for a highlight. So step back (like every move but step) leaves the
   * Memory panel on its value comparison, "changed since the last position shown".
   */
  private step(view: ViewRequest): MoveResult {
    const tl = this.need().timeline;
    const target = tl.position + 1;
    const writes = executeWatchingWrites(tl);
    if (writes === null) return this.move(target, view); // at the end (or another watch is on): as a seek
    const stop: StopDto = tl.position >= tl.end ? { kind: 'end' } : { kind: 'position' };
    const r = this.moved(stop, view);
    return { stop: r.stop, view: { ...r.view, writes } };
  }

  private moved(stop: StopDto, view: ViewRequest): MoveResult {
    this.emit('positionChanged', { icount: this.need().timeline.position });
    return { stop, view: this.view(view) };
  }

  private continueForward(bps: number[], view: ViewRequest, until?: number): MoveResult {
    const o = this.need();
    const m = o.timeline.machine;
    let r: StopReason;
    try {
      m.setBreakpoints(bps);
      const tl = o.timeline;
      r = until === undefined ? tl.continueForward() : tl.replayTo(Math.max(tl.position, Math.min(until, tl.end)), { skipBreakpointAtStart: true });
    } finally {
      m.setBreakpoints([]);
    }
    return this.moved(stopOf(r, o.timeline), view);
  }

  private reverseContinue(bps: number[], view: ViewRequest, control: OperationControl): MoveResult {
    const o = this.need();
    const found = o.timeline.reverseContinue(bps, [], this.progress('reverse-continue', control));
    const stop: StopDto = found ? { kind: 'breakpoint', pc: o.timeline.machine.hart.pc >>> 0 } : { kind: 'not-found' };
    return this.moved(stop, view);
  }

  private progress(operation: string, control: OperationControl): OperationControl {
    return {
      ...(control.signal ? { signal: control.signal } : {}),
      onProgress: (done, total) => { this.emit('progress', { operation, done, total }); control.onProgress?.(done, total); },
    };
  }

  private writeQuery(method: 'previousWrite' | 'nextWrite', addr: number, len: number, at: number | undefined, control: OperationControl): WriteAnswerDto {
    const o = this.need();
    const bus = o.timeline.machine.bus;
    if (!bus.isRam(addr, len)) throw new SessionError('bad-address', `0x${addr.toString(16)}:${len} is not in RAM (write queries cover RAM)`);
    const pos = o.timeline.position;
    const t = Math.min(at ?? pos, o.timeline.end);
    const ctl = this.progress(method === 'previousWrite' ? 'previous write' : 'next write', control);
    let r;
    try {
      r = method === 'previousWrite' ? o.writes.previousWrite(addr, len, t, ctl) : o.writes.nextWrite(addr, len, t, ctl);
    } finally {
      // The write index leaves the timeline at `t` (or wherever a cancel left it): back to where the user was.
      if (o.timeline.position !== pos) o.timeline.seek(pos);
    }
    if (!r.found) return { found: false };
    const answer = { found: true as const, icount: r.icount, pc: r.pc >>> 0, old: toHex(r.old), new: toHex(r.new), writer: r.writer };
    if (r.writer !== 'dma') return answer;
    // A DMA write: which transfer, and the driver's call stack when it asked for it (seek there and back).
    const src = this.sourceOf(o);
    const dma = dmaOrigin(o.reader, r.icount, answer.new, (icount) => {
      o.timeline.seek(icount);
      try { return src.stack(machineAccess(o.timeline.machine)).frames; } finally { o.timeline.seek(pos); }
    });
    return { ...answer, dma };
  }

  // ---- reading ---------------------------------------------------------------------------------

  private view(req: ViewRequest): MachineView {
    const o = this.need();
    const m = o.timeline.machine;
    const view: { -readonly [K in keyof MachineView]: MachineView[K] } = { state: this.state() };
    if (req.disasm) view.disasm = disassembleAround(m.bus, o.symbols, m.hart.pc >>> 0, req.disasm.before, req.disasm.after);
    if (req.memory) view.memory = this.readMemory(req.memory.addr, req.memory.len);
    if (req.console) view.console = this.consoleAt(o.timeline.position, req.console.from);
    if (req.source || req.stack || req.variables) Object.assign(view, sourceView(req, this.sourceOf(o), m));
    return view;
  }

  private state(): MachineStateDto {
    const m = this.need().timeline.machine;
    const h = m.hart;
    const csrs = [];
    const saved = h.priv;
    h.priv = 3; // read as the machine sees it, whatever mode the hart is in
    try {
      for (const name of CSR_NAMES) {
        const v = csrRead(h, CSR[name]);
        if (v !== null) csrs.push({ name, value: v >>> 0 });
      }
    } finally {
      h.priv = saved;
    }
    return {
      icount: h.icount, pc: h.pc >>> 0, priv: privName(h.priv),
      registers: ABI_NAMES.map((name, i) => ({ name, value: h.x[i]! >>> 0 })),
      csrs, waiting: h.waiting,
    };
  }

  readMemory(addr: Address, len: number): MemoryDto {
    const bus = this.need().timeline.machine.bus;
    const bytes: (number | null)[] = [];
    for (let i = 0; i < len; i++) {
      const a = (addr + i) >>> 0;
      // Device registers are not read: a read can have side effects (a UART FIFO pops).
      bytes.push(bus.isRam(a) || bus.romOffset(a, 1) >= 0 ? bus.read(a, 1) : null);
    }
    return { addr: addr >>> 0, bytes };
  }

  private consoleAt(upTo: number, from: number): ConsoleDto {
    const c = this.need().console;
    const length = c.lengthAt(upTo);
    const start = Math.min(from, length);
    return { upTo, length, from: start, chunk: c.slice(start, length) };
  }

  private resolve(expr: string): ResolvedRange {
    const o = this.need();
    const text = expr.trim();
    const m = /^([^:\s]+)(?::(0x[0-9a-f]+|\d+))?$/i.exec(text);
    if (!m) throw new SessionError('bad-address', `"${expr}" is not an address, ADDR:LEN or a symbol`);
    const [, base, lenText] = m;
    let addr: number, len: number;
    if (/^(0x[0-9a-f]+|\d+)$/i.test(base!)) {
      addr = Number(base);
      len = 4;
    } else {
      const sym = o.symbols.lookup(base!);
      if (!sym) throw new SessionError('bad-address', `no symbol "${base}" in the guest's symbol table`);
      addr = sym.value >>> 0;
      len = sym.size > 0 ? sym.size : 4;
    }
    if (lenText !== undefined) len = Number(lenText);
    if (!(addr >= 0 && addr <= U32_MAX) || !(len >= 1 && len <= MAX_WRITE_RANGE)) {
      throw new SessionError('bad-address', `"${expr}": address must be 0..0xffffffff and length 1..${MAX_WRITE_RANGE}`);
    }
    const sym = o.symbols.containing(addr);
    return { addr, len, symbol: sym ? (sym.addr === addr ? sym.name : `${sym.name}+0x${(addr - sym.addr).toString(16)}`) : null };
  }
}

function stopOf(r: StopReason, tl: Timeline): StopDto {
  switch (r.kind) {
    case 'breakpoint': return { kind: 'breakpoint', pc: tl.machine.hart.pc >>> 0 };
    case 'exit': return { kind: 'exit', code: r.code };
    default: return tl.position >= tl.end ? { kind: 'end' } : { kind: 'position' };
  }
}

function toHex(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += x.toString(16).padStart(2, '0');
  return s;
}

function viewRequest(v: unknown): ViewRequest {
  if (v === undefined) return {};
  const o = obj(v, 'view');
  const out: { -readonly [K in keyof ViewRequest]: ViewRequest[K] } = { ...sourceViewRequest(o) };
  if (o.disasm !== undefined) {
    const d = obj(o.disasm, 'view.disasm');
    out.disasm = { before: int(d, 'before', 0, MAX_DISASM_LINES), after: int(d, 'after', 0, MAX_DISASM_LINES) };
  }
  if (o.memory !== undefined) {
    const d = obj(o.memory, 'view.memory');
    out.memory = { addr: int(d, 'addr', 0, U32_MAX), len: int(d, 'len', 0, MAX_MEMORY_READ) };
  }
  if (o.console !== undefined) out.console = { from: int(obj(o.console, 'view.console'), 'from', 0, MAX_ICOUNT) };
  return out;
}
