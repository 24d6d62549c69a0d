// Stack unwinding (DWARF 5 section 6.4.4 "Call Frame Instruction Usage"): for each frame, the CFI
// row at its pc gives the CFA and where the caller's registers were saved; the return address
// column gives the caller's pc. Where no FDE covers a pc, the RISC-V frame pointer convention is
// used (GCC with a frame pointer: s0 = CFA, return address at s0-4, caller's s0 at s0-8; a leaf
// keeps ra in its register and saves only s0, at s0-4), or, at a function's first instruction,
// the return address still in ra.
//
// Registers the callee may clobber (ra, t0-t6, a0-a7; RISC-V psABI "Integer Register Convention")
// are unknown in caller frames unless CFI says where they were saved; callee-saved ones keep
// their value. gdb shows caller-saved registers of outer frames with the inner frame's values,
// which can display a wrong argument; we say "unknown" instead.
//
// Termination: the return address rule is undefined (outermost frame), the pc is 0 or not in
// code, the CFA goes backwards, a (pc, CFA) pair repeats, or `maxFrames` is reached.

import type { CallFrameInfo, CfiRow, RegRule } from '../dwarf/cfi.js';
import { evaluateValue } from '../dwarf/expression.js';
import type { ExprFrame } from '../dwarf/expression.js';

export type ReadMemory = (addr: number, len: number) => Uint8Array | null;

export interface PhysicalFrame {
  /** For frame 0 the current pc; for callers the return address. */
  readonly pc: number;
  /** The pc to look up symbols, lines, scopes and location lists with: pc - 1 in caller frames (inside the call). */
  readonly lookupPc: number;
  readonly cfa: number | undefined;
  /** x0-x31 in this frame; undefined where not known. */
  readonly regs: readonly (number | undefined)[];
  /** How this frame's CFA and its caller were found. */
  readonly method: 'cfi' | 'frame-pointer' | 'entry' | 'none';
}

export interface UnwindOptions {
  readonly maxFrames?: number;
  /** Is there code at this address? (Frames whose pc is not code end the walk.) */
  readonly isCode?: (addr: number) => boolean;
  /** Is `addr` the first instruction of a function (for the no-CFI fallback in frame 0)? */
  readonly isFunctionStart?: (addr: number) => boolean;
  /**
   * Follow the frame pointer where no FDE covers a pc (default: only when there is no CFI at all).
   * With CFI for most code, a pc without an FDE is hand-written assembly (crt0, trap entry) whose
   * s0 is not a frame pointer, and following it would invent frames.
   */
  readonly framePointerFallback?: boolean;
  /** Stop after the frame for which this returns true (gdb stops after main). */
  readonly stopAfter?: (frame: PhysicalFrame) => boolean;
}

const CALLEE_SAVED = new Set([2, 3, 4, 8, 9, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27]);
const RA = 1;
const SP = 2;
const FP = 8;

