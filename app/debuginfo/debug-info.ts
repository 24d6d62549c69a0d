// loadDebugInfo(elf): everything a debugger needs from an ELF's symbols and DWARF, behind one
// object. Loading never throws: each part (section table, symbols, line programs, units, CFI) is
// read on its own and a failure becomes a warning naming the section and offset, so a stripped
// ELF gives symbols only (or nothing) and a corrupt section leaves the others working.
// Line programs, unit headers and CFI are read at load; DIE trees, types and the function index
// on first use.

import { CallFrameInfo } from './dwarf/cfi.js';
import type { CfiSectionInput } from './dwarf/cfi.js';
import { AT } from './dwarf/constants.js';
import { DwarfInfo } from './dwarf/dwarf-info.js';
import { evaluateLocation as evalExpr, readLocationBytes } from './dwarf/expression.js';
import type { ExprFrame, LocationResult } from './dwarf/expression.js';
import { readLinePrograms } from './dwarf/line-program.js';
import type { LineProgram } from './dwarf/line-program.js';
import { LineTable } from './dwarf/line-table.js';
import type { LineInfo } from './dwarf/line-table.js';
import { dwarfSections, SECTION } from './dwarf/sections.js';
import type { Unit } from './dwarf/unit.js';
import { readElfFile, SHF_ALLOC, SHF_EXECINSTR, SHT_NOBITS } from './elf/elf-file.js';
import type { ElfFile, ElfSection } from './elf/elf-file.js';
import { readSymbols, SymbolTable } from './elf/symbols.js';
import type { SymbolHit } from './elf/symbols.js';
import { formatValue, formatValueAt } from './model/format-value.js';
import type { FormatOptions, ValueNode } from './model/format-value.js';
import { FunctionIndex } from './model/functions.js';
import type { FunctionInfo } from './model/functions.js';
import { ptypeText, typeName } from './model/type-names.js';
import { TypeReader } from './model/types.js';
import type { Type } from './model/types.js';
import { VariableIndex } from './model/variables.js';
import type { GlobalVariable, LocationDescription, Scope, VariableInfo } from './model/variables.js';
import { describeFrame, frameState } from './unwind/frames.js';
import type { Frame, FrameContext } from './unwind/frames.js';
import { unwindStack } from './unwind/unwinder.js';
import type { PhysicalFrame, ReadMemory } from './unwind/unwinder.js';
import { WarningSink } from './warnings.js';
import type { DebugWarning } from './warnings.js';

/** Machine state for evaluating a location (see also DebugInfo.frameState). */
export interface EvalFrame {
  regs(n: number): number | undefined;
  /** The pc to pick location list entries with (a frame's lookupPc). */
  readonly pc: number;
  readMemory(addr: number, len: number): Uint8Array | null;
  readonly cfa?: number;
  entryValue?(block: Uint8Array): bigint | undefined;
}

export interface UnwindRequest {
  /** Stop after main, as gdb does (default true). */
  readonly stopAfterMain?: boolean;
  readonly maxFrames?: number;
}

export class DebugInfo {
  readonly symbols: SymbolTable;
  readonly linePrograms: readonly LineProgram[];
  readonly lines: LineTable;
  readonly cfi: CallFrameInfo;
  readonly dwarf: DwarfInfo | null;
  private readonly sink: WarningSink;
  private readonly types: TypeReader | null;
  private readonly functionIndex: FunctionIndex | null;
  private readonly variableIndex: VariableIndex | null;
  private programByOffset: Map<number, LineProgram> | null = null;
  private codeSections: readonly ElfSection[] | undefined;

