// Oracle: the line programs of every committed firmware ELF, row by row, against binutils
// `riscv64-unknown-elf-readelf -W --debug-dump=decodedline` (file, line, address, is_stmt,
// end of sequence); and address -> line lookups against gdb's `info line *ADDR`.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { loadDebugInfo } from '../index.js';
import { normalisePath } from '../dwarf/line-table.js';

const ELF_DIR = path.resolve(import.meta.dirname, '../../../assets/firmware/elf');
const ELFS = readdirSync(ELF_DIR).filter((f) => f.endsWith('.elf')).sort();
const READELF = 'riscv64-unknown-elf-readelf';
const GDB = 'gdb-multiarch';
const missing = (tool: string): string | false =>
  spawnSync(tool, ['--version'], { stdio: 'ignore' }).status === 0 ? false : `${tool} is not installed`;
const noReadelf = missing(READELF);
const noGdb = missing(GDB);
const load = (elf: string): ReturnType<typeof loadDebugInfo> => loadDebugInfo(new Uint8Array(readFileSync(path.join(ELF_DIR, elf))));

interface ReadelfRow { file: string; line: number | null; address: number; stmt: boolean }

function readelfRows(elf: string): ReadelfRow[] {
  const out = spawnSync(READELF, ['-W', '--debug-dump=decodedline', path.join(ELF_DIR, elf)], { encoding: 'utf8', maxBuffer: 64 << 20 }).stdout;
  const rows: ReadelfRow[] = [];
  for (const line of out.split('\n')) {
    const m = /^(\S+)\s+(\d+|-)\s+(0x[0-9a-f]+|0)(?:\s+\d+)?(\s+x)?\s*$/.exec(line);
    if (!m) continue;
    rows.push({ file: m[1]!, line: m[2] === '-' ? null : Number(m[2]), address: Number(m[3]), stmt: m[4] !== undefined });
  }
  return rows;
}

describe.skipIf(noReadelf)(`line table rows vs readelf --debug-dump=decodedline${noReadelf ? ` (skipped: ${noReadelf})` : ''}`, () => {
  it.each(ELFS)('%s', (elf) => {
    const di = load(elf);
    expect(di.warnings).toEqual([]);
    const expected = readelfRows(elf);
    const actual: ReadelfRow[] = [];
    for (const p of di.linePrograms) {
      for (const r of p.rows) {
        const name = p.files[r.file]?.name ?? '?';
        actual.push(r.endSequence
          ? { file: path.basename(name), line: null, address: r.address, stmt: false }
          : { file: path.basename(name), line: r.line, address: r.address, stmt: r.isStmt });
      }
    }
    expect(actual.length).toBe(expected.length);
    if (elf.includes('stripped')) expect(actual.length).toBe(0);
    else expect(actual.length).toBeGreaterThan(500);
    for (let i = 0; i < expected.length; i++) {
      const e = expected[i]!;
      const a = actual[i]!;
      // readelf prints end-of-sequence rows with the file column of the last row: compare address only.
      if (e.line === null) expect({ i, address: a.address, end: a.line === null }).toEqual({ i, address: e.address, end: true });
      else expect({ i, ...a }).toEqual({ i, ...e });
    }
  });
});

/** gdb `info line *ADDR` for many addresses in one batch run: addr -> {file, line} or null. */
function gdbLines(elf: string, addrs: number[]): Map<number, { file: string; line: number } | null> {
  // Expand every symtab first: otherwise gdb's answers depend on which units earlier queries expanded.
  const args = ['-nx', '-batch', '-ex', 'maint expand-symtabs'];
  for (const a of addrs) args.push('-ex', `echo @@${a}\\n`, '-ex', `info line *0x${a.toString(16)}`);
  args.push(path.join(ELF_DIR, elf));
  const out = spawnSync(GDB, args, { encoding: 'utf8', maxBuffer: 64 << 20 }).stdout.split('\n');
  const map = new Map<number, { file: string; line: number } | null>();
  let current: number | null = null;
  for (const line of out) {
    const marker = /^@@(\d+)$/.exec(line);
    if (marker) { current = Number(marker[1]); map.set(current, null); continue; }
    const m = /^Line (\d+) of "([^"]+)"/.exec(line);
    if (m && current !== null) map.set(current, { file: m[2]!, line: Number(m[1]) });
  }
  return map;
}

