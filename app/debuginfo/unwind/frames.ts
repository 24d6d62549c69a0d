// Call stack frames for the UI: physical frames from the unwinder, each with the chain of
// functions at its pc (inlined calls first, as gdb shows them as frames of their own), their
// source positions, and the machine state to evaluate variables in that frame - including
// DW_OP_entry_value, answered from the caller's DW_TAG_call_site_parameter (DWARF 5 section 3.4.2)
// the way gdb prints `c=c@entry=72 'H'`.

import { AT, TAG } from '../dwarf/constants.js';
import type { DwarfInfo } from '../dwarf/dwarf-info.js';
import { evaluateLocation } from '../dwarf/expression.js';
import type { ExprFrame } from '../dwarf/expression.js';
import { bytesToNumberBig } from '../dwarf/expression.js';
import type { LineTable } from '../dwarf/line-table.js';
import type { Die } from '../dwarf/unit.js';
import type { SymbolTable } from '../elf/symbols.js';
import type { FunctionIndex } from '../model/functions.js';
import type { VariableIndex } from '../model/variables.js';
import type { PhysicalFrame, ReadMemory } from './unwinder.js';

export interface FrameFunction {
  readonly name: string | undefined;
  /** True for an inlined call (a virtual frame inside the physical one). */
  readonly inlined: boolean;
  readonly file: string | undefined;
  readonly line: number | undefined;
  readonly column: number | undefined;
  /**
   * The pc is the first instruction of this inlined call. gdb hides such frames in frame 0
   * (after a breakpoint there, it presents the call as not yet entered).
   */
  readonly atEntry: boolean;
}

export interface Frame extends PhysicalFrame {
  readonly index: number;
  /** The innermost function at this pc (an inlined one if any), else the ELF symbol. */
  readonly function: string | undefined;
  readonly file: string | undefined;
  readonly line: number | undefined;
  /** Innermost first; the last entry is the concrete function. gdb shows one frame per entry. */
  readonly functions: readonly FrameFunction[];
}

export interface FrameContext {
  readonly dwarf: DwarfInfo | null;
  readonly lines: LineTable | null;
  readonly functions: FunctionIndex | null;
  readonly variables: VariableIndex | null;
  readonly symbols: SymbolTable;
}

export function describeFrame(ctx: FrameContext, p: PhysicalFrame, index: number): Frame {
  const line = ctx.lines?.lineFor(p.lookupPc) ?? null;
  const fn = ctx.functions?.functionAt(p.lookupPc) ?? null;
  const functions: FrameFunction[] = [];
  if (fn) {
    // Innermost inlined call gets the line table's position; each outer function is at the call site of the one inside it.
    let pos = { file: line?.file, line: line?.line, column: line?.column };
    for (let i = fn.inlined.length - 1; i >= 0; i--) {
      const call = fn.inlined[i]!;
      functions.push({ name: call.name, inlined: true, ...pos, atEntry: call.entryPc === p.pc || call.ranges.some((r) => r.start === p.pc) });
      pos = { file: call.call.file, line: call.call.line, column: call.call.column };
    }
    functions.push({ name: fn.name, inlined: false, ...pos, atEntry: false });
  } else {
    const sym = ctx.symbols.symbolAt(p.lookupPc);
    functions.push({ name: sym?.symbol.name, inlined: false, file: line?.file, line: line?.line, column: line?.column, atEntry: false });
  }
  const first = functions[0]!;
  return { ...p, index, function: first.name, file: first.file, line: first.line, functions };
}

/** The state to evaluate locations in frame `index` of `frames` (uses the caller for entry values). */
export function frameState(ctx: FrameContext, frames: readonly PhysicalFrame[], index: number, readMemory: ReadMemory): ExprFrame {
  const f = frames[index]!;
  const caller = frames[index + 1];
  const state: ExprFrame = {
    regs: (n) => (n === 0 ? 0 : f.regs[n]),
    pc: f.lookupPc,
    readMemory,
    ...(f.cfa !== undefined ? { cfa: f.cfa } : {}),
    entryValue: (block) => (caller ? entryValue(ctx, block, frames, index + 1, readMemory) : undefined),
  };
  return state;
}