  /** @internal use loadDebugInfo */
  constructor(private readonly elf: ElfFile | null, sink: WarningSink) {
    this.sink = sink;
    this.symbols = guard(sink, 'ELF', 'symbol table', () => readSymbols(elf, sink), () => new SymbolTable([], []));
    const sections = dwarfSections(elf);
    this.linePrograms = guard(sink, SECTION.line, 'line programs', () => readLinePrograms(sections, sink), () => []);
    this.lines = guard(sink, SECTION.line, 'line table', () => new LineTable(this.linePrograms, (a) => this.isCode(a)), () => new LineTable([]));
    const cfiInputs: CfiSectionInput[] = [
      { name: SECTION.frame, data: sections.frame, addr: 0, isEh: false },
      { name: SECTION.ehFrame, data: sections.ehFrame, addr: sections.ehFrameAddr, isEh: true },
    ];
    this.cfi = guard(sink, SECTION.frame, 'call frame information', () => new CallFrameInfo(cfiInputs, sink), () => new CallFrameInfo([], sink));
    this.dwarf = sections.info.length > 0
      ? guard(sink, SECTION.info, 'units', () => new DwarfInfo(sections, sink), () => null)
      : null;
    if (this.dwarf) {
      this.types = new TypeReader(this.dwarf);
      this.functionIndex = new FunctionIndex(this.dwarf, (unit, index) => this.fileName(unit, index));
      this.variableIndex = new VariableIndex(this.dwarf, this.types, this.functionIndex, (a) => a !== 0 || this.isAllocated(0));
    } else {
      this.types = null;
      this.functionIndex = null;
      this.variableIndex = null;
    }
  }

  /** Problems found so far (loading, and lazy parsing since). */
  get warnings(): readonly DebugWarning[] { return this.sink.list; }

  /** True when the ELF has DWARF units (not stripped of .debug_info). */
  get hasDwarf(): boolean { return this.dwarf !== null && this.dwarf.units.length > 0; }

  // ---- symbols and lines ------------------------------------------------------------------

  symbolAt(addr: number): SymbolHit | null { return this.symbols.symbolAt(addr); }

  lineFor(addr: number): LineInfo | null {
    return guard(this.sink, SECTION.line, 'lineFor', () => this.lines.lineFor(addr), () => null);
  }

  /**
   * Where a breakpoint on `file`:`line` goes: the is_stmt addresses of that line (or of the next
   * line with code), the lowest one in each block (function, inlined call, lexical block), as
   * gdb's linespec chooses. Unlike gdb, an address at a function's entry is not moved past the
   * prologue.
   */
  addressesFor(file: string, line: number): number[] {
    return guard(this.sink, SECTION.line, 'addressesFor', () => {
      const all = this.lines.addressesFor(file, line);
      const seen = new Set<unknown>();
      return all.filter((a) => {
        const scopes = this.functionIndex?.scopesAt(a) ?? [];
        const block = scopes.length > 0 ? scopes[scopes.length - 1]!.die : undefined;
        if (block === undefined) return true;
        if (seen.has(block)) return false;
        seen.add(block);
        return true;
      });
    }, () => []);
  }

  sourceFiles(): string[] { return this.lines.files(); }

  // ---- functions ------------------------------------------------------------------------------

  /** The function containing addr, with the inlined calls at addr (outermost first). */
  functionAt(addr: number): FunctionInfo | null {
    return guard(this.sink, SECTION.info, 'functionAt', () => this.functionIndex?.functionAt(addr >>> 0) ?? null, () => null);
  }

  functions(): FunctionInfo[] {
    return guard(this.sink, SECTION.info, 'functions', () => this.functionIndex?.functions() ?? [], () => []);
  }

  // ---- variables ------------------------------------------------------------------------------

  /** Every global and static variable with static storage (including function statics). */
  globals(): GlobalVariable[] {
    return guard(this.sink, SECTION.info, 'globals', () => this.variableIndex?.globals() ?? [], () => []);
  }

  /** A global or static by name (`function::name` for function statics). */
  findVariable(name: string): GlobalVariable | null {
    return guard(this.sink, SECTION.info, 'findVariable', () => this.variableIndex?.findVariable(name) ?? null, () => null);
  }

  /** Scopes in effect at pc, innermost first, with parameters and locals and their locations. */
  localsAt(pc: number): Scope[] {
    return guard(this.sink, SECTION.info, 'localsAt', () => this.variableIndex?.scopesAt(pc >>> 0) ?? [], () => []);
  }

