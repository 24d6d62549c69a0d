// Functions and scopes from DW_TAG_subprogram, DW_TAG_inlined_subroutine and DW_TAG_lexical_block
// (DWARF 5 sections 3.3, 3.3.8 inlined subroutines, 3.5 lexical blocks). The index of concrete
// functions is built on first use; the chain of scopes at a pc is found by descending from the
// function into the children whose ranges contain the pc.

import { AT, TAG } from '../dwarf/constants.js';
import type { DwarfInfo } from '../dwarf/dwarf-info.js';
import { walk } from '../dwarf/dwarf-info.js';
import { isAddressForm, rangesContain } from '../dwarf/ranges.js';
import type { AddrRange } from '../dwarf/ranges.js';
import type { Die, Unit } from '../dwarf/unit.js';

export interface SourcePosition {
  readonly file: string | undefined;
  readonly line: number | undefined;
  readonly column?: number | undefined;
}

export interface InlinedCall {
  readonly name: string;
  readonly ranges: readonly AddrRange[];
  /** DW_AT_entry_pc, else the lowest address. */
  readonly entryPc: number;
  /** Where the inlined function was called from (in the enclosing function's source). */
  readonly call: SourcePosition;
  readonly dieOffset: number;
}

export interface FunctionInfo {
  readonly name: string;
  readonly linkageName: string | undefined;
  readonly ranges: readonly AddrRange[];
  /** Lowest address (DW_AT_low_pc or the first range). */
  readonly lowPc: number;
  readonly highPc: number;
  readonly external: boolean;
  readonly decl: SourcePosition;
  /** Name of the compilation unit (its primary source file). */
  readonly unitName: string;
  readonly dieOffset: number;
  /** Inlined calls containing the address asked about, outermost first ([] from functions()). */
  readonly inlined: readonly InlinedCall[];
}

/** A scope at a pc: the function, an inlined call, or a lexical block (with its DIE, for variables). */
export interface ScopeNode {
  readonly kind: 'function' | 'inlined' | 'block';
  readonly die: Die;
  readonly ranges: readonly AddrRange[];
}

interface Entry { readonly die: Die; readonly ranges: readonly AddrRange[]; readonly start: number; readonly end: number }

export type FileNamer = (unit: Unit, index: number) => string | undefined;

export class FunctionIndex {
  private entries: Entry[] | null = null;

  constructor(private readonly info: DwarfInfo, private readonly fileName: FileNamer) {}

  private load(): Entry[] {
    if (this.entries) return this.entries;
    const out: Entry[] = [];
    for (const unit of this.info.units) {
      const root = unit.root();
      if (!root) continue;
      walk(root, (d) => {
        if (d.tag === TAG.subprogram) {
          const ranges = this.info.ranges(d);
          for (const r of ranges) out.push({ die: d, ranges, start: r.start, end: r.end });
        }
        // Nested functions are a GNU C extension; keep descending into subprograms and blocks only.
        return d.tag === TAG.subprogram || d.tag === TAG.lexical_block || d.tag === TAG.compile_unit || d.tag === TAG.namespace;
      });
    }
    // Sequences at 0 are functions the linker discarded; they sort first and never win a lookup above 0.
    out.sort((a, b) => a.start - b.start || b.end - a.end);
    this.entries = out;
    return out;
  }

  /** The innermost concrete function whose ranges contain `pc`. */
  functionDieAt(pc: number): { die: Die; ranges: readonly AddrRange[] } | undefined {
    const list = this.load();
    let lo = 0;
    let hi = list.length;
    while (lo < hi) { const mid = (lo + hi) >>> 1; if (list[mid]!.start <= pc) lo = mid + 1; else hi = mid; }
    let best: Entry | undefined;
    for (let i = lo - 1; i >= 0 && i >= lo - 64; i--) {
      const e = list[i]!;
      if (pc < e.end && (!best || e.end - e.start < best.end - best.start)) best = e;
    }
    return best && { die: best.die, ranges: best.ranges };
  }

