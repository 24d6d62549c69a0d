// Units and DIEs of .debug_info (DWARF 5 sections 7.5.1 unit headers, 7.5.2 DIEs, 7.5.5-7.5.6
// attribute forms; DWARF 2-4 headers too). A unit's header is read eagerly; its DIE tree is read
// on first use. A damaged unit keeps the DIEs read before the damage, and a warning says where.

import { ByteReader, stringAt } from '../util/byte-reader.js';
import { DwarfFormatError, hex } from '../warnings.js';
import type { WarningSink } from '../warnings.js';
import { parseAbbrevTable } from './abbrev.js';
import type { Abbrev } from './abbrev.js';
import { AT, FORM, UT } from './constants.js';
import { SECTION } from './sections.js';
import type { DwarfSections } from './sections.js';

export type AttrValue = number | bigint | string | boolean | Uint8Array;

export interface Attr {
  readonly at: number;
  readonly form: number;
  /**
   * addr: the address; addrx*: the index; strp/line_strp: the offset; strx*: the index;
   * ref*: the absolute .debug_info offset; sec_offset: the offset; data*: the value (data8 as
   * bigint when above 2^53); exprloc/block: the bytes; flag: a boolean; string: the text.
   */
  readonly value: AttrValue;
}

export class Die {
  readonly children: Die[] = [];
  constructor(
    readonly unit: Unit,
    readonly offset: number,
    readonly tag: number,
    readonly attrs: readonly Attr[],
    readonly parent: Die | null,
  ) {}

  attr(at: number): Attr | undefined {
    for (const a of this.attrs) if (a.at === at) return a;
    return undefined;
  }

  has(at: number): boolean { return this.attr(at) !== undefined; }
}

export interface UnitHeader {
  readonly offset: number;
  /** First byte after the unit. */
  readonly end: number;
  readonly version: number;
  readonly unitType: number;
  readonly addressSize: number;
  readonly offsetSize: 4 | 8;
  readonly abbrevOffset: number;
  readonly firstDie: number;
}

/** Resolves references that leave the unit (DW_FORM_ref_addr). */
export interface DieResolver {
  dieAt(offset: number): Die | undefined;
}

const MAX_DEPTH = 200;

export class Unit {
  private dies: Map<number, Die> | null = null;
  private rootDie: Die | null = null;
  private abbrevs: Map<number, Abbrev> | null = null;
  /** Set from the unit DIE (DWARF 5: DW_AT_addr_base etc.). */
  addrBase = 0;
  strOffsetsBase = 0;
  rnglistsBase = 0;
  loclistsBase = 0;
  /** The unit's base address for location and range lists (DW_AT_low_pc of the unit DIE). */
  baseAddress = 0;

  constructor(
    readonly header: UnitHeader,
    readonly sections: DwarfSections,
    private readonly warnings: WarningSink,
    readonly resolver: DieResolver,
  ) {
    // DWARF 5 section 7.26-7.28: the defaults point just past the section headers, which are
    // what GNU tools emit for a single table; the unit DIE normally says.
    if (header.version >= 5) {
      this.strOffsetsBase = header.offsetSize === 8 ? 16 : 8;
    }
  }

  get version(): number { return this.header.version; }
  get addressSize(): number { return this.header.addressSize; }
  get offsetSize(): 4 | 8 { return this.header.offsetSize; }
  /** Offset of the unit header in .debug_info. */
  get offset(): number { return this.header.offset; }

  /** The unit DIE (DW_TAG_compile_unit or partial/skeleton), or null if unreadable. */
  root(): Die | null {
    this.load();
    return this.rootDie;
  }

  /** A DIE of this unit by its .debug_info offset. */
  dieAt(offset: number): Die | undefined {
    this.load();
    return this.dies!.get(offset);
  }

  /** True once the DIE tree has been read (so walking it costs nothing). */
  get loaded(): boolean { return this.dies !== null; }

