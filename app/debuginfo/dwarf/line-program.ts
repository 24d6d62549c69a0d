// Line number programs (.debug_line, DWARF 5 section 6.2; DWARF 2-4 headers too): the header
// (section 6.2.4, with DWARF 5 directory/file entry formats) and the state machine
// (6.2.2, 6.2.5) that turns the opcodes into rows. Each program is read on its own: a damaged
// one is reported and skipped by its unit_length, and the others still load.

import { ByteReader, stringAt } from '../util/byte-reader.js';
import type { WarningSink } from '../warnings.js';
import { hex } from '../warnings.js';
import { FORM, LNCT, LNE, LNS } from './constants.js';
import { SECTION } from './sections.js';
import type { DwarfSections } from './sections.js';

export interface LineFile {
  /** The file as a debugger shows it: the name joined to its directory unless that is the compilation directory. */
  readonly path: string;
  readonly name: string;
  readonly dir: string;
}

export interface LineRow {
  readonly address: number;
  /** Index into the program's `files`. */
  readonly file: number;
  readonly line: number;
  readonly column: number;
  readonly isStmt: boolean;
  readonly endSequence: boolean;
  readonly prologueEnd: boolean;
  readonly discriminator: number;
}

export interface LineProgram {
  /** Offset of the program in .debug_line (what DW_AT_stmt_list holds). */
  readonly offset: number;
  readonly version: number;
  /**
   * Indexed by the file register. DWARF 5 numbers files from 0; DWARF 2-4 from 1, so entry 0 of
   * a DWARF 2-4 program is a placeholder naming the primary source file when it is known.
   */
  readonly files: readonly LineFile[];
  /** Rows in program order; each sequence ends with an endSequence row. */
  readonly rows: readonly LineRow[];
}

const MAX_ROWS = 5_000_000;

/** Reads every line program in .debug_line, in section order. */
export function readLinePrograms(sections: DwarfSections, warnings: WarningSink,
  compDirs: ReadonlyMap<number, string> = new Map()): LineProgram[] {
  const out: LineProgram[] = [];
  const sec = sections.line;
  const r = new ByteReader(sec, SECTION.line);
  while (r.remaining > 0) {
    const offset = r.pos;
    let end: number;
    try {
      ({ end } = r.initialLength('line program header'));
    } catch (e) {
      warnings.caught(SECTION.line, offset, `line program at ${hex(offset)}`, e);
      break;
    }
    try {
      r.pos = offset;
      out.push(readLineProgram(sections, offset, compDirs.get(offset) ?? '', warnings));
    } catch (e) {
      warnings.caught(SECTION.line, offset, `line program at ${hex(offset)}`, e);
    }
    r.pos = end;
  }
  return out;
}

interface EntryFormat { readonly type: number; readonly form: number }

