// Range and location list entry kinds that GCC 12 does not emit for these firmware ELFs
// (offset pairs, base addresses, indexed addresses, *listx forms, DWARF 4 base selection).
import { describe, expect, it } from 'vitest';
import { FORM, LLE, RLE } from './constants.js';
import { readLocList, readRangeList } from './ranges.js';
import { Unit } from './unit.js';
import type { UnitHeader } from './unit.js';
import type { DwarfSections } from './sections.js';
import { WarningSink } from '../warnings.js';

const E = new Uint8Array(0);
const le32 = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];

function unit(version: number, parts: Partial<DwarfSections>, bases: { addr?: number; rng?: number; loc?: number; base?: number } = {}): Unit {
  const sections: DwarfSections = {
    info: E, abbrev: E, str: E, lineStr: E, line: E, addr: E, strOffsets: E, rnglists: E, loclists: E, ranges: E, loc: E,
    frame: E, ehFrame: E, ehFrameAddr: 0, ...parts,
  };
  const header: UnitHeader = { offset: 0, end: 0, version, unitType: 1, addressSize: 4, offsetSize: 4, abbrevOffset: 0, firstDie: 0 };
  const u = new Unit(header, sections, new WarningSink(), { dieAt: () => undefined });
  u.addrBase = bases.addr ?? 0;
  u.rnglistsBase = bases.rng ?? 0;
  u.loclistsBase = bases.loc ?? 0;
  u.baseAddress = bases.base ?? 0;
  return u;
}

describe('range lists', () => {
  it('reads every DW_RLE kind (DWARF 5 section 2.17.3), with indexed addresses from .debug_addr', () => {
    const addr = Uint8Array.from([...le32(0), ...le32(0x1000), ...le32(0x2000), ...le32(0x3000)]); // base 4: entries 0x1000, 0x2000, 0x3000
    const list = [
      RLE.offset_pair, 0x10, 0x20, // base = unit base 0x8000 -> [0x8010, 0x8020)
      RLE.base_addressx, 0, // base = 0x1000
      RLE.offset_pair, 0x4, 0x8,
      RLE.startx_endx, 1, 2, // [0x2000, 0x3000)
      RLE.startx_length, 2, 0x10,
      RLE.base_address, ...le32(0x9000),
      RLE.offset_pair, 1, 2,
      RLE.start_end, ...le32(0xa000), ...le32(0xa100),
      RLE.start_length, ...le32(0xb000), 0x80, 0x01, // length 128
      RLE.offset_pair, 5, 5, // empty: dropped
      RLE.end_of_list,
    ];
    const rng = Uint8Array.from([...le32(4), ...list]); // a 4-byte offset array (one list, at 4 from the base)
    const u = unit(5, { addr, rnglists: rng }, { addr: 4, rng: 0, base: 0x8000 });
    const expected = [
      { start: 0x8010, end: 0x8020 }, { start: 0x1004, end: 0x1008 }, { start: 0x2000, end: 0x3000 }, { start: 0x3000, end: 0x3010 },
      { start: 0x9001, end: 0x9002 }, { start: 0xa000, end: 0xa100 }, { start: 0xb000, end: 0xb080 },
    ];
    expect(readRangeList(u, { at: 0x55, form: FORM.sec_offset, value: 4 })).toEqual(expected);
    expect(readRangeList(u, { at: 0x55, form: FORM.rnglistx, value: 0 })).toEqual(expected);
  });

  it('reads DWARF 4 .debug_ranges with base address selection entries', () => {
    const ranges = Uint8Array.from([...le32(0x10), ...le32(0x20), ...le32(0xffffffff), ...le32(0x5000), ...le32(1), ...le32(3), 0, 0, 0, 0, 0, 0, 0, 0]);
    const u = unit(4, { ranges }, { base: 0x100 });
    expect(readRangeList(u, { at: 0x55, form: FORM.sec_offset, value: 0 })).toEqual([{ start: 0x110, end: 0x120 }, { start: 0x5001, end: 0x5003 }]);
  });

  it('reports a list that runs off the section or uses an unknown kind', () => {
    const u = unit(5, { rnglists: Uint8Array.from([RLE.start_end, 1, 2]) });
    expect(() => readRangeList(u, { at: 0x55, form: FORM.sec_offset, value: 0 })).toThrow('.debug_rnglists+0x1: truncated');
    const v = unit(5, { rnglists: Uint8Array.from([0x42]) });
    expect(() => readRangeList(v, { at: 0x55, form: FORM.sec_offset, value: 0 })).toThrow('.debug_rnglists+0x0: unknown range list entry kind 66');
  });
});

describe('location lists', () => {
  it('reads every DW_LLE kind (DWARF 5 section 2.6.2), including the default location', () => {
    const addr = Uint8Array.from([...le32(0x1000), ...le32(0x2000)]);
    const loc = Uint8Array.from([
      LLE.offset_pair, 0x10, 0x20, 1, 0x50, // [base+0x10, base+0x20): DW_OP_reg0
      LLE.base_addressx, 1,
      LLE.offset_pair, 0, 4, 1, 0x51,
      LLE.startx_endx, 0, 1, 1, 0x52,
      LLE.startx_length, 0, 8, 1, 0x53,
      LLE.default_location, 1, 0x54,
      LLE.base_address, ...le32(0x7000),
      LLE.start_end, ...le32(0x7100), ...le32(0x7200), 1, 0x55,
      LLE.start_length, ...le32(0x7300), 4, 1, 0x56,
      LLE.GNU_view_pair, 1, 2,
      LLE.end_of_list,
    ]);
    const list = readLocList(unit(5, { addr, loclists: loc }, { base: 0x100 }), { at: 2, form: FORM.sec_offset, value: 0 });
    expect(list.entries.map((e) => [e.start, e.end, e.expr[0]])).toEqual([
      [0x110, 0x120, 0x50], [0x2000, 0x2004, 0x51], [0x1000, 0x2000, 0x52], [0x1000, 0x1008, 0x53], [0x7100, 0x7200, 0x55], [0x7300, 0x7304, 0x56],
    ]);
    expect(list.defaultExpr).toEqual(Uint8Array.from([0x54]));
  });

  it('reads DWARF 4 .debug_loc: pairs relative to the unit base, 2-byte expression lengths', () => {
    const loc = Uint8Array.from([...le32(0), ...le32(4), 1, 0, 0x5a, ...le32(0xffffffff), ...le32(0x9000), ...le32(8), ...le32(12), 2, 0, 0x91, 0x7c, 0, 0, 0, 0, 0, 0, 0, 0]);
    const list = readLocList(unit(4, { loc }, { base: 0x100 }), { at: 2, form: FORM.sec_offset, value: 0 });
    expect(list.entries.map((e) => [e.offset, e.start, e.end, [...e.expr]])).toEqual([[0, 0x100, 0x104, [0x5a]], [19, 0x9008, 0x900c, [0x91, 0x7c]]]);
  });
});
