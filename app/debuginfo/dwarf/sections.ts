// The DWARF sections of one ELF, by role. A missing section is an empty array, so readers need no
// special cases; `names` keeps the section names for messages.

import type { ElfFile } from '../elf/elf-file.js';

export interface DwarfSections {
  readonly info: Uint8Array;
  readonly abbrev: Uint8Array;
  readonly str: Uint8Array;
  readonly lineStr: Uint8Array;
  readonly line: Uint8Array;
  readonly addr: Uint8Array;
  readonly strOffsets: Uint8Array;
  readonly rnglists: Uint8Array;
  readonly loclists: Uint8Array;
  /** DWARF 2-4 range and location lists. */
  readonly ranges: Uint8Array;
  readonly loc: Uint8Array;
  readonly frame: Uint8Array;
  readonly ehFrame: Uint8Array;
  /** sh_addr of .eh_frame (its pc-relative pointers are relative to it). */
  readonly ehFrameAddr: number;
}

export const SECTION = {
  info: '.debug_info', abbrev: '.debug_abbrev', str: '.debug_str', lineStr: '.debug_line_str',
  line: '.debug_line', addr: '.debug_addr', strOffsets: '.debug_str_offsets', rnglists: '.debug_rnglists',
  loclists: '.debug_loclists', ranges: '.debug_ranges', loc: '.debug_loc', frame: '.debug_frame',
  ehFrame: '.eh_frame',
} as const;

const EMPTY = new Uint8Array(0);

export function dwarfSections(elf: ElfFile | null): DwarfSections {
  const get = (name: string): Uint8Array => elf?.section(name)?.data ?? EMPTY;
  return {
    info: get(SECTION.info), abbrev: get(SECTION.abbrev), str: get(SECTION.str), lineStr: get(SECTION.lineStr),
    line: get(SECTION.line), addr: get(SECTION.addr), strOffsets: get(SECTION.strOffsets),
    rnglists: get(SECTION.rnglists), loclists: get(SECTION.loclists), ranges: get(SECTION.ranges),
    loc: get(SECTION.loc), frame: get(SECTION.frame), ehFrame: get(SECTION.ehFrame),
    ehFrameAddr: elf?.section(SECTION.ehFrame)?.addr ?? 0,
  };
}
