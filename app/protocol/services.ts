// The services a host offers the UI: one entry per request, with typed params and result.
// Every host (Electron IPC, `hindsight serve` over a WebSocket) implements exactly this map; the
// UI calls it through renderer/bridge. Requests run one at a time, in order, on the session; a
// move answers with the view the UI asked for, so scrubbing costs one round trip per position.

import type {
  Address, ConsoleDto, DisassemblyDto, Icount, MachineView, MemoryDto, MoveResult, RecordingInfo,
  ResolvedRange, SymbolDto, TimelineSummary, ViewRequest, WriteAnswerDto,
} from './dto.js';
import type { DirectoryListing, GdbServerStatus, RecentFile } from './host-dto.js';
import type { LiveRecordingDto, LiveRecordingView, UsbDeviceList } from './recording-dto.js';
import type { UsbTransferDto, UsbTransferFilter, UsbTransferPage } from './usb-dto.js';
import type { LineAddressesDto, SourceFileDto, StackDto, VariableDto, VariableRef, VariablesDto } from './source-dto.js';

export interface HindsightServices {
  /** Opens a recording file (a host path). The position goes to 0. */
  openRecording: { params: { readonly path: string }; result: RecordingInfo };
  /**
   * Records a RISC-V ELF (a host path) into a scratch recording and opens it: the guest runs until
   * it exits, waits with no more input, or reaches `maxInsns`. `serialInput` (a binary string) is
   * typed into its UART as it can take it. `usb`: devices to attach (the CLI's --usb specs, as
   * startRecording's, port 1 first); while the guest waits for a device's answer the run waits
   * too. A bad spec or a device that cannot be opened: error 'device', and what was open stays
   * open. Cancellable; other requests are answered (on what is open) while it runs.
   */
  openElf: { params: { readonly path: string; readonly serialInput?: string; readonly maxInsns?: number; readonly usb?: readonly string[] }; result: RecordingInfo };
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
  /**
   * Runs forward to the next breakpoint hit or the end; with `until`, stops there at the latest
   * (stop 'position'; a position at or behind the current one: stays put). Replay in the UI plays a
   * recording back as a run of these, a few a second.
   */
  continue: { params: { readonly breakpoints: readonly Address[]; readonly until?: Icount; readonly view: ViewRequest }; result: MoveResult };
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
  /**
   * A page of the recording's USB transfers: rows `start`..`start + limit` (limit 0..500) of the
   * list `filter` lets through, each with up to `dataBytes` (0..256, default 32) bytes of data.
   * With `at` it also says which row is current at that position; with `locate`, which row shows
   * that transfer number. Answers from an index built once per recording (no replay).
   */
  usbTransfers: {
    params: {
      readonly filter?: UsbTransferFilter; readonly start?: number; readonly limit: number;
      readonly at?: Icount; readonly locate?: number; readonly dataBytes?: number;
    };
    result: UsbTransferPage;
  };
  /** One transfer by number, with up to `dataBytes` (0..65536, default 4096) bytes of data (the hex dump). */
  usbTransfer: { params: { readonly number: number; readonly dataBytes?: number }; result: UsbTransferDto };
  /**
   * Saves the open recording as a complete, self-contained file at `path` (a host path), and from
   * then on the recording on screen is that file (origin 'file'); the position stays. An existing
   * file is replaced only with `overwrite`.
   */
  saveRecordingAs: { params: { readonly path: string; readonly overwrite?: boolean }; result: RecordingInfo };
  // ---- interactive recording (Record / Stop) ----
  /**
   * Starts recording `guest` (an ELF host path; default: the bundled sample firmware) with the USB
   * devices `usb` (the CLI's --usb specs, port 1 first) attached. Answers once the devices are open
   * and the guest runs (a device that cannot be opened: error 'device', and what was open stays
   * open). The guest then runs at full speed; its output comes as consoleOutput events, progress
   * as recordingProgress. It ends on stopRecording, when the guest exits, or at `maxInsns`; then
   * the recording opens at its end (recordingOpened).
   */
  startRecording: { params: { readonly guest?: string; readonly usb: readonly string[]; readonly maxInsns?: number }; result: LiveRecordingDto };
  /** Types bytes (a binary string, one char code 0..255 each) into the recording guest's UART; recorded as uart-rx inputs. */
  sendSerial: { params: { readonly bytes: string }; result: { readonly queued: number } };
  /** Ends the recording (end reason 'stopped') and opens it at its end; answers with what is open then. */
  stopRecording: { params: Record<string, never>; result: RecordingInfo };
  /** The recording being made and its console output from `consoleFrom` (default 0), or null. */
  liveRecording: { params: { readonly consoleFrom?: number }; result: LiveRecordingView | null };
  /** The USB devices a recording can attach: virtual ones, and the host's real ones (or why there are none). */
  listUsbDevices: { params: Record<string, never>; result: UsbDeviceList };
  // ---- answered by the host itself (HOST_SERVICE_NAMES), not the session ----
  /** Lists a host directory for the in-app file dialog (default: the host's start directory). */
  listDirectory: { params: { readonly path?: string }; result: DirectoryListing };
  /** Recordings and ELFs opened or saved lately, newest first. */
  recentFiles: { params: Record<string, never>; result: readonly RecentFile[] };
  /** Serves the recording on screen to gdb over TCP on 127.0.0.1 (`port` 0 or absent: a free one). */
  startGdbServer: { params: { readonly port?: number }; result: GdbServerStatus };
  stopGdbServer: { params: Record<string, never>; result: GdbServerStatus };
  gdbServerStatus: { params: Record<string, never>; result: GdbServerStatus };
  // ---- source level (DWARF of the recording's guest image) ----
  /** A source file by its DWARF path (SourceLocationDto.file), read by the host; found: false says where it looked. */
  sourceFile: { params: { readonly path: string }; result: SourceFileDto };
  /** Breakpoint addresses for `file`:`line` (or the next line with code). */
  lineAddresses: { params: { readonly file: string; readonly line: number }; result: LineAddressesDto };
  /** The call stack at the position (CFI unwinding; inlined calls as frames). */
  callStack: { params: Record<string, never>; result: StackDto };
  /** Frame `frame`'s parameters and locals and the globals, at the position. */
  variables: { params: { readonly frame: number }; result: VariablesDto };
  /**
   * A node of a variable tree with its children (one more level), at the position. For an array,
   * the children are elements [from, from + count) (at most 1,000; default: the first 100) of its
   * `elementCount`; their refs name their real indexes.
   */
  expandVariable: { params: { readonly ref: VariableRef; readonly elements?: { readonly from: number; readonly count: number } }; result: VariableDto };
  /** A C lvalue for hover: NAME, then .member, ->member, [index]; in frame `frame`, else the globals. */
  evaluate: { params: { readonly expr: string; readonly frame: number }; result: VariableDto };
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
  usbTransfers: true, usbTransfer: true,
  startRecording: true, sendSerial: true, stopRecording: true, liveRecording: true, listUsbDevices: true,
  saveRecordingAs: true, listDirectory: true, recentFiles: true, startGdbServer: true, stopGdbServer: true, gdbServerStatus: true,
  sourceFile: true, lineAddresses: true, callStack: true, variables: true, expandVariable: true, evaluate: true,
};

/** The services a host answers itself (files, Recent, the gdb server), never passed to the session. */
export const HOST_SERVICE_NAMES = ['listDirectory', 'recentFiles', 'startGdbServer', 'stopGdbServer', 'gdbServerStatus'] as const satisfies readonly ServiceName[];
export type HostServiceName = (typeof HOST_SERVICE_NAMES)[number];

export function isHostServiceName(name: unknown): name is HostServiceName {
  return (HOST_SERVICE_NAMES as readonly unknown[]).includes(name);
}

export function isServiceName(name: unknown): name is ServiceName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(SERVICE_NAMES, name);
}
