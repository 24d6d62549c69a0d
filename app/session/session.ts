// The debug session: implements the protocol's services (app/protocol/services.ts) by composing
// the timeline, the write index, the recording reader, the console output and the disassembler.
// The only module that knows all of them; hosts (Electron main's engine worker, `hindsight serve`)
// only move messages. It uses no Node API: opening files is the host's, passed in as SessionPorts.
//
// Synchronous: each request runs to completion on the thread that owns the session (a worker), in
// order. Long operations take an OperationControl, whose signal the host can set from another
// thread (cancel) and whose progress it forwards as events.

import type {
  Address, ConsoleDto, MachineStateDto, MachineView, MemoryDto, MoveResult, RecordingInfo, ResolvedRange,
  StopDto, ViewRequest, WriteAnswerDto,
} from '../protocol/dto.js';
import type { EventData, EventName } from '../protocol/events.js';
import type { ServiceName, ServiceParams, ServiceResult } from '../protocol/services.js';
import { isServiceName } from '../protocol/services.js';
import { CSR } from '../engine/cpu/csr-numbers.js';
import { csrRead } from '../engine/cpu/csr.js';
import { ABI_NAMES } from '../engine/isa/instructions.js';
import type { StopReason } from '../engine/machine/stop-reason.js';
import type { OperationControl } from '../replay/timeline/timeline.js';
import { Timeline } from '../replay/timeline/timeline.js';
import type { TraceEnd, TraceReader, TraceWriter } from '../replay/trace/trace.js';
import { WriteIndex } from '../replay/write-index/write-index.js';
import { ConsoleOutput } from './console-output.js';
import { disassembleAround } from './disassembly.js';
import { SessionError } from './errors.js';
import { GuestSymbols } from './guest-symbols.js';
import { addresses, int, MAX_ICOUNT, obj, optInt, optStr, str, U32_MAX } from './params.js';
import { recordElf, type NewRecordingHeader } from './record-elf.js';
import { timelineSummary } from './timeline-summary.js';
import { privName } from './trap-causes.js';

/** What the host provides: files and where scratch recordings go. */
export interface SessionPorts {
  /** "hindsight 0.1.0": written into recordings the session makes. */
  readonly createdBy: string;
  openTrace(path: string): TraceReader;
  readFile(path: string): Uint8Array;
  /** A new recording file owned by the host (it deletes it when done): its path and a writer factory. */
  scratchRecording(): { readonly path: string; create(header: NewRecordingHeader): TraceWriter };
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
}

function endReason(end: TraceEnd | null): string {
  if (!end) return 'incomplete: the recorder stopped without finishing';
  const r = end.reason;
  switch (r.kind) {
    case 'exit': return `guest exit code ${r.code} (${r.source})`;
    case 'limit': return 'instruction limit reached';
    case 'stopped': return 'stopped by the user';
    case 'idle': return 'guest waiting for input that never came';
  }
}

export class DebugSession {
  private open: Open | null = null;

  constructor(private readonly ports: SessionPorts, private readonly emit: EmitEvent = () => {}) {}

  /** Runs one request. Throws SessionError (or a core error; see errors.ts) on failure. */
  handle<M extends ServiceName>(method: M, params: ServiceParams<M>, control: OperationControl = {}): ServiceResult<M> {
    if (!isServiceName(method)) throw new SessionError('bad-request', `unknown service ${JSON.stringify(method)}`);
    const p = obj(params ?? {}, method);
    return (this.dispatch(method, p, control) as ServiceResult<M>);
  }

