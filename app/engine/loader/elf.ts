// ELF32 little-endian RISC-V executable loader (System V gABI ch. 4-5, RISC-V ELF psABI).
// Returns what to load and where, and never writes memory itself. Segments load at p_paddr, as
// QEMU 7.2's load_elf does (include/hw/elf_ops.h); the entry point is e_entry, moved into physical
// space when the segment holding it has p_vaddr != p_paddr (as QEMU does).
//
// QEMU's -bios none boot does not jump to e_entry: its ROM jumps to the RAM base and tells the
// guest `lowestLoadAddr` (see reset-rom.ts). Both are returned.

export class ElfError extends Error {
  override name = 'ElfError';
}

export interface ElfSegment {
  /** Index of the program header (for messages). */
  readonly index: number;
  readonly paddr: number;
  readonly vaddr: number;
  /** The file bytes (p_filesz of them); the rest up to memsz is zero. A view into the input. */
  readonly bytes: Uint8Array;
  readonly memsz: number;
  /** p_flags: PF_X 1, PF_W 2, PF_R 4. */
  readonly flags: number;
}

export interface ElfSymbol {
  readonly name: string;
  readonly value: number;
  readonly size: number;
  /** STT_*: 0 NOTYPE, 1 OBJECT, 2 FUNC, 3 SECTION, 4 FILE. */
  readonly type: number;
  /** STB_*: 0 LOCAL, 1 GLOBAL, 2 WEAK. */
  readonly bind: number;
  readonly shndx: number;
}

export interface ElfImage {
  readonly entry: number;
  /** Lowest p_paddr of all PT_LOAD headers (QEMU's kernel_entry for -bios none). */
  readonly lowestLoadAddr: number;
  /** PT_LOAD segments with p_memsz > 0, in program header order. */
  readonly segments: readonly ElfSegment[];
  /** e_flags (EF_RISCV_RVC 0x1, float ABI 0x6, EF_RISCV_RVE 0x8). */
  readonly flags: number;
  /**
   * Defined symbols of .symtab by name; where a name occurs more than once, a global or weak
   * definition wins over a local one, else the first.
   */
  readonly symbols: ReadonlyMap<string, ElfSymbol>;
}

/** A range of guest-physical memory that can take loaded bytes (RAM, a ROM). */
export interface LoadableRegion {
  readonly name: string;
  readonly base: number;
  readonly size: number;
}

export interface ParseElfOptions {
  /** Names the file in messages. */
  source?: string;
  /**
   * Where segments may go: a list of regions (a segment must fit inside one), or a predicate over
   * [paddr, paddr + size). Omitted: anywhere in the 32-bit space.
   */
  loadable?: readonly LoadableRegion[] | ((paddr: number, size: number) => boolean);
  /** Describes the loadable memory for messages when `loadable` is a predicate, e.g. "RAM [..)". */
  describe?: () => string;
}

const EM_RISCV = 243;
const PT_LOAD = 1;
const SHT_SYMTAB = 2;
const SHT_STRTAB = 3;
const EHDR_SIZE = 52;
const PHDR_SIZE = 32;
const SHDR_SIZE = 40;
const SYM_SIZE = 16;
const TWO32 = 0x1_0000_0000;

const MACHINES: Record<number, string> = {
  3: 'x86', 8: 'MIPS', 20: 'PowerPC', 40: 'ARM', 62: 'x86-64', 183: 'AArch64', 258: 'LoongArch',
};

const hex = (n: number): string => `0x${n.toString(16)}`;
const range = (start: number, end: number): string => `[${hex(start)}, ${hex(end)})`;

function latin1(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return s;
}

/** Symbol names are UTF-8; the engine has no TextDecoder. */
function decodeName(bytes: Uint8Array): string {
  if (bytes.every((b) => b < 0x80)) return latin1(bytes);
  let escaped = '';
  for (const b of bytes) escaped += `%${b.toString(16).padStart(2, '0')}`;
  try {
    return decodeURIComponent(escaped);
  } catch {
    return latin1(bytes); // not UTF-8: show the bytes as Latin-1
  }
}

