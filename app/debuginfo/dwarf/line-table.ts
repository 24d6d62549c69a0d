// Address <-> source line lookups over all line programs (DWARF 5 section 6.2). The choice of a
// row for an address follows gdb (symtab.c find_pc_sect_line, dwarf2/read.c record_line):
//   - among rows at the highest address <= pc, the last is_stmt row wins, else the last row;
//   - a row that switches file at an unchanged address without is_stmt is ignored (GCC's
//     "view" rows for inlined code), and so are line-0 rows, and a repeat of the same line once
//     it has had a non-zero discriminator;
//   - sequences that start at address 0 are functions the linker discarded (--gc-sections)
//     unless code really lives at 0.

import type { LineProgram, LineRow } from './line-program.js';

export interface LineInfo {
  /** Start of the address range this row covers. */
  readonly address: number;
  /** End (exclusive) of that range: the next row's address or the end of the sequence. */
  readonly endAddress: number;
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly isStmt: boolean;
}

interface Entry {
  readonly address: number;
  readonly endAddress: number;
  readonly row: LineRow;
  readonly program: LineProgram;
}

interface KeptRow {
  readonly row: LineRow;
  readonly program: LineProgram;
}

export class LineTable {
  /** One entry per distinct address per sequence, sorted by address. */
  private readonly entries: Entry[] = [];
  private readonly kept: KeptRow[] = [];

  constructor(readonly programs: readonly LineProgram[], isCode: (addr: number) => boolean = () => true) {
    for (const program of programs) {
      let seq: LineRow[] = [];
      for (const row of program.rows) {
        seq.push(row);
        if (row.endSequence) { this.addSequence(program, seq, isCode); seq = []; }
      }
    }
    this.entries.sort((a, b) => a.address - b.address || a.endAddress - b.endAddress);
  }

  private addSequence(program: LineProgram, rows: LineRow[], isCode: (addr: number) => boolean): void {
    const first = rows[0]!;
    if (first.address === 0 && !isCode(0)) return;
    // Filter as gdb does; the rows kept also serve addressesFor.
    const keep: LineRow[] = [];
    let prev: LineRow | undefined;
    let last: LineRow | undefined;
    let discriminated = false;
    for (const row of rows) {
      if (row.endSequence) { keep.push(row); break; }
      // gdb: once a line has had a non-zero discriminator, repeated rows of it are not new statements.
      discriminated = row.discriminator !== 0 || (last !== undefined && last.line === row.line && discriminated);
      last = row;
      if (row.line === 0) continue;
      if (prev && prev.file !== row.file && prev.address === row.address && !row.isStmt) continue;
      if (prev && prev.file === row.file && prev.line === row.line && discriminated) continue;
      this.kept.push({ row, program });
      keep.push(row);
      prev = row;
    }
    for (let i = 0; i < keep.length - 1;) {
      const address = keep[i]!.address;
      let j = i;
      while (j + 1 < keep.length - 1 && keep[j + 1]!.address === address) j++;
      const endAddress = keep[j + 1]!.address;
      let chosen = keep[j]!;
      for (let k = j; k >= i; k--) if (keep[k]!.isStmt) { chosen = keep[k]!; break; }
      if (endAddress > address) this.entries.push({ address, endAddress, row: chosen, program });
      i = j + 1;
    }
  }

  /** The source position of the instruction at `addr`, or null where no line program covers it. */
  lineFor(addr: number): LineInfo | null {
    addr >>>= 0;
    const list = this.entries;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) { const mid = (lo + hi) >>> 1; if (list[mid]!.address <= addr) lo = mid + 1; else hi = mid; }
    // Overlapping sequences are rare (discarded code); take the closest entry that covers addr.
    for (let i = lo - 1; i >= 0 && i >= lo - 8; i--) {
      const e = list[i]!;
      if (addr < e.endAddress) return this.info(e.address, e.endAddress, e.row, e.program);
    }
    return null;
  }

  private info(address: number, endAddress: number, row: LineRow, program: LineProgram): LineInfo {
    return { address, endAddress, file: program.files[row.file]?.path ?? `<file ${row.file}>`, line: row.line, column: row.column, isStmt: row.isStmt };
  }

  /**
   * Addresses of the is_stmt rows for `file`:`line`, sorted. `file` matches a file's full path,
   * or a trailing part of it at a '/' ("uart.c" matches "lib/uart.c"). With no code for the
   * line, the next line that has code is used, as gdb does for breakpoints. (DebugInfo keeps one
   * address per block, as gdb's linespec does.)
   */
  addressesFor(file: string, line: number): number[] {
    const want = normalisePath(file);
    const matches = (p: LineProgram, index: number): boolean => {
      const path = normalisePath(p.files[index]?.path ?? '');
      return path === want || path.endsWith(`/${want}`);
    };
    let bestLine = Infinity;
    const byLine = new Map<number, Set<number>>();
    for (const k of this.kept) {
      if (!k.row.isStmt || k.row.line < line || k.row.line > bestLine || !matches(k.program, k.row.file)) continue;
      bestLine = k.row.line;
      let set = byLine.get(k.row.line);
      if (!set) byLine.set(k.row.line, (set = new Set()));
      set.add(k.row.address);
    }
    const set = byLine.get(line) ?? byLine.get(bestLine);
    return set ? [...set].sort((a, b) => a - b) : [];
  }

  /** Every source file that has line rows, as paths. */
  files(): string[] {
    const out = new Set<string>();
    for (const k of this.kept) {
      const f = k.program.files[k.row.file];
      if (f) out.add(f.path);
    }
    return [...out].sort();
  }
}

/** "./a/b.c" -> "a/b.c"; "a//b.c" -> "a/b.c". Relative ".." parts are kept. */
export function normalisePath(p: string): string {
  let s = p.replace(/\/{2,}/g, '/');
  while (s.startsWith('./')) s = s.slice(2);
  return s.replace(/\/\.\//g, '/');
}
