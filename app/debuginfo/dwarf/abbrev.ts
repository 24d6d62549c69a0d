// Abbreviation tables (.debug_abbrev, DWARF 5 section 7.5.3): per unit, a map from abbreviation
// code to tag, children flag and attribute specs (attribute, form, implicit constant).

import { ByteReader } from '../util/byte-reader.js';
import { SECTION } from './sections.js';
import { FORM } from './constants.js';

export interface AttrSpec {
  readonly at: number;
  readonly form: number;
  /** DW_FORM_implicit_const: the value lives here, not in .debug_info. */
  readonly implicitConst?: number;
}

export interface Abbrev {
  readonly code: number;
  readonly tag: number;
  readonly hasChildren: boolean;
  readonly specs: readonly AttrSpec[];
}

/** Parses the table at `offset`. Throws DwarfFormatError (caught per unit) on damage. */
export function parseAbbrevTable(section: Uint8Array, offset: number): Map<number, Abbrev> {
  const r = new ByteReader(section, SECTION.abbrev, offset);
  if (offset >= section.length) r.fail(`abbreviation table offset 0x${offset.toString(16)} is outside the section (${section.length} bytes)`, offset);
  const table = new Map<number, Abbrev>();
  for (;;) {
    const at = r.pos;
    const code = r.uleb();
    if (code === 0) break;
    const tag = r.uleb();
    const children = r.u8();
    if (children > 1) r.fail(`abbreviation ${code}: children flag ${children} (expected 0 or 1)`, at);
    const specs: AttrSpec[] = [];
    for (;;) {
      const name = r.uleb();
      const form = r.uleb();
      if (name === 0 && form === 0) break;
      if (form === FORM.implicit_const) specs.push({ at: name, form, implicitConst: r.sleb() });
      else specs.push({ at: name, form });
    }
    if (table.has(code)) r.fail(`abbreviation code ${code} defined twice`, at);
    table.set(code, { code, tag, hasChildren: children === 1, specs });
  }
  return table;
}
