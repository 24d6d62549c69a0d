// Bad input never throws out of loadDebugInfo or the queries, never hangs, and is reported as a
// warning naming the section and offset, while everything else keeps working.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadDebugInfo } from './index.js';
import type { DebugInfo } from './index.js';
import { readElfFile } from './elf/elf-file.js';
import { WarningSink } from './warnings.js';

const ELF_DIR = path.resolve(import.meta.dirname, '../../assets/firmware/elf');
const shell = new Uint8Array(readFileSync(path.join(ELF_DIR, 'shell.elf')));

function section(file: Uint8Array, name: string): { offset: number; size: number } {
  const s = readElfFile(file, new WarningSink())!.section(name)!;
  return { offset: s.offset, size: s.size };
}

/** Runs every query on a few addresses; returns how many answers there were. */
function exercise(di: DebugInfo): number {
  let n = 0;
  const stack = new Uint8Array(256);
  const read = (a: number, len: number): Uint8Array | null => {
    const s = di.readStatic(a, len);
    if (s) return s;
    const o = a - 0x80040000;
    return o >= 0 && o + len <= stack.length ? stack.subarray(o, o + len) : null;
  };
  for (const addr of [0x80000000, 0x80000214, 0x800005f0, 0x80000c58, 0x80001000]) {
    if (di.lineFor(addr)) n++;
    if (di.functionAt(addr)) n++;
    if (di.symbolAt(addr)) n++;
    const regs = new Array<number>(32).fill(0);
    regs[2] = 0x80040040; regs[8] = 0x80040080;
    const frames = di.unwind(regs, addr, read);
    n += frames.length;
    for (const scope of di.localsAt(addr)) {
      for (const v of scope.variables) {
        const state = di.frameState(frames, 0, read);
        const loc = di.evaluateLocation(v.location, state);
        const bytes = di.readLocation(loc, Math.min(v.size, 64), state);
        if (bytes) { di.formatValue(v.type, bytes, { readMemory: read }); n++; }
      }
    }
  }
  for (const g of di.globals()) {
    const bytes = g.address !== undefined ? di.readStatic(g.address, Math.min(g.size, 256)) : null;
    if (bytes) di.formatValue(g.type, bytes, { readMemory: read });
    di.ptype(g.type);
    n++;
  }
  n += di.functions().length + di.addressesFor('uart.c', 28).length;
  return n;
}

