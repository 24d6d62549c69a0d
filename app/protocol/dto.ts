// Data transfer objects: what crosses between a host (Electron main, `hindsight serve`) and the UI.
// Plain JSON-able values only (numbers, strings, booleans, arrays, plain objects, null): they go
// through postMessage, Electron IPC and WebSocket text frames alike. No Uint8Array: bytes travel as
// hex strings or arrays of numbers, as each type says.
//
// Positions (`Icount`) count instructions retired: icount N is the state after N instructions,
// just before the next one runs (the CLI's --at means the same). Addresses are unsigned 32-bit
// numbers (0..0xffffffff); guest-physical unless a field says otherwise.

import type { UsbTransferMarker } from './usb-dto.js';
import type { DmaOriginDto, SourceView, SourceViewRequest } from './source-dto.js';

export type Icount = number;
export type Address = number;

/** What the host has open. */
export interface RecordingInfo {
  /** Where the recording is (a host path; for a scratch recording, its temporary file). */
  readonly path: string;
  /** How it came to be open: a file the user opened, or a recording the host made. */
  readonly origin: 'file' | 'recorded';
  readonly formatVersion: number;
  readonly createdBy: string;
  readonly guestImageName: string;
  readonly guestImageSha256: string;
  readonly ramBase: Address;
  readonly ramSize: number;
  /** The last position of the recording. */
  readonly end: Icount;
  /** How the recording ended, in words ("guest exit code 0 (sifive-test)", "stopped", ...). */
  readonly endReason: string;
  /** False when the recorder stopped without finishing (killed): `end` is the last durable point. */
  readonly complete: boolean;
  /** Instructions per second of guest time: guest time at icount N is N / instructionsPerSecond seconds. */
  readonly instructionsPerSecond: number;
}

/** A trap (exception) or interrupt taken by the hart, from the recording's derived events. */
export interface TrapMarker {
  /** Position just before the trap was taken: the trapping instruction's position (or the interrupted one's). */
  readonly icount: Icount;
  readonly mcause: number;
  readonly interrupt: boolean;
  /** Cause in words ("illegal instruction", "machine timer interrupt"). */
  readonly cause: string;
  readonly epc: Address;
  readonly tval: number;
  /** Privilege the hart was in: 'M', 'S' or 'U'. */
  readonly fromPriv: PrivilegeName;
}

/** A chunk of UART output: bytes transmitted between `icount` and `lastIcount`. */
export interface UartMarker {
  /** Position just before the instruction that transmitted the first byte. */
  readonly icount: Icount;
  /** Position just before the instruction that transmitted the last byte. */
  readonly lastIcount: Icount;
  readonly bytes: number;
  /** The first characters, printable ASCII with other bytes as '.', for a tooltip. */
  readonly preview: string;
}

/** Everything the timeline draws, without replaying. */
export interface TimelineSummary {
  readonly end: Icount;
  /** Positions of the snapshots (seek restores the nearest one at or before its target). */
  readonly snapshots: readonly Icount[];
  /** Exceptions (synchronous traps), in order. */
  readonly traps: readonly TrapMarker[];
  readonly interrupts: readonly TrapMarker[];
  readonly uart: readonly UartMarker[];
  /**
   * USB transfers, in order: the first `limit` that did not end 'ok' and the first `limit` that
   * did (so a stall late in a long recording still shows); `truncated.usb` when some are left out.
   */
  readonly usb: readonly UsbTransferMarker[];
  /** Lanes cut to at most `limit` markers each (the first ones); the UI says so. */
  readonly truncated: { readonly traps: boolean; readonly interrupts: boolean; readonly uart: boolean; readonly usb: boolean };
  readonly limit: number;
}

export type PrivilegeName = 'M' | 'S' | 'U';

export interface RegisterValue {
  /** ABI name for integer registers ("ra", "sp", "a0"), the CSR name for CSRs. */
  readonly name: string;
  /** Unsigned 32-bit value. */
  readonly value: number;
}

/** The hart at a position. */
export interface MachineStateDto {
  readonly icount: Icount;
  readonly pc: Address;
  readonly priv: PrivilegeName;
  /** x0..x31 in order, with ABI names. */
  readonly registers: readonly RegisterValue[];
  /** Machine- and supervisor-level CSRs, read as machine mode sees them. */
  readonly csrs: readonly RegisterValue[];
  /** The hart is asleep in WFI. */
  readonly waiting: boolean;
}

