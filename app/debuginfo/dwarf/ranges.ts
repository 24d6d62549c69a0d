// Address ranges of DIEs (DWARF 5 section 2.17): DW_AT_low_pc/DW_AT_high_pc, DW_AT_ranges into
// .debug_rnglists (section 7.28, DWARF 5) or .debug_ranges (DWARF 2-4), and location lists
// (section 2.6.2) from .debug_loclists (7.29) or .debug_loc (DWARF 2-4). List readers stop at the
// end of the section, so a missing terminator cannot loop.

import { ByteReader } from '../util/byte-reader.js';
import { hex } from '../warnings.js';
import { AT, FORM, LLE, RLE } from './constants.js';
import { SECTION } from './sections.js';
import type { Attr, Die, Unit } from './unit.js';

export interface AddrRange {
  readonly start: number;
  /** Exclusive. */
  readonly end: number;
}

export interface LocListEntry {
  /** Section offset of the entry (for messages and comparisons with readelf). */
  readonly offset: number;
  readonly start: number;
  readonly end: number;
  readonly expr: Uint8Array;
}

export interface LocList {
  /** .debug_loclists or .debug_loc. */
  readonly section: string;
  readonly offset: number;
  readonly entries: readonly LocListEntry[];
  /** DW_LLE_default_location: used where no entry covers the pc. */
  readonly defaultExpr?: Uint8Array;
}

const MAX_ENTRIES = 100_000;

export function isAddressForm(form: number): boolean {
  return form === FORM.addr || form === FORM.addrx || form === FORM.addrx1 || form === FORM.addrx2 ||
    form === FORM.addrx3 || form === FORM.addrx4 || form === FORM.GNU_addr_index;
}

/** The ranges a DIE covers; [] when it has none. Throws DwarfFormatError on damaged lists. */
export function dieRanges(die: Die): AddrRange[] {
  const unit = die.unit;
  const low = die.attr(AT.low_pc);
  const high = die.attr(AT.high_pc);
  if (low && high) {
    const start = unit.address(low);
    const end = isAddressForm(high.form) ? unit.address(high) : start + Number(high.value);
    return end > start ? [{ start, end }] : [];
  }
  const ranges = die.attr(AT.ranges);
  if (ranges) return readRangeList(unit, ranges);
  return [];
}

/** The section offset a DW_AT_ranges / DW_AT_location attribute points to (resolving *listx). */
function listOffset(unit: Unit, a: Attr, base: number, table: Uint8Array, section: string): number {
  if (a.form === FORM.rnglistx || a.form === FORM.loclistx) {
    // DWARF 5 section 7.28/7.29: the offset array follows the table header; entries are relative to it.
    const at = base + (a.value as number) * unit.offsetSize;
    const r = new ByteReader(table, section, at);
    if (at + unit.offsetSize > table.length) r.fail(`list index ${a.value as number} (base ${hex(base)}) is outside the offset array`, at);
    return base + r.uN(unit.offsetSize);
  }
  return a.value as number;
}

export function readRangeList(unit: Unit, a: Attr): AddrRange[] {
  const out: AddrRange[] = [];
  const push = (start: number, end: number): void => { if (end > start) out.push({ start, end }); };
  if (unit.version >= 5) {
    const sec = unit.sections.rnglists;
    const offset = listOffset(unit, a, unit.rnglistsBase, sec, SECTION.rnglists);
    const r = new ByteReader(sec, SECTION.rnglists, offset);
    if (offset >= sec.length) r.fail(`range list offset ${hex(offset)} is outside the section (${sec.length} bytes)`, offset);
    let base = unit.baseAddress;
    const as = unit.addressSize;
    for (let n = 0; n < MAX_ENTRIES; n++) {
      const kind = r.u8();
      switch (kind) {
        case RLE.end_of_list: return out;
        case RLE.base_addressx: base = unit.addressIndex(r.uleb()); break;
        case RLE.startx_endx: { const s = unit.addressIndex(r.uleb()); push(s, unit.addressIndex(r.uleb())); break; }
        case RLE.startx_length: { const s = unit.addressIndex(r.uleb()); push(s, s + r.uleb()); break; }
        case RLE.offset_pair: { const s = r.uleb(); const e = r.uleb(); push(base + s, base + e); break; }
        case RLE.base_address: base = r.uN(as); break;
        case RLE.start_end: { const s = r.uN(as); push(s, r.uN(as)); break; }
        case RLE.start_length: { const s = r.uN(as); push(s, s + r.uleb()); break; }
        default: r.fail(`unknown range list entry kind ${kind}`, r.pos - 1);
      }
    }
    return out;
  }
  const sec = unit.sections.ranges;
  const offset = a.value as number;
  const r = new ByteReader(sec, SECTION.ranges, offset);
  if (offset >= sec.length) r.fail(`range list offset ${hex(offset)} is outside the section (${sec.length} bytes)`, offset);
  const as = unit.addressSize;
  const maxAddr = as === 8 ? Number.MAX_SAFE_INTEGER : 2 ** (8 * as) - 1;
  let base = unit.baseAddress;
  for (let n = 0; n < MAX_ENTRIES; n++) {
    const s = r.uN(as);
    const e = r.uN(as);
    if (s === 0 && e === 0) return out;
    if (s === maxAddr) { base = e; continue; }
    push(base + s, base + e);
  }
  return out;
}