describe('loadDebugInfo on bad input', () => {
  it('never throws on files that are not usable ELFs, and says why', () => {
    const elf64 = shell.slice(0, 64); elf64[4] = 2;
    const cases: Array<[Uint8Array, RegExp]> = [
      [new Uint8Array(0), /not an ELF file/],
      [Uint8Array.from([1, 2, 3, 4, 5]), /not an ELF file/],
      [shell.slice(0, 30), /truncated ELF header/],
      [elf64, /only ELF32/],
      [shell.slice(0, 1000), /section header table at 0x[0-9a-f]+ is past the end of the file/],
    ];
    for (const [bytes, why] of cases) {
      const di = loadDebugInfo(bytes);
      expect(di.warnings.map((w) => `${w.section}: ${w.message}`).join('\n')).toMatch(why);
      expect(di.hasDwarf).toBe(false);
      expect(di.lineFor(0x80000000)).toBeNull();
      expect(di.functions()).toEqual([]);
      expect(di.globals()).toEqual([]);
      expect(di.unwind(new Array(32).fill(0), 0x80000000, () => null).length).toBeLessThanOrEqual(1);
    }
  });

  it('keeps the sections that are inside a truncated file', () => {
    // Cut the file in the middle of .debug_info: symbols and sections before it still load.
    const info = section(shell, '.debug_info');
    const cut = shell.slice();
    const view = new DataView(cut.buffer);
    // Keep the section table (at the end), but point .debug_info past the end of the file.
    const shoff = view.getUint32(32, true);
    const shnum = view.getUint16(48, true);
    for (let i = 0; i < shnum; i++) if (view.getUint32(shoff + i * 40 + 16, true) === info.offset) view.setUint32(shoff + i * 40 + 20, 0x7fff_0000, true);
    const di = loadDebugInfo(cut);
    expect(di.warnings.some((w) => w.section === 'ELF' && /extend past the end of the file/.test(w.message))).toBe(true);
    expect(di.symbols.byName('main')).toBeDefined();
    // Addresses come from the intact file's symbols, so the test follows the firmware as it changes.
    const putc = loadDebugInfo(shell).symbols.byName('uart_putc')!.address;
    expect(di.lineFor(putc)?.line).toBe(loadDebugInfo(shell).lineFor(putc)!.line);
    expect(di.cfi.fdes.length).toBeGreaterThan(10);
  });

  it('reports a damaged unit at its offset and reads the other units', () => {
    const good = loadDebugInfo(shell);
    const uartCu = good.dwarf!.units.find((u) => good.dwarf!.name(u.root()!) === 'lib/uart.c')!;
    const bad = shell.slice();
    const info = section(shell, '.debug_info');
    // The first DIE's abbreviation code becomes one the unit's table does not have.
    bad[info.offset + uartCu.header.firstDie] = 0x7f;
    const di = loadDebugInfo(bad);
    expect(exercise(di)).toBeGreaterThan(50);
    const w = di.warnings.find((x) => x.section === '.debug_info');
    expect(w).toBeDefined();
    expect(w!.offset).toBe(uartCu.header.firstDie);
    expect(w!.message).toMatch(new RegExp(`unit at \\.debug_info\\+0x${uartCu.header.offset.toString(16)}: DIE uses abbreviation code 127`));
    // uart.c's functions are gone; main's are not; lines and symbols are untouched.
    const putc = good.symbols.byName('uart_putc')!.address;
    const minstret = good.symbols.byName('cmd_minstret')!.address;
    expect(di.functionAt(putc)).toBeNull();
    expect(di.symbolAt(putc)?.symbol.name).toBe('uart_putc');
    expect(di.lineFor(putc)?.line).toBe(good.lineFor(putc)!.line);
    expect(di.functionAt(minstret)?.name).toBe('cmd_minstret');
    expect(di.findVariable('probe_fault')?.address).toBe(good.findVariable('probe_fault')!.address);
  });

  it('reports a damaged line program at its offset and keeps the others', () => {
    const good = loadDebugInfo(shell);
    const victim = good.linePrograms[3]!;
    const bad = shell.slice();
    const line = section(shell, '.debug_line');
    bad[line.offset + victim.offset + 4] = 99; // version
    const di = loadDebugInfo(bad);
    expect(di.warnings).toEqual([{ section: '.debug_line', offset: victim.offset, message: `line program at 0x${victim.offset.toString(16)}: line program version 99 is not supported (2-5)` }]);
    expect(di.linePrograms.length).toBe(good.linePrograms.length - 1);
    const victimAddr = victim.rows.find((r) => r.address !== 0)!.address;
    expect(di.lineFor(victimAddr)).toBeNull();
    const other = good.linePrograms[0]!.rows[0]!.address;
    expect(di.lineFor(other)).toEqual(good.lineFor(other));
  });

  it('reports a damaged location list when it is used, and the other variables still evaluate', () => {
    const bad = shell.slice();
    const loc = section(shell, '.debug_loclists');
    bad[loc.offset + 12] = 0xee; // the first entry's kind
    const di = loadDebugInfo(bad);
    expect(di.warnings).toEqual([]);
    let lists = 0;
    for (const f of di.functions()) {
      for (let pc = f.lowPc; pc < f.highPc; pc += 2) for (const s of di.localsAt(pc)) for (const v of s.variables) if (v.location.kind === 'list') lists++;
    }
    expect(lists).toBeGreaterThan(20);
    expect(di.warnings.some((w) => w.section === '.debug_loclists' && w.offset === 12 && /unknown location list entry kind 238/.test(w.message))).toBe(true);
  });

  it('survives random damage to any debug section, in bounded time', () => {
    const names = ['.debug_info', '.debug_abbrev', '.debug_line', '.debug_str', '.debug_line_str', '.debug_frame', '.debug_loclists', '.debug_rnglists', '.symtab', '.strtab'];
    const sections = names.map((n) => ({ n, ...section(shell, n) }));
    let seed = 0x1234567;
    const rand = (k: number): number => { seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5; return (seed >>> 0) % k; };
    let warned = 0;
    const started = Date.now();
    for (let iter = 0; iter < 150; iter++) {
      const bytes = shell.slice();
      const s = sections[rand(sections.length)]!;
      const flips = 1 + rand(12);
      for (let k = 0; k < flips; k++) {
        const at = s.offset + rand(s.size);
        bytes[at] = rand(3) === 0 ? 0xff : rand(256);
      }
      const t0 = Date.now();
      const di = loadDebugInfo(bytes);
      exercise(di);
      expect(Date.now() - t0).toBeLessThan(5_000);
      if (di.warnings.length > 0) warned++;
      for (const w of di.warnings) expect(typeof w.offset === 'number' && w.section.length > 0 && w.message.length > 0).toBe(true);
    }
    expect(warned).toBeGreaterThan(20);
    expect(Date.now() - started).toBeLessThan(60_000);
  });
});
