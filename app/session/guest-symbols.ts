// The guest image's symbols, for disassembly labels, address expressions and the UI's symbol list.
// From the engine's ELF reader (name, value, size, type, binding), which every recording has: the
// guest image is stored in it.

import type { SymbolDto } from '../protocol/dto.js';
import { parseElf } from '../engine/loader/elf.js';
import { objdumpSymbolizer, type NamedSymbol } from '../debuginfo/disasm/objdump-symbols.js';

const KIND: Record<number, string> = { 0: 'notype', 1: 'object', 2: 'function' };
const BINDING: Record<number, string> = { 0: 'local', 1: 'global', 2: 'weak' };

export class GuestSymbols {
  readonly list: readonly SymbolDto[];
  readonly symbolize: (address: number) => string | null;
  readonly gp: number | undefined;
  private readonly byName: ReadonlyMap<string, { value: number; size: number }>;
  /** Functions and objects sorted by address, for "which symbol holds this address". */
  private readonly sized: readonly SymbolDto[];

  constructor(image: Uint8Array) {
    const elf = parseElf(image);
    this.byName = elf.symbols;
    const named: NamedSymbol[] = [];
    const list: SymbolDto[] = [];
    for (const s of elf.symbols.values()) {
      // Mapping symbols ($x, $d), sections and files name no place a person looks for.
      if (s.name === '' || s.name.startsWith('$') || s.type === 3 || s.type === 4 || s.type === 6) continue;
      named.push({ name: s.name, address: s.value >>> 0, size: s.size, kind: KIND[s.type] ?? 'other', binding: BINDING[s.bind] ?? 'other' });
      list.push({ name: s.name, addr: s.value >>> 0, size: s.size, kind: s.type === 2 ? 'function' : s.type === 1 ? 'object' : 'other' });
    }
    list.sort((a, b) => a.addr - b.addr || (a.name < b.name ? -1 : 1));
    this.list = list;
    this.sized = list.filter((s) => s.size > 0);
    this.symbolize = objdumpSymbolizer(named);
    this.gp = elf.symbols.get('__global_pointer$')?.value;
  }

  lookup(name: string): { value: number; size: number } | undefined {
    return this.byName.get(name);
  }

  /** The label objdump would print for a line at exactly `address`, or null. */
  labelAt(address: number): string | null {
    const s = this.symbolize(address);
    return s !== null && !/[+-]0x[0-9a-f]+$/.test(s) ? s : null;
  }

  /** The function or object whose [addr, addr + size) holds `address`. */
  containing(address: number, kind?: SymbolDto['kind']): SymbolDto | null {
    const a = address >>> 0;
    let best: SymbolDto | null = null;
    for (const s of this.sized) {
      if (s.addr > a) break;
      if (a < s.addr + s.size && (!kind || s.kind === kind)) best = s;
    }
    return best;
  }
}