export function parseElf(file: Uint8Array, options: ParseElfOptions = {}): ElfImage {
  const where = options.source ? `${options.source}: ` : '';
  const fail = (msg: string): never => { throw new ElfError(`${where}${msg}`); };
  const len = file.length;
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);

  if (len < 4 || file[0] !== 0x7f || file[1] !== 0x45 || file[2] !== 0x4c || file[3] !== 0x46) {
    const got = Array.from(file.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
    fail(`not an ELF file: bad magic at offset 0 (${got || 'empty file'}; expected 7f 45 4c 46 "\\x7fELF")`);
  }
  if (len < 6) fail(`truncated ELF header: file is ${len} bytes, the ELF32 header needs ${EHDR_SIZE}`);
  const cls = file[4]!;
  if (cls === 2) fail('64-bit ELF (EI_CLASS = 2 at offset 4): Hindsight runs RV32 guests; build with -march=rv32... -mabi=ilp32');
  if (cls !== 1) fail(`invalid ELF class ${cls} at offset 4 (expected 1, ELFCLASS32)`);
  const data = file[5]!;
  if (data === 2) fail('big-endian ELF (EI_DATA = 2 at offset 5): RISC-V guests are little-endian');
  if (data !== 1) fail(`invalid ELF data encoding ${data} at offset 5 (expected 1, little-endian)`);
  if (len < EHDR_SIZE) fail(`truncated ELF header: file is ${len} bytes, the ELF32 header needs ${EHDR_SIZE}`);

  const type = view.getUint16(16, true);
  const machine = view.getUint16(18, true);
  if (machine !== EM_RISCV) {
    const known = MACHINES[machine] ? ` (${MACHINES[machine]})` : '';
    fail(`not a RISC-V ELF: e_machine = ${machine}${known} at offset 18 (expected ${EM_RISCV}, EM_RISCV)`);
  }
  if (type === 1) fail('relocatable object (e_type = ET_REL at offset 16): link it into an executable first');
  if (type !== 2 && type !== 3) fail(`unsupported ELF type e_type = ${type} at offset 16 (expected ET_EXEC or ET_DYN)`);

  const eEntry = view.getUint32(24, true);
  const phoff = view.getUint32(28, true);
  const shoff = view.getUint32(32, true);
  const flags = view.getUint32(36, true);
  const phentsize = view.getUint16(42, true);
  const phnum = view.getUint16(44, true);
  const shentsize = view.getUint16(46, true);
  const shnum = view.getUint16(48, true);

  if (phnum === 0) fail('no program headers (e_phnum = 0 at offset 44): nothing to load');
  if (phnum === 0xffff) fail('e_phnum = PN_XNUM (0xffff at offset 44): extended program header counts are not supported');
  if (phentsize !== PHDR_SIZE) fail(`e_phentsize = ${phentsize} at offset 42 (expected ${PHDR_SIZE} for ELF32)`);
  const phEnd = phoff + phnum * PHDR_SIZE;
  if (phEnd > len) fail(`truncated file: program header table ${range(phoff, phEnd)} (e_phoff = ${hex(phoff)}, ${phnum} entries) extends past the end of the file (${len} bytes)`);

  const segments: ElfSegment[] = [];
  let entry = eEntry;
  let lowest = Infinity;
  for (let i = 0; i < phnum; i++) {
    const o = phoff + i * PHDR_SIZE;
    if (view.getUint32(o, true) !== PT_LOAD) continue;
    const offset = view.getUint32(o + 4, true);
    const vaddr = view.getUint32(o + 8, true);
    const paddr = view.getUint32(o + 12, true);
    const filesz = view.getUint32(o + 16, true);
    const memsz = view.getUint32(o + 20, true);
    const pflags = view.getUint32(o + 24, true);
    const what = `PT_LOAD segment #${i} (program header at ${hex(o)})`;
    if (filesz > memsz) fail(`${what}: p_filesz ${hex(filesz)} is larger than p_memsz ${hex(memsz)}`);
    if (offset + filesz > len) fail(`truncated file: ${what} has file bytes ${range(offset, offset + filesz)} past the end of the file (${len} bytes)`);
    if (paddr + memsz > TWO32) fail(`${what}: ${range(paddr, paddr + memsz)} runs past the end of the 32-bit address space`);
    lowest = Math.min(lowest, paddr);
    if (vaddr !== paddr && eEntry >= vaddr && eEntry < vaddr + filesz && (pflags & 1) !== 0) {
      entry = eEntry - vaddr + paddr;
    }
    if (memsz === 0) continue; // QEMU ignores empty segments too
    segments.push({ index: i, paddr, vaddr, bytes: file.subarray(offset, offset + filesz), memsz, flags: pflags });
  }
  if (segments.length === 0) fail('no PT_LOAD segment with p_memsz > 0: nothing to load');

  const byAddr = [...segments].sort((a, b) => a.paddr - b.paddr);
  for (let i = 1; i < byAddr.length; i++) {
    const a = byAddr[i - 1]!;
    const b = byAddr[i]!;
    if (a.paddr + a.memsz > b.paddr) {
      fail(`PT_LOAD segments overlap: #${a.index} ${range(a.paddr, a.paddr + a.memsz)} and #${b.index} ${range(b.paddr, b.paddr + b.memsz)}`);
    }
  }

  const loadable = options.loadable;
  if (loadable) {
    for (const s of segments) {
      const end = s.paddr + s.memsz;
      const ok = typeof loadable === 'function'
        ? loadable(s.paddr, s.memsz)
        : loadable.some((r) => s.paddr >= r.base && end <= r.base + r.size);
      if (!ok) {
        const known = typeof loadable === 'function'
          ? (options.describe ? ` (memory: ${options.describe()})` : '')
          : ` (memory: ${loadable.map((r) => `${r.name} ${range(r.base, r.base + r.size)}`).join(', ')})`;
        fail(`PT_LOAD segment #${s.index} ${range(s.paddr, end)} is outside the machine's memory${known}`);
      }
    }
  }

  const symbols = new Map<string, ElfSymbol>();
  if (shoff !== 0 && shnum !== 0) {
    for (const sym of readSymbols(file, view, shoff, shentsize, shnum, fail)) {
      if (!sym.name || sym.shndx === 0) continue; // unnamed or undefined (SHN_UNDEF)
      const prev = symbols.get(sym.name);
      if (!prev || (prev.bind === 0 && sym.bind !== 0)) symbols.set(sym.name, sym);
    }
  }
  return { entry, lowestLoadAddr: lowest, segments, flags, symbols };
}

