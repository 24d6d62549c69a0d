// Section-level ELF32 little-endian reader for debug information (System V gABI ch. 4: ELF header,
// section header table, string tables; symbol tables are in symbols.ts). Unlike the engine's
// loader (app/engine/loader/elf.ts), which needs segments and refuses bad files, this reader
// wants sections, tolerates damage and never throws: a problem is a warning naming the offset,
// and a section whose bytes lie outside the file reads as empty.

import { ByteReader } from '../util/byte-reader.js';
import type { WarningSink } from '../warnings.js';
import { hex } from '../warnings.js';

export const SHT_NULL = 0;
export const SHT_PROGBITS = 1;
export const SHT_SYMTAB = 2;
export const SHT_STRTAB = 3;
export const SHT_NOBITS = 8;
export const SHT_DYNSYM = 11;
export const SHF_WRITE = 0x1;
export const SHF_ALLOC = 0x2;
export const SHF_EXECINSTR = 0x4;
export const SHF_COMPRESSED = 0x800;

export interface ElfSection {
  readonly index: number;
  readonly name: string;
  readonly type: number;
  readonly flags: number;
  readonly addr: number;
  /** File offset of the section's bytes. */
  readonly offset: number;
  readonly size: number;
  readonly link: number;
  readonly info: number;
  readonly entsize: number;
  /** The section's bytes (a view into the file); empty for SHT_NOBITS and unreadable sections. */
  readonly data: Uint8Array;
}

export interface ElfFile {
  readonly machine: number;
  readonly type: number;
  readonly entry: number;
  readonly sections: readonly ElfSection[];
  /** First section with this name. */
  section(name: string): ElfSection | undefined;
}

const EM_RISCV = 243;
const EHDR_SIZE = 52;
const SHDR_SIZE = 40;

/** Reads the ELF header and section table; returns null (with a warning) when there is nothing usable. */
export function readElfFile(file: Uint8Array, warnings: WarningSink): ElfFile | null {
  const warn = (offset: number, msg: string): void => warnings.add('ELF', offset, msg);
  if (file.length < 4 || file[0] !== 0x7f || file[1] !== 0x45 || file[2] !== 0x4c || file[3] !== 0x46) {
    warn(0, 'not an ELF file (bad magic; expected 7f 45 4c 46)');
    return null;
  }
  if (file.length < EHDR_SIZE) { warn(0, `truncated ELF header: ${file.length} bytes, ELF32 needs ${EHDR_SIZE}`); return null; }
  if (file[4] !== 1) { warn(4, `EI_CLASS = ${file[4]}: only ELF32 is supported (RV32 guests)`); return null; }
  if (file[5] !== 1) { warn(5, `EI_DATA = ${file[5]}: only little-endian ELF is supported`); return null; }
  const r = new ByteReader(file, 'ELF');
  r.pos = 16;
  const type = r.u16();
  const machine = r.u16();
  if (machine !== EM_RISCV) warn(18, `e_machine = ${machine}, not RISC-V (${EM_RISCV}); register names and unwinding assume RISC-V`);
  r.pos = 24;
  const entry = r.u32();
  r.pos = 32;
  const shoff = r.u32();
  r.pos = 46;
  const shentsize = r.u16();
  let shnum = r.u16();
  let shstrndx = r.u16();

  const sections: ElfSection[] = [];
  const byName = new Map<string, ElfSection>();
  const result: ElfFile = { machine, type, entry, sections, section: (n) => byName.get(n) };
  if (shoff === 0) { warn(32, 'no section header table (e_shoff = 0): no symbols or debug information'); return result; }
  if (shentsize !== SHDR_SIZE) { warn(46, `e_shentsize = ${shentsize} (expected ${SHDR_SIZE}): section table ignored`); return result; }
  if (shoff + SHDR_SIZE > file.length) { warn(32, `section header table at ${hex(shoff)} is past the end of the file (${file.length} bytes)`); return result; }
  // Extended numbering (gABI): the real counts live in section 0.
  const sh0 = rawHeader(file, shoff);
  if (shnum === 0) shnum = sh0.size;
  if (shstrndx === 0xffff) shstrndx = sh0.link;
  const maxFit = Math.floor((file.length - shoff) / SHDR_SIZE);
  if (shnum > maxFit) {
    warn(48, `${shnum} section headers at ${hex(shoff)} do not fit in the file; reading ${maxFit}`);
    shnum = maxFit;
  }

  const raws: RawHeader[] = [];
  for (let i = 0; i < shnum; i++) raws.push(rawHeader(file, shoff + i * SHDR_SIZE));
  const dataOf = (i: number): Uint8Array => {
    const h = raws[i]!;
    if (h.type === SHT_NOBITS || h.type === SHT_NULL) return file.subarray(0, 0);
    if (h.offset + h.size > file.length || h.offset + h.size < h.offset) {
      warn(shoff + i * SHDR_SIZE, `section #${i}: bytes [${hex(h.offset)}, ${hex(h.offset + h.size)}) extend past the end of the file (${file.length} bytes); treated as empty`);
      return file.subarray(0, 0);
    }
    return file.subarray(h.offset, h.offset + h.size);
  };
  const shstr = shstrndx < shnum ? dataOf(shstrndx) : file.subarray(0, 0);
  if (shstrndx >= shnum) warn(50, `e_shstrndx = ${shstrndx} is not a section (${shnum} sections): sections have no names`);
  for (let i = 0; i < shnum; i++) {
    const h = raws[i]!;
    let name = '';
    if (h.name < shstr.length) {
      let end = h.name;
      while (end < shstr.length && shstr[end] !== 0) end++;
      for (let k = h.name; k < end; k++) name += String.fromCharCode(shstr[k]!);
    } else if (h.name !== 0 || i !== 0) {
      warn(shoff + i * SHDR_SIZE, `section #${i}: name offset ${hex(h.name)} is outside the section name table`);
    }
    let data = dataOf(i);
    if ((h.flags & SHF_COMPRESSED) !== 0) {
      warn(shoff + i * SHDR_SIZE, `section #${i} ${name} is compressed (SHF_COMPRESSED), which is not supported: ignored`);
      data = file.subarray(0, 0);
    }
    const s: ElfSection = { index: i, name, type: h.type, flags: h.flags, addr: h.addr, offset: h.offset, size: h.size, link: h.link, info: h.info, entsize: h.entsize, data };
    sections.push(s);
    if (name && !byName.has(name)) byName.set(name, s);
  }
  return result;
}

interface RawHeader { name: number; type: number; flags: number; addr: number; offset: number; size: number; link: number; info: number; entsize: number }

function rawHeader(file: Uint8Array, at: number): RawHeader {
  const v = new DataView(file.buffer, file.byteOffset + at, SHDR_SIZE);
  const u = (o: number): number => v.getUint32(o, true);
  return { name: u(0), type: u(4), flags: u(8), addr: u(12), offset: u(16), size: u(20), link: u(24), info: u(28), entsize: u(36) };
}
