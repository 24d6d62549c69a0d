// Oracle: address -> symbol + offset against gdb's `info symbol ADDR` (which answers from the ELF
// symbol table), at the start, inside and just past every symbol of every committed firmware ELF
// with symbols, and on a sweep over code, data, gaps between sections, heap and stack.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { loadDebugInfo } from '../index.js';

const ELF_DIR = path.resolve(import.meta.dirname, '../../../assets/firmware/elf');
const ELFS = readdirSync(ELF_DIR).filter((f) => f.endsWith('.elf') && !f.includes('stripped')).sort();
const GDB = 'gdb-multiarch';
const noGdb = spawnSync(GDB, ['--version'], { stdio: 'ignore' }).status === 0 ? false : `${GDB} is not installed`;

function gdbSymbols(elf: string, addrs: number[]): Map<number, string | null> {
  const args = ['-nx', '-batch'];
  for (const a of addrs) args.push('-ex', `echo @@${a}\\n`, '-ex', `info symbol 0x${a.toString(16)}`);
  args.push(path.join(ELF_DIR, elf));
  const out = spawnSync(GDB, args, { encoding: 'utf8', maxBuffer: 64 << 20 }).stdout;
  const map = new Map<number, string | null>();
  let current: number | null = null;
  for (const line of out.split('\n')) {
    const m = /^@@(\d+)$/.exec(line);
    if (m) { current = Number(m[1]); map.set(current, null); continue; }
    const s = /^(\S+)(?: \+ (\d+))? in section \S+$/.exec(line);
    if (s && current !== null) map.set(current, s[2] ? `${s[1]}+${s[2]}` : s[1]!);
  }
  return map;
}

describe.skipIf(noGdb)(`symbolAt vs gdb info symbol${noGdb ? ` (skipped: ${noGdb})` : ''}`, () => {
  it.each(ELFS)('%s', (elf) => {
    const di = loadDebugInfo(new Uint8Array(readFileSync(path.join(ELF_DIR, elf))));
    const addrs = new Set<number>();
    for (const s of di.symbols.all) {
      addrs.add(s.address);
      addrs.add(s.address + 1);
      if (s.size > 2) { addrs.add(s.address + 2); addrs.add(s.address + s.size - 1); }
      addrs.add(s.address + s.size);
    }
    // Labels, gaps between sections, the heap and the stack: a sweep, larger steps where it is big.
    for (let a = 0x80000000; a < 0x80000000 + 0x400000; a += a < 0x80004000 ? 24 : 0x1000) addrs.add(a);
    const list = [...addrs].sort((a, b) => a - b);
    const gdb = gdbSymbols(elf, list);
    const mismatches: string[] = [];
    for (const a of list) {
      const mine = di.symbolAt(a)?.text ?? null;
      const theirs = gdb.get(a) ?? null;
      if (mine !== theirs) mismatches.push(`0x${a.toString(16)}: ${mine} gdb ${theirs}`);
    }
    expect(mismatches).toEqual([]);
    expect(list.length).toBeGreaterThan(1000);
  });
});
