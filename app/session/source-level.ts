// Source-level answers over the guest image's DWARF (app/debuginfo): the line at the pc, the call
// stack, variables of a frame and the globals as typed value trees, expanding a node, hover
// evaluation, breakpoint addresses of a line and the lines that have code. One per open
// recording; the DWARF is read on first use. Everything here reads a machine state the caller
// passes in (the timeline's position); nothing moves.
//
// Frames: the unwinder gives physical frames, each with its inlined calls innermost first; like
// gdb, every function of that chain is a frame of its own (`index` counts them all), and an
// inlined call whose first instruction is the pc of frame 0 is not entered yet (hidden).

import type {
  FrameDto, LineAddressesDto, SourceAtPcDto, SourceLocationDto, StackDto, VariableDto, VariableRef, VariableScopeDto, VariablesDto,
} from '../protocol/source-dto.js';
import { loadDebugInfo } from '../debuginfo/index.js';
import type { DebugInfo, ElementWindow, EvalFrame, Frame, GlobalVariable, Scope, ValueNode, VariableInfo } from '../debuginfo/index.js';
import { normalisePath } from '../debuginfo/dwarf/line-table.js';
import { AT } from '../debuginfo/dwarf/constants.js';
import { SessionError } from './errors.js';
import { parseLvalue, type Accessor } from './lvalue.js';
import { toVariableDto } from './value-dto.js';

/** The machine state source-level answers are computed from. */
export interface MachineAccess {
  readonly pc: number;
  /** x0..x31, unsigned. */
  readonly regs: readonly number[];
  /** Memory bytes (RAM and ROM only: device registers are never read), or null. */
  readMemory(addr: number, len: number): Uint8Array | null;
}

/** A frame as the UI sees it: a function of a physical frame's inline chain. */
interface VirtualFrame {
  readonly dto: FrameDto;
  readonly physical: number;
  /** Index of the function in the physical frame's `functions` (innermost first). */
  readonly fn: number;
}

const NO_DWARF = 'no DWARF in the guest image (a stripped ELF): no source lines, variables or types';
const MAX_FRAMES = 64;
/** Children built with each answer: one level below what is asked for (the UI asks for more). */
const LEVELS = 1;
/** Array elements an expansion shows unless asked for others (the panel groups longer arrays by 100). */
const DEFAULT_ELEMENTS = 100;

export class SourceLevel {
  private info: DebugInfo | null = null;

  constructor(private readonly image: Uint8Array) {}

  get di(): DebugInfo {
    return this.info ??= loadDebugInfo(this.image);
  }

  /** The pc's source position, or why there is none. */
  at(m: MachineAccess): SourceAtPcDto {
    // Frame 0 as gdb shows it (an inlined call not entered yet is not a frame), else the line table's row.
    const frame0 = this.frames(m).virtual[0]?.dto.location ?? null;
    const loc = frame0 ?? this.location(m.pc);
    if (loc) return { location: loc, note: null };
    if (!this.di.hasDwarf && this.di.linePrograms.length === 0) return { location: null, note: NO_DWARF };
    const sym = this.di.symbolAt(m.pc);
    return { location: null, note: `no source line for 0x${m.pc.toString(16)}${sym ? ` (${sym.text})` : ''}` };
  }

  location(pc: number): SourceLocationDto | null {
    const line = this.di.lineFor(pc);
    if (!line) return null;
    const fn = this.di.functionAt(pc);
    const inner = fn?.inlined.length ? fn.inlined[fn.inlined.length - 1]!.name : fn?.name;
    return { file: line.file, line: line.line, column: line.column, function: inner ?? this.di.symbolAt(pc)?.symbol.name ?? null };
  }

  stack(m: MachineAccess): StackDto {
    const { virtual, note } = this.frames(m);
    return { frames: virtual.map((v) => v.dto), note };
  }

  lineAddresses(file: string, line: number): LineAddressesDto {
    const addresses = this.di.addressesFor(file, line);
    if (addresses.length === 0) return { file, line: null, addresses };
    // addressesFor moves to the next line with code: say which one that was.
    const found = this.di.lineFor(addresses[0]!);
    return { file, line: found && normalisePath(found.file) === normalisePath(file) ? found.line : line, addresses };
  }