function entryValue(ctx: FrameContext, block: Uint8Array, frames: readonly PhysicalFrame[], callerIndex: number, readMemory: ReadMemory): bigint | undefined {
  const dwarf = ctx.dwarf;
  const caller = frames[callerIndex]!;
  if (!dwarf || !ctx.functions || !ctx.variables) return undefined;
  const fn = ctx.functions.functionDieAt(caller.lookupPc);
  if (!fn) return undefined;
  const site = findCallSite(fn.die, caller.pc);
  if (!site) return undefined;
  // The call at that return address must be a call of this function: after a tail call it is
  // not, and its parameters would belong to another function (gdb checks the same).
  const callee = ctx.functions.functionDieAt(frames[callerIndex - 1]!.lookupPc);
  if (!callee || !callsFunction(ctx, site, callee.die, frames, callerIndex, readMemory)) return undefined;
  for (const param of site.children) {
    if (param.tag !== TAG.call_site_parameter && param.tag !== TAG.GNU_call_site_parameter) continue;
    const loc = param.attr(AT.location)?.value;
    if (!(loc instanceof Uint8Array) || !sameBytes(loc, block)) continue;
    const value = (param.attr(AT.call_value) ?? param.attr(AT.GNU_call_site_value))?.value;
    if (!(value instanceof Uint8Array)) return undefined;
    const frameBase = ctx.variables.frameBaseOf(fn.die, caller.lookupPc);
    const exprCtx = ctx.variables.contextFor(param, frameBase);
    // The call value is a DWARF expression evaluated in the caller (at the call): its result is the value.
    const state = frameState(ctx, frames, callerIndex, readMemory);
    const r = evaluateLocation(value, exprCtx, state);
    if (r.kind === 'address') return BigInt(r.address);
    if (r.kind === 'value') return bytesToNumberBig(r.bytes);
    if (r.kind === 'register') { const v = state.regs(r.reg); return v === undefined ? undefined : BigInt(v >>> 0); }
    return undefined;
  }
  return undefined;
}

/** Does the call site call `callee`? By DW_AT_call_origin's name, or DW_AT_call_target's address. */
function callsFunction(ctx: FrameContext, site: Die, callee: Die, frames: readonly PhysicalFrame[], callerIndex: number, readMemory: ReadMemory): boolean {
  const dwarf = ctx.dwarf!;
  const origin = dwarf.ref(site, AT.call_origin) ?? dwarf.ref(site, AT.abstract_origin);
  if (origin) return dwarf.name(origin) !== '' && dwarf.name(origin) === dwarf.name(callee);
  const target = (site.attr(AT.call_target) ?? site.attr(AT.GNU_call_site_target))?.value;
  if (!(target instanceof Uint8Array) || !ctx.variables) return false;
  const state = frameState(ctx, frames, callerIndex, readMemory);
  const r = evaluateLocation(target, ctx.variables.contextFor(site), state);
  // As gdb reads it: a memory location's address is the target; a register location holds it.
  let addr: number | undefined;
  if (r.kind === 'register') addr = state.regs(r.reg);
  else if (r.kind === 'address') addr = r.address;
  else if (r.kind === 'value') addr = Number(bytesToNumberBig(r.bytes));
  const lowPc = ctx.functions?.describe(callee, dwarf.ranges(callee), []).lowPc;
  return addr !== undefined && addr === lowPc;
}

/** The DW_TAG_call_site in `fn` whose return address is `returnPc`. */
function findCallSite(fn: Die, returnPc: number): Die | undefined {
  const stack: Die[] = [...fn.children];
  for (let guard = 0; stack.length > 0 && guard < 100_000; guard++) {
    const d = stack.pop()!;
    if (d.tag === TAG.call_site || d.tag === TAG.GNU_call_site) {
      const a = d.attr(AT.call_return_pc) ?? d.attr(AT.low_pc);
      if (a) {
        try { if (d.unit.address(a) === returnPc) return d; } catch { /* damaged: skip */ }
      }
      continue;
    }
    if (d.tag === TAG.lexical_block || d.tag === TAG.inlined_subroutine) stack.push(...d.children);
  }
  return undefined;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
