// Names addresses the way GNU objdump 2.40 does after a branch target or in an address comment:
// `main`, `main+0x10`, or `foo-0x7ffffff8` below the first symbol. Among symbols at the same
// address objdump's compare_symbols prefers the larger st_size (PR 20337), then functions, then
// global over weak over local, then the name in strcmp order. disasm-objdump.test.ts checks it
// against every `<...>` objdump prints for the committed firmware ELFs.
//
// Not reproduced: objdump's preference for a symbol in the section being disassembled when several
// share an address in different sections (overlays, empty sections).

/** A symbol as the ELF reader gives it (app/debuginfo/elf's ElfSymbolEntry fits). */
export interface NamedSymbol {
  readonly name: string;
  readonly address: number;
  readonly size: number;
  /** 'function' ranks first among symbols at the same address. */
  readonly kind: string;
  /** 'global' ranks before 'weak', which ranks before 'local'. */
  readonly binding: string;
}

const BINDING_RANK: Record<string, number> = { global: 0, weak: 1, local: 2 };

const byObjdumpOrder = (a: NamedSymbol, b: NamedSymbol): number =>
  (a.address >>> 0) - (b.address >>> 0) ||
  b.size - a.size ||
  (a.kind === 'function' ? 0 : 1) - (b.kind === 'function' ? 0 : 1) ||
  (BINDING_RANK[a.binding] ?? 1) - (BINDING_RANK[b.binding] ?? 1) ||
  (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/**
 * A `symbolize` function for the disassembler. Pass the defined symbols objdump would consider:
 * functions, objects and untyped labels, absolute ones included (a weak undefined function the
 * linker resolved to 0 is one); not mapping ($x, $d), section, file, TLS (their value is an offset)
 * or undefined symbols. With no symbols it returns null for every address.
 */
export function objdumpSymbolizer(symbols: readonly NamedSymbol[]): (address: number) => string | null {
  const sorted = symbols.filter((s) => s.name !== '').sort(byObjdumpOrder);
  return (address) => {
    if (sorted.length === 0) return null;
    const a = address >>> 0;
    let lo = 0, hi = sorted.length; // find the first symbol above a
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((sorted[mid]!.address >>> 0) <= a) lo = mid + 1;
      else hi = mid;
    }
    let i = Math.max(lo - 1, 0);
    const at = sorted[i]!.address >>> 0;
    while (i > 0 && (sorted[i - 1]!.address >>> 0) === at) i--; // the preferred one of that address
    const s = sorted[i]!;
    const off = a - at;
    return off === 0 ? s.name : off > 0 ? `${s.name}+0x${off.toString(16)}` : `${s.name}-0x${(-off).toString(16)}`;
  };
}
