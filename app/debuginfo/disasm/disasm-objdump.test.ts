// The disassembler against its oracle, GNU objdump (Debian binutils 2.40, riscv64-unknown-elf):
//  1. every instruction of the executable sections of every committed firmware ELF, line by line
//     (address, raw bytes, text);
//  2. a generated program: every entry of the instruction table encoded with edge operands (x0, ra,
//     sp, gp, tp and immediates that trigger aliases), every 16-bit halfword, every CSR number under
//     each privileged-spec version, fences, atomics with aq/rl, encodings the hart rejects, and
//     seeded random words. The words go into an ELF written here (no assembler) whose
//     .riscv.attributes say rv32imac_zicsr_zifencei, so objdump decodes them as it would firmware.
// Skipped, with a message, when objdump is not installed.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encode, INSTRUCTIONS, type InsnSpec } from '../../engine/isa/instructions.js';
import { prng } from '../../engine/cpu/test-asm.js';
import type { PrivSpec } from './csr-names.js';
import { disassembleRange, type DisasmLine, type MappingSymbol } from './disassemble.js';
import { objdumpSymbolizer, type NamedSymbol } from './objdump-symbols.js';

const OBJDUMP = process.env['HINDSIGHT_OBJDUMP'] ?? 'riscv64-unknown-elf-objdump';
const FIRMWARE = new URL('../../../assets/firmware/elf/', import.meta.url).pathname;
const haveObjdump = spawnSync(OBJDUMP, ['--version']).status === 0;
if (!haveObjdump) console.warn(`disasm: ${OBJDUMP} not found; skipping the comparisons with objdump`);

// ---- objdump output ---------------------------------------------------------------------------------

interface ObjLine { hex: string; text: string }
interface Listing {
  lines: Map<number, ObjLine>;
  /** What objdump printed between <> after each address it printed (from the listing itself). */
  names: Map<number, string>;
  /** Addresses objdump skipped as runs of zeros (the `...` lines), as [from, to) pairs. */
  skipped: Array<[number, number]>;
}