  /** Scopes containing pc, outermost (the function) first. */
  scopesAt(pc: number): ScopeNode[] {
    const fn = this.functionDieAt(pc);
    if (!fn) return [];
    const chain: ScopeNode[] = [{ kind: 'function', die: fn.die, ranges: fn.ranges }];
    let current = fn.die;
    for (let depth = 0; depth < 100; depth++) {
      let next: ScopeNode | undefined;
      for (const c of current.children) {
        if (c.tag !== TAG.inlined_subroutine && c.tag !== TAG.lexical_block) continue;
        const ranges = this.info.ranges(c);
        if (ranges.length === 0 && c.tag === TAG.lexical_block && !c.has(AT.low_pc) && !c.has(AT.ranges)) {
          // A block without addresses is part of its parent's code: look inside it.
          const inner = this.descendInto(c, pc);
          if (inner) { next = inner; break; }
          continue;
        }
        if (rangesContain(ranges, pc)) {
          next = { kind: c.tag === TAG.inlined_subroutine ? 'inlined' : 'block', die: c, ranges };
          break;
        }
      }
      if (!next) break;
      chain.push(next);
      current = next.die;
    }
    return chain;
  }

  private descendInto(block: Die, pc: number): ScopeNode | undefined {
    for (const c of block.children) {
      if (c.tag !== TAG.inlined_subroutine && c.tag !== TAG.lexical_block) continue;
      const ranges = this.info.ranges(c);
      if (rangesContain(ranges, pc)) return { kind: c.tag === TAG.inlined_subroutine ? 'inlined' : 'block', die: c, ranges };
    }
    return undefined;
  }

  /** functionAt: the concrete function with the inlined calls at pc, outermost first. */
  functionAt(pc: number): FunctionInfo | null {
    const scopes = this.scopesAt(pc);
    if (scopes.length === 0) return null;
    const inlined: InlinedCall[] = [];
    for (const s of scopes) if (s.kind === 'inlined') inlined.push(this.inlinedCall(s.die, s.ranges));
    return this.describe(scopes[0]!.die, scopes[0]!.ranges, inlined);
  }

  /** Every concrete function (one entry per DIE). */
  functions(): FunctionInfo[] {
    const seen = new Set<Die>();
    const out: FunctionInfo[] = [];
    for (const e of this.load()) {
      if (seen.has(e.die)) continue;
      seen.add(e.die);
      out.push(this.describe(e.die, e.ranges, []));
    }
    return out;
  }

  describe(die: Die, ranges: readonly AddrRange[], inlined: InlinedCall[]): FunctionInfo {
    const info = this.info;
    const link = info.inherited(die, AT.linkage_name) ?? info.inherited(die, AT.MIPS_linkage_name);
    let linkageName: string | undefined;
    try { linkageName = link ? link.die.unit.string(link.attr) : undefined; } catch { linkageName = undefined; }
    const lowPc = Math.min(...ranges.map((r) => r.start));
    const highPc = Math.max(...ranges.map((r) => r.end));
    const root = die.unit.root();
    return {
      name: info.name(die) || linkageName || '??',
      linkageName,
      ranges,
      lowPc,
      highPc,
      external: info.flag(die, AT.external),
      decl: this.declOf(die),
      unitName: root ? info.name(root) : '',
      dieOffset: die.offset,
      inlined,
    };
  }

  inlinedCall(die: Die, ranges: readonly AddrRange[]): InlinedCall {
    const info = this.info;
    const entry = die.attr(AT.entry_pc);
    let entryPc = Math.min(...ranges.map((r) => r.start));
    if (entry) {
      try {
        // DWARF 5: a constant entry_pc is an offset from the low_pc / first range start.
        entryPc = isAddressForm(entry.form) ? die.unit.address(entry) : entryPc + Number(entry.value);
      } catch { /* keep the lowest address */ }
    }
    const callFile = info.num(die, AT.call_file);
    return {
      name: info.name(die) || '??',
      ranges,
      entryPc,
      call: {
        file: callFile !== undefined ? this.fileName(die.unit, callFile) : undefined,
        line: die.attr(AT.call_line) ? info.num(die, AT.call_line) : undefined,
        column: die.attr(AT.call_column) ? info.num(die, AT.call_column) : undefined,
      },
      dieOffset: die.offset,
    };
  }

  declOf(die: Die): SourcePosition {
    const info = this.info;
    const f = info.inherited(die, AT.decl_file);
    const file = f && typeof f.attr.value === 'number' ? this.fileName(f.die.unit, f.attr.value) : undefined;
    return { file, line: info.num(die, AT.decl_line), column: info.num(die, AT.decl_column) };
  }
}
