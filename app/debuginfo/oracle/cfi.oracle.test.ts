// Oracle: call frame information, row by row, against `riscv64-unknown-elf-readelf
// --debug-dump=frames-interp`: the .debug_frame of every committed firmware ELF, and a program
// built here (gcc + gas .cfi directives, including .cfi_escape for the rules GCC does not emit:
// val_offset, expression, val_expression, def_cfa_expression, same_value, register,
// remember/restore_state) with both .eh_frame and .debug_frame.
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadDebugInfo } from '../index.js';
import type { CfiRow, DebugInfo, RegRule } from '../index.js';
import { regName } from '../dwarf/constants.js';

const ELF_DIR = path.resolve(import.meta.dirname, '../../../assets/firmware/elf');
const ELFS = readdirSync(ELF_DIR).filter((f) => f.endsWith('.elf')).sort();
const READELF = 'riscv64-unknown-elf-readelf';
const GCC = 'riscv64-unknown-elf-gcc';
const missing = (...tools: string[]): string | false => {
  for (const t of tools) if (spawnSync(t, ['--version'], { stdio: 'ignore' }).status !== 0) return `${t} is not installed`;
  return false;
};
const noReadelf = missing(READELF);
const noToolchain = missing(READELF, GCC);

interface Table { section: string; fdeOffset: number; start: number; end: number; columns: string[]; rows: string[][] }

/** Parses readelf's interpreted frame tables (FDEs only). */
function readelfTables(file: string): Table[] {
  const out = spawnSync(READELF, ['-W', '--debug-dump=frames-interp', file], { encoding: 'utf8', maxBuffer: 64 << 20 }).stdout;
  const tables: Table[] = [];
  let section = '';
  let current: Table | null = null;
  for (const line of out.split('\n')) {
    const s = /^Contents of the (\S+) section:/.exec(line);
    if (s) { section = s[1]!; current = null; continue; }
    const f = /^([0-9a-f]{8,16}) [0-9a-f]+ [0-9a-f]+ FDE cie=[0-9a-f]+ pc=([0-9a-f]+)\.\.([0-9a-f]+)/.exec(line);
    if (f) {
      current = { section, fdeOffset: parseInt(f[1]!, 16), start: parseInt(f[2]!, 16), end: parseInt(f[3]!, 16), columns: [], rows: [] };
      tables.push(current);
      continue;
    }
    if (/ CIE /.test(line)) { current = null; continue; }
    if (!current) continue;
    if (/^\s+LOC\s+CFA/.test(line)) { current.columns = line.trim().split(/\s+/).slice(2); continue; }
    if (/^[0-9a-f]{8,16} /.test(line)) {
      // A register rule prints as "r5 (t0)": keep it one cell.
      current.rows.push(line.trim().split(/\s+/).reduce<string[]>((cells, c) => {
        if (c.startsWith('(') && cells.length > 0) cells[cells.length - 1] += ` ${c}`; else cells.push(c);
        return cells;
      }, []));
    }
  }
  return tables;
}

function ruleText(rule: RegRule | undefined): string {
  if (!rule) return 'u';
  switch (rule.kind) {
    case 'undefined': return 'u';
    case 'same': return 's';
    case 'offset': return `c${rule.offset >= 0 ? '+' : ''}${rule.offset}`;
    case 'val-offset': return `v${rule.offset >= 0 ? '+' : ''}${rule.offset}`;
    case 'register': return `r${rule.reg} (${regName(rule.reg)})`;
    case 'expression': return 'exp';
    case 'val-expression': return 'vexp';
  }
}

function rowText(row: CfiRow, columns: string[]): string[] {
  const cfa = row.cfa.kind === 'expression' ? 'exp' : `${regName(row.cfa.reg)}${row.cfa.offset >= 0 ? '+' : ''}${row.cfa.offset}`;
  const cells = columns.map((name) => ruleText(row.regs.get(regNumber(name))));
  return [row.location.toString(16).padStart(8, '0'), cfa, ...cells];
}

function regNumber(name: string): number {
  for (let i = 0; i < 64; i++) if (regName(i) === name) return i;
  const m = /^r(\d+)$/.exec(name);
  return m ? Number(m[1]) : -1;
}

function compareWithReadelf(di: DebugInfo, file: string): number {
  // FDEs of functions the linker discarded cover pc=0..0: nothing to unwind, and we drop them.
  const tables = readelfTables(file).filter((t) => t.end > t.start);
  let rows = 0;
  for (const t of tables) {
    const fde = di.cfi.fdes.find((f) => f.section === t.section && f.offset === t.fdeOffset);
    expect({ fde: t.fdeOffset, found: !!fde }).toEqual({ fde: t.fdeOffset, found: true });
    expect({ start: fde!.start, end: fde!.end }).toEqual({ start: t.start, end: t.end });
    const mine = di.cfi.rowsOf(fde!);
    if (t.rows.length === 0) { expect(mine.length).toBe(1); continue; } // readelf prints nothing for an FDE of nops
    expect({ fde: t.fdeOffset, rows: mine.map((r) => rowText(r, t.columns)) }).toEqual({ fde: t.fdeOffset, rows: t.rows });
    rows += t.rows.length;
  }
  expect(di.cfi.fdes.length).toBe(tables.length);
  return rows;
}

