// Call frame information (DWARF 5 section 6.4): CIEs and FDEs from .debug_frame (6.4.1) and from
// .eh_frame (the LSB "Exception Frames" format: CIE id 0, relative CIE pointers, 'z'/'R'/'P'/'L'/'S'
// augmentations, DW_EH_PE_* pointer encodings), and the row for a pc by running the CFA
// instructions (6.4.2): advance_loc*, def_cfa*, offset*, val_offset*, restore*, undefined,
// same_value, register, (val_)expression, remember/restore_state, GNU_args_size.
// Each entry is read on its own; a damaged one is a warning and the rest still unwind.

import { ByteReader } from '../util/byte-reader.js';
import { DwarfFormatError, hex } from '../warnings.js';
import type { WarningSink } from '../warnings.js';

export type RegRule =
  | { readonly kind: 'undefined' }
  | { readonly kind: 'same' }
  /** Saved at CFA + offset. */
  | { readonly kind: 'offset'; readonly offset: number }
  /** The value is CFA + offset. */
  | { readonly kind: 'val-offset'; readonly offset: number }
  | { readonly kind: 'register'; readonly reg: number }
  | { readonly kind: 'expression'; readonly expr: Uint8Array }
  | { readonly kind: 'val-expression'; readonly expr: Uint8Array };

export type CfaRule =
  | { readonly kind: 'reg-offset'; readonly reg: number; readonly offset: number }
  | { readonly kind: 'expression'; readonly expr: Uint8Array };

export interface Cie {
  readonly section: string;
  readonly offset: number;
  readonly version: number;
  readonly augmentation: string;
  readonly addressSize: number;
  readonly codeAlign: number;
  readonly dataAlign: number;
  readonly raReg: number;
  readonly instructions: Uint8Array;
  /** .eh_frame 'R': how FDE addresses are encoded. */
  readonly fdeEncoding: number;
  readonly lsdaEncoding: number;
  readonly signalFrame: boolean;
}

export interface Fde {
  readonly section: string;
  readonly offset: number;
  readonly cie: Cie;
  readonly start: number;
  readonly end: number;
  readonly instructions: Uint8Array;
}

export interface CfiRow {
  /** First pc this row applies to; it applies up to the next row's location or the FDE end. */
  readonly location: number;
  readonly cfa: CfaRule;
  /** Rules by DWARF register number; registers not present are unspecified. */
  readonly regs: ReadonlyMap<number, RegRule>;
  readonly raReg: number;
}

const DW_EH_PE_omit = 0xff;
const MAX_STATE_DEPTH = 64;

export interface CfiSectionInput {
  readonly name: string;
  readonly data: Uint8Array;
  /** sh_addr of the section (pc-relative pointers in .eh_frame). */
  readonly addr: number;
  readonly isEh: boolean;
}

/** Reads CIEs and FDEs of one section. */
export function readCfiSection(input: CfiSectionInput, warnings: WarningSink, defaultAddressSize = 4): Fde[] {
  const { name, data, isEh } = input;
  const cies = new Map<number, Cie | null>();
  const fdes: Fde[] = [];
  const r = new ByteReader(data, name);

  const readCie = (offset: number): Cie | null => {
    if (cies.has(offset)) return cies.get(offset)!;
    let cie: Cie | null = null;
    try { cie = parseCie(input, offset, defaultAddressSize); } catch (e) {
      warnings.caught(name, offset, `CIE at ${hex(offset)}`, e);
    }
    cies.set(offset, cie);
    return cie;
  };

  while (r.remaining > 0) {
    const offset = r.pos;
    let end: number;
    let offsetSize: 4 | 8;
    try {
      const at = r.pos;
      const len = r.u32();
      if (len === 0) {
        if (isEh) break; // .eh_frame terminator
        r.fail('zero-length entry', at);
      }
      r.pos = at;
      ({ offsetSize, end } = r.initialLength('CFI entry'));
    } catch (e) {
      warnings.caught(name, offset, `CFI entry at ${hex(offset)}`, e);
      break;
    }
    try {
      const idPos = r.pos;
      const id = r.uN(offsetSize);
      const isCie = isEh ? id === 0 : (offsetSize === 4 ? id === 0xffffffff : id === Number.MAX_SAFE_INTEGER || id >= 2 ** 64 - 1);
      if (isCie) {
        readCie(offset);
      } else {
        const cieOffset = isEh ? idPos - id : id;
        const cie = readCie(cieOffset);
        if (!cie) throw new DwarfFormatError(name, offset, `FDE refers to CIE at ${hex(cieOffset)}, which is not readable`);
        const fr = new ByteReader(data, name, r.pos, end);
        const start = isEh ? readEncoded(fr, cie.fdeEncoding, input, cie.addressSize) : fr.uN(cie.addressSize);
        const length = isEh ? readEncoded(fr, cie.fdeEncoding & 0x0f, input, cie.addressSize) : fr.uN(cie.addressSize);
        if (cie.augmentation.startsWith('z')) fr.skip(fr.uleb());
        fdes.push({ section: name, offset, cie, start, end: start + length, instructions: data.subarray(fr.pos, end) });
      }
    } catch (e) {
      warnings.caught(name, offset, `CFI entry at ${hex(offset)}`, e);
    }
    r.pos = end;
  }
  return fdes;
}