  private load(): void {
    if (this.dies) return;
    this.dies = new Map();
    try {
      this.abbrevs = parseAbbrevTable(this.sections.abbrev, this.header.abbrevOffset);
    } catch (e) {
      this.warnings.caught(SECTION.abbrev, this.header.abbrevOffset, `abbreviations of the unit at .debug_info+${hex(this.header.offset)}`, e);
      return;
    }
    const r = new ByteReader(this.sections.info, SECTION.info, this.header.firstDie, this.header.end);
    const stack: Die[] = [];
    try {
      while (!r.atEnd) {
        const at = r.pos;
        const code = r.uleb();
        if (code === 0) {
          // End of a sibling chain; trailing zeros after the root are padding.
          if (stack.length > 0) stack.pop();
          continue;
        }
        const abbrev = this.abbrevs.get(code);
        if (!abbrev) throw new DwarfFormatError(SECTION.info, at, `DIE uses abbreviation code ${code}, which the unit's table (.debug_abbrev+${hex(this.header.abbrevOffset)}) does not define`);
        const attrs: Attr[] = [];
        for (const spec of abbrev.specs) attrs.push(this.readAttr(r, spec.at, spec.form, spec.implicitConst));
        const parent = stack.length > 0 ? stack[stack.length - 1]! : null;
        if (!parent && this.rootDie) {
          // A second top-level DIE: not valid DWARF; keep what we have.
          r.fail('more than one top-level DIE in the unit', at);
        }
        const die = new Die(this, at, abbrev.tag, attrs, parent);
        this.dies.set(at, die);
        if (parent) parent.children.push(die);
        else { this.rootDie = die; this.readUnitAttrs(die); }
        if (abbrev.hasChildren) {
          if (stack.length >= MAX_DEPTH) r.fail(`DIEs nested deeper than ${MAX_DEPTH} levels`, at);
          stack.push(die);
        } else if (!parent) {
          break;
        }
      }
    } catch (e) {
      this.warnings.caught(SECTION.info, r.pos, `unit at .debug_info+${hex(this.header.offset)}`, e);
    }
  }

  private readUnitAttrs(die: Die): void {
    const num = (at: number): number | undefined => {
      const a = die.attr(at);
      return a && typeof a.value === 'number' ? a.value : undefined;
    };
    this.addrBase = num(AT.addr_base) ?? num(AT.GNU_addr_base) ?? this.addrBase;
    this.strOffsetsBase = num(AT.str_offsets_base) ?? this.strOffsetsBase;
    this.rnglistsBase = num(AT.rnglists_base) ?? num(AT.GNU_ranges_base) ?? this.rnglistsBase;
    this.loclistsBase = num(AT.loclists_base) ?? this.loclistsBase;
    const low = die.attr(AT.low_pc);
    if (low) {
      try { this.baseAddress = this.address(low); } catch { /* reported when used */ }
    }
  }

  private readAttr(r: ByteReader, at: number, form: number, implicitConst: number | undefined): Attr {
    const h = this.header;
    let value: AttrValue;
    switch (form) {
      case FORM.addr: value = r.uN(h.addressSize); break;
      case FORM.data1: case FORM.ref1: case FORM.flag: case FORM.strx1: case FORM.addrx1: value = r.u8(); break;
      case FORM.data2: case FORM.ref2: case FORM.strx2: case FORM.addrx2: value = r.u16(); break;
      case FORM.strx3: case FORM.addrx3: value = r.u24(); break;
      case FORM.data4: case FORM.ref4: case FORM.strx4: case FORM.addrx4: case FORM.ref_sup4: value = r.u32(); break;
      case FORM.data8: case FORM.ref8: case FORM.ref_sup8: {
        const v = r.u64big();
        value = v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
        break;
      }
      case FORM.ref_sig8: value = r.u64big(); break;
      case FORM.data16: value = r.bytesN(16); break;
      case FORM.sdata: value = r.sleb(); break;
      case FORM.udata: case FORM.ref_udata: case FORM.strx: case FORM.addrx: case FORM.loclistx:
      case FORM.rnglistx: case FORM.GNU_addr_index: case FORM.GNU_str_index:
        value = r.uleb(); break;
      case FORM.string: value = r.cstring(); break;
      case FORM.strp: case FORM.line_strp: case FORM.sec_offset: case FORM.strp_sup:
      case FORM.GNU_ref_alt: case FORM.GNU_strp_alt:
        value = r.uN(h.offsetSize); break;
      case FORM.ref_addr: value = r.uN(h.version <= 2 ? h.addressSize : h.offsetSize); break;
      case FORM.exprloc: case FORM.block: value = r.bytesN(r.uleb()); break;
      case FORM.block1: value = r.bytesN(r.u8()); break;
      case FORM.block2: value = r.bytesN(r.u16()); break;
      case FORM.block4: value = r.bytesN(r.u32()); break;
      case FORM.flag_present: value = true; break;
      case FORM.implicit_const: value = implicitConst ?? 0; break;
      case FORM.indirect: {
        const actual = r.uleb();
        if (actual === FORM.indirect) r.fail('DW_FORM_indirect names DW_FORM_indirect');
        return this.readAttr(r, at, actual, implicitConst);
      }
      default: return r.fail(`unknown attribute form ${hex(form)} (attribute ${hex(at)})`);
    }
    if (form === FORM.flag) value = value !== 0;
    if (form === FORM.ref1 || form === FORM.ref2 || form === FORM.ref4 || form === FORM.ref8 || form === FORM.ref_udata) {
      value = h.offset + (value as number);
    }
    return { at, form, value };
  }

