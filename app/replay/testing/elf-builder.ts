// A minimal ELF32 little-endian RISC-V executable for tests: the ELF header, one PT_LOAD program
// header per segment, the segments' bytes, and optionally a symbol table (.symtab + .strtab +
// .shstrtab section headers). Enough for Machine.create and the loader; nothing else.

export interface ElfSegmentSpec {
  /** Load (physical = virtual) address. */
  readonly addr: number;
  readonly bytes: Uint8Array;
  /** Memory size; default bytes.length (the rest is zero-filled). */
  readonly memsz?: number;
  /** PF_X 1, PF_W 2, PF_R 4; default RWX. */
  readonly flags?: number;
}

export interface ElfSymbolSpec {
  readonly name: string;
  readonly value: number;
  readonly size: number;
  /** STT_OBJECT 1 (default), STT_FUNC 2. */
  readonly type?: number;
}

const EHDR = 52;
const PHDR = 32;
const SHDR = 40;

export function buildElf32(entry: number, segments: readonly ElfSegmentSpec[], symbols: readonly ElfSymbolSpec[] = []): Uint8Array {
  const phoff = EHDR;
  let offset = phoff + segments.length * PHDR;
  const placed = segments.map((s) => {
    offset = (offset + 15) & ~15;
    const at = offset;
    offset += s.bytes.length;
    return at;
  });

  // Symbol table: a null symbol, then one global symbol per entry (section index 1: absolute enough).
  let symtabOff = 0, strtabOff = 0, shstrOff = 0, shoff = 0;
  const strtab: number[] = [0];
  const names = symbols.map((s) => {
    const at = strtab.length;
    for (const c of s.name) strtab.push(c.charCodeAt(0) & 0x7f);
    strtab.push(0);
    return at;
  });
  const shstr = [0, ...ascii('.symtab'), 0, ...ascii('.strtab'), 0, ...ascii('.shstrtab'), 0];
  if (symbols.length > 0) {
    offset = (offset + 3) & ~3;
    symtabOff = offset;
    offset += (symbols.length + 1) * 16;
    strtabOff = offset;
    offset += strtab.length;
    shstrOff = offset;
    offset += shstr.length;
    offset = (offset + 3) & ~3;
    shoff = offset;
    offset += 4 * SHDR;
  }

  const out = new Uint8Array(offset);
  const v = new DataView(out.buffer);
  out.set([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1]); // magic, ELFCLASS32, little-endian, EV_CURRENT
  v.setUint16(16, 2, true); // ET_EXEC
  v.setUint16(18, 243, true); // EM_RISCV
  v.setUint32(20, 1, true);
  v.setUint32(24, entry >>> 0, true);
  v.setUint32(28, phoff, true);
  v.setUint32(32, shoff, true);
  v.setUint32(36, 0x1, true); // EF_RISCV_RVC
  v.setUint16(40, EHDR, true);
  v.setUint16(42, PHDR, true);
  v.setUint16(44, segments.length, true);
  v.setUint16(46, SHDR, true);
  v.setUint16(48, symbols.length > 0 ? 4 : 0, true);
  v.setUint16(50, symbols.length > 0 ? 3 : 0, true);
  segments.forEach((s, i) => {
    const o = phoff + i * PHDR;
    v.setUint32(o, 1, true); // PT_LOAD
    v.setUint32(o + 4, placed[i]!, true);
    v.setUint32(o + 8, s.addr >>> 0, true);
    v.setUint32(o + 12, s.addr >>> 0, true);
    v.setUint32(o + 16, s.bytes.length, true);
    v.setUint32(o + 20, s.memsz ?? s.bytes.length, true);
    v.setUint32(o + 24, s.flags ?? 7, true);
    v.setUint32(o + 28, 0x1000, true);
    out.set(s.bytes, placed[i]!);
  });
  if (symbols.length > 0) {
    symbols.forEach((s, i) => {
      const o = symtabOff + (i + 1) * 16;
      v.setUint32(o, names[i]!, true);
      v.setUint32(o + 4, s.value >>> 0, true);
      v.setUint32(o + 8, s.size, true);
      out[o + 12] = (1 << 4) | (s.type ?? 1); // STB_GLOBAL
      v.setUint16(o + 14, 0xfff1, true); // SHN_ABS
    });
    out.set(strtab, strtabOff);
    out.set(shstr, shstrOff);
    const sh = (i: number, name: number, type: number, off: number, size: number, link = 0, info = 0, entsize = 0): void => {
      const o = shoff + i * SHDR;
      v.setUint32(o, name, true);
      v.setUint32(o + 4, type, true);
      v.setUint32(o + 16, off, true);
      v.setUint32(o + 20, size, true);
      v.setUint32(o + 24, link, true);
      v.setUint32(o + 28, info, true);
      v.setUint32(o + 32, 1, true);
      v.setUint32(o + 36, entsize, true);
    };
    sh(1, 1, 2, symtabOff, (symbols.length + 1) * 16, 2, 1, 16); // .symtab, link .strtab, first global 1
    sh(2, 9, 3, strtabOff, strtab.length); // .strtab
    sh(3, 17, 3, shstrOff, shstr.length); // .shstrtab
  }
  return out;
}

function ascii(s: string): number[] {
  return Array.from(s, (c) => c.charCodeAt(0) & 0x7f);
}
