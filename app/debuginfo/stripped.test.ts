// A stripped ELF still works: with symbols only, addresses have names and the stack unwinds by
// frame pointer; with nothing (objcopy --strip-all), the frame pointer chain still gives the
// same return addresses and CFAs as CFI unwinding of the unstripped build of the same code.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Machine } from '../engine/machine/machine.js';
import { loadDebugInfo } from './index.js';
import type { Frame } from './index.js';
import { readElfFile } from './elf/elf-file.js';
import { WarningSink } from './warnings.js';

const ELF_DIR = path.resolve(import.meta.dirname, '../../assets/firmware/elf');
const read = (name: string): Uint8Array => new Uint8Array(readFileSync(path.join(ELF_DIR, name)));

function runTo(bytes: Uint8Array, bp: number): { regs: number[]; pc: number; mem: (a: number, n: number) => Uint8Array | null } {
  const m = Machine.create({ image: { bytes } });
  m.setBreakpoints([bp]);
  expect(m.run({ maxInstructions: 2e8 })).toEqual({ kind: 'breakpoint', pc: bp | 0 });
  const ram = m.bus.ram;
  const base = m.bus.ramBase;
  return {
    regs: Array.from(m.hart.x, (v) => v >>> 0),
    pc: m.hart.pc >>> 0,
    mem: (a, n) => { const o = (a >>> 0) - base; return o >= 0 && o + n <= ram.length ? ram.slice(o, o + n) : null; },
  };
}

/** The ELF with every .debug_* section unnamed: what `objcopy --strip-debug` leaves, as far as a reader can tell. */
function withoutDebugSections(bytes: Uint8Array): Uint8Array {
  const out = bytes.slice();
  const elf = readElfFile(out, new WarningSink())!;
  const shstr = elf.sections[new DataView(out.buffer).getUint16(50, true)]!;
  for (const s of elf.sections) {
    if (!s.name.startsWith('.debug_')) continue;
    const nameOff = new DataView(out.buffer).getUint32(new DataView(out.buffer).getUint32(32, true) + s.index * 40, true);
    out[shstr.offset + nameOff + 1] = 0x58; // ".debug_info" -> ".Xebug_info"
  }
  return out;
}

describe('stripped ELFs', () => {
  const full = read('workload-O0.elf');
  const stripped = read('workload-O0-stripped.elf');
  const di = loadDebugInfo(full);
  // Where gdb's `break sift_down` stops (after the prologue), from the unstripped build.
  const bp = di.addressesFor('main-workload.c', 77)[0]!;

  it('with nothing left (strip --all): no names, no lines, no warnings, and the frame pointer chain unwinds', () => {
    const bare = loadDebugInfo(stripped);
    expect(bare.warnings).toEqual([]);
    expect(bare.hasDwarf).toBe(false);
    expect(bare.symbols.all).toEqual([]);
    expect(bare.symbolAt(bp)).toBeNull();
    expect(bare.lineFor(bp)).toBeNull();
    expect(bare.functionAt(bp)).toBeNull();
    expect(bare.globals()).toEqual([]);
    expect(bare.findVariable('sort_buf')).toBeNull();
    expect(bare.localsAt(bp)).toEqual([]);
    expect(bare.cfi.fdes).toEqual([]);

    const s = runTo(stripped, bp);
    const byFp = bare.unwind(s.regs, s.pc, s.mem);
    const f = runTo(full, bp);
    const byCfi = di.unwind(f.regs, f.pc, f.mem);
    const shape = (frames: Frame[]): Array<[number, number | undefined]> => frames.map((x) => [x.pc, x.cfa]);
    expect(byCfi.map((x) => x.function)).toEqual(['sift_down', 'heap_sort', 'run_sort', 'main']);
    expect(byFp.every((x, i) => i === 0 || x.method === 'frame-pointer' || byFp[i - 1]!.method === 'frame-pointer')).toBe(true);
    // The frame pointer chain finds the same frames (and goes on into _start, which CFI unwinding stops before).
    expect(shape(byFp).slice(0, 4)).toEqual(shape(byCfi));
    expect(byFp[0]!.function).toBeUndefined();
  });

  it('with symbols only: addresses have names and frames are named by symbol', () => {
    const symOnly = loadDebugInfo(withoutDebugSections(full));
    expect(symOnly.warnings).toEqual([]);
    expect(symOnly.hasDwarf).toBe(false);
    expect(symOnly.lineFor(bp)).toBeNull();
    expect(symOnly.symbolAt(bp)?.text).toBe(`sift_down+${bp - symOnly.symbols.byName('sift_down')!.address}`);
    expect(symOnly.symbols.byName('sort_buf')?.size).toBe(32768 * 4);
    const f = runTo(full, bp);
    const frames = symOnly.unwind(f.regs, f.pc, f.mem);
    expect(frames.map((x) => x.function)).toEqual(['sift_down', 'heap_sort', 'run_sort', 'main']);
    expect(frames.map((x) => x.pc)).toEqual(di.unwind(f.regs, f.pc, f.mem).map((x) => x.pc));
  });
});