export function unwindStack(cfi: CallFrameInfo, initialRegs: ArrayLike<number>, pc: number, readMemory: ReadMemory, opts: UnwindOptions = {}): PhysicalFrame[] {
  const maxFrames = opts.maxFrames ?? 256;
  const isCode = opts.isCode ?? (() => true);
  const read32 = (addr: number): number | undefined => {
    const b = readMemory(addr >>> 0, 4);
    if (!b || b.length < 4) return undefined;
    return (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0;
  };
  let regs: (number | undefined)[] = [];
  for (let i = 0; i < 32; i++) regs.push(i === 0 ? 0 : (initialRegs[i] ?? 0) >>> 0);
  pc >>>= 0;
  const frames: PhysicalFrame[] = [];
  const seen = new Set<string>();

  for (let level = 0; level < maxFrames; level++) {
    const lookupPc = level === 0 ? pc : (pc - 1) >>> 0;
    const row = cfi.rowFor(lookupPc);
    let cfa: number | undefined;
    let caller: (number | undefined)[] | null = null;
    let method: PhysicalFrame['method'] = 'none';

    if (row) {
      cfa = cfaOf(row, regs, pc, readMemory);
      if (cfa !== undefined) {
        caller = callerRegs(row, regs, cfa, pc, readMemory, read32);
        method = 'cfi';
      }
    }
    if (!caller && level === 0 && opts.isFunctionStart?.(pc)) {
      // At a function's first instruction nothing is saved yet: ra holds the return address.
      cfa = regs[SP];
      caller = regs.map((v, i) => (i === SP ? cfa : CALLEE_SAVED.has(i) ? v : undefined));
      caller[RA] = regs[RA];
      method = 'entry';
    }
    if (!caller && (opts.framePointerFallback ?? cfi.fdes.length === 0)) {
      const fp = regs[FP];
      const sp = regs[SP];
      if (fp !== undefined && fp !== 0 && (fp & 3) === 0 && (sp === undefined || fp > sp)) {
        let ra = read32(fp - 4);
        let savedFp = read32(fp - 8);
        // A leaf function with a frame pointer (GCC -O0) saves only s0, at fp-4, and keeps the
        // return address in ra. In frame 0 a word at fp-4 that is not a code address says so.
        const leaf = level === 0 && ra !== undefined && !isCode(ra - 1) && regs[RA] !== undefined && isCode(regs[RA]! - 1);
        if (leaf) { savedFp = ra; ra = regs[RA]; }
        if (ra !== undefined && savedFp !== undefined) {
          cfa = fp;
          caller = regs.map((v, i) => (CALLEE_SAVED.has(i) ? v : undefined));
          caller[SP] = fp;
          caller[FP] = savedFp;
          caller[RA] = ra;
          method = 'frame-pointer';
        }
      }
    }
    const frame: PhysicalFrame = { pc, lookupPc, cfa, regs, method };
    frames.push(frame);
    if (!caller || cfa === undefined) break;
    if (opts.stopAfter?.(frame)) break;
    const nextPc = caller[RA];
    if (nextPc === undefined || nextPc === 0 || !isCode(nextPc - 1)) break;
    const key = `${nextPc}:${caller[SP]}`;
    if (seen.has(key)) break;
    seen.add(key);
    const nextSp = caller[SP];
    if (nextSp !== undefined && regs[SP] !== undefined && nextSp < regs[SP]!) break; // the stack grows down: callers are above
    caller[0] = 0;
    regs = caller;
    pc = nextPc >>> 0;
  }
  return frames;
}

function exprFrame(regs: readonly (number | undefined)[], pc: number, readMemory: ReadMemory, cfa?: number): ExprFrame {
  return { regs: (n) => regs[n], pc, readMemory, ...(cfa !== undefined ? { cfa } : {}) };
}

function cfaOf(row: CfiRow, regs: readonly (number | undefined)[], pc: number, readMemory: ReadMemory): number | undefined {
  if (row.cfa.kind === 'reg-offset') {
    const base = regs[row.cfa.reg];
    return base === undefined ? undefined : (base + row.cfa.offset) >>> 0;
  }
  try {
    return evaluateValue(row.cfa.expr, { addressSize: 4, refSize: 4 }, exprFrame(regs, pc, readMemory)) >>> 0;
  } catch {
    return undefined;
  }
}

function callerRegs(row: CfiRow, regs: readonly (number | undefined)[], cfa: number, pc: number, readMemory: ReadMemory,
  read32: (addr: number) => number | undefined): (number | undefined)[] {
  const out: (number | undefined)[] = [];
  for (let i = 0; i < 32; i++) {
    const rule: RegRule | undefined = row.regs.get(i);
    out.push(rule ? applyRule(rule, i, regs, cfa, pc, readMemory, read32) : defaultRule(i, regs, cfa, row.raReg));
  }
  // The return address column can be outside x0-x31 in principle; on RISC-V it is ra (1).
  if (row.raReg !== RA) {
    const rule = row.regs.get(row.raReg);
    out[RA] = rule ? applyRule(rule, row.raReg, regs, cfa, pc, readMemory, read32) : regs[row.raReg];
  }
  return out;
}

function defaultRule(reg: number, regs: readonly (number | undefined)[], cfa: number, raReg: number): number | undefined {
  if (reg === SP) return cfa; // the caller's sp is the CFA by definition (DWARF 5 section 6.4)
  if (reg === raReg) return regs[reg]; // not saved yet (leaf, or before the prologue): still in ra
  return CALLEE_SAVED.has(reg) ? regs[reg] : undefined;
}

function applyRule(rule: RegRule, reg: number, regs: readonly (number | undefined)[], cfa: number, pc: number, readMemory: ReadMemory,
  read32: (addr: number) => number | undefined): number | undefined {
  switch (rule.kind) {
    case 'undefined': return undefined;
    case 'same': return regs[reg];
    case 'offset': return read32(cfa + rule.offset);
    case 'val-offset': return (cfa + rule.offset) >>> 0;
    case 'register': return regs[rule.reg];
    case 'expression': case 'val-expression': {
      try {
        const v = evaluateValue(rule.expr, { addressSize: 4, refSize: 4 }, exprFrame(regs, pc, readMemory, cfa), [BigInt(cfa)]);
        return rule.kind === 'val-expression' ? v >>> 0 : read32(v);
      } catch {
        return undefined;
      }
    }
  }
}