  /** Where a variable is, in a frame. A location list picks the entry for frame.pc. */
  evaluateLocation(loc: LocationDescription, frame: EvalFrame): LocationResult {
    switch (loc.kind) {
      case 'optimised-out': return { kind: 'optimised-out' };
      case 'constant': return { kind: 'value', bytes: loc.bytes };
      case 'expression': return evalExpr(loc.expr, loc.context, frame as ExprFrame);
      case 'list': {
        const e = loc.entries.find((x) => frame.pc >= x.start && frame.pc < x.end);
        const expr = e?.expr ?? loc.list.defaultExpr;
        return expr ? evalExpr(expr, loc.context, frame as ExprFrame) : { kind: 'optimised-out' };
      }
    }
  }

  /** The bytes of an evaluated location (null when any part is unknown or optimised out). */
  readLocation(result: LocationResult, size: number, frame: EvalFrame): Uint8Array | null {
    return readLocationBytes(result, size, frame);
  }

  /**
   * A variable's value in a frame, as a value tree; when it cannot be read, a node whose display
   * says why as gdb does (`<optimized out>`, `<not saved>` for a caller-saved register in an
   * outer frame, `<error: Cannot access memory at address 0x...>`).
   */
  valueOf(v: VariableInfo, frame: EvalFrame, opts: FormatOptions = {}): ValueNode {
    return this.valueAt(v, frame, [], opts)!;
  }

  /**
   * The node at `path` (child indexes) of a variable's value in a frame (see formatValueAt); null
   * when there is no such child, or the value cannot be read and `path` is not empty.
   */
  valueAt(v: VariableInfo, frame: EvalFrame, path: readonly number[], opts: FormatOptions = {}): ValueNode | null {
    const loc = this.evaluateLocation(v.location, frame);
    const bytes = this.readLocation(loc, v.size, frame);
    if (bytes) {
      return formatValueAt(v.type, bytes, path, {
        name: v.name, symbolize: (a) => this.dataSymbol(a), readMemory: (a, n) => frame.readMemory(a, n),
        ...(loc.kind === 'address' ? { address: loc.address } : {}), ...opts,
      });
    }
    if (path.length > 0) return null;
    let display: string;
    switch (loc.kind) {
      case 'optimised-out': display = '<optimized out>'; break;
      case 'register': display = '<not saved>'; break;
      case 'address': display = `<error: Cannot access memory at address 0x${loc.address.toString(16)}>`; break;
      case 'implicit-pointer': display = '<synthetic pointer>'; break;
      case 'unavailable': display = `<unavailable: ${loc.reason}>`; break;
      case 'pieces': display = loc.pieces.some((p) => p.location.kind === 'optimised-out') ? '<optimized out>' : '<unavailable>'; break;
      default: display = '<unavailable>';
    }
    return { name: v.name, typeName: v.typeName, type: v.type, display, expandable: false };
  }

  /** A typed value tree; pointers are named with symbols and followed when readMemory is given. */
  formatValue(type: Type, bytes: Uint8Array, opts: FormatOptions = {}): ValueNode {
    return formatValue(type, bytes, { symbolize: (a) => this.dataSymbol(a), ...opts });
  }

  /** gdb `whatis` / `ptype` text of a type. */
  typeName(type: Type): string { return typeName(type); }
  ptype(type: Type): string { return ptypeText(type); }

  // ---- unwinding ------------------------------------------------------------------------------

  /**
   * The call stack: frame 0 at `pc` with registers `regs` (x0-x31), then each caller, found with
   * .debug_frame/.eh_frame CFI or, without CFI, the frame pointer chain.
   */
  unwind(regs: ArrayLike<number>, pc: number, readMemory: ReadMemory, req: UnwindRequest = {}): Frame[] {
    return guard(this.sink, SECTION.frame, 'unwind', () => {
      const stopAfterMain = req.stopAfterMain ?? true;
      const physical = unwindStack(this.cfi, regs, pc, readMemory, {
        maxFrames: req.maxFrames ?? 256,
        isCode: (a) => this.isCode(a),
        isFunctionStart: (a) => this.functionAt(a)?.lowPc === a || this.symbols.symbolAt(a)?.offset === 0,
        stopAfter: stopAfterMain ? (f) => this.isMain(f) : undefined,
      });
      return physical.map((p, i) => describeFrame(this.frameContext(), p, i));
    }, () => []);
  }

