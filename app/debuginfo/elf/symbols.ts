// ELF symbol table (System V gABI ch. 4 "Symbol Table"): functions and objects with address and
// size, and address -> nearest symbol + offset the way gdb's minimal symbols answer `info symbol`:
// the closest preceding symbol in the same section, preferring one whose size covers the address.
// RISC-V mapping symbols ($x, $d: psABI "Mapping Symbol") and section/file symbols are not names
// a user wants to see and are left out.

import type { ElfFile, ElfSection } from './elf-file.js';
import { SHF_ALLOC, SHT_DYNSYM, SHT_SYMTAB } from './elf-file.js';
import { ByteReader } from '../util/byte-reader.js';
import { decodeUtf8 } from '../util/utf8.js';
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
  private readonly sectionOf: (addr: number) => ElfSection | undefined;

  constructor(entries: ElfSymbolEntry[], sections: readonly ElfSection[]) {
    this.all = entries;
    for (const s of entries) {
      const prev = this.names.get(s.name);
      if (!prev || (prev.binding === 'local' && s.binding !== 'local')) this.names.set(s.name, s);
    }
    const alloc = sections.filter((s) => (s.flags & SHF_ALLOC) !== 0 && s.size > 0);
    this.sectionOf = (addr) => alloc.find((s) => addr >= s.addr && addr - s.addr < s.size);
    // Address lookup: things with an address in an allocated section (not TLS offsets or absolutes).
    this.sorted = entries
      .filter((s) => s.kind !== 'tls' && s.shndx !== SHN_ABS && s.shndx < SHN_LORESERVE)
      .sort((a, b) => a.address - b.address || rank(a) - rank(b));
  }

  get functions(): ElfSymbolEntry[] { return this.all.filter((s) => s.kind === 'function'); }
  get objects(): ElfSymbolEntry[] { return this.all.filter((s) => s.kind === 'object' || s.kind === 'tls'); }

  /** A symbol by name; a global or weak definition wins over a local one. */
  byName(name: string): ElfSymbolEntry | undefined { return this.names.get(name); }

  /** The symbol an address belongs to, as name + offset; null when no symbol precedes it in its section. */
  symbolAt(addr: number): SymbolHit | null {
    addr >>>= 0;
    const list = this.sorted;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) { const mid = (lo + hi) >>> 1; if (list[mid]!.address <= addr) lo = mid + 1; else hi = mid; }
    if (lo === 0) return null;
    const section = this.sectionOf(addr);
    let best: ElfSymbolEntry | undefined;
    // Walk back from the closest candidate: the first one (highest rank at the highest address)
    // that covers addr wins; otherwise the closest one in the same section.
    for (let i = lo - 1; i >= 0 && i >= lo - 64; i--) {
      const s = list[i]!;
      if (section && this.sectionOf(s.address) !== section) break;
      if (!best) best = s;
      if (s.size > 0 && addr < s.address + s.size) { best = s; break; }
      if (best.size === 0 && s.address === best.address) continue;
      if (s.address < best.address && (best.size === 0 || addr < best.address + best.size)) break;
    }
    if (!best) return null;
    const offset = addr - best.address;
    return { symbol: best, offset, text: offset === 0 ? best.name : `${best.name}+${offset}` };
  }
}

/** Within one address, later in the sorted order = preferred: sized, global, function/object. */
function rank(s: ElfSymbolEntry): number {
  return (s.size > 0 ? 4 : 0) + (s.binding !== 'local' ? 2 : 0) + (s.kind === 'function' || s.kind === 'object' ? 1 : 0);
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
    const name = decodeUtf8(strtab.data, nameOff, end);
    if (name.startsWith('$x') || name.startsWith('$d') || name.startsWith('.L')) continue;
    out.push({ name, address: value >>> 0, size, kind: KINDS[type] ?? 'other', binding: BINDINGS[info >>> 4] ?? 'other', shndx });
  }
  return new SymbolTable(out, elf.sections);
}