function objdump(file: string): Listing {
  const r = spawnSync(OBJDUMP, ['-d', file], { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`${OBJDUMP} -d ${file}: ${r.stderr}`);
  const lines = new Map<number, ObjLine>();
  const names = new Map<number, string>();
  const skipped: Array<[number, number]> = [];
  let last: ObjLine | null = null;
  let lastEnd = 0; // address after the last line's bytes
  let gap = false;
  for (const line of r.stdout.split('\n')) {
    if (line === '\t...') { gap = true; continue; }
    const m = /^ *([0-9a-f]+):\t([0-9a-f ]+?) *(?:\t(.*))?$/.exec(line);
    if (!m) continue;
    const addr = parseInt(m[1]!, 16);
    if (gap) skipped.push([lastEnd, addr]);
    gap = false;
    lastEnd = addr + m[2]!.replaceAll(' ', '').length / 2;
    if (m[3] === undefined) { // continuation line of a long instruction's bytes
      last!.hex += ` ${m[2]!}`;
      continue;
    }
    last = { hex: m[2]!, text: m[3] };
    lines.set(addr, last);
    for (const s of m[3].matchAll(/(?:^|[\t, ])([0-9a-f]+) <([^>]+)>/g)) {
      const at = parseInt(s[1]!, 16);
      const prev = names.get(at);
      if (prev !== undefined && prev !== s[2]) throw new Error(`objdump names ${s[1]} both <${prev}> and <${s[2]}>`);
      names.set(at, s[2]!);
    }
  }
  if (gap) skipped.push([lastEnd, Infinity]);
  return { lines, names, skipped };
}

interface Agreement { compared: number; agreed: number; skippedZeros: number; mismatches: string[] }

/** Compares our lines with objdump's, by address. Every line objdump printed must be one of ours. */
function compare(ours: readonly DisasmLine[], listing: Listing): Agreement {
  const result: Agreement = { compared: 0, agreed: 0, skippedZeros: 0, mismatches: [] };
  const seen = new Set<number>();
  for (const l of ours) {
    const theirs = listing.lines.get(l.address);
    if (!theirs) {
      const inGap = listing.skipped.some(([a, b]) => l.address >= a && l.address < b);
      if (!inGap || !/^(unimp|\.2byte\t0x0|\.4byte\t0x0)$/.test(l.text)) {
        result.mismatches.push(`${hex(l.address)}: objdump has no line here; ours: ${l.hex}\t${l.text}`);
      }
      result.skippedZeros++;
      continue;
    }
    seen.add(l.address);
    result.compared++;
    if (theirs.hex === l.hex && theirs.text === l.text) result.agreed++;
    else result.mismatches.push(`${hex(l.address)}: objdump ${theirs.hex}\t${theirs.text}\n${' '.repeat(10)}ours    ${l.hex}\t${l.text}`);
  }
  for (const a of listing.lines.keys()) if (!seen.has(a)) result.mismatches.push(`${hex(a)}: only objdump has a line here`);
  return result;
}

const hex = (v: number): string => v.toString(16).padStart(8, '0');

// ---- ELF32 reading (firmware) and writing (generated programs) -------------------------------------

interface Section { name: string; type: number; flags: number; addr: number; offset: number; size: number; link: number }
interface ElfSym { name: string; value: number; size: number; type: number; bind: number; shndx: number }
interface Elf { bytes: Uint8Array; sections: Section[]; symbols: ElfSym[] }

function readElf(bytes: Uint8Array): Elf {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shoff = v.getUint32(0x20, true), shnum = v.getUint16(0x30, true), shstrndx = v.getUint16(0x32, true);
  const raw = Array.from({ length: shnum }, (_, i) => {
    const o = shoff + i * 40;
    const u = (k: number): number => v.getUint32(o + 4 * k, true);
    return { nameOff: u(0), type: u(1), flags: u(2), addr: u(3), offset: u(4), size: u(5), link: u(6) };
  });
  const str = (sec: { offset: number }, off: number): string => {
    let end = sec.offset + off;
    while (bytes[end] !== 0) end++;
    return new TextDecoder().decode(bytes.subarray(sec.offset + off, end));
  };
  const sections = raw.map((s) => ({ ...s, name: str(raw[shstrndx]!, s.nameOff) }));
  const symbols: Elf['symbols'] = [];
  for (const s of sections.filter((x) => x.type === 2 /* SHT_SYMTAB */)) {
    for (let o = s.offset; o < s.offset + s.size; o += 16) {
      const info = bytes[o + 12]!;
      symbols.push({ name: str(sections[s.link]!, v.getUint32(o, true)), value: v.getUint32(o + 4, true), size: v.getUint32(o + 8, true), type: info & 15, bind: info >> 4, shndx: v.getUint16(o + 14, true) });
    }
  }
  return { bytes, sections, symbols };
}

/** Tag_RISCV_priv_spec(_minor) of an ELF's .riscv.attributes (objdump's CSR names follow them). */
function privSpecOf(elf: Elf): PrivSpec {
  const sec = elf.sections.find((s) => s.type === 0x70000003);
  if (!sec) return '1.12'; // objdump's default: the newest
  const b = elf.bytes.subarray(sec.offset, sec.offset + sec.size);
  let o = 1 + 4 + 'riscv\0'.length + 1 + 4; // 'A', length, vendor, Tag_File, its size
  const uleb = (): number => { let v = 0, k = 0; for (;;) { const x = b[o++]!; v |= (x & 127) << k; k += 7; if (x < 128) return v; } };
  const tags = new Map<number, number>();
  while (o < b.length) {
    const tag = uleb();
    if (tag === 5) { while (b[o++] !== 0); continue; } // Tag_RISCV_arch: a string
    tags.set(tag, uleb());
  }
  return `${tags.get(8) ?? 1}.${tags.get(10) ?? 12}` as PrivSpec;
}

/** .riscv.attributes as GCC 12 / binutils 2.40 write them for -march=rv32imac_zicsr_zifencei. */
function attributes(priv: PrivSpec): Uint8Array {
  const arch = new TextEncoder().encode('rv32i2p1_m2p0_a2p1_c2p0_zicsr2p0_zifencei2p0_zmmul1p0\0');
  const minor = Number(priv.split('.')[1]);
  const tags = [0x04, 0x10, 0x05, ...arch, 0x08, 0x01, 0x0a, minor];
  const file = [0x01, ...u32(5 + tags.length), ...tags];
  const vendor = [...u32(4 + 6 + file.length), ...new TextEncoder().encode('riscv\0'), ...file];
  return Uint8Array.from([0x41, ...vendor]);
}
const u32 = (x: number): number[] => [x & 255, (x >>> 8) & 255, (x >>> 16) & 255, x >>> 24];

/**
 * A minimal executable ELF: .text at `addr` holding `code`, the attributes, the section names and,
 * when `symbols` are given, a symbol table (local, untyped, in .text) with its string table.
 */
function writeElf(code: Uint8Array, addr: number, priv: PrivSpec, symbols: ReadonlyArray<[string, number]> = []): Uint8Array {
  const enc = new TextEncoder();
  const parts: Uint8Array[] = [];
  let size = 0x34;
  const place = (b: Uint8Array, align = 4): number => {
    size = (size + align - 1) & -align;
    const at = size;
    parts.push(b); offsets.push(at);
    size += b.length;
    return at;
  };
  const offsets: number[] = [];
  const names = ['', '.text', '.riscv.attributes', '.shstrtab', '.symtab', '.strtab'];
  const shstr = enc.encode(names.join('\0') + '\0');
  const nameOff = (i: number): number => enc.encode(names.slice(0, i).join('\0') + (i ? '\0' : '')).length;
  const strtab = enc.encode(`\0${symbols.map(([n]) => `${n}\0`).join('')}`);
  const symtab = new Uint8Array(16 * (symbols.length + 1));
  const sv = new DataView(symtab.buffer);
  let strAt = 1;
  symbols.forEach(([n, value], i) => {
    const o = 16 * (i + 1);
    sv.setUint32(o, strAt, true); sv.setUint32(o + 4, value, true); sv.setUint16(o + 14, 1, true); // LOCAL NOTYPE in .text
    strAt += enc.encode(n).length + 1;
  });
  const textOff = place(code), attrOff = place(attributes(priv), 1), shstrOff = place(shstr, 1);
  const symOff = place(symtab), strOff = place(strtab, 1);
  const nsec = symbols.length ? 6 : 4;
  const shoff = (size + 3) & ~3;
  const out = new Uint8Array(shoff + nsec * 40);
  parts.forEach((b, i) => out.set(b, offsets[i]!));
  const v = new DataView(out.buffer);
  out.set([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1]); // ELFCLASS32, little-endian, version 1
  v.setUint16(0x10, 2, true); v.setUint16(0x12, 243, true); v.setUint32(0x14, 1, true); // ET_EXEC, EM_RISCV
  v.setUint32(0x18, addr, true); v.setUint32(0x20, shoff, true); v.setUint32(0x24, 1, true); // entry, shoff, EF_RISCV_RVC
  v.setUint16(0x28, 0x34, true); v.setUint16(0x2e, 40, true); v.setUint16(0x30, nsec, true); v.setUint16(0x32, 3, true);
  const sh = (i: number, type: number, flags: number, a: number, off: number, len: number, link = 0, info = 0, entsize = 0): void => {
    [nameOff(i), type, flags, a, off, len, link, info, 1, entsize].forEach((x, k) => v.setUint32(shoff + i * 40 + 4 * k, x >>> 0, true));
  };
  sh(1, 1, 6, addr, textOff, code.length); // .text: PROGBITS, ALLOC|EXECINSTR
  sh(2, 0x70000003, 0, 0, attrOff, parts[1]!.length); // SHT_RISCV_ATTRIBUTES
  sh(3, 3, 0, 0, shstrOff, shstr.length);
  if (symbols.length) {
    sh(4, 2, 0, 0, symOff, symtab.length, 5, symbols.length + 1, 16);
    sh(5, 3, 0, 0, strOff, strtab.length);
  }
  return out;
}

const tmp = mkdtempSync(join(tmpdir(), 'hindsight-disasm-'));
// HINDSIGHT_DISASM_KEEP=1 keeps the generated ELFs for a look with objdump.
afterAll(() => { if (process.env['HINDSIGHT_DISASM_KEEP']) console.log(`generated ELFs kept in ${tmp}`); else rmSync(tmp, { recursive: true, force: true }); });

function report(what: string, a: Agreement): void {
  const pct = a.compared === 0 ? 0 : (100 * a.agreed) / a.compared;
  console.log(`disasm vs objdump, ${what}: ${a.agreed}/${a.compared} lines agree (${pct.toFixed(2)}%)` +
    (a.skippedZeros ? `, ${a.skippedZeros} zero-padding lines objdump elides as "..."` : ''));
  if (a.mismatches.length) console.log(a.mismatches.slice(0, 40).join('\n'));
}

// ---- 1. firmware ------------------------------------------------------------------------------------

const elves = readdirSync(FIRMWARE).filter((f) => f.endsWith('.elf')).sort();

describe.skipIf(!haveObjdump)('disassembly of the firmware ELFs equals objdump -d', () => {
  it.each(elves)('%s', (name) => {
    const file = join(FIRMWARE, name);
    const elf = readElf(new Uint8Array(readFileSync(file)));
    const listing = objdump(file);
    const gp = elf.symbols.find((s) => s.name === '__global_pointer$')?.value;
    // objdump with no symbols at all prints bare 0x addresses: so do we, without symbolize.
    const symbolize = elf.symbols.some((s) => s.name !== '' && !s.name.startsWith('$'))
      ? (a: number): string | null => listing.names.get(a) ?? null : undefined;
    const privSpec = privSpecOf(elf);
    const total: Agreement = { compared: 0, agreed: 0, skippedZeros: 0, mismatches: [] };
    elf.sections.forEach((sec, index) => {
      if ((sec.flags & 4) === 0 || sec.type !== 1) return; // executable PROGBITS
      const mapping: MappingSymbol[] = elf.symbols
        .filter((s) => s.shndx === index && /^\$[xd]/.test(s.name))
        .map((s) => ({ address: s.value, kind: s.name.startsWith('$d') ? 'data' : 'code' }));
      const bytes = elf.bytes.subarray(sec.offset, sec.offset + sec.size);
      const a = compare(disassembleRange(bytes, sec.addr, { symbolize, gp, mapping, privSpec }), listing);
      total.compared += a.compared; total.agreed += a.agreed; total.skippedZeros += a.skippedZeros;
      total.mismatches.push(...a.mismatches);
    });
    report(`${name} (privileged spec ${privSpec})`, total);
    expect(total.compared).toBeGreaterThan(100);
    expect(total.mismatches).toEqual([]);
  });

  it.each(elves)('%s: objdumpSymbolizer names addresses as objdump does', (name) => {
    const file = join(FIRMWARE, name);
    const elf = readElf(new Uint8Array(readFileSync(file)));
    const listing = objdump(file);
    // Named, defined symbols; not SECTION (3), FILE (4), TLS (6: the value is an offset) or mapping ones.
    const symbols: NamedSymbol[] = elf.symbols
      .filter((s) => s.name !== '' && s.shndx !== 0 && ![3, 4, 6].includes(s.type) && !s.name.startsWith('$'))
      .map((s) => ({ name: s.name, address: s.value, size: s.size, kind: s.type === 2 ? 'function' : 'other', binding: ['local', 'global', 'weak'][s.bind] ?? 'other' }));
    const symbolize = objdumpSymbolizer(symbols);
    const wrong = [...listing.names].filter(([a, n]) => symbolize(a) !== n).map(([a, n]) => `${hex(a)}: objdump <${n}>, ours <${symbolize(a)}>`);
    if (symbols.length) console.log(`objdumpSymbolizer, ${name}: ${listing.names.size - wrong.length}/${listing.names.size} addresses named alike`);
    expect(wrong).toEqual([]);
  });
});

// ---- 2. generated -----------------------------------------------------------------------------------

const REGS = [0, 1, 2, 3, 4, 5, 8, 10, 15, 31];
const IMM12 = [0, 1, -1, 2, 255, 100, -100, 2047, -2048, 12];
const CSRS = [0x000, 0x001, 0x300, 0x305, 0x320, 0x340, 0x341, 0x342, 0x343, 0x344, 0x3a0, 0x3b0, 0x7c0,
  0xb00, 0xc00, 0xc01, 0xc02, 0xc03, 0xc80, 0xc81, 0xc82, 0xf14, 0xf15, 0x747, 0xfff];

/** Operand combinations for one table entry: aliases hinge on x0/ra/sp and on 0, 1, -1, 255. */
function wordsFor(spec: InsnSpec): number[] {
  const out: number[] = [];
  const e = (o: Parameters<typeof encode>[1]): void => { out.push(encode(spec, o)); };
  switch (spec.format) {
    case 'R': case 'AMO':
      for (const rd of REGS) for (const rs1 of REGS) for (const rs2 of [0, 1, 10, 31]) e({ rd, rs1, rs2 });
      break;
    case 'LR': case 'SFENCE':
      for (const rd of REGS) for (const rs1 of REGS) for (const rs2 of REGS) e({ rd, rs1, rs2 });
      break;
    case 'I':
      for (const rd of REGS) for (const rs1 of REGS) for (const imm of IMM12) e({ rd, rs1, imm });
      break;
    case 'SHIFT':
      for (const rd of REGS) for (const rs1 of REGS) for (const imm of [0, 1, 5, 31]) e({ rd, rs1, imm });
      break;
    case 'S':
      for (const rs1 of REGS) for (const rs2 of REGS) for (const imm of IMM12) e({ rs1, rs2, imm });
      break;
    case 'B':
      for (const rs1 of REGS) for (const rs2 of REGS) for (const imm of [0, 2, -2, 8, 4094, -4096]) e({ rs1, rs2, imm });
      break;
    case 'U':
      for (const rd of REGS) for (const imm of [0, 0x1000, 0x80000000, 0xfffff000, 0x12345000]) e({ rd, imm });
      break;
    case 'J':
      for (const rd of REGS) for (const imm of [0, 2, -2, 0x7fe, 0xffffe, -0x100000]) e({ rd, imm });
      break;
    case 'CSR':
      for (const rd of [0, 1, 10]) for (const rs1 of [0, 1, 10]) for (const csr of CSRS) e({ rd, rs1, csr });
      break;
    case 'CSRI':
      for (const rd of [0, 1, 10]) for (const imm of [0, 1, 31]) for (const csr of CSRS) e({ rd, imm, csr });
      break;
    case 'NONE': e({}); break;
  }
  if (spec.format === 'AMO' || spec.format === 'LR') for (const w of [...out]) out.push((w | (1 << 26)) >>> 0, (w | (1 << 25)) >>> 0, (w | (3 << 25)) >>> 0);
  return out;
}

/** The generated program: 32-bit words and 16-bit halfwords, as [value, length] pairs. */
function program(): Array<[number, 2 | 4]> {
  const words: number[] = INSTRUCTIONS.flatMap(wordsFor);
  // FENCE: every pred/succ pair, fm (fence.tso), and the fields the hart ignores but objdump checks.
  for (let ps = 0; ps < 256; ps++) words.push(((ps << 20) | 0x0f) >>> 0);
  words.push(0x8330000f, 0x8ff0000f, 0x4000000f, 0x0ff0008f, 0x0ff5000f, 0x0000100f, 0x0010100f, 0x0000108f, 0x0005100f);
  // What the hart rejects but objdump names: RV64 shift amounts, retired and debug SYSTEM instructions.
  words.push(0x02051513, 0x03f55513, 0x42055513, 0x00200073, 0x20200073, 0x7b200073, 0x10400073, 0x10450073, 0x10550073);
  // Every major opcode x funct3 x funct7 (the fields that select an instruction), then SYSTEM's and
  // MISC-MEM's 12-bit immediates, which select ecall/ebreak/xret/wfi and fence variants.
  for (let op = 3; op < 128; op += 4) {
    if ((op & 0x1f) === 0x1f) continue; // a longer-than-32-bit encoding
    for (let f3 = 0; f3 < 8; f3++) for (let f7 = 0; f7 < 128; f7++) words.push(((f7 << 25) | (12 << 20) | (11 << 15) | (f3 << 12) | (10 << 7) | op) >>> 0);
  }
  for (let imm = 0; imm < 4096; imm++) for (const op of [0x73, 0x0f, 0x100f]) words.push(((imm << 20) | op) >>> 0);
  // Seeded random words; HINDSIGHT_DISASM_RANDOM=N soaks with more.
  const rnd = prng(0xd15a5);
  const n = Number(process.env['HINDSIGHT_DISASM_RANDOM'] ?? 20000);
  for (let i = 0; i < n; i++) {
    const w = rnd() >>> 0;
    if ((w & 0x1f) !== 0x1f) words.push((w | 3) >>> 0); // a 32-bit instruction, not a longer one
  }
  const out: Array<[number, 2 | 4]> = words.map((w) => [w, 4]);
  for (let h = 0; h < 0x10000; h++) if ((h & 3) !== 3) out.push([h, 2]);
  // A seeded mix of both sizes, so c.lui/auipc meet later c.addi, loads, stores and jalr (comments).
  for (let i = 0; i < n; i++) {
    const w = rnd() >>> 0;
    if ((w & 3) !== 3) out.push([w & 0xffff, 2]);
    else if ((w & 0x1f) !== 0x1f) out.push([w, 4]);
  }
  return out;
}

function assemble(items: ReadonlyArray<[number, 2 | 4]>): Uint8Array {
  const bytes = new Uint8Array(items.reduce((n, [, len]) => n + len, 0));
  let o = 0;
  for (const [v, len] of items) for (let i = 0; i < len; i++) bytes[o++] = (v >>> (8 * i)) & 255;
  return bytes;
}

function run(code: Uint8Array, priv: PrivSpec, what: string, symbols: ReadonlyArray<[string, number]> = []): Agreement {
  const file = join(tmp, `${what}.elf`);
  const at = 0x80000000;
  writeFileSync(file, writeElf(code, at, priv, symbols.map(([n, off]) => [n, at + off])));
  const listing = objdump(file);
  const mapping: MappingSymbol[] = symbols.filter(([n]) => /^\$[xd]/.test(n))
    .map(([n, off]) => ({ address: at + off, kind: n.startsWith('$d') ? 'data' : 'code' }));
  const symbolize = symbols.some(([n]) => !n.startsWith('$')) ? (a: number): string | null => listing.names.get(a) ?? null : undefined;
  const gpOff = symbols.find(([n]) => n === '__global_pointer$')?.[1];
  const gp = gpOff === undefined ? undefined : at + gpOff;
  const a = compare(disassembleRange(code, at, { privSpec: priv, mapping, symbolize, gp }), listing);
  report(what, a);
  return a;
}

describe.skipIf(!haveObjdump)('generated instructions disassemble as objdump does', () => {
  it('every table entry with edge operands, every halfword, fences, atomics, random words', () => {
    // With __global_pointer$ defined, objdump also resolves gp-relative operands.
    const a = run(assemble(program()), '1.11', 'generated', [['start', 0], ['__global_pointer$', 0x800]]);
    expect(a.compared).toBeGreaterThan(100_000);
    expect(a.mismatches).toEqual([]);
  });

  it.each(['1.10', '1.11', '1.12'] as const)('every CSR number under privileged spec %s', (priv) => {
    const items: Array<[number, 4]> = [];
    for (let csr = 0; csr < 4096; csr++) {
      items.push([((csr << 20) | (11 << 15) | (2 << 12) | (10 << 7) | 0x73) >>> 0, 4]); // csrrs a0,csr,a1
      items.push([((csr << 20) | (3 << 15) | (5 << 12) | (0 << 7) | 0x73) >>> 0, 4]); // csrrwi zero,csr,3
    }
    const a = run(assemble(items), priv, `csr-${priv}`);
    expect(a.mismatches).toEqual([]);
  });

  it('longer-instruction encodings', () => {
    const bytes = Uint8Array.from([
      0x1f, 0, 0x11, 0x22, 0x33, 0x44, // 48-bit
      0x3f, 0, 1, 2, 3, 4, 5, 6, // 64-bit
      0x7f, 0x00, 1, 2, 3, 4, 5, 6, 7, 8, // 80-bit
      0x7f, 0x10, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, // 96-bit
      0x7f, 0x60, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, // 176-bit
      0x7f, 0x70, 0x01, 0x00, // 0x707f: reserved, objdump steps 2 bytes
      0x13, 0x05, 0x15, 0x00,
    ]);
    const a = run(bytes, '1.11', 'long');
    expect(a.mismatches).toEqual([]);
  });
  it('data under $d mapping symbols, in chunks of 4, 2 and 1 bytes', () => {
    const code = Uint8Array.from([
      0x13, 0, 0, 0, // $x nop
      0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, // $d: .word, .short (3 bytes print as 2), .byte
      0x01, 0, // $x c.nop at an odd address
      0x34, 0x12, // $d .short
      0x97, 0x05, 0, 0, 0x93, 0x85, 0x85, 0x01, // $x auipc a1,0x0; addi a1,a1,24 # back into the data
      0xaa, 0xbb, 0xcc, 0xdd, 0xee, // $d to the end: .word, .byte
    ]);
    const a = run(code, '1.11', 'data', [['start', 0], ['$x', 0], ['$d', 4], ['$x', 11], ['$d', 13], ['$x', 15], ['tail', 23], ['$d', 23]]);
    expect(a.compared).toBe(10);
    expect(a.mismatches).toEqual([]);
  });
});