  private dispatch(method: ServiceName, p: Record<string, unknown>, control: OperationControl): unknown {
    switch (method) {
      case 'openRecording': return this.openRecording(str(p, 'path'));
      case 'openElf': return this.openElf(str(p, 'path'), optStr(p, 'serialInput'), optInt(p, 'maxInsns', 1, MAX_ICOUNT), control);
      case 'recordingInfo': return this.open?.info ?? null;
      case 'timelineSummary': {
        const o = this.need();
        return timelineSummary(o.reader, o.timeline.end, o.timeline.snapshots.map((s) => s.icount), optInt(p, 'limit', 1, 1_000_000));
      }
      case 'getState': return this.view(viewRequest(p.view));
      case 'seek': return this.move(int(p, 'icount', 0, MAX_ICOUNT), viewRequest(p.view));
      case 'step': {
        const tl = this.need().timeline;
        return this.move(tl.position + 1, viewRequest(p.view));
      }
      case 'stepBack': {
        const tl = this.need().timeline;
        return this.move(tl.position - 1, viewRequest(p.view));
      }
      case 'continue': return this.continueForward(addresses(p, 'breakpoints'), viewRequest(p.view));
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
      case 'cancel':
        // The host answers cancel itself (the session is busy when it matters); here nothing runs.
        return { cancelled: false };
    }
  }

  private need(): Open {
    if (!this.open) throw new SessionError('no-recording', 'no recording is open');
    return this.open;
  }

  close(): void {
    this.open?.reader.close();
    this.open = null;
  }

  openRecording(path: string, origin: RecordingInfo['origin'] = 'file'): RecordingInfo {
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
      open = { reader, timeline, writes: new WriteIndex(timeline), console: new ConsoleOutput(reader), symbols: new GuestSymbols(h.guestImage), info };
    } catch (e) {
      reader.close();
      throw e;
    }
    this.close();
    this.open = open;
    this.emit('recordingOpened', { info: open.info });
    this.emit('positionChanged', { icount: open.timeline.position });
    return open.info;
  }

  openElf(path: string, serialInput: string | undefined, maxInsns: number | undefined, control: OperationControl = {}): RecordingInfo {
    const image = this.ports.readFile(path);
    const scratch = this.ports.scratchRecording();
    const input = serialInput === undefined ? undefined : Uint8Array.from(serialInput, (c) => c.charCodeAt(0) & 0xff);
    const name = path.split(/[\\/]/).pop() ?? path;
    recordElf({
      image, imageName: name, createdBy: this.ports.createdBy,
      ...(input ? { serialInput: input } : {}), ...(maxInsns !== undefined ? { maxInsns } : {}),
    }, (h) => scratch.create(h), {
      ...(control.signal ? { signal: control.signal } : {}),
      onProgress: (done, total) => { this.emit('progress', { operation: 'record', done, total }); control.onProgress?.(done, total); },
    });
    return this.openRecording(scratch.path, 'recorded');
  }

  // ---- moving ----------------------------------------------------------------------------------

  private move(target: number, view: ViewRequest): MoveResult {
    const tl = this.need().timeline;
    tl.seek(Math.max(0, target));
    const pos = tl.position;
    const stop: StopDto = target < 0 || (pos === 0 && target <= 0) ? { kind: 'start' } : target >= tl.end && pos === tl.end ? { kind: 'end' } : { kind: 'position' };
    return this.moved(stop, view);
  }

  private moved(stop: StopDto, view: ViewRequest): MoveResult {
    this.emit('positionChanged', { icount: this.need().timeline.position });
    return { stop, view: this.view(view) };
  }

  private continueForward(bps: number[], view: ViewRequest): MoveResult {
    const o = this.need();
    const m = o.timeline.machine;
    let r: StopReason;
    try {
      m.setBreakpoints(bps);
      r = o.timeline.continueForward();
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
    return { found: true, icount: r.icount, pc: r.pc >>> 0, old: toHex(r.old), new: toHex(r.new), writer: r.writer };
  }

  // ---- reading ---------------------------------------------------------------------------------

  private view(req: ViewRequest): MachineView {
    const o = this.need();
    const m = o.timeline.machine;
    const view: { -readonly [K in keyof MachineView]: MachineView[K] } = { state: this.state() };
    if (req.disasm) view.disasm = disassembleAround(m.bus, o.symbols, m.hart.pc >>> 0, req.disasm.before, req.disasm.after);
    if (req.memory) view.memory = this.readMemory(req.memory.addr, req.memory.len);
    if (req.console) view.console = this.consoleAt(o.timeline.position, req.console.from);
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
  const out: { -readonly [K in keyof ViewRequest]: ViewRequest[K] } = {};
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
