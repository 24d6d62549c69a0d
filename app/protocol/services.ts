// The services a host offers the UI: one entry per request, with typed params and result.
// Every host (Electron IPC, `hindsight serve` over a WebSocket) implements exactly this map; the
// UI calls it through renderer/bridge. Requests run one at a time, in order, on the session; a
// move answers with the view the UI asked for, so scrubbing costs one round trip per position.

import type {
  Address, ConsoleDto, DisassemblyDto, Icount, MachineView, MemoryDto, MoveResult, RecordingInfo,
  ResolvedRange, SymbolDto, TimelineSummary, ViewRequest, WriteAnswerDto,
} from './dto.js';

export interface HindsightServices {
  /** Opens a recording file (a host path). The position goes to 0. */
  openRecording: { params: { readonly path: string }; result: RecordingInfo };
  /**
   * Records a RISC-V ELF (a host path) into a scratch recording and opens it: the guest runs until
   * it exits, waits with no more input, or reaches `maxInsns`. `serialInput` (a binary string) is
   * typed into its UART as it can take it. Interactive recording (Record/Stop) comes later.
   */
  openElf: { params: { readonly path: string; readonly serialInput?: string; readonly maxInsns?: number }; result: RecordingInfo };
  /** What is open, or null. */
  recordingInfo: { params: Record<string, never>; result: RecordingInfo | null };
  timelineSummary: { params: { readonly limit?: number }; result: TimelineSummary };
  /** The view at the current position (nothing moves). */
  getState: { params: { readonly view: ViewRequest }; result: MachineView };
  /** Moves to `icount` (clamped to 0..end). */
  seek: { params: { readonly icount: Icount; readonly view: ViewRequest }; result: MoveResult };
  /** One instruction forward (stays at the end). */
  step: { params: { readonly view: ViewRequest }; result: MoveResult };
  /** One instruction back (stays at 0). */
  stepBack: { params: { readonly view: ViewRequest }; result: MoveResult };
  /** Runs forward to the next breakpoint hit or the end. */
  continue: { params: { readonly breakpoints: readonly Address[]; readonly view: ViewRequest }; result: MoveResult };
  /** Runs backward to the last breakpoint hit before the position; stays put if none (stop 'not-found'). Cancellable. */
  reverseContinue: { params: { readonly breakpoints: readonly Address[]; readonly view: ViewRequest }; result: MoveResult };
  readMemory: { params: { readonly addr: Address; readonly len: number }; result: MemoryDto };
  /** Disassembly around `around` (default: the pc), `before`/`after` instructions. */
  disassemble: { params: { readonly around?: Address; readonly before: number; readonly after: number }; result: DisassemblyDto };
  /** Console output before `upTo` (default: the position), from byte offset `from`. */
  consoleText: { params: { readonly upTo?: Icount; readonly from: number }; result: ConsoleDto };
  /** The last write to [addr, addr + len) by an instruction before `at` (default: the position). Cancellable. */
  previousWrite: { params: { readonly addr: Address; readonly len: number; readonly at?: Icount }; result: WriteAnswerDto };
  /** The first write to [addr, addr + len) at or after `at` (default: the position). Cancellable. */
  nextWrite: { params: { readonly addr: Address; readonly len: number; readonly at?: Icount }; result: WriteAnswerDto };
  /** "0x80001000", "0x80001000:8", "symbol" or "symbol:len" to an address range. */
  resolve: { params: { readonly expr: string }; result: ResolvedRange };
  /** The guest image's functions and objects, by address. */
  symbols: { params: Record<string, never>; result: readonly SymbolDto[] };
  /**
   * Cancels the operation in progress (reverse-continue, a write search, openElf); it fails with
   * error code 'cancelled'. Answered by the host at once, even while the session is busy.
   */
  cancel: { params: Record<string, never>; result: { readonly cancelled: boolean } };
}

export type ServiceName = keyof HindsightServices;
export type ServiceParams<M extends ServiceName> = HindsightServices[M]['params'];
export type ServiceResult<M extends ServiceName> = HindsightServices[M]['result'];

/** The service names, for hosts that check what they are asked (the type keeps it complete). */
export const SERVICE_NAMES: { readonly [M in ServiceName]: true } = {
  openRecording: true, openElf: true, recordingInfo: true, timelineSummary: true, getState: true,
  seek: true, step: true, stepBack: true, continue: true, reverseContinue: true, readMemory: true,
  disassemble: true, consoleText: true, previousWrite: true, nextWrite: true, resolve: true,
  symbols: true, cancel: true,
};

export function isServiceName(name: unknown): name is ServiceName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(SERVICE_NAMES, name);
}