  /** Machine state for evaluating variables in frame `index` of an unwind() result. */
  frameState(frames: readonly PhysicalFrame[], index: number, readMemory: ReadMemory): EvalFrame {
    return frameState(this.frameContext(), frames, index, readMemory);
  }

  // ---- internals ------------------------------------------------------------------------------

  private frameContext(): FrameContext {
    return { dwarf: this.dwarf, lines: this.lines, functions: this.functionIndex, variables: this.variableIndex, symbols: this.symbols };
  }

  private isMain(f: PhysicalFrame): boolean {
    const fn = this.functionAt(f.lookupPc);
    const name = fn ? fn.name : this.symbols.symbolAt(f.lookupPc)?.symbol.name;
    return name === 'main';
  }

  /** Is there code at addr? (An executable section contains it; true when the ELF has no section table.) */
  isCode(addr: number): boolean {
    const code = this.codeSections ??= (this.elf?.sections ?? [])
      .filter((s) => (s.flags & (SHF_ALLOC | SHF_EXECINSTR)) === (SHF_ALLOC | SHF_EXECINSTR) && s.size > 0);
    if (code.length === 0) return true;
    return code.some((s) => addr >= s.addr && addr - s.addr < s.size);
  }

  /** Is addr inside an allocated section (code, data, bss, stack)? */
  isAllocated(addr: number): boolean {
    return (this.elf?.sections ?? []).some((s) => (s.flags & SHF_ALLOC) !== 0 && addr >= s.addr && addr - s.addr < s.size);
  }

  /**
   * Memory as the loaded image has it, before anything runs (what gdb shows without a target):
   * section contents, and zeros for .bss-like sections. null outside allocated sections.
   */
  readStatic(addr: number, len: number): Uint8Array | null {
    for (const s of this.elf?.sections ?? []) {
      if ((s.flags & SHF_ALLOC) === 0 || addr < s.addr || addr + len > s.addr + s.size) continue;
      if (s.type === SHT_NOBITS) return new Uint8Array(len);
      if (addr + len <= s.addr + s.data.length) return s.data.subarray(addr - s.addr, addr - s.addr + len);
    }
    return null;
  }

  /** gdb names a pointer's target only by a symbol whose size covers it (not by labels like __stack_bottom). */
  private dataSymbol(addr: number): string | null {
    const hit = this.symbols.symbolAt(addr);
    return hit && hit.symbol.size > hit.offset ? hit.text : null;
  }

  private fileName(unit: Unit, index: number): string | undefined {
    if (!this.programByOffset) {
      this.programByOffset = new Map(this.linePrograms.map((p) => [p.offset, p]));
    }
    const root = unit.root();
    const stmt = root?.attr(AT.stmt_list)?.value;
    if (typeof stmt !== 'number') return undefined;
    return this.programByOffset.get(stmt)?.files[index]?.path;
  }
}

function guard<T>(sink: WarningSink, section: string, what: string, f: () => T, fallback: () => T): T {
  try {
    return f();
  } catch (e) {
    sink.caught(section, 0, what, e);
    return fallback();
  }
}

/** Reads symbols and debug information from an ELF32 image. Never throws. */
export function loadDebugInfo(elf: Uint8Array): DebugInfo {
  const sink = new WarningSink();
  let file: ElfFile | null = null;
  try {
    file = readElfFile(elf, sink);
  } catch (e) {
    sink.caught('ELF', 0, 'ELF header', e);
  }
  try {
    return new DebugInfo(file, sink);
  } catch (e) {
    sink.caught('ELF', 0, 'debug information', e);
    return new DebugInfo(null, sink);
  }
}