  /** Lines of `file` (a DWARF path) that have statement rows, ascending. */
  codeLines(file: string): number[] {
    const want = normalisePath(file);
    const lines = new Set<number>();
    for (const p of this.di.linePrograms) {
      const idx = new Set<number>();
      p.files.forEach((f, i) => { if (normalisePath(f.path) === want) idx.add(i); });
      if (idx.size === 0) continue;
      for (const r of p.rows) {
        // Rows of functions the linker dropped start at 0; they are not code anyone can stop in.
        if (r.isStmt && !r.endSequence && r.line > 0 && idx.has(r.file) && this.di.isCode(r.address) && r.address !== 0) lines.add(r.line);
      }
    }
    return [...lines].sort((a, b) => a - b);
  }

  /** The compilation directory of the unit that names `file`, for the host's lookup ('' when unknown). */
  compDirOf(file: string): string {
    return this.compDirMap().get(normalisePath(file)) ?? '';
  }

  /**
   * The source files the Source panel can show (those with line rows) with their units'
   * compilation directories: what a host looks up to store a recording's sources.
   */
  sourceFileRequests(): { readonly path: string; readonly compDir: string }[] {
    return this.di.sourceFiles().map((path) => ({ path, compDir: this.compDirOf(path) }));
  }

  private compDirs: Map<string, string> | null = null;

  /**
   * Normalised file path -> DW_AT_comp_dir of the unit whose DW_AT_stmt_list is the first line
   * program naming it (file paths are relative to it). Built once: a kernel has thousands of files.
   */
  private compDirMap(): Map<string, string> {
    if (this.compDirs) return this.compDirs;
    const dwarf = this.di.dwarf;
    const byProgram = new Map<unknown, string>();
    for (const u of dwarf?.compileUnits() ?? []) {
      const root = u.root();
      const offset = root?.attr(AT.stmt_list)?.value;
      if (root && offset !== undefined && !byProgram.has(offset)) byProgram.set(offset, dwarf!.stringAttr(root, AT.comp_dir) ?? '');
    }
    const map = new Map<string, string>();
    for (const p of this.di.linePrograms) {
      const compDir = byProgram.get(p.offset);
      if (compDir === undefined) continue;
      for (const f of p.files) {
        const key = normalisePath(f.path);
        if (!map.has(key)) map.set(key, compDir);
      }
    }
    return (this.compDirs = map);
  }

  variables(m: MachineAccess, frame: number): VariablesDto {
    if (!this.di.hasDwarf) return { frame: 0, scopes: [], globals: [], note: NO_DWARF };
    const { virtual, physical, note } = this.frames(m);
    const index = Math.max(0, Math.min(frame, virtual.length - 1));
    const scopes: VariableScopeDto[] = [];
    let locals = 0;
    if (virtual.length > 0) {
      const state = this.di.frameState(physical, virtual[index]!.physical, m.readMemory);
      for (const s of this.scopesOf(physical, virtual[index]!)) {
        scopes.push({
          kind: s.kind, name: s.name ?? null,
          variables: s.variables.map((v) => this.dto(v, state, { root: `f:${index}:${locals++}`, path: [] })),
        });
      }
    }
    const gstate = this.globalState(m);
    const globals = this.globalList().map((g) => this.dto(g, gstate, { root: `g:${g.qualifiedName}`, path: [] }));
    const missing = virtual.length === 0 ? 'no frames: the pc is not in code the debug information covers' : null;
    return { frame: index, scopes, globals, note: missing ?? (scopes.length === 0 && virtual.length > 0 ? 'no locals in this frame' : null) ?? note };
  }

  /**
   * The node `ref` names, with one more level of children: for an array, the elements of `elements`
   * (default: the first DEFAULT_ELEMENTS). Only the nodes on the path are built, so any element of
   * any array can be named.
   */
  expand(m: MachineAccess, ref: VariableRef, elements?: ElementWindow): VariableDto {
    const root = this.rootOf(m, ref.root);
    const window = elements ?? { from: 0, count: DEFAULT_ELEMENTS };
    const n = this.di.valueAt(root.v, root.state, ref.path, { depth: LEVELS, elements: window });
    if (!n) throw new SessionError('bad-request', `${ref.root} has no child at ${ref.path.join('.')} here`);
    return toVariableDto(n, ref, ref.path.length === 0 ? root.v : undefined, n.elementCount !== undefined ? window.from : 0);
  }

