import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ElfError, parseElf } from './elf.js';

interface Seg { type?: number; vaddr: number; paddr?: number; data?: number[]; filesz?: number; memsz?: number; flags?: number; offset?: number }
interface Sym { name: string; value: number; size: number; bind?: number; type?: number; shndx?: number }
interface Spec {
  entry?: number; segments: Seg[]; symbols?: Sym[];
  cls?: number; data?: number; machine?: number; type?: number; flags?: number;
}

/** Builds an ELF32 little-endian file: header, program headers, segment data, then .symtab/.strtab. */
function buildElf(spec: Spec): Uint8Array {
  const chunks: { at: number; bytes: Uint8Array }[] = [];
  const phoff = 52;
  let pos = phoff + spec.segments.length * 32;
  const phdrs = spec.segments.map((s) => {
    const bytes = Uint8Array.from(s.data ?? []);
    const offset = s.offset ?? pos;
    if (s.offset === undefined) { chunks.push({ at: pos, bytes }); pos += (bytes.length + 3) & ~3; }
    return { ...s, offset, filesz: s.filesz ?? bytes.length };
  });
  let shoff = 0;
  let shnum = 0;
  const sections: number[][] = [];
  if (spec.symbols) {
    const strtab: number[] = [0];
    const symtab: number[] = new Array(16).fill(0);
    const u32 = (a: number[], v: number): void => { a.push(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff); };
    for (const s of spec.symbols) {
      const nameOff = strtab.length;
      for (const c of s.name) strtab.push(c.charCodeAt(0));
      strtab.push(0);
      u32(symtab, nameOff); u32(symtab, s.value); u32(symtab, s.size);
      symtab.push(((s.bind ?? 1) << 4) | (s.type ?? 1), 0, (s.shndx ?? 1) & 0xff, ((s.shndx ?? 1) >>> 8) & 0xff);
    }
    const symOff = pos; chunks.push({ at: pos, bytes: Uint8Array.from(symtab) }); pos += (symtab.length + 3) & ~3;
    const strOff = pos; chunks.push({ at: pos, bytes: Uint8Array.from(strtab) }); pos += (strtab.length + 3) & ~3;
    // [type, offset, size, link, entsize]
    sections.push([0, 0, 0, 0, 0], [2, symOff, symtab.length, 2, 16], [3, strOff, strtab.length, 0, 0]);
    shoff = pos;
    shnum = sections.length;
    pos += shnum * 40;
  }
  const out = new Uint8Array(pos);
  const v = new DataView(out.buffer);
  out.set([0x7f, 0x45, 0x4c, 0x46, spec.cls ?? 1, spec.data ?? 1, 1]);
  v.setUint16(16, spec.type ?? 2, true);
  v.setUint16(18, spec.machine ?? 243, true);
  v.setUint32(20, 1, true);
  v.setUint32(24, spec.entry ?? spec.segments[0]?.vaddr ?? 0, true);
  v.setUint32(28, phoff, true);
  v.setUint32(32, shoff, true);
  v.setUint32(36, spec.flags ?? 1, true);
  v.setUint16(40, 52, true);
  v.setUint16(42, 32, true);
  v.setUint16(44, phdrs.length, true);
  v.setUint16(46, 40, true);
  v.setUint16(48, shnum, true);
  v.setUint16(50, 0, true);
  phdrs.forEach((p, i) => {
    const o = phoff + i * 32;
    v.setUint32(o, p.type ?? 1, true);
    v.setUint32(o + 4, p.offset, true);
    v.setUint32(o + 8, p.vaddr, true);
    v.setUint32(o + 12, p.paddr ?? p.vaddr, true);
    v.setUint32(o + 16, p.filesz, true);
    v.setUint32(o + 20, p.memsz ?? p.filesz, true);
    v.setUint32(o + 24, p.flags ?? 5, true);
    v.setUint32(o + 28, 4, true);
  });
  for (const c of chunks) out.set(c.bytes, c.at);
  sections.forEach(([type, offset, size, link, entsize], i) => {
    const o = shoff + i * 40;
    v.setUint32(o + 4, type!, true);
    v.setUint32(o + 16, offset!, true);
    v.setUint32(o + 20, size!, true);
    v.setUint32(o + 24, link!, true);
    v.setUint32(o + 36, entsize!, true);
  });
  return out;
}

const RAM = [{ name: 'RAM', base: 0x8000_0000, size: 0x800_0000 }];

function elfError(bytes: Uint8Array, opts?: Parameters<typeof parseElf>[1]): string {
  try {
    parseElf(bytes, opts);
  } catch (e) {
    expect(e).toBeInstanceOf(ElfError);
    return (e as Error).message;
  }
  throw new Error('expected an ElfError');
}