function parseCie(input: CfiSectionInput, offset: number, defaultAddressSize: number): Cie {
  const r0 = new ByteReader(input.data, input.name, offset);
  const { offsetSize, end } = r0.initialLength('CIE');
  const r = new ByteReader(input.data, input.name, r0.pos, end);
  const id = r.uN(offsetSize);
  if (input.isEh ? id !== 0 : id !== 0xffffffff && offsetSize === 4) r.fail(`entry at ${hex(offset)} is not a CIE (id ${hex(id)})`, offset);
  const version = r.u8();
  if (version !== 1 && version !== 3 && version !== 4) r.fail(`CIE version ${version} is not supported (1, 3, 4)`, offset);
  const augmentation = r.cstring();
  let addressSize = defaultAddressSize;
  if (version >= 4) {
    addressSize = r.u8();
    r.u8(); // segment selector size
  }
  if (augmentation.includes('eh')) r.uN(addressSize); // GCC 2.x "eh" data
  const codeAlign = r.uleb();
  const dataAlign = r.sleb();
  const raReg = version === 1 ? r.u8() : r.uleb();
  let fdeEncoding = 0;
  let lsdaEncoding = DW_EH_PE_omit;
  let signalFrame = false;
  if (augmentation.startsWith('z')) {
    const len = r.uleb();
    const augEnd = r.pos + len;
    if (augEnd > end) r.fail('augmentation data runs past the end of the CIE', offset);
    for (const c of augmentation.slice(1)) {
      if (c === 'R') fdeEncoding = r.u8();
      else if (c === 'L') lsdaEncoding = r.u8();
      else if (c === 'P') { const enc = r.u8(); readEncoded(r, enc, input, addressSize); }
      else if (c === 'S') signalFrame = true;
      else break; // unknown: the length lets us skip the rest
    }
    r.pos = augEnd;
  } else if (augmentation !== '' && augmentation !== 'eh') {
    r.fail(`unknown CIE augmentation "${augmentation}" without 'z': instructions cannot be found`, offset);
  }
  return {
    section: input.name, offset, version, augmentation, addressSize, codeAlign, dataAlign, raReg,
    instructions: input.data.subarray(r.pos, end), fdeEncoding, lsdaEncoding, signalFrame,
  };
}

/** A DW_EH_PE_* encoded pointer (LSB 3.0 "DWARF Exception Header Encoding"). */
function readEncoded(r: ByteReader, enc: number, input: CfiSectionInput, addressSize: number): number {
  if (enc === DW_EH_PE_omit) return 0;
  const fieldAddr = input.addr + r.pos;
  let v: number;
  switch (enc & 0x0f) {
    case 0x00: v = r.uN(addressSize); break;
    case 0x01: v = r.uleb(); break;
    case 0x02: v = r.u16(); break;
    case 0x03: v = r.u32(); break;
    case 0x04: v = r.u64(); break;
    case 0x09: v = r.sleb(); break;
    case 0x0a: v = r.i16(); break;
    case 0x0b: v = r.i32(); break;
    case 0x0c: v = Number(BigInt.asIntN(64, r.u64big())); break;
    default: return r.fail(`unsupported pointer encoding 0x${enc.toString(16)}`);
  }
  switch (enc & 0x70) {
    case 0x00: break;
    case 0x10: v += fieldAddr; break; // pcrel
    default: r.fail(`unsupported pointer application 0x${(enc & 0x70).toString(16)}`);
  }
  if (enc & 0x80) r.fail('indirect pointers (DW_EH_PE_indirect) are not supported');
  return addressSize === 4 ? v >>> 0 : v;
}