  /** Hover: NAME(.member|->member|[index])* in frame `frame` (its scopes first), else a global. */
  evaluate(m: MachineAccess, expr: string, frame: number): VariableDto {
    if (!this.di.hasDwarf) throw new SessionError('bad-address', NO_DWARF);
    const lv = parseLvalue(expr);
    const rootRef = this.findRoot(m, lv.name, frame);
    const root = this.rootOf(m, rootRef);
    // One accessor at a time, building only the node it starts from (and, for [i], element i):
    // any index of any array can be followed.
    const path: number[] = [];
    for (const a of lv.accessors) {
      const from = this.di.valueAt(root.v, root.state, path, { depth: 2, ...(a.kind === 'index' ? { elements: { from: a.index, count: 1 } } : {}) });
      if (!from) throw new SessionError('bad-address', `${expr}: cannot be read here`);
      const step = follow(from, a);
      if (step === null) throw new SessionError('bad-address', `${expr}: ${describeFailure(from, a)}`);
      for (const i of step.path) path.push(i);
    }
    const node = this.di.valueAt(root.v, root.state, path, { depth: LEVELS, elements: { from: 0, count: DEFAULT_ELEMENTS } });
    if (!node) throw new SessionError('bad-address', `${expr}: cannot be read here`);
    return toVariableDto(node, { root: rootRef, path }, path.length === 0 ? root.v : undefined);
  }

  // ---- internals --------------------------------------------------------------------------------

  /**
   * A root of the variables list: its value without children (`expandable` says whether it has
   * some; the panel asks expandVariable for them). The list comes with every settled move; children
   * of every global array were ~0.5 MB a move on workload.elf, shown by nobody.
   */
  private dto(v: VariableInfo, state: EvalFrame, ref: VariableRef): VariableDto {
    return toVariableDto(this.di.valueOf(v, state, { depth: 0 }), ref, v);
  }

  private globalList(): GlobalVariable[] {
    // Variables the linker dropped have no address and no constant: nothing to show.
    return this.di.globals().filter((g) => g.address !== undefined || g.location.kind === 'constant');
  }

  /** Globals are found by DW_OP_addr: any machine state evaluates them. */
  private globalState(m: MachineAccess): EvalFrame {
    return { regs: (n) => (n === 0 ? 0 : m.regs[n]), pc: m.pc, readMemory: (a, n) => m.readMemory(a, n) };
  }

  private frames(m: MachineAccess): { virtual: VirtualFrame[]; physical: Frame[]; note: string | null } {
    const physical = this.di.unwind(m.regs, m.pc, (a, n) => m.readMemory(a, n), { maxFrames: MAX_FRAMES });
    const virtual: VirtualFrame[] = [];
    physical.forEach((p, pi) => {
      p.functions.forEach((f, fi) => {
        if (pi === 0 && f.atEntry && fi < p.functions.length - 1) return;
        const location: SourceLocationDto | null = f.file !== undefined && f.line !== undefined
          ? { file: f.file, line: f.line, column: f.column ?? 0, function: f.name ?? null } : null;
        virtual.push({
          physical: pi, fn: fi,
          dto: { index: virtual.length, pc: p.pc >>> 0, function: f.name ?? null, inlined: f.inlined, location, method: p.method },
        });
      });
    });
    let note: string | null = null;
    if (physical.length === 0) note = `no frame: 0x${m.pc.toString(16)} is not code of the guest image`;
    else if (!this.di.hasDwarf) note = 'no DWARF (stripped ELF): frames from the frame-pointer chain, no source lines';
    else if (physical.length >= MAX_FRAMES) note = `only the innermost ${MAX_FRAMES} frames`;
    return { virtual, physical, note };
  }