  // ---- attribute resolution -------------------------------------------------------------

  /** A string attribute's text (string, strp, line_strp, strx*). */
  string(a: Attr): string {
    switch (a.form) {
      case FORM.string: return a.value as string;
      case FORM.strp: return stringAt(this.sections.str, SECTION.str, a.value as number);
      case FORM.line_strp: return stringAt(this.sections.lineStr, SECTION.lineStr, a.value as number);
      case FORM.strx: case FORM.strx1: case FORM.strx2: case FORM.strx3: case FORM.strx4: case FORM.GNU_str_index: {
        const at = this.strOffsetsBase + (a.value as number) * this.offsetSize;
        const r = new ByteReader(this.sections.strOffsets, SECTION.strOffsets, at);
        if (at + this.offsetSize > this.sections.strOffsets.length) r.fail(`string index ${a.value as number} is outside .debug_str_offsets`, at);
        return stringAt(this.sections.str, SECTION.str, r.uN(this.offsetSize));
      }
      default: throw new DwarfFormatError(SECTION.info, 0, `attribute ${hex(a.at)} has form ${hex(a.form)}, not a string`);
    }
  }

  /** An address attribute (addr, addrx*). */
  address(a: Attr): number {
    switch (a.form) {
      case FORM.addr: return a.value as number;
      case FORM.addrx: case FORM.addrx1: case FORM.addrx2: case FORM.addrx3: case FORM.addrx4: case FORM.GNU_addr_index:
        return this.addressIndex(a.value as number);
      default:
        if (typeof a.value === 'number') return a.value;
        throw new DwarfFormatError(SECTION.info, 0, `attribute ${hex(a.at)} has form ${hex(a.form)}, not an address`);
    }
  }

  /** Entry `index` of this unit's .debug_addr table (DW_OP_addrx, DW_FORM_addrx, DW_LLE_*x). */
  addressIndex(index: number): number {
    const at = this.addrBase + index * this.addressSize;
    const r = new ByteReader(this.sections.addr, SECTION.addr, at);
    if (at + this.addressSize > this.sections.addr.length) r.fail(`address index ${index} (base ${hex(this.addrBase)}) is outside .debug_addr`, at);
    return r.uN(this.addressSize);
  }
}

/** Reads every unit header of .debug_info; a bad header ends the scan (later offsets are unknowable). */
export function readUnitHeaders(sections: DwarfSections, warnings: WarningSink): UnitHeader[] {
  const out: UnitHeader[] = [];
  const r = new ByteReader(sections.info, SECTION.info);
  while (r.remaining > 0) {
    const offset = r.pos;
    let end: number;
    let offsetSize: 4 | 8;
    try {
      ({ offsetSize, end } = r.initialLength('unit header'));
    } catch (e) {
      // Without a length the next unit cannot be found: stop here.
      warnings.caught(SECTION.info, offset, `unit header at ${hex(offset)}`, e);
      break;
    }
    try {
      const version = r.u16();
      if (version < 2 || version > 5) r.fail(`unit version ${version} is not supported (2-5)`, offset + offsetSize);
      let unitType: number = UT.compile;
      let addressSize: number;
      let abbrevOffset: number;
      if (version >= 5) {
        unitType = r.u8();
        addressSize = r.u8();
        abbrevOffset = r.uN(offsetSize);
        if (unitType === UT.skeleton || unitType === UT.split_compile) r.skip(8);
        else if (unitType === UT.type || unitType === UT.split_type) r.skip(8 + offsetSize);
      } else {
        abbrevOffset = r.uN(offsetSize);
        addressSize = r.u8();
      }
      if (addressSize !== 4 && addressSize !== 8 && addressSize !== 2) r.fail(`address size ${addressSize} is not supported`, offset);
      if (r.pos > end) r.fail('unit header is longer than the unit', offset);
      out.push({ offset, end, version, unitType, addressSize, offsetSize, abbrevOffset, firstDie: r.pos });
    } catch (e) {
      // The length was readable: skip just this unit.
      warnings.caught(SECTION.info, offset, `unit header at ${hex(offset)} (unit skipped)`, e);
    }
    r.pos = end;
  }
  return out;
}