describe.skipIf(noGdb)(`lineFor vs gdb info line${noGdb ? ` (skipped: ${noGdb})` : ''}`, () => {
  it.each(ELFS.filter((e) => !e.includes('stripped')))('%s', (elf) => {
    const di = load(elf);
    // Every distinct row address (where gdb's choice among rows matters most), plus each one + 2.
    const addrs = new Set<number>();
    for (const p of di.linePrograms) for (const r of p.rows) if (r.address !== 0 && !r.endSequence) { addrs.add(r.address); addrs.add(r.address + 2); }
    const list = [...addrs].sort((a, b) => a - b);
    const expected = gdbLines(elf, list);
    expect(expected.size).toBe(list.length);
    let compared = 0;
    let gdbHasNone = 0;
    const mismatches: string[] = [];
    for (const a of list) {
      const e = expected.get(a) ?? null;
      const got = di.lineFor(a);
      if (!e) {
        // gdb picks the unit by its overall [low, high) span, so an address inside a unit with a
        // hole (crt0.S around main) can find no line in gdb; count these, they must stay rare.
        gdbHasNone++;
        continue;
      }
      const actual = got ? `${normalisePath(got.file)}:${got.line}` : 'none';
      const want = `${normalisePath(e.file)}:${e.line}`;
      if (actual !== want) mismatches.push(`0x${a.toString(16)}: ${actual}, gdb ${want}`);
      compared++;
    }
    expect(mismatches).toEqual([]);
    expect(gdbHasNone).toBeLessThan(list.length / 50);
    expect(compared).toBeGreaterThan(200);
  });
});

/** gdb `break FILE:LINE` for many lines, then `info breakpoints`: breakpoint index -> addresses. */
function gdbBreakpoints(elf: string, specs: string[]): Map<number, number[]> {
  const args = ['-nx', '-batch'];
  specs.forEach((s, i) => args.push('-ex', `echo @@${i}\\n`, '-ex', `break ${s}`));
  args.push('-ex', 'echo @@end\\n', '-ex', 'info breakpoints', path.join(ELF_DIR, elf));
  const out = spawnSync('sh', ['-c', 'exec "$0" "$@" 2>&1', GDB, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 }).stdout;
  // A `break` that fails creates no breakpoint: map gdb's numbers back to our specs by marker.
  const specOf = new Map<number, number>();
  let current = -1;
  const map = new Map<number, number[]>();
  let listing = false;
  for (const line of out.split('\n')) {
    const m = /^@@(\d+|end)$/.exec(line);
    if (m) { listing = m[1] === 'end'; current = listing ? -1 : Number(m[1]); continue; }
    if (!listing) {
      const b = /^Breakpoint (\d+) at/.exec(line);
      if (b && current >= 0) specOf.set(Number(b[1]), current);
      continue;
    }
    const single = /^(\d+)\s+breakpoint\s+keep\s+y\s+(0x[0-9a-f]+)/.exec(line);
    const multi = /^(\d+)\.\d+\s+y\s+(0x[0-9a-f]+)/.exec(line);
    const hit = single ?? multi;
    if (!hit) continue;
    const spec = specOf.get(Number(hit[1]));
    if (spec !== undefined) map.set(spec, [...(map.get(spec) ?? []), Number(hit[2])]);
  }
  return map;
}

// At -O0 gdb's choice is plain: the lowest is_stmt address of the line in each block. In optimised
// code gdb's linespec adds heuristics (prologue analysis through inlined calls, refusing lines it
// cannot place) that are not worth copying; there we keep the same rule, checked at -O0 only.
describe.skipIf(noGdb)(`addressesFor vs gdb break FILE:LINE${noGdb ? ` (skipped: ${noGdb})` : ''}`, () => {
  it.each(['shell-O0.elf', 'workload-O0.elf'])('%s', (elf) => {
    const di = load(elf);
    // Every line of the program's own sources that has a statement.
    const specs: Array<{ file: string; line: number }> = [];
    const seen = new Set<string>();
    for (const p of di.linePrograms) {
      for (const r of p.rows) {
        const f = p.files[r.file];
        if (!f || r.endSequence || !r.isStmt || r.address === 0 || f.path.startsWith('/') || f.path.startsWith('..')) continue;
        const key = `${f.path}:${r.line}`;
        if (!seen.has(key)) { seen.add(key); specs.push({ file: normalisePath(f.path), line: r.line }); }
      }
    }
    const gdb = gdbBreakpoints(elf, specs.map((s) => `${s.file}:${s.line}`));
    const entries = new Set(di.functions().map((f) => f.lowPc));
    let compared = 0;
    let prologue = 0;
    const mismatches: string[] = [];
    specs.forEach((s, i) => {
      const mine = di.addressesFor(s.file, s.line);
      const theirs = (gdb.get(i) ?? []).sort((a, b) => a - b);
      // gdb moves a breakpoint at a function's first instruction past the prologue; we do not.
      if (mine.some((a) => entries.has(a))) { prologue++; return; }
      if (mine.join() !== theirs.join()) mismatches.push(`${s.file}:${s.line}: ${mine.map((a) => a.toString(16))} gdb ${theirs.map((a) => a.toString(16))}`);
      compared++;
    });
    expect(mismatches).toEqual([]);
    expect(compared).toBeGreaterThan(prologue);
  });
});