/**
 * Runs an FDE's instructions and returns its rows (the table readelf --debug-dump=frames-interp
 * prints), stopping after the row that covers `untilPc` if given.
 */
export function cfiRows(fde: Fde, input: CfiSectionInput | null, untilPc?: number): CfiRow[] {
  const cie = fde.cie;
  let cfa: CfaRule = { kind: 'reg-offset', reg: 0, offset: 0 };
  let regs = new Map<number, RegRule>();
  let initialRegs = new Map<number, RegRule>();
  let location = fde.start;
  const rows: CfiRow[] = [];
  const stack: Array<{ cfa: CfaRule; regs: Map<number, RegRule> }> = [];

  const exec = (code: Uint8Array, isInitial: boolean): boolean => {
    const r = new ByteReader(code, fde.section);
    const da = cie.dataAlign;
    while (!r.atEnd) {
      const at = r.pos;
      const byte = r.u8();
      const high = byte & 0xc0;
      const low = byte & 0x3f;
      let advanceTo: number | null = null;
      if (high === 0x40) advanceTo = location + low * cie.codeAlign;
      else if (high === 0x80) regs.set(low, { kind: 'offset', offset: r.uleb() * da });
      else if (high === 0xc0) restore(low);
      else {
        switch (byte) {
          case 0x00: break; // nop
          case 0x01: advanceTo = input?.isEh ? readEncoded(r, cie.fdeEncoding, input, cie.addressSize) : r.uN(cie.addressSize); break;
          case 0x02: advanceTo = location + r.u8() * cie.codeAlign; break;
          case 0x03: advanceTo = location + r.u16() * cie.codeAlign; break;
          case 0x04: advanceTo = location + r.u32() * cie.codeAlign; break;
          case 0x05: { const reg = r.uleb(); regs.set(reg, { kind: 'offset', offset: r.uleb() * da }); break; }
          case 0x06: restore(r.uleb()); break;
          case 0x07: regs.set(r.uleb(), { kind: 'undefined' }); break;
          case 0x08: regs.set(r.uleb(), { kind: 'same' }); break;
          case 0x09: { const reg = r.uleb(); regs.set(reg, { kind: 'register', reg: r.uleb() }); break; }
          case 0x0a:
            if (stack.length >= MAX_STATE_DEPTH) r.fail(`DW_CFA_remember_state nested deeper than ${MAX_STATE_DEPTH}`, at);
            stack.push({ cfa, regs: new Map(regs) });
            break;
          case 0x0b: {
            const s = stack.pop();
            if (!s) throw new DwarfFormatError(fde.section, at, 'DW_CFA_restore_state without DW_CFA_remember_state');
            cfa = s.cfa; regs = s.regs;
            break;
          }
          case 0x0c: { const reg = r.uleb(); cfa = { kind: 'reg-offset', reg, offset: r.uleb() }; break; }
          case 0x0d: {
            const reg = r.uleb();
            cfa = { kind: 'reg-offset', reg, offset: cfa.kind === 'reg-offset' ? cfa.offset : 0 };
            break;
          }
          case 0x0e: cfa = { kind: 'reg-offset', reg: cfa.kind === 'reg-offset' ? cfa.reg : 0, offset: r.uleb() }; break;
          case 0x0f: cfa = { kind: 'expression', expr: r.bytesN(r.uleb()) }; break;
          case 0x10: { const reg = r.uleb(); regs.set(reg, { kind: 'expression', expr: r.bytesN(r.uleb()) }); break; }
          case 0x11: { const reg = r.uleb(); regs.set(reg, { kind: 'offset', offset: r.sleb() * da }); break; }
          case 0x12: { const reg = r.uleb(); cfa = { kind: 'reg-offset', reg, offset: r.sleb() * da }; break; }
          case 0x13: cfa = { kind: 'reg-offset', reg: cfa.kind === 'reg-offset' ? cfa.reg : 0, offset: r.sleb() * da }; break;
          case 0x14: { const reg = r.uleb(); regs.set(reg, { kind: 'val-offset', offset: r.uleb() * da }); break; }
          case 0x15: { const reg = r.uleb(); regs.set(reg, { kind: 'val-offset', offset: r.sleb() * da }); break; }
          case 0x16: { const reg = r.uleb(); regs.set(reg, { kind: 'val-expression', expr: r.bytesN(r.uleb()) }); break; }
          case 0x2d: break; // DW_CFA_GNU_window_save (SPARC): nothing on RISC-V
          case 0x2e: r.uleb(); break; // DW_CFA_GNU_args_size: only matters for exception handling
          case 0x2f: { const reg = r.uleb(); regs.set(reg, { kind: 'offset', offset: -r.uleb() * da }); break; }
          default: r.fail(`unknown CFA instruction 0x${byte.toString(16)}`, at);
        }
      }
      if (advanceTo !== null) {
        if (isInitial) r.fail('advance in CIE initial instructions', at);
        if (advanceTo < location) r.fail(`CFA instruction moves the location backwards (${hex(location)} -> ${hex(advanceTo)})`, at);
        if (advanceTo !== location) {
          rows.push({ location, cfa, regs: new Map(regs), raReg: cie.raReg });
          if (untilPc !== undefined && advanceTo > untilPc) return false;
          location = advanceTo;
        }
      }
    }
    return true;
  };
  const restore = (reg: number): void => {
    const init = initialRegs.get(reg);
    if (init) regs.set(reg, init); else regs.delete(reg);
  };

  exec(cie.instructions, true);
  initialRegs = new Map(regs);
  if (exec(fde.instructions, false)) rows.push({ location, cfa, regs: new Map(regs), raReg: cie.raReg });
  // Rows at or past the end of the FDE do not apply to any pc in it.
  return rows.filter((row, i) => i === 0 || row.location < fde.end);
}

