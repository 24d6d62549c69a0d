// Oracle: call stacks at breakpoints. The same ELF runs in QEMU under gdb-multiarch (`break FUNC`,
// `continue`, `bt`) and in Hindsight's machine stopped at the address gdb put the breakpoint at;
// DebugInfo.unwind on the machine's registers and memory must give gdb's frames: function names
// (inlined calls as frames of their own), return addresses, file:line, and the values gdb prints
// for the arguments (`c=72 'H'`, `a=0x80021924 <sort_buf>`, `root=root@entry=16383`). gdb runs
// with LC_ALL=C so that it escapes non-ASCII bytes in strings as we do (octal), whatever the locale.
import { afterEach, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Machine } from '../../engine/machine/machine.js';
import { loadDebugInfo } from '../index.js';
import type { DebugInfo, Frame } from '../index.js';
import { normalisePath } from '../dwarf/line-table.js';

const ELF_DIR = path.resolve(import.meta.dirname, '../../../assets/firmware/elf');
const GDB = 'gdb-multiarch';
const QEMU = 'qemu-system-riscv32';
const missing = (...tools: string[]): string | false => {
  for (const t of tools) if (spawnSync(t, ['--version'], { stdio: 'ignore' }).status !== 0) return `${t} is not installed`;
  return false;
};
const noTools = missing(GDB, QEMU);

interface GdbFrame { level: number; pc?: number; name: string; args: string; file?: string; line?: number }

let qemu: ChildProcess | null = null;
afterEach(() => { qemu?.kill('SIGKILL'); qemu = null; });

/** Runs the ELF in QEMU to `func` under gdb; returns the breakpoint address and gdb's backtrace. */
async function gdbBacktrace(elf: string, func: string): Promise<{ bp: number; frames: GdbFrame[]; symbols: Map<number, string> }> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 30000);
    qemu = spawn(QEMU, ['-M', 'virt', '-bios', 'none', '-display', 'none', '-monitor', 'none', '-serial', 'none', '-nodefaults',
      '-icount', 'shift=0,sleep=off', '-S', '-gdb', `tcp::${port}`, '-kernel', path.join(ELF_DIR, elf)], { stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 300));
    const r = spawnSync(GDB, ['-nx', '-batch', '-ex', 'set pagination off', '-ex', `target remote :${port}`, '-ex', `break ${func}`,
      '-ex', 'continue', '-ex', 'bt', path.join(ELF_DIR, elf)], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, LC_ALL: 'C' } });
    qemu.kill('SIGKILL');
    qemu = null;
    const bp = /Breakpoint 1 at (0x[0-9a-f]+)/.exec(r.stdout)?.[1];
    const frames = parseBacktrace(r.stdout);
    if (bp && frames.length > 0) {
      // gdb's names for frames it has no debug information for come from the ELF symbols: ask it.
      const pcs = frames.filter((f) => f.pc !== undefined && !f.file).map((f) => f.pc! - 1);
      const symbols = new Map<number, string>();
      if (pcs.length > 0) {
        const s = spawnSync(GDB, ['-nx', '-batch', ...pcs.flatMap((p) => ['-ex', `info symbol 0x${p.toString(16)}`]), path.join(ELF_DIR, elf)], { encoding: 'utf8' });
        s.stdout.split('\n').filter(Boolean).forEach((l, i) => symbols.set(pcs[i]! + 1, l.split(' ')[0]!));
      }
      return { bp: Number(bp), frames, symbols };
    }
  }
  throw new Error(`gdb did not stop at ${func} in ${elf}`);
}

function parseBacktrace(out: string): GdbFrame[] {
  const frames: GdbFrame[] = [];
  for (const line of out.split('\n')) {
    const m = /^#(\d+)\s+(?:(0x[0-9a-f]+) in )?(\S+) \((.*)\)(?: at (\S+):(\d+))?$/.exec(line);
    if (!m) continue;
    frames.push({
      level: Number(m[1]), name: m[3]!, args: m[4]!,
      ...(m[2] ? { pc: Number(m[2]) } : {}), ...(m[5] ? { file: m[5], line: Number(m[6]) } : {}),
    });
  }
  return frames;
}

/** Splits gdb's argument list `a=1, s=0x80 "x, y", c=c@entry=72 'H'` into [name, value] pairs. */
function parseArgs(text: string): Array<[string, string]> {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let cur = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) { cur += c; if (c === '\\') { cur += text[++i] ?? ''; } else if (c === quote) quote = null; continue; }
    if (c === '"' || c === "'") { quote = c; cur += c; continue; }
    if (c === '(' || c === '<' || c === '{') depth++;
    if (c === ')' || c === '>' || c === '}') depth--;
    if (c === ',' && depth === 0 && text[i + 1] === ' ') { parts.push(cur); cur = ''; i++; continue; }
    cur += c;
  }
  if (cur) parts.push(cur);
  return parts.map((p) => {
    const eq = p.indexOf('=');
    let value = p.slice(eq + 1);
    const name = p.slice(0, eq);
    if (value.startsWith(`${name}@entry=`)) value = value.slice(name.length + 7); // x=x@entry=V: V is both
    return [name, value] as [string, string];
  });
}