export interface DisasmLineDto {
  readonly address: Address;
  /** objdump's raw-bytes column ("00112623", "8082"). */
  readonly hex: string;
  /** objdump's text: mnemonic, tab, operands, optional " # comment" ("sw\tra,12(sp)"). */
  readonly text: string;
  /** Set on the first line of a symbol: its name ("main"). */
  readonly label: string | null;
}

export interface DisassemblyDto {
  /** The address the listing is centred on (usually the pc). */
  readonly around: Address;
  readonly lines: readonly DisasmLineDto[];
  /** Why the listing is shorter than asked, or null ("0x1000..: not memory"). */
  readonly note: string | null;
}

export interface MemoryDto {
  readonly addr: Address;
  /** One entry per byte; null where nothing is mapped (reads of device registers are not done: null too). */
  readonly bytes: readonly (number | null)[];
}

/**
 * The serial console up to a position. The output up to any position is a prefix of the whole
 * output, so a UI keeps the longest prefix it has seen and asks only for what it lacks.
 */
export interface ConsoleDto {
  /** Icount the console is shown at: the bytes transmitted by instructions before it. */
  readonly upTo: Icount;
  /** Number of bytes transmitted before `upTo`. */
  readonly length: number;
  /** Offset of `chunk` in the output (the `from` that was asked for, at most `length`). */
  readonly from: number;
  /** Bytes from..length, each as one char code 0..255 (a "binary string"; decode as UTF-8 to show). */
  readonly chunk: string;
}

/** Which parts of the view a move should answer with (one round trip per move). */
export interface ViewRequest extends SourceViewRequest {
  readonly disasm?: { readonly before: number; readonly after: number };
  readonly memory?: { readonly addr: Address; readonly len: number };
  /** Console bytes from this offset (the length of the prefix the UI has). */
  readonly console?: { readonly from: number };
}

/** A range of RAM written during one instruction, and who wrote it (the CPU, or a device by DMA). */
export interface RamWriteDto {
  readonly addr: Address;
  readonly len: number;
  readonly writer: 'cpu' | 'dma';
}

export interface MachineView extends SourceView {
  readonly state: MachineStateDto;
  readonly disasm?: DisassemblyDto;
  readonly memory?: MemoryDto;
  readonly console?: ConsoleDto;
  /**
   * RAM written by the one instruction this move executed; only on step. Exact: every byte stored,
   * whether or not its value changed, and what a device wrote by DMA in that step (inputs stamped
   * at the position stepped from are applied in it), in address order, adjacent ranges of one
   * writer merged. Absent when the move executed no instruction (at the end) and on other moves.
   */
  readonly writes?: readonly RamWriteDto[];
}

/** Why a move stopped where it did. */
export type StopDto =
  | { readonly kind: 'position' }
  | { readonly kind: 'breakpoint'; readonly pc: Address }
  | { readonly kind: 'start' }
  | { readonly kind: 'end' }
  | { readonly kind: 'exit'; readonly code: number }
  /** Reverse-continue found no breakpoint hit before the position: it stayed put. */
  | { readonly kind: 'not-found' };

export interface MoveResult {
  readonly stop: StopDto;
  readonly view: MachineView;
}

/** previousWrite / nextWrite answer. */
export type WriteAnswerDto =
  | {
      readonly found: true;
      /** The position just before the writing instruction: seek here to see it about to write. */
      readonly icount: Icount;
      /** Address of the writing instruction (for DMA: the pc at the time). */
      readonly pc: Address;
      /** The range's bytes before and after the write, hex, in address order. */
      readonly old: string;
      readonly new: string;
      readonly writer: 'cpu' | 'dma';
      /** For a DMA write: the USB transfer that wrote it and the driver code that asked for it (null when not found). */
      readonly dma?: DmaOriginDto | null;
    }
  | { readonly found: false };

/** An address expression resolved by the session: "0x80001000", "0x80001000:8", or a symbol. */
export interface ResolvedRange {
  readonly addr: Address;
  readonly len: number;
  /** The symbol it named (or that contains addr), or null. */
  readonly symbol: string | null;
}

export interface SymbolDto {
  readonly name: string;
  readonly addr: Address;
  readonly size: number;
  readonly kind: 'function' | 'object' | 'other';
}
