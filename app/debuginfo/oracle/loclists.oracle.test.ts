// Oracle: every location list that a variable or frame base of a committed firmware ELF refers to
// (.debug_loclists for DWARF 5 units, .debug_loc for DWARF 4), entry by entry - offset, start,
// end and the expression in readelf's notation - against `riscv64-unknown-elf-readelf
// --debug-dump=loc`; and every exprloc location against `--debug-dump=info`.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { loadDebugInfo } from '../index.js';
import { AT } from '../dwarf/constants.js';
import { walk } from '../dwarf/dwarf-info.js';
import { describeExpression } from '../dwarf/expression-text.js';
import { isLocListForm, readLocList } from '../dwarf/ranges.js';

const ELF_DIR = path.resolve(import.meta.dirname, '../../../assets/firmware/elf');
const ELFS = readdirSync(ELF_DIR).filter((f) => f.endsWith('.elf') && !f.includes('stripped')).sort();
const READELF = 'riscv64-unknown-elf-readelf';
const noReadelf = spawnSync(READELF, ['--version'], { stdio: 'ignore' }).status === 0 ? false : `${READELF} is not installed`;

describe.skipIf(noReadelf)(`location lists and expressions vs readelf${noReadelf ? ` (skipped: ${noReadelf})` : ''}`, () => {
  it.each(ELFS)('%s', (elf) => {
    const file = path.join(ELF_DIR, elf);
    const di = loadDebugInfo(new Uint8Array(readFileSync(file)));
    // readelf: section -> entry offset -> "start end (expr)" or "end".
    const dump = spawnSync(READELF, ['-W', '--debug-dump=loc', file], { encoding: 'utf8', maxBuffer: 64 << 20 }).stdout;
    const entries = new Map<string, Map<number, string>>();
    let section = '';
    for (const line of dump.split('\n')) {
      const s = /^Contents of the (\S+) section:/.exec(line);
      if (s) { section = s[1]!; entries.set(section, new Map()); continue; }
      // readelf notes empty ranges after the expression: " (start == end)".
      const e = /^\s+([0-9a-f]{8}) ([0-9a-f]{8}) ([0-9a-f]{8}) \((.*)\)$/.exec(line.replace(/ \(start == end\)$/, ''));
      if (e) { entries.get(section)!.set(parseInt(e[1]!, 16), `${e[2]} ${e[3]} (${e[4]})`); continue; }
      const end = /^\s+([0-9a-f]{8}) <End of list>$/.exec(line);
      if (end) entries.get(section)!.set(parseInt(end[1]!, 16), 'end');
    }
    const info = spawnSync(READELF, ['-W', '--debug-dump=info', file], { encoding: 'utf8', maxBuffer: 64 << 20 }).stdout;
    const exprlocs = new Map<number, string>(); // DIE offset -> expression text of DW_AT_location
    let die = -1;
    for (const line of info.split('\n')) {
      const d = /^\s*<\d+><([0-9a-f]+)>:/.exec(line);
      if (d) { die = parseInt(d[1]!, 16); continue; }
      const l = /DW_AT_location\s*: (?:\(exprloc\) )?\d+ byte block: [0-9a-f ]+\t\((.*)\)$/.exec(line);
      if (l) exprlocs.set(die, l[1]!);
    }

    let lists = 0;
    let exprs = 0;
    for (const unit of di.dwarf!.units) {
      const root = unit.root();
      if (!root) continue;
      const sizes = { addressSize: unit.addressSize, refSize: unit.offsetSize, unitOffset: unit.offset };
      walk(root, (d) => {
        for (const at of [AT.location, AT.frame_base]) {
          const a = d.attr(at);
          if (!a) continue;
          if (a.value instanceof Uint8Array) {
            if (at === AT.location && exprlocs.has(d.offset)) {
              expect({ die: d.offset, expr: describeExpression(a.value, sizes) }).toEqual({ die: d.offset, expr: exprlocs.get(d.offset) });
              exprs++;
            }
            continue;
          }
          if (!isLocListForm(unit, a)) continue;
          const list = readLocList(unit, a);
          const theirs = entries.get(list.section)!;
          const hex = (n: number): string => n.toString(16).padStart(8, '0');
          for (const e of list.entries) {
            expect({ die: d.offset, at: e.offset, entry: `${hex(e.start)} ${hex(e.end)} (${describeExpression(e.expr, sizes)})` })
              .toEqual({ die: d.offset, at: e.offset, entry: theirs.get(e.offset) });
          }
          lists++;
        }
      });
    }
    expect(lists).toBeGreaterThan(20);
    expect(exprs).toBeGreaterThan(20);
  });
});