export function readLineProgram(sections: DwarfSections, offset: number, compDir: string, warnings: WarningSink): LineProgram {
  const sec = sections.line;
  const hdr = new ByteReader(sec, SECTION.line, offset);
  const { offsetSize, end } = hdr.initialLength('line program header');
  const r = new ByteReader(sec, SECTION.line, hdr.pos, end);
  const version = r.u16();
  if (version < 2 || version > 5) r.fail(`line program version ${version} is not supported (2-5)`, offset);
  let addressSize = 4;
  if (version >= 5) {
    addressSize = r.u8();
    r.u8(); // segment selector size
  }
  const headerLength = r.uN(offsetSize);
  const programStart = r.pos + headerLength;
  if (programStart > end) r.fail(`header_length ${headerLength} runs past the end of the program`, offset);
  const minInst = r.u8();
  const maxOps = version >= 4 ? r.u8() : 1;
  const defaultIsStmt = r.u8() !== 0;
  const lineBase = r.i8();
  const lineRange = r.u8();
  const opcodeBase = r.u8();
  if (lineRange === 0) r.fail('line_range is 0', offset);
  if (maxOps === 0) r.fail('maximum_operations_per_instruction is 0', offset);
  const opLengths: number[] = [0];
  for (let i = 1; i < opcodeBase; i++) opLengths.push(r.u8());

  const dirs: string[] = [];
  const files: LineFile[] = [];
  const join = (dir: string, name: string): string =>
    name.startsWith('/') || dir === '' ? name : dir.endsWith('/') ? dir + name : `${dir}/${name}`;
  if (version >= 5) {
    const readFormats = (): EntryFormat[] => {
      const n = r.u8();
      const list: EntryFormat[] = [];
      for (let i = 0; i < n; i++) list.push({ type: r.uleb(), form: r.uleb() });
      return list;
    };
    const readEntries = (formats: EntryFormat[]): Array<{ path: string; dir: number }> => {
      const count = r.uleb();
      const list: Array<{ path: string; dir: number }> = [];
      // Each entry takes at least one byte per format: a count beyond the bytes left is damage.
      if (formats.length > 0 && count > r.remaining) r.fail(`${count} directory/file entries cannot fit in the header`);
      for (let i = 0; i < count; i++) {
        let path = '';
        let dir = 0;
        for (const f of formats) {
          const v = readForm(r, f.form, offsetSize, sections);
          if (f.type === LNCT.path && typeof v === 'string') path = v;
          else if (f.type === LNCT.directory_index && typeof v === 'number') dir = v;
        }
        list.push({ path, dir });
      }
      return list;
    };
    const dirFormats = readFormats();
    for (const d of readEntries(dirFormats)) dirs.push(d.path);
    const fileFormats = readFormats();
    for (const f of readEntries(fileFormats)) {
      // Directory 0 is the compilation directory: names relative to it are shown as they are.
      const dir = dirs[f.dir] ?? '';
      files.push({ path: f.dir === 0 ? f.path : join(dir, f.path), name: f.path, dir });
    }
  } else {
    dirs.push(compDir);
    while (r.pos < programStart) {
      const d = r.cstring();
      if (d === '') break;
      dirs.push(d);
    }
    files.push({ path: '', name: '', dir: compDir }); // DWARF 2-4 file numbers start at 1
    while (r.pos < programStart) {
      const name = r.cstring();
      if (name === '') break;
      const dirIndex = r.uleb();
      r.uleb(); r.uleb(); // mtime, length
      files.push({ path: dirIndex === 0 ? name : join(dirs[dirIndex] ?? '', name), name, dir: dirs[dirIndex] ?? '' });
    }
  }

  // The state machine (section 6.2.2).
  r.pos = programStart;
  const rows: LineRow[] = [];
  let address = 0, opIndex = 0, file = 1, line = 1, column = 0, isStmt = defaultIsStmt;
  let prologueEnd = false, discriminator = 0;
  const reset = (): void => {
    address = 0; opIndex = 0; file = 1; line = 1; column = 0; isStmt = defaultIsStmt;
    prologueEnd = false; discriminator = 0;
  };
  const emit = (endSequence: boolean): void => {
    if (rows.length >= MAX_ROWS) r.fail(`more than ${MAX_ROWS} rows`);
    rows.push({ address: address >>> 0, file, line, column, isStmt, endSequence, prologueEnd, discriminator });
    discriminator = 0;
    prologueEnd = false;
  };
  const advance = (operationAdvance: number): void => {
    if (maxOps === 1) { address += minInst * operationAdvance; return; }
    address += minInst * Math.floor((opIndex + operationAdvance) / maxOps);
    opIndex = (opIndex + operationAdvance) % maxOps;
  };
  let lastSequenceEnd = true;
  while (r.pos < end) {
    const op = r.u8();
    if (op >= opcodeBase) {
      const adj = op - opcodeBase;
      advance(Math.floor(adj / lineRange));
      line += lineBase + (adj % lineRange);
      emit(false);
      lastSequenceEnd = false;
    } else if (op === 0) {
      const len = r.uleb();
      const at = r.pos;
      if (len === 0 || at + len > end) r.fail(`extended opcode length ${len} runs past the end of the program`, at);
      const sub = r.u8();
      switch (sub) {
        case LNE.end_sequence:
          emit(true);
          lastSequenceEnd = true;
          reset();
          break;
        case LNE.set_address: address = r.uN(len - 1 <= 8 ? len - 1 : addressSize); opIndex = 0; break;
        case LNE.define_file: {
          const name = r.cstring();
          const dirIndex = r.uleb();
          r.uleb(); r.uleb();
          files.push({ path: dirIndex === 0 ? name : join(dirs[dirIndex] ?? '', name), name, dir: dirs[dirIndex] ?? '' });
          break;
        }
        case LNE.set_discriminator: discriminator = r.uleb(); break;
        default: break; // unknown extended opcodes are skipped by their length
      }
      r.pos = at + len;
    } else {
      switch (op) {
        case LNS.copy: emit(false); lastSequenceEnd = false; break;
        case LNS.advance_pc: advance(r.uleb()); break;
        case LNS.advance_line: line += r.sleb(); break;
        case LNS.set_file: file = r.uleb(); break;
        case LNS.set_column: column = r.uleb(); break;
        case LNS.negate_stmt: isStmt = !isStmt; break;
        case LNS.set_basic_block: break;
        case LNS.const_add_pc: advance(Math.floor((255 - opcodeBase) / lineRange)); break;
        case LNS.fixed_advance_pc: address += r.u16(); opIndex = 0; break;
        case LNS.set_prologue_end: prologueEnd = true; break;
        case LNS.set_epilogue_begin: break;
        case LNS.set_isa: r.uleb(); break;
        default:
          // Unknown standard opcodes: skip their ULEB128 operands, as the header says (section 6.2.5.2).
          for (let i = 0; i < (opLengths[op] ?? 0); i++) r.uleb();
      }
    }
  }
  if (!lastSequenceEnd) warnings.add(SECTION.line, offset, 'line program ends without DW_LNE_end_sequence; its last sequence is ignored');
  // Rows of an unterminated sequence cannot be given an end address: drop them.
  let lastEnd = rows.length;
  while (lastEnd > 0 && !rows[lastEnd - 1]!.endSequence) lastEnd--;
  return { offset, version, files, rows: rows.slice(0, lastEnd) };
}

function readForm(r: ByteReader, form: number, offsetSize: number, sections: DwarfSections): string | number | Uint8Array {
  switch (form) {
    case FORM.string: return r.cstring();
    case FORM.line_strp: return stringAt(sections.lineStr, SECTION.lineStr, r.uN(offsetSize));
    case FORM.strp: return stringAt(sections.str, SECTION.str, r.uN(offsetSize));
    case FORM.udata: return r.uleb();
    case FORM.data1: return r.u8();
    case FORM.data2: return r.u16();
    case FORM.data4: return r.u32();
    case FORM.data8: return r.u64();
    case FORM.data16: return r.bytesN(16);
    case FORM.block: return r.bytesN(r.uleb());
    default: return r.fail(`unsupported form ${hex(form)} in a directory/file entry`);
  }
}