/** A location list (DW_AT_location / DW_AT_frame_base with a list form). */
export function readLocList(unit: Unit, a: Attr): LocList {
  const entries: LocListEntry[] = [];
  let defaultExpr: Uint8Array | undefined;
  const as = unit.addressSize;
  if (unit.version >= 5) {
    const sec = unit.sections.loclists;
    const offset = listOffset(unit, a, unit.loclistsBase, sec, SECTION.loclists);
    const r = new ByteReader(sec, SECTION.loclists, offset);
    if (offset >= sec.length) r.fail(`location list offset ${hex(offset)} is outside the section (${sec.length} bytes)`, offset);
    let base = unit.baseAddress;
    const push = (at: number, start: number, end: number): void => {
      const expr = r.bytesN(r.uleb());
      entries.push({ offset: at, start, end, expr });
    };
    for (let n = 0; n < MAX_ENTRIES; n++) {
      const at = r.pos;
      const kind = r.u8();
      switch (kind) {
        case LLE.end_of_list: return { section: SECTION.loclists, offset, entries, defaultExpr };
        case LLE.base_addressx: base = unit.addressIndex(r.uleb()); break;
        case LLE.startx_endx: { const s = unit.addressIndex(r.uleb()); push(at, s, unit.addressIndex(r.uleb())); break; }
        case LLE.startx_length: { const s = unit.addressIndex(r.uleb()); push(at, s, s + r.uleb()); break; }
        case LLE.offset_pair: { const s = r.uleb(); const e = r.uleb(); push(at, base + s, base + e); break; }
        case LLE.default_location: defaultExpr = r.bytesN(r.uleb()); break;
        case LLE.base_address: base = r.uN(as); break;
        case LLE.start_end: { const s = r.uN(as); push(at, s, r.uN(as)); break; }
        case LLE.start_length: { const s = r.uN(as); push(at, s, s + r.uleb()); break; }
        case LLE.GNU_view_pair: r.uleb(); r.uleb(); break; // location views: not needed to find a value
        default: r.fail(`unknown location list entry kind ${kind}`, at);
      }
    }
    return { section: SECTION.loclists, offset, entries, defaultExpr };
  }
  const sec = unit.sections.loc;
  const offset = a.value as number;
  const r = new ByteReader(sec, SECTION.loc, offset);
  if (offset >= sec.length) r.fail(`location list offset ${hex(offset)} is outside the section (${sec.length} bytes)`, offset);
  const maxAddr = as === 8 ? Number.MAX_SAFE_INTEGER : 2 ** (8 * as) - 1;
  let base = unit.baseAddress;
  for (let n = 0; n < MAX_ENTRIES; n++) {
    const at = r.pos;
    const s = r.uN(as);
    const e = r.uN(as);
    if (s === 0 && e === 0) break;
    if (s === maxAddr) { base = e; continue; }
    const expr = r.bytesN(r.u16());
    entries.push({ offset: at, start: base + s, end: base + e, expr });
  }
  return { section: SECTION.loc, offset, entries, defaultExpr };
}

/** True when an attribute of DW_AT_location / DW_AT_frame_base refers to a location list. */
export function isLocListForm(unit: Unit, a: Attr): boolean {
  if (a.form === FORM.sec_offset || a.form === FORM.loclistx) return true;
  // DWARF 2-3: a data4/data8 location is a .debug_loc offset.
  return unit.version <= 3 && (a.form === FORM.data4 || a.form === FORM.data8);
}

export function rangesContain(ranges: readonly AddrRange[], addr: number): boolean {
  for (const r of ranges) if (addr >= r.start && addr < r.end) return true;
  return false;
}
