// DWARF constants used by the readers (DWARF 5 section 7: data representation; tables 7.3 - 7.30),
// plus the GNU extensions GCC 12 emits. Only what the readers need is named.

/** DW_TAG_* (DWARF 5 table 7.3). */
export const TAG = {
  array_type: 0x01, class_type: 0x02, entry_point: 0x03, enumeration_type: 0x04, formal_parameter: 0x05,
  label: 0x0a, lexical_block: 0x0b, member: 0x0d, pointer_type: 0x0f, reference_type: 0x10,
  compile_unit: 0x11, structure_type: 0x13, subroutine_type: 0x15, typedef: 0x16, union_type: 0x17,
  unspecified_parameters: 0x18, variant: 0x19, inlined_subroutine: 0x1d, subrange_type: 0x21,
  base_type: 0x24, const_type: 0x26, enumerator: 0x28, subprogram: 0x2e, variable: 0x34,
  volatile_type: 0x35, restrict_type: 0x37, namespace: 0x39, partial_unit: 0x3c, unspecified_type: 0x3b,
  type_unit: 0x41, rvalue_reference_type: 0x42, atomic_type: 0x47, call_site: 0x48,
  call_site_parameter: 0x49, skeleton_unit: 0x4a, GNU_call_site: 0x4109, GNU_call_site_parameter: 0x410a,
} as const;

/** DW_AT_* (DWARF 5 table 7.5). */
export const AT = {
  sibling: 0x01, location: 0x02, name: 0x03, byte_size: 0x0b, stmt_list: 0x10, low_pc: 0x11,
  high_pc: 0x12, language: 0x13, comp_dir: 0x1b, const_value: 0x1c, inline: 0x20, producer: 0x25,
  prototyped: 0x27, lower_bound: 0x22, count: 0x37, upper_bound: 0x2f, abstract_origin: 0x31,
  bit_size: 0x0d, bit_offset: 0x0c, data_member_location: 0x38, decl_file: 0x3a, decl_line: 0x3b,
  declaration: 0x3c, encoding: 0x3e, external: 0x3f, frame_base: 0x40, specification: 0x47,
  type: 0x49, ranges: 0x55, data_bit_offset: 0x6b, entry_pc: 0x52, call_column: 0x57, call_file: 0x58,
  call_line: 0x59, linkage_name: 0x6e, decl_column: 0x39, str_offsets_base: 0x72, addr_base: 0x73,
  rnglists_base: 0x74, loclists_base: 0x8c, call_return_pc: 0x7d, call_value: 0x7e, call_origin: 0x7f,
  call_parameter: 0x80, call_pc: 0x81, call_target: 0x83, MIPS_linkage_name: 0x2007,
  GNU_locviews: 0x2137, GNU_entry_view: 0x2138, GNU_call_site_value: 0x2111, GNU_call_site_target: 0x2113,
  GNU_ranges_base: 0x2132, GNU_addr_base: 0x2133, GNU_dwo_id: 0x2131,
} as const;

/** DW_FORM_* (DWARF 5 table 7.6). */
export const FORM = {
  addr: 0x01, block2: 0x03, block4: 0x04, data2: 0x05, data4: 0x06, data8: 0x07, string: 0x08,
  block: 0x09, block1: 0x0a, data1: 0x0b, flag: 0x0c, sdata: 0x0d, strp: 0x0e, udata: 0x0f,
  ref_addr: 0x10, ref1: 0x11, ref2: 0x12, ref4: 0x13, ref8: 0x14, ref_udata: 0x15, indirect: 0x16,
  sec_offset: 0x17, exprloc: 0x18, flag_present: 0x19, strx: 0x1a, addrx: 0x1b, ref_sup4: 0x1c,
  strp_sup: 0x1d, data16: 0x1e, line_strp: 0x1f, ref_sig8: 0x20, implicit_const: 0x21,
  loclistx: 0x22, rnglistx: 0x23, ref_sup8: 0x24, strx1: 0x25, strx2: 0x26, strx3: 0x27, strx4: 0x28,
  addrx1: 0x29, addrx2: 0x2a, addrx3: 0x2b, addrx4: 0x2c,
  GNU_addr_index: 0x1f01, GNU_str_index: 0x1f02, GNU_ref_alt: 0x1f20, GNU_strp_alt: 0x1f21,
} as const;

/** DW_ATE_* base type encodings (table 7.11). */
export const ATE = {
  address: 0x1, boolean: 0x2, complex_float: 0x3, float: 0x4, signed: 0x5, signed_char: 0x6,
  unsigned: 0x7, unsigned_char: 0x8, UTF: 0x10,
} as const;

/** DW_UT_* unit types (table 7.2). */
export const UT = { compile: 1, type: 2, partial: 3, skeleton: 4, split_compile: 5, split_type: 6 } as const;

/** DW_LNS_*, DW_LNE_*, DW_LNCT_* (tables 7.25 - 7.27). */
export const LNS = {
  copy: 1, advance_pc: 2, advance_line: 3, set_file: 4, set_column: 5, negate_stmt: 6,
  set_basic_block: 7, const_add_pc: 8, fixed_advance_pc: 9, set_prologue_end: 10,
  set_epilogue_begin: 11, set_isa: 12,
} as const;
export const LNE = { end_sequence: 1, set_address: 2, define_file: 3, set_discriminator: 4 } as const;
export const LNCT = { path: 1, directory_index: 2, timestamp: 3, size: 4, MD5: 5 } as const;

/** DW_RLE_* and DW_LLE_* (tables 7.30, 7.10). */
export const RLE = {
  end_of_list: 0, base_addressx: 1, startx_endx: 2, startx_length: 3, offset_pair: 4,
  base_address: 5, start_end: 6, start_length: 7,
} as const;
export const LLE = {
  end_of_list: 0, base_addressx: 1, startx_endx: 2, startx_length: 3, offset_pair: 4,
  default_location: 5, base_address: 6, start_end: 7, start_length: 8, GNU_view_pair: 9,
} as const;

/** DW_INL_* (table 7.20). */
export const INL = { not_inlined: 0, inlined: 1, declared_not_inlined: 2, declared_inlined: 3 } as const;

/** RISC-V DWARF register numbers (psABI "DWARF Register Numbers"): 0-31 are x0-x31. */
export const RISCV_REG_NAMES = [
  'zero', 'ra', 'sp', 'gp', 'tp', 't0', 't1', 't2', 's0', 's1', 'a0', 'a1', 'a2', 'a3', 'a4', 'a5',
  'a6', 'a7', 's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9', 's10', 's11', 't3', 't4', 't5', 't6',
] as const;

export function regName(n: number): string {
  if (n >= 0 && n < 32) return RISCV_REG_NAMES[n]!;
  if (n >= 32 && n < 64) return `f${n - 32}`;
  return `r${n}`;
}