function readSymbols(file: Uint8Array, view: DataView, shoff: number, shentsize: number, shnum: number,
  fail: (msg: string) => never): ElfSymbol[] {
  const len = file.length;
  if (shentsize !== SHDR_SIZE) fail(`e_shentsize = ${shentsize} at offset 46 (expected ${SHDR_SIZE} for ELF32)`);
  const shEnd = shoff + shnum * SHDR_SIZE;
  if (shEnd > len) fail(`truncated file: section header table ${range(shoff, shEnd)} (e_shoff = ${hex(shoff)}, ${shnum} entries) extends past the end of the file (${len} bytes)`);
  const section = (i: number): { type: number; offset: number; size: number; link: number; at: number } => {
    const at = shoff + i * SHDR_SIZE;
    return { type: view.getUint32(at + 4, true), offset: view.getUint32(at + 16, true), size: view.getUint32(at + 20, true), link: view.getUint32(at + 24, true), at };
  };
  let symtabIndex = -1;
  for (let i = 0; i < shnum; i++) if (section(i).type === SHT_SYMTAB) { symtabIndex = i; break; }
  if (symtabIndex < 0) return [];
  const symtab = section(symtabIndex);
  if (symtab.offset + symtab.size > len) fail(`truncated file: .symtab (section #${symtabIndex}) ${range(symtab.offset, symtab.offset + symtab.size)} extends past the end of the file (${len} bytes)`);
  if (symtab.link >= shnum) fail(`.symtab (section #${symtabIndex}) links to string table section #${symtab.link}, but there are only ${shnum} sections`);
  const strtab = section(symtab.link);
  if (strtab.type !== SHT_STRTAB) fail(`.symtab (section #${symtabIndex}) links to section #${symtab.link}, which is not a string table (sh_type = ${strtab.type})`);
  if (strtab.offset + strtab.size > len) fail(`truncated file: .strtab (section #${symtab.link}) ${range(strtab.offset, strtab.offset + strtab.size)} extends past the end of the file (${len} bytes)`);

  const out: ElfSymbol[] = [];
  const count = Math.floor(symtab.size / SYM_SIZE);
  for (let i = 1; i < count; i++) { // entry 0 is the reserved null symbol
    const o = symtab.offset + i * SYM_SIZE;
    const nameOff = view.getUint32(o, true);
    if (nameOff >= strtab.size) fail(`symbol #${i} (at ${hex(o)}): name offset ${hex(nameOff)} is past the end of .strtab (${strtab.size} bytes)`);
    const start = strtab.offset + nameOff;
    let end = start;
    const limit = strtab.offset + strtab.size;
    while (end < limit && file[end] !== 0) end++;
    if (end === limit) fail(`symbol #${i} (at ${hex(o)}): name at .strtab offset ${hex(nameOff)} is not NUL-terminated`);
    const info = file[o + 12]!;
    out.push({
      name: decodeName(file.subarray(start, end)),
      value: view.getUint32(o + 4, true),
      size: view.getUint32(o + 8, true),
      type: info & 0xf,
      bind: info >>> 4,
      shndx: view.getUint16(o + 14, true),
    });
  }
  return out;
}