describe('parseElf', () => {
  it('returns segments with file bytes and memsz, the entry, symbols and flags', () => {
    const img = parseElf(buildElf({
      entry: 0x8000_0004,
      segments: [
        { vaddr: 0x8000_0000, data: [1, 2, 3, 4, 5, 6, 7, 8] },
        { vaddr: 0x8000_2000, data: [9, 9], memsz: 0x100, flags: 6 },
        { type: 4, vaddr: 0, data: [0xee] }, // PT_NOTE: not loaded
      ],
      symbols: [
        { name: 'tohost', value: 0x8000_1000, size: 8 },
        { name: 'dup', value: 1, size: 0, bind: 0 },
        { name: 'dup', value: 2, size: 0, bind: 1 },
        { name: 'dup', value: 3, size: 0, bind: 0 },
        { name: 'undef', value: 0, size: 0, shndx: 0 },
      ],
    }), { loadable: RAM, source: 'fw.elf' });
    expect(img.entry).toBe(0x8000_0004);
    expect(img.lowestLoadAddr).toBe(0x8000_0000);
    expect(img.flags).toBe(1);
    expect(img.segments.map((s) => [s.index, s.paddr, Array.from(s.bytes), s.memsz, s.flags])).toEqual([
      [0, 0x8000_0000, [1, 2, 3, 4, 5, 6, 7, 8], 8, 5],
      [1, 0x8000_2000, [9, 9], 0x100, 6],
    ]);
    expect(img.symbols.get('tohost')).toMatchObject({ value: 0x8000_1000, size: 8, bind: 1, type: 1 });
    expect(img.symbols.get('dup')?.value).toBe(2); // the global definition wins
    expect(img.symbols.has('undef')).toBe(false);
  });

  it('loads at p_paddr and moves the entry into physical space like QEMU', () => {
    const img = parseElf(buildElf({
      entry: 0xc000_0010,
      segments: [{ vaddr: 0xc000_0000, paddr: 0x8020_0000, data: new Array(32).fill(0x13), flags: 5 }],
    }));
    expect(img.segments[0]!.paddr).toBe(0x8020_0000);
    expect(img.entry).toBe(0x8020_0010);
    expect(img.lowestLoadAddr).toBe(0x8020_0000);
  });

  it('skips empty segments but counts them for the lowest load address (as QEMU does)', () => {
    const img = parseElf(buildElf({
      segments: [{ vaddr: 0x8010_0000, data: [1, 2, 3, 4] }, { vaddr: 0x8000_0000, data: [] }],
    }));
    expect(img.segments).toHaveLength(1);
    expect(img.lowestLoadAddr).toBe(0x8000_0000);
  });

  it('rejects files that are not ELF, naming the bytes found', () => {
    expect(elfError(new Uint8Array(0))).toMatch(/not an ELF file: bad magic at offset 0 \(empty file/);
    expect(elfError(Uint8Array.from([0x4d, 0x5a, 0x90, 0]), { source: 'x.exe' }))
      .toBe('x.exe: not an ELF file: bad magic at offset 0 (4d 5a 90 00; expected 7f 45 4c 46 "\\x7fELF")');
  });

  it('rejects 64-bit, big-endian and non-RISC-V ELFs', () => {
    const base = { segments: [{ vaddr: 0x8000_0000, data: [0, 0, 0, 0] }] };
    expect(elfError(buildElf({ ...base, cls: 2 }))).toMatch(/^64-bit ELF \(EI_CLASS = 2 at offset 4\)/);
    expect(elfError(buildElf({ ...base, data: 2 }))).toMatch(/^big-endian ELF \(EI_DATA = 2 at offset 5\)/);
    expect(elfError(buildElf({ ...base, machine: 62 })))
      .toBe('not a RISC-V ELF: e_machine = 62 (x86-64) at offset 18 (expected 243, EM_RISCV)');
    expect(elfError(buildElf({ ...base, type: 1 }))).toMatch(/relocatable object \(e_type = ET_REL at offset 16\)/);
  });

  it('reports truncation of the header, the program headers and segments with offsets', () => {
    const good = buildElf({ segments: [{ vaddr: 0x8000_0000, data: new Array(16).fill(1) }] });
    expect(elfError(good.slice(0, 30))).toBe('truncated ELF header: file is 30 bytes, the ELF32 header needs 52');
    expect(elfError(good.slice(0, 60)))
      .toBe('truncated file: program header table [0x34, 0x54) (e_phoff = 0x34, 1 entries) extends past the end of the file (60 bytes)');
    expect(elfError(good.slice(0, 90)))
      .toBe('truncated file: PT_LOAD segment #0 (program header at 0x34) has file bytes [0x54, 0x64) past the end of the file (90 bytes)');
    const farOffset = buildElf({ segments: [{ vaddr: 0x8000_0000, offset: 0x10000, filesz: 4 }] });
    expect(elfError(farOffset)).toMatch(/file bytes \[0x10000, 0x10004\) past the end of the file/);
  });

  it('rejects p_filesz > p_memsz, address wrap-around and files with nothing to load', () => {
    expect(elfError(buildElf({ segments: [{ vaddr: 0x8000_0000, data: [1, 2, 3, 4], memsz: 2 }] })))
      .toBe('PT_LOAD segment #0 (program header at 0x34): p_filesz 0x4 is larger than p_memsz 0x2');
    expect(elfError(buildElf({ segments: [{ vaddr: 0xffff_fff0, data: [], memsz: 0x20 }] })))
      .toMatch(/\[0xfffffff0, 0x100000010\) runs past the end of the 32-bit address space/);
    expect(elfError(buildElf({ segments: [{ type: 4, vaddr: 0, data: [1] }] }))).toMatch(/no PT_LOAD segment/);
  });

  it('rejects overlapping PT_LOAD segments, naming both ranges', () => {
    const bytes = buildElf({ segments: [
      { vaddr: 0x8000_1000, data: [], memsz: 0x1000 },
      { vaddr: 0x8000_0000, data: [], memsz: 0x1800 },
    ] });
    expect(elfError(bytes)).toBe('PT_LOAD segments overlap: #1 [0x80000000, 0x80001800) and #0 [0x80001000, 0x80002000)');
  });

  it('rejects segments outside the memory the caller says exists', () => {
    const bytes = buildElf({ segments: [{ vaddr: 0x7fff_fff0, data: [1, 2, 3, 4], memsz: 0x20 }] });
    expect(elfError(bytes, { loadable: RAM }))
      .toBe('PT_LOAD segment #0 [0x7ffffff0, 0x80000010) is outside the machine\'s memory (memory: RAM [0x80000000, 0x88000000))');
    expect(elfError(bytes, { loadable: (a, n) => a >= 0x8000_0000 && a + n <= 0x8800_0000, describe: () => 'RAM 0x80000000-0x87ffffff' }))
      .toMatch(/outside the machine's memory \(memory: RAM 0x80000000-0x87ffffff\)/);
    expect(parseElf(bytes, { loadable: () => true }).segments).toHaveLength(1);
  });

  it('reports a broken symbol table', () => {
    const bytes = buildElf({ segments: [{ vaddr: 0x8000_0000, data: [0, 0, 0, 0] }], symbols: [{ name: 'x', value: 1, size: 4 }] });
    const shoff = new DataView(bytes.buffer).getUint32(32, true);
    expect(elfError(bytes.slice(0, shoff + 50))).toMatch(/^truncated file: section header table \[0x[0-9a-f]+, 0x[0-9a-f]+\) .* extends past the end of the file/);
    const badLink = bytes.slice();
    new DataView(badLink.buffer).setUint32(shoff + 40 + 24, 9, true);
    expect(elfError(badLink)).toBe('.symtab (section #1) links to string table section #9, but there are only 3 sections');
  });

  const gcc = spawnSync('riscv64-unknown-elf-gcc', ['--version']).status === 0;
  it.skipIf(!gcc)(`agrees with binutils on a real toolchain ELF${gcc ? '' : ' (skipped: riscv64-unknown-elf-gcc not installed)'}`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'hindsight-elf-'));
    try {
      writeFileSync(join(dir, 't.S'), [
        '.text', '.globl _start', '_start: la t0, tohost', '1: j 1b',
        '.data', '.word 1, 2, 3', '.bss', '.space 64',
        '.section .tohost,"aw",@progbits', '.align 6', '.globl tohost', 'tohost: .dword 0', '.size tohost, 8',
        '.align 6', '.globl fromhost', 'fromhost: .dword 0', '.size fromhost, 8', '',
      ].join('\n'));
      writeFileSync(join(dir, 't.ld'),
        'SECTIONS { . = 0x80000000; .text : { *(.text*) } .data : { *(.data*) } .tohost : { *(.tohost) } .bss : { *(.bss*) } }\n');
      const elf = join(dir, 't.elf');
      execFileSync('riscv64-unknown-elf-gcc', ['-march=rv32imac_zicsr', '-mabi=ilp32', '-nostdlib', '-T', join(dir, 't.ld'), join(dir, 't.S'), '-o', elf]);
      const img = parseElf(readFileSync(elf), { loadable: RAM });
      const nm = execFileSync('riscv64-unknown-elf-nm', [elf], { encoding: 'utf8' });
      for (const name of ['_start', 'tohost', 'fromhost']) {
        const line = nm.split('\n').find((l) => l.endsWith(` ${name}`))!;
        expect(img.symbols.get(name)?.value).toBe(parseInt(line.split(' ')[0]!, 16));
      }
      expect(img.symbols.get('tohost')?.size).toBe(8);
      const readelf = execFileSync('riscv64-unknown-elf-readelf', ['-lW', elf], { encoding: 'utf8' });
      const loads = readelf.split('\n').filter((l) => l.trim().startsWith('LOAD')).map((l) => l.trim().split(/\s+/));
      expect(img.segments.map((s) => [s.paddr, s.bytes.length, s.memsz]))
        .toEqual(loads.map((f) => [parseInt(f[3]!, 16), parseInt(f[4]!, 16), parseInt(f[5]!, 16)]).filter((x) => x[2] !== 0));
      expect(img.entry).toBe(0x8000_0000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