function emulatorStack(di: DebugInfo, elf: string, bp: number): { frames: Frame[]; read: (a: number, n: number) => Uint8Array | null } {
  const m = Machine.create({ image: { bytes: readFileSync(path.join(ELF_DIR, elf)) } });
  m.setBreakpoints([bp]);
  const stop = m.run({ maxInstructions: 2e8 });
  expect(stop).toEqual({ kind: 'breakpoint', pc: bp | 0 });
  const ram = m.bus.ram;
  const base = m.bus.ramBase;
  const read = (a: number, n: number): Uint8Array | null => {
    const off = (a >>> 0) - base;
    return off >= 0 && off + n <= ram.length ? ram.slice(off, off + n) : null;
  };
  const regs = Array.from(m.hart.x, (v) => v >>> 0);
  return { frames: di.unwind(regs, m.hart.pc >>> 0, read), read };
}

interface Flat { pc?: number; name: string | undefined; file?: string; line?: number; physical: number; fn: number }

/** gdb's view: one frame per function (inlined ones too); frame 0 hides inlined calls it is at the start of. */
function flatten(frames: Frame[]): Flat[] {
  const out: Flat[] = [];
  frames.forEach((f, i) => {
    let fns = f.functions.map((fn, k) => ({ fn, k }));
    if (i === 0) { while (fns.length > 1 && fns[0]!.fn.atEntry) fns = fns.slice(1); }
    fns.forEach(({ fn, k }, j) => out.push({
      ...(i > 0 && j === 0 ? { pc: f.pc } : {}), name: fn.name, physical: i, fn: k,
      ...(fn.file ? { file: normalisePath(fn.file), line: fn.line } : {}),
    }));
  });
  return out;
}

const CASES: Array<[string, string]> = [
  ['shell.elf', 'uart_putc'],
  ['shell-O0.elf', 'uart_putc'],
  ['hello.elf', 'uart_putc'],
  ['hello-dwarf4.elf', 'uart_putc'],
  ['isa-mix.elf', 'uart_putc'],
  ['uart-echo.elf', 'uart_putc'],
  ['workload.elf', 'sift_down'],
  ['workload-O0.elf', 'sift_down'],
  ['workload-O0.elf', 'crc32_bitwise'],
  ['traps.elf', 'handle_trap'],
  ['traps-Og.elf', 'handle_trap'],
  ['timer.elf', 'handle_trap'],
];

describe.skipIf(noTools)(`unwinding vs gdb + QEMU${noTools ? ` (skipped: ${noTools})` : ''}`, () => {
  it.each(CASES)('%s at %s', async (elf, func) => {
    const di = loadDebugInfo(new Uint8Array(readFileSync(path.join(ELF_DIR, elf))));
    const gdb = await gdbBacktrace(elf, func);
    const { frames, read } = emulatorStack(di, elf, gdb.bp);
    const mine = flatten(frames);
    const expected = gdb.frames.map((g) => ({
      ...(g.pc !== undefined ? { pc: g.pc } : {}),
      // Without debug information for a pc, gdb names it by ELF symbol (sometimes a wrong unit's): compare with that symbol.
      name: g.file ? g.name : gdb.symbols.get(g.pc ?? -1) ?? g.name,
      ...(g.file ? { file: normalisePath(g.file), line: g.line } : {}),
    }));
    const actual = mine.map((f) => ({
      ...(f.pc !== undefined ? { pc: f.pc } : {}),
      name: f.name,
      ...(f.file ? { file: f.file, line: f.line } : {}),
    }));
    // gdb sometimes has no line for a frame we do know (a unit with holes, see line-table oracle): allow that only.
    actual.forEach((a, i) => { if (expected[i] && !('file' in expected[i]!) && 'file' in a) { delete (a as { file?: string }).file; delete (a as { line?: number }).line; } });
    expect(actual).toEqual(expected);

    // Argument values, where gdb shows one.
    let compared = 0;
    gdb.frames.forEach((g, i) => {
      const flat = mine[i]!;
      const scopes = di.localsAt(frames[flat.physical]!.lookupPc).filter((s) => s.kind !== 'block');
      const scope = scopes[flat.fn];
      if (!scope) return;
      const state = di.frameState(frames, flat.physical, read);
      for (const [name, value] of parseArgs(g.args)) {
        // Where gdb says <optimized out> we may know more: in hello.elf gdb takes main's frame for
        // _start (see the line-table oracle) and so misses main's call site for printf's fmt.
        if (name.endsWith('@entry') || value === '<optimized out>') continue;
        const v = scope.variables.find((x) => x.kind === 'parameter' && x.name === name);
        expect({ frame: i, name, found: !!v }).toEqual({ frame: i, name, found: true });
        const shown = di.valueOf(v!, state, { depth: 0 }).display;
        expect({ frame: i, name, value: shown }).toEqual({ frame: i, name, value });
        compared++;
      }
    });
    if (!elf.startsWith('traps') && !elf.startsWith('timer')) expect(compared).toBeGreaterThan(0);
  });
});