describe.skipIf(noReadelf)(`.debug_frame vs readelf --debug-dump=frames-interp${noReadelf ? ` (skipped: ${noReadelf})` : ''}`, () => {
  it.each(ELFS)('%s', (elf) => {
    const file = path.join(ELF_DIR, elf);
    const di = loadDebugInfo(new Uint8Array(readFileSync(file)));
    const rows = compareWithReadelf(di, file);
    if (!elf.includes('stripped')) expect(rows).toBeGreaterThan(50);
  });
});

// Rules GCC never emits for RISC-V, written with .cfi_escape (DWARF 5 section 7.24 encodings).
const ASM = `
    .text
    .globl odd_rules
    .type odd_rules, @function
odd_rules:
    .cfi_startproc
    addi sp, sp, -32
    .cfi_def_cfa_offset 32
    sw ra, 28(sp)
    .cfi_offset ra, -4
    sw s0, 24(sp)
    .cfi_escape 0x14, 0x08, 0x02      /* DW_CFA_val_offset s0, 2 * -4 = -8 */
    .cfi_remember_state
    .cfi_escape 0x10, 0x09, 0x02, 0x72, 0x08   /* DW_CFA_expression s1, { DW_OP_breg2 8 } */
    nop
    .cfi_escape 0x16, 0x12, 0x02, 0x72, 0x04   /* DW_CFA_val_expression s2, { DW_OP_breg2 4 } */
    .cfi_same_value s3
    .cfi_register s4, t0
    .cfi_undefined s5
    nop
    .cfi_escape 0x0f, 0x03, 0x72, 0x20, 0x06   /* DW_CFA_def_cfa_expression { DW_OP_breg2 32; DW_OP_deref } */
    nop
    .cfi_restore_state
    .cfi_restore s0
    lw ra, 28(sp)
    .cfi_restore ra
    addi sp, sp, 32
    .cfi_def_cfa_offset 0
    ret
    .cfi_endproc
    .size odd_rules, .-odd_rules
`;

const C_SOURCE = `
int leaf(int x) { return x * 3 + 1; }
int __attribute__((noinline)) middle(int *p, int n) { int s = 0; for (int i = 0; i < n; i++) s += leaf(p[i]); return s; }
int big(int n) { volatile int buf[64]; for (int i = 0; i < 64; i++) buf[i] = i * n; return middle((int *)buf, 64); }
int main(void) { return big(3); }
void _start(void) { main(); for (;;) {} }
`;

describe.skipIf(noToolchain)(`.eh_frame and .debug_frame of a program built here${noToolchain ? ` (skipped: ${noToolchain})` : ''}`, () => {
  const dir = noToolchain ? '' : mkdtempSync(path.join(tmpdir(), 'hindsight-cfi-'));
  afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

  const build = (name: string, cfiSections: string, extra: string[]): string => {
    writeFileSync(path.join(dir, 'odd.S'), `    .cfi_sections ${cfiSections}\n${ASM}`);
    writeFileSync(path.join(dir, 'prog.c'), C_SOURCE);
    const out = path.join(dir, name);
    const r = spawnSync(GCC, ['-march=rv32imac', '-mabi=ilp32', '-nostdlib', '-nostartfiles', '-g', ...extra,
      '-o', out, path.join(dir, 'prog.c'), path.join(dir, 'odd.S')], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    return out;
  };

  it.each([
    ['eh-O2', '.eh_frame', ['-O2', '-fasynchronous-unwind-tables']],
    ['eh-O0', '.eh_frame', ['-O0', '-fasynchronous-unwind-tables']],
    ['both-Og-fp', '.eh_frame, .debug_frame', ['-Og', '-fno-omit-frame-pointer', '-fasynchronous-unwind-tables']],
  ] as const)('%s', (name, sections, flags) => {
    const file = build(name, sections, [...flags]);
    const di = loadDebugInfo(new Uint8Array(readFileSync(file)));
    expect(di.warnings).toEqual([]);
    const eh = di.cfi.fdes.filter((f) => f.section === '.eh_frame');
    expect(eh.length).toBeGreaterThanOrEqual(5);
    expect(eh.some((f) => f.cie.augmentation.startsWith('z'))).toBe(true);
    expect(compareWithReadelf(di, file)).toBeGreaterThan(10);
    // The hand-written rules all came through.
    const odd = di.symbols.byName('odd_rules')!;
    const kinds = new Set<string>();
    for (const f of di.cfi.fdes.filter((x) => x.start === odd.address)) for (const r of di.cfi.rowsOf(f)) {
      for (const rule of r.regs.values()) kinds.add(rule.kind);
      kinds.add(`cfa-${r.cfa.kind}`);
    }
    expect([...kinds].sort()).toEqual(['cfa-expression', 'cfa-reg-offset', 'expression', 'offset', 'register', 'same', 'undefined', 'val-expression', 'val-offset']);
  });
});