  /**
   * The scopes of a virtual frame: the physical frame's scopes (innermost first) split at each
   * function or inlined call, which closes the group of the function that many steps out.
   */
  private scopesOf(physical: readonly Frame[], vf: VirtualFrame): Scope[] {
    const p = physical[vf.physical]!;
    const all = this.di.localsAt(p.lookupPc);
    const groups: Scope[][] = [[]];
    for (const s of all) {
      groups[groups.length - 1]!.push(s);
      if (s.kind !== 'block') groups.push([]);
    }
    if (groups[groups.length - 1]!.length === 0) groups.pop();
    // If the DIE tree and the line table disagree on the inline chain, show everything in the innermost frame.
    if (groups.length !== p.functions.length) return vf.fn === 0 ? all : [];
    return groups[vf.fn] ?? [];
  }

  private findRoot(m: MachineAccess, name: string, frame: number): string {
    const { virtual, physical } = this.frames(m);
    const index = Math.max(0, Math.min(frame, virtual.length - 1));
    if (virtual.length > 0) {
      let i = 0;
      for (const s of this.scopesOf(physical, virtual[index]!)) {
        for (const v of s.variables) {
          // Innermost scope first: the first match is the one C's scoping sees.
          if (v.name === name) return `f:${index}:${i}`;
          i++;
        }
      }
      const fn = virtual[index]!.dto.function;
      if (fn && this.di.findVariable(`${fn}::${name}`)) return `g:${fn}::${name}`;
    }
    if (this.di.findVariable(name)) return `g:${name}`;
    throw new SessionError('bad-address', `no variable "${name}" in frame ${index} or among the globals`);
  }

  private rootOf(m: MachineAccess, root: string): { v: VariableInfo; state: EvalFrame } {
    if (!this.di.hasDwarf) throw new SessionError('bad-address', NO_DWARF);
    if (root.startsWith('g:')) {
      const g = this.di.findVariable(root.slice(2));
      if (!g) throw new SessionError('bad-address', `no global variable "${root.slice(2)}"`);
      return { v: g, state: this.globalState(m) };
    }
    const f = /^f:(\d+):(\d+)$/.exec(root);
    if (!f) throw new SessionError('bad-request', `ref.root: "${root}" is not g:NAME or f:FRAME:INDEX`);
    const [frame, index] = [Number(f[1]), Number(f[2])];
    const { virtual, physical } = this.frames(m);
    const vf = virtual[frame];
    const v = vf ? this.scopesOf(physical, vf).flatMap((s) => s.variables)[index] : undefined;
    if (!vf || !v) throw new SessionError('bad-request', `there is no local ${index} in frame ${frame} at this position`);
    return { v, state: this.di.frameState(physical, vf.physical, m.readMemory) };
  }
}

/** One accessor step on a value tree: the child path taken and the node reached, or null. */
function follow(node: ValueNode, a: Accessor): { path: number[]; node: ValueNode } | null {
  const kids = node.children ?? [];
  const child = (pred: (c: ValueNode) => boolean): { i: number; c: ValueNode } | null => {
    const i = kids.findIndex(pred);
    return i < 0 ? null : { i, c: kids[i]! };
  };
  switch (a.kind) {
    case 'member': {
      const m = child((c) => c.name === a.name);
      return m ? { path: [m.i], node: m.c } : null;
    }
    case 'arrow': {
      const d = child((c) => c.name.startsWith('*'));
      const target = d ? d.c.children?.findIndex((c) => c.name === a.name) ?? -1 : -1;
      return d && target >= 0 ? { path: [d.i, target], node: d.c.children![target]! } : null;
    }
    case 'index': {
      // The element's index names it (the node's children may be a window of its elements).
      const e = child((c) => c.name === `[${a.index}]`);
      if (e) return { path: [a.index], node: e.c };
      // p[0] of a pointer is *p.
      const d = a.index === 0 ? child((c) => c.name.startsWith('*')) : null;
      return d ? { path: [d.i], node: d.c } : null;
    }
  }
}

function describeFailure(node: ValueNode, a: Accessor): string {
  switch (a.kind) {
    case 'member': return `${node.name} (${node.typeName}) has no member "${a.name}"`;
    case 'arrow': return `${node.name} (${node.typeName}) is not a readable pointer to something with a member "${a.name}"`;
    case 'index': return `${node.name} (${node.typeName}) has no element [${a.index}] here`;
  }
}