/** All FDEs of .debug_frame and .eh_frame, with lookup by pc. */
export class CallFrameInfo {
  private readonly sorted: Fde[];
  private readonly inputs = new Map<string, CfiSectionInput>();

  constructor(sections: readonly CfiSectionInput[], readonly warnings: WarningSink) {
    const all: Fde[] = [];
    for (const s of sections) {
      if (s.data.length === 0) continue;
      this.inputs.set(s.name, s);
      all.push(...readCfiSection(s, warnings));
    }
    // .debug_frame first: where both describe a pc, either will do; keep a stable order.
    this.sorted = all.filter((f) => f.end > f.start).sort((a, b) => a.start - b.start);
  }

  get fdes(): readonly Fde[] { return this.sorted; }

  fdeFor(pc: number): Fde | undefined {
    const list = this.sorted;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) { const mid = (lo + hi) >>> 1; if (list[mid]!.start <= pc) lo = mid + 1; else hi = mid; }
    for (let i = lo - 1; i >= 0 && i >= lo - 8; i--) if (pc < list[i]!.end) return list[i];
    return undefined;
  }

  /** The unwind rules in effect at `pc`, or null where no FDE covers it or its instructions are damaged. */
  rowFor(pc: number): CfiRow | null {
    const fde = this.fdeFor(pc);
    if (!fde) return null;
    try {
      const rows = cfiRows(fde, this.inputs.get(fde.section) ?? null, pc);
      let best: CfiRow | null = null;
      for (const row of rows) if (row.location <= pc) best = row;
      return best;
    } catch (e) {
      this.warnings.caught(fde.section, fde.offset, `FDE at ${hex(fde.offset)}`, e);
      return null;
    }
  }

  /** All rows of an FDE (for inspection and tests). */
  rowsOf(fde: Fde): CfiRow[] {
    return cfiRows(fde, this.inputs.get(fde.section) ?? null);
  }
}
