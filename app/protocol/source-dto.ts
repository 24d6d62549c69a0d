// Source-level DTOs: where the pc is in the source, source files, the call stack, variables as
// typed value trees, and where a DMA write came from. Plain JSON like dto.ts. Paths are the DWARF
// paths of the line table ("lib/usb.c": the compilation directory joined with the file name), the
// same on every machine; the host finds the file, or says it is not there.

import type { Address, Icount } from './dto.js';

/** A place in the source (a line-table row and the function around it). */
export interface SourceLocationDto {
  readonly file: string;
  readonly line: number;
  /** 0 when the compiler gave no column. */
  readonly column: number;
  /** The innermost function there (an inlined one if any), or null. */
  readonly function: string | null;
}

/** The source position of the pc, or why there is none ("no DWARF (stripped ELF)", "no line for 0x1000"). */
export interface SourceAtPcDto {
  readonly location: SourceLocationDto | null;
  readonly note: string | null;
}

/** A source file's text as the host found it. */
export type SourceFileDto =
  | {
      readonly found: true;
      /** The DWARF path asked for. */
      readonly path: string;
      /** Where the text came from: the copy stored in the recording, or a file on this machine (hostPath). */
      readonly origin: 'recording' | 'disk';
      /** Where the host read it (a host path); absent when it came from the recording. */
      readonly hostPath?: string;
      /** Why it came from disk although the recording holds a copy (that copy failed its checks); absent otherwise. */
      readonly note?: string;
      readonly text: string;
      /** Lines that have code (a breakpoint can go there), ascending. */
      readonly codeLines: readonly number[];
    }
  | {
      readonly found: false;
      readonly path: string;
      /** Why, in words: which places were looked at ("lib/usb.c is not on this machine: looked in ..."). */
      readonly reason: string;
      readonly codeLines: readonly number[];
    };

/** Breakpoint addresses for a source line (the line itself, or the next line with code). */
export interface LineAddressesDto {
  readonly file: string;
  /** The line the addresses belong to (>= the line asked for); null when no line from it on has code. */
  readonly line: number | null;
  readonly addresses: readonly Address[];
}

/** One frame of the call stack; inlined calls are frames of their own, as in gdb. */
export interface FrameDto {
  /** 0 = innermost; what `frame` params mean. */
  readonly index: number;
  /** The frame's pc (a caller's: the return address). */
  readonly pc: Address;
  readonly function: string | null;
  readonly inlined: boolean;
  readonly location: SourceLocationDto | null;
  /** How this frame was found: 'cfi', 'frame-pointer', 'entry' (return address still in ra), 'none'. */
  readonly method: string;
}

export interface StackDto {
  readonly frames: readonly FrameDto[];
  /** Why the stack is short or approximate, or null. */
  readonly note: string | null;
}

/** Names a node of a variable tree: the root variable and the child indexes down to the node. */
export interface VariableRef {
  /** "g:NAME" (a global or static, `fn::name` for function statics) or "f:FRAME:INDEX" (a local of a frame). */
  readonly root: string;
  readonly path: readonly number[];
}

/** A variable (or a member, element, pointee) with its value, typed, as gdb prints it. */
export interface VariableDto {
  readonly name: string;
  readonly typeName: string;
  /** gdb's `print` text, or why there is no value ("<optimized out>"). */
  readonly display: string;
  /** The memory it occupies, for previous/next write; absent when it lives in a register, is a constant or optimised out. */
  readonly address?: Address;
  readonly size: number;
  readonly ref: VariableRef;
  /**
   * Children built so far (none in the `variables` list; one level from expandVariable and
   * evaluate); `expandable` when more can be asked for (expandVariable).
   */
  readonly children?: readonly VariableDto[];
  readonly expandable: boolean;
  /** For arrays: how many elements (the children are the window expandVariable was asked for). */
  readonly elementCount?: number;
  /** For roots: 'parameter' | 'local' | 'static' | 'global'. */
  readonly kind?: string;
  /** For roots: where it is declared. */
  readonly decl?: { readonly file: string | null; readonly line: number | null };
}

export interface VariableScopeDto {
  /** "function", "inlined" or "block". */
  readonly kind: string;
  readonly name: string | null;
  readonly variables: readonly VariableDto[];
}

/** The selected frame's parameters and locals (innermost scope first) and the globals. */
export interface VariablesDto {
  readonly frame: number;
  readonly scopes: readonly VariableScopeDto[];
  readonly globals: readonly VariableDto[];
  /** Why something is missing ("no DWARF (stripped ELF): no variables"), or null. */
  readonly note: string | null;
}

/** Which source-level parts a move should answer with (added to the ViewRequest). */
export interface SourceViewRequest {
  readonly source?: boolean;
  readonly stack?: boolean;
  /** Variables of this frame (clamped to the deepest frame there is) and the globals. */
  readonly variables?: { readonly frame: number };
}

/** The source-level parts of a MachineView. */
export interface SourceView {
  readonly source?: SourceAtPcDto;
  readonly stack?: StackDto;
  readonly variables?: VariablesDto;
}

/**
 * Where a DMA write came from: the USB transfer whose completion wrote the bytes, and the driver
 * code that asked for it (the call stack when the controller took the request). "The guilty
 * line" of a DMA write is `requestedBy[guilty]`: the first frame outside the host controller
 * driver, i.e. the code that chose the buffer and the length.
 */
export interface DmaOriginDto {
  readonly transferId: number;
  readonly port: number;
  readonly endpoint: number;
  readonly kind: 'control' | 'bulk' | 'interrupt';
  readonly dirIn: boolean;
  /** The request in words ("GET_DESCRIPTOR(CONFIGURATION) wLength=67"). */
  readonly request: string;
  /** Bytes the driver asked for, and the bytes the device sent. */
  readonly requestedLength: number;
  readonly actualLength: number;
  /** The position at which the controller took the request (seek here to see the driver asking). */
  readonly requestIcount: Icount;
  readonly requestedBy: readonly FrameDto[];
  /** Index into requestedBy of the line that chose the length, or null when unknown. */
  readonly guilty: number | null;
}
