// ELF symbol table (System V gABI ch. 4 "Symbol Table"): functions and objects with address and
// size, and address -> symbol + offset the way gdb's minimal symbols answer `info symbol`.
// RISC-V mapping symbols ($x, $d: psABI "Mapping Symbol") and section/file symbols are not names
// a user wants to see and are left out.

import type { ElfFile, ElfSection } from './elf-file.js';
import { SHF_ALLOC, SHT_DYNSYM, SHT_SYMTAB } from './elf-file.js';
import { ByteReader } from '../util/byte-reader.js';
import { decodeUtf8 } from '../../engine/util/utf8.js';
import type { WarningSink } from '../warnings.js';
import { hex } from '../warnings.js';

export type SymbolKind = 'function' | 'object' | 'tls' | 'notype' | 'other';
export type SymbolBinding = 'local' | 'global' | 'weak' | 'other';

export interface ElfSymbolEntry {
  readonly name: string;
  readonly address: number;
  readonly size: number;
  readonly kind: SymbolKind;
  readonly binding: SymbolBinding;
  /** Section index (st_shndx); 0xfff1 SHN_ABS. */
  readonly shndx: number;
}

export interface SymbolHit {
  readonly symbol: ElfSymbolEntry;
  readonly offset: number;
  /** "name" or "name+offset" (offset in decimal, as gdb prints it). */
  readonly text: string;
}

const SHN_UNDEF = 0;
const SHN_ABS = 0xfff1;
const SHN_LORESERVE = 0xff00;
const KINDS: Record<number, SymbolKind> = { 0: 'notype', 1: 'object', 2: 'function', 6: 'tls' };
const BINDINGS: Record<number, SymbolBinding> = { 0: 'local', 1: 'global', 2: 'weak' };

export class SymbolTable {
  /** Defined, named symbols in file order (mapping, section and file symbols excluded). */
  readonly all: readonly ElfSymbolEntry[];
  private readonly sorted: ElfSymbolEntry[];
  private readonly names = new Map<string, ElfSymbolEntry>();
  private readonly alloc: readonly ElfSection[];
  private readonly byIndex: ReadonlyMap<number, ElfSection>;

  constructor(entries: ElfSymbolEntry[], sections: readonly ElfSection[]) {
    this.all = entries;
    for (const s of entries) {
      const prev = this.names.get(s.name);
      if (!prev || (prev.binding === 'local' && s.binding !== 'local')) this.names.set(s.name, s);
    }
    this.alloc = sections.filter((s) => (s.flags & SHF_ALLOC) !== 0 && s.size > 0);
    this.byIndex = new Map(sections.map((s) => [s.index, s]));
    // Address lookup: things with an address in a section (not TLS offsets or absolutes),
    // by address and then by name, as gdb sorts its minimal symbols.
    this.sorted = entries
      .filter((s) => s.kind !== 'tls' && s.shndx !== SHN_ABS && s.shndx < SHN_LORESERVE)
      .sort((a, b) => a.address - b.address || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  get functions(): ElfSymbolEntry[] { return this.all.filter((s) => s.kind === 'function'); }
  get objects(): ElfSymbolEntry[] { return this.all.filter((s) => s.kind === 'object' || s.kind === 'tls'); }

  /** A symbol by name; a global or weak definition wins over a local one. */
  byName(name: string): ElfSymbolEntry | undefined { return this.names.get(name); }

  /**
   * The symbol an address belongs to, as name + offset, chosen as gdb's
   * lookup_minimal_symbol_by_pc_section does: among symbols of the address's section at or
   * below it, the last (by address, then name) with a size; one that ends before the address
   * gives way to the nearest zero-sized label above it, or to nothing.
   */
  symbolAt(addr: number): SymbolHit | null {
    addr >>>= 0;
    const list = this.sorted;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) { const mid = (lo + hi) >>> 1; if (list[mid]!.address <= addr) lo = mid + 1; else hi = mid; }
    const section = this.alloc.find((s) => addr >= s.addr && addr - s.addr < s.size);
    if (!section && this.alloc.length > 0) return null; // in no section (a gap, unmapped): no symbol
    let i = lo - 1;
    let zeroSized = -1;
    for (; i >= 0; i--) {
      const s = list[i]!;
      if (section && this.byIndex.get(s.shndx) !== section) continue;
      if (s.size === 0) { if (zeroSized < 0) zeroSized = i; continue; }
      break;
    }
    if (zeroSized >= 0 && (i < 0 || list[i]!.size === 0)) i = zeroSized;
    if (i >= 0 && list[i]!.size !== 0 && addr >= list[i]!.address + list[i]!.size) i = zeroSized;
    if (i < 0) return null;
    const best = list[i]!;
    const offset = addr - best.address;
    return { symbol: best, offset, text: offset === 0 ? best.name : `${best.name}+${offset}` };
  }
}

export function readSymbols(elf: ElfFile | null, warnings: WarningSink): SymbolTable {
  if (!elf) return new SymbolTable([], []);
  const table = elf.sections.find((s) => s.type === SHT_SYMTAB) ?? elf.sections.find((s) => s.type === SHT_DYNSYM);
  if (!table) return new SymbolTable([], elf.sections);
  const where = table.name || `section #${table.index}`;
  const strtab = elf.sections[table.link];
  if (!strtab) {
    warnings.add(where, 0, `links to string table section #${table.link}, which does not exist: symbols ignored`);
    return new SymbolTable([], elf.sections);
  }
  const out: ElfSymbolEntry[] = [];
  const r = new ByteReader(table.data, where);
  const count = Math.floor(table.data.length / 16);
  for (let i = 1; i < count; i++) {
    r.pos = i * 16;
    const nameOff = r.u32();
    const value = r.u32();
    const size = r.u32();
    const info = r.u8();
    r.u8();
    const shndx = r.u16();
    if (shndx === SHN_UNDEF || nameOff === 0) continue;
    const type = info & 0xf;
    if (type === 3 || type === 4) continue; // STT_SECTION, STT_FILE
    if (nameOff >= strtab.data.length) {
      warnings.add(where, i * 16, `symbol #${i}: name offset ${hex(nameOff)} is outside ${strtab.name || 'the string table'}`);
      continue;
    }
    let end = nameOff;
    while (end < strtab.data.length && strtab.data[end] !== 0) end++;
    let name = decodeUtf8(strtab.data, nameOff, end);
    if (name.startsWith('$x') || name.startsWith('$d') || name.startsWith('.L')) continue;
    // GCC suffixes local symbols ("x.0" for a function's static x, "f.constprop.0"); gdb drops
    // the number, and so do we.
    if ((info >>> 4) === 0) name = name.replace(/\.\d+$/, '');
    out.push({ name, address: value >>> 0, size, kind: KINDS[type] ?? 'other', binding: BINDINGS[info >>> 4] ?? 'other', shndx });
  }
  return new SymbolTable(out, elf.sections);
}
