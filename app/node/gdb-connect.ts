// The line a user pastes to connect gdb to our gdb server (printed by `hindsight gdb`, shown by the
// app's gdb button), and the gdb script it sources: assets/gdb/hindsight.gdb makes gdb read the
// registers, frames and memory again after `monitor seek` moves the replay under it.

import { existsSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from './io.js';

/**
 * Where a file electron-builder unpacked from the asar really is (electron-builder.yml asarUnpack):
 * worker threads run ES modules from real files, and gdb reads its script from one. Unchanged
 * outside a packaged app.
 */
export function unpacked(file: string): string {
  return file.replace(/([\\/])app\.asar([\\/])/, '$1app.asar.unpacked$2');
}

/** assets/gdb/hindsight.gdb, or null when this installation lacks it. */
export function gdbScriptPath(): string | null {
  const file = unpacked(path.join(projectRoot(), 'assets', 'gdb', 'hindsight.gdb'));
  return existsSync(file) ? file : null;
}

/** A word for a POSIX shell: as is when safe, else single-quoted. */
export function shellWord(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** `gdb-multiarch ELF -x hindsight.gdb -ex 'target remote WHERE'` (WHERE: host:port, [v6]:port). */
export function gdbCommandLine(elf: string, where: string, script = gdbScriptPath()): string {
  return `gdb-multiarch ${shellWord(elf)}${script ? ` -x ${shellWord(script)}` : ''} -ex ${shellWord(`target remote ${where}`)}`;
}
