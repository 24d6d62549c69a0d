// Oracle: global and static variables of every committed firmware ELF against gdb-multiarch:
// the set of file-level variables and their declarations (`info variables`), and for every
// variable we find (file-level and function statics, `function::name`): its address
// (`info address` / `print &`), `print sizeof`, `whatis` and `ptype`.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { loadDebugInfo } from '../index.js';
import type { DebugInfo, GlobalVariable } from '../index.js';
import { normalisePath } from '../dwarf/line-table.js';
import { declarationText } from '../model/type-names.js';

const ELF_DIR = path.resolve(import.meta.dirname, '../../../assets/firmware/elf');
const ELFS = readdirSync(ELF_DIR).filter((f) => f.endsWith('.elf') && !f.includes('stripped')).sort();
const GDB = 'gdb-multiarch';
const noGdb = spawnSync(GDB, ['--version'], { stdio: 'ignore' }).status === 0 ? false : `${GDB} is not installed`;
const load = (elf: string): DebugInfo => loadDebugInfo(new Uint8Array(readFileSync(path.join(ELF_DIR, elf))));

/** Runs gdb on the ELF with each command preceded by a marker; returns each command's output. */
function gdb(elf: string, commands: string[]): string[] {
  const args = ['-nx', '-batch'];
  commands.forEach((c, i) => args.push('-ex', `echo @@${i}\\n`, '-ex', c));
  args.push(path.join(ELF_DIR, elf));
  // Errors ("No symbol ...") go to stderr: merge it into stdout so they stay in order.
  const r = spawnSync('sh', ['-c', 'exec "$0" "$@" 2>&1', GDB, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const out: string[] = commands.map(() => '');
  let current = -1;
  for (const line of r.stdout.split('\n')) {
    const m = /^@@(\d+)$/.exec(line);
    if (m) { current = Number(m[1]); continue; }
    if (current >= 0) out[current] += (out[current] ? '\n' : '') + line;
  }
  return out.map((s) => s.trimEnd());
}

/** gdb `info variables`, debugging symbols only: file -> declarations. */
function infoVariables(elf: string): Map<string, string[]> {
  const text = gdb(elf, ['info variables'])[0]!;
  const files = new Map<string, string[]>();
  let file: string | null = null;
  let pending: string | null = null; // a declaration spanning lines (anonymous struct bodies)
  for (const line of text.split('\n')) {
    if (line.startsWith('Non-debugging symbols:')) break;
    if (pending !== null) {
      pending += `\n${line}`;
      if (line.endsWith(';') && !line.startsWith(' ')) { files.get(file!)!.push(pending); pending = null; }
      continue;
    }
    const f = /^File (.*):$/.exec(line);
    if (f) { file = normalisePath(f[1]!); files.set(file, []); continue; }
    const d = /^\d+:\t(.*)$/.exec(line);
    if (d && file) {
      if (d[1]!.endsWith(';')) files.get(file)!.push(d[1]!);
      else pending = d[1]!;
    }
  }
  return files;
}

describe.skipIf(noGdb)(`global variables vs gdb${noGdb ? ` (skipped: ${noGdb})` : ''}`, () => {
  it.each(ELFS)('%s: info variables lists the same declarations', (elf) => {
    const di = load(elf);
    const expected = infoVariables(elf);
    const actual = new Map<string, string[]>();
    for (const g of di.globals()) {
      if (g.scope) continue; // gdb lists function statics only in their function's scope
      const file = normalisePath(g.decl.file ?? '?');
      if (!actual.has(file)) actual.set(file, []);
      actual.get(file)!.push(`${g.kind === 'static' ? 'static ' : ''}${declarationText(g.type, g.name)};`);
    }
    const sorted = (m: Map<string, string[]>): Record<string, string[]> =>
      Object.fromEntries([...m].map(([k, v]) => [k, [...new Set(v)].sort()]).sort());
    expect(sorted(actual)).toEqual(sorted(expected));
    expect(expected.size).toBeGreaterThan(0);
  });

  it.each(ELFS)('%s: address, sizeof, whatis and ptype of every variable', (elf) => {
    const di = load(elf);
    const counts = new Map<string, number>();
    for (const g of di.globals()) counts.set(g.qualifiedName, (counts.get(g.qualifiedName) ?? 0) + 1);
    // Names defined more than once (a static in two files) are ambiguous without a scope: skip.
    const vars: GlobalVariable[] = di.globals().filter((g) => counts.get(g.qualifiedName) === 1 && g.address !== undefined);
    const cmds: string[] = [];
    for (const g of vars) {
      cmds.push(g.scope ? `print &${g.qualifiedName}` : `info address ${g.name}`, `print sizeof(${g.qualifiedName})`,
        `whatis ${g.qualifiedName}`, `ptype ${g.qualifiedName}`);
    }
    const out = gdb(elf, cmds);
    let compared = 0;
    vars.forEach((g, i) => {
      const [addr, size, whatis, ptype] = out.slice(i * 4, i * 4 + 4) as [string, string, string, string];
      if (/No symbol/.test(addr + whatis)) {
        // gdb cannot name statics of functions that were only inlined (no concrete instance); we can.
        expect({ v: g.qualifiedName, scope: g.scope !== undefined }).toEqual({ v: g.qualifiedName, scope: true });
        return;
      }
      const gdbAddr = /static storage at address (0x[0-9a-f]+)/.exec(addr)?.[1] ?? /\) (0x[0-9a-f]+)/.exec(addr)?.[1];
      expect({ v: g.qualifiedName, addr: gdbAddr && Number(gdbAddr) }).toEqual({ v: g.qualifiedName, addr: g.address });
      // findVariable finds it by its qualified name.
      expect(di.findVariable(g.qualifiedName)?.address).toBe(g.address);
      if (size.endsWith('<optimized out>')) {
        // gdb resolved the name to an extern declaration without a size (picolibc's `const char _ctype_[]`);
        // we give the definition's complete type.
        expect(whatis).toMatch(/\[\]$/);
        return;
      }
      expect({ v: g.qualifiedName, size: size.replace(/^\$\d+ = /, '') }).toEqual({ v: g.qualifiedName, size: String(g.size) });
      expect({ v: g.qualifiedName, whatis }).toEqual({ v: g.qualifiedName, whatis: `type = ${g.typeName}` });
      expect({ v: g.qualifiedName, ptype }).toEqual({ v: g.qualifiedName, ptype: `type = ${di.ptype(g.type)}` });
      compared++;
    });
    expect(compared).toBeGreaterThanOrEqual(4);
  });
});
