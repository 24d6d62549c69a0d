// All units of .debug_info, DIE lookup by offset across units, and the attribute helpers that
// follow DW_AT_abstract_origin / DW_AT_specification (DWARF 5 sections 3.3.8, 2.13.2): a concrete
// or out-of-line DIE gets its name, type and declaration position from the DIE it points to.

import { hex } from '../warnings.js';
import type { WarningSink } from '../warnings.js';
import { AT, TAG } from './constants.js';
import { dieRanges } from './ranges.js';
import type { AddrRange } from './ranges.js';
import { SECTION } from './sections.js';
import type { DwarfSections } from './sections.js';
import { Die, readUnitHeaders, Unit } from './unit.js';
import type { Attr } from './unit.js';

export class DwarfInfo {
  readonly units: Unit[];
  private readonly unitRanges = new Map<Unit, AddrRange[]>();

  constructor(readonly sections: DwarfSections, readonly warnings: WarningSink) {
    const resolver = { dieAt: (offset: number) => this.dieAt(offset) };
    this.units = readUnitHeaders(sections, warnings).map((h) => new Unit(h, sections, warnings, resolver));
  }

  /** The unit holding a .debug_info offset. */
  unitAt(offset: number): Unit | undefined {
    const list = this.units;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) { const mid = (lo + hi) >>> 1; if (list[mid]!.header.offset <= offset) lo = mid + 1; else hi = mid; }
    const u = list[lo - 1];
    return u && offset < u.header.end ? u : undefined;
  }

  dieAt(offset: number): Die | undefined {
    return this.unitAt(offset)?.dieAt(offset);
  }

  /** The DIE a reference attribute points to (ref1-8, ref_udata, ref_addr). */
  ref(die: Die, at: number): Die | undefined {
    const a = die.attr(at);
    if (!a || typeof a.value !== 'number') return undefined;
    const target = this.dieAt(a.value);
    if (!target) this.warnings.add(SECTION.info, die.offset, `attribute ${hex(at)} refers to ${hex(a.value)}, where there is no DIE`);
    return target;
  }

  /** An attribute of the DIE or, failing that, of its abstract origin or specification (bounded). */
  inherited(die: Die, at: number): { attr: Attr; die: Die } | undefined {
    let d: Die | undefined = die;
    for (let hop = 0; d && hop < 8; hop++) {
      const a = d.attr(at);
      if (a) return { attr: a, die: d };
      d = this.ref(d, AT.abstract_origin) ?? this.ref(d, AT.specification);
    }
    return undefined;
  }

  /** DW_AT_name, inherited; '' when none or unreadable. */
  name(die: Die): string {
    const found = this.inherited(die, AT.name);
    if (!found) return '';
    try { return found.die.unit.string(found.attr); } catch (e) {
      this.warnings.caught(SECTION.info, found.die.offset, 'DW_AT_name', e);
      return '';
    }
  }

  /** A string attribute of this DIE only. */
  stringAttr(die: Die, at: number): string | undefined {
    const a = die.attr(at);
    if (!a) return undefined;
    try { return die.unit.string(a); } catch (e) {
      this.warnings.caught(SECTION.info, die.offset, `attribute ${hex(at)}`, e);
      return undefined;
    }
  }

  /** A constant attribute as a number, inherited. */
  num(die: Die, at: number): number | undefined {
    const v = this.inherited(die, at)?.attr.value;
    if (typeof v === 'number') return v;
    if (typeof v === 'bigint') return Number(v);
    if (typeof v === 'boolean') return v ? 1 : 0;
    return undefined;
  }

  flag(die: Die, at: number): boolean {
    const v = this.inherited(die, at)?.attr.value;
    return v === true || (typeof v === 'number' && v !== 0);
  }

  /** The DIE's address ranges; [] (with a warning) when its range list is damaged. */
  ranges(die: Die): AddrRange[] {
    try { return dieRanges(die); } catch (e) {
      this.warnings.caught(SECTION.info, die.offset, `ranges of DIE ${hex(die.offset)}`, e);
      return [];
    }
  }

  /** Ranges of a unit (from its unit DIE), cached. */
  unitRangesOf(unit: Unit): AddrRange[] {
    let r = this.unitRanges.get(unit);
    if (!r) {
      const root = unit.root();
      r = root ? this.ranges(root) : [];
      this.unitRanges.set(unit, r);
    }
    return r;
  }

  /** Compilation units (not type or partial units) with a readable unit DIE. */
  compileUnits(): Unit[] {
    return this.units.filter((u) => u.root()?.tag === TAG.compile_unit);
  }
}

/** Depth-first walk of a DIE's descendants; `visit` returns false to skip a subtree. Bounded by the tree (no recursion). */
export function walk(root: Die, visit: (die: Die) => boolean | void): void {
  const stack: Die[] = [...root.children].reverse();
  while (stack.length > 0) {
    const d = stack.pop()!;
    if (visit(d) === false) continue;
    for (let i = d.children.length - 1; i >= 0; i--) stack.push(d.children[i]!);
  }
}
