// Lists a host directory for the browser's in-app file dialog (Electron uses native dialogs).
//
// Whoever holds the serve token may list any directory the host user can read: the same trust as
// opening files by path, which the token already grants. Only what the user could open is listed
// (folders, recordings, ELFs); everything else is counted in `omitted`, so nothing disappears
// silently, and a path that cannot be listed is an error that says why.
//
// A file is a recording when it is named *.hsrec or starts with the SQLite magic; an ELF when it is
// named *.elf or starts with the ELF magic. The name counts on its own so that a damaged recording
// or ELF still shows up, and opening it then says what is wrong with it.

import { closeSync, openSync, readdirSync, readSync, statSync, type Stats } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DirEntry, DirEntryKind, DirectoryListing } from '../../protocol/host-dto.js';
import { SessionError } from '../../session/errors.js';

/** Entries examined at most (a folder of 100 000 files is listed in part, and says so). */
export const MAX_ENTRIES = 5000;

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');
const ELF_MAGIC = Buffer.from([0x7f, 0x45, 0x4c, 0x46]);

function head(file: string): Buffer | null {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return null;
  }
  try {
    const b = Buffer.alloc(16);
    const n = readSync(fd, b, 0, 16, 0);
    return b.subarray(0, n);
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

/** What a regular file is to the debugger, or null (not listed). */
export function fileKind(file: string): Exclude<DirEntryKind, 'directory'> | null {
  const lower = file.toLowerCase();
  if (lower.endsWith('.hsrec')) return 'recording';
  if (lower.endsWith('.elf')) return 'elf';
  const h = head(file);
  if (!h) return null;
  if (h.length >= 16 && h.subarray(0, 16).equals(SQLITE_MAGIC)) return 'recording';
  if (h.length >= 4 && h.subarray(0, 4).equals(ELF_MAGIC)) return 'elf';
  return null;
}

function why(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err.code) {
    case 'ENOENT': return 'no such file or folder';
    case 'EACCES': case 'EPERM': return 'permission denied';
    case 'ENOTDIR': return 'not a folder';
    case 'ELOOP': return 'too many symbolic links';
    default: return err.message;
  }
}

/** `~` and `~/x` are the home folder; a relative path is taken from `base`. */
export function resolveUserPath(p: string, base: string): string {
  const home = os.homedir();
  const expanded = p === '~' ? home : p.startsWith('~/') || p.startsWith('~\\') ? path.join(home, p.slice(2)) : p;
  return path.resolve(base, expanded);
}

export function listDirectory(requested: string | undefined, startDir: string): DirectoryListing {
  const dir = resolveUserPath(requested?.trim() || startDir, startDir);
  let st: Stats;
  try {
    st = statSync(dir);
  } catch (e) {
    throw new SessionError('bad-file', `cannot list ${dir}: ${why(e)}`);
  }
  if (!st.isDirectory()) throw new SessionError('bad-file', `cannot list ${dir}: it is a file, not a folder`);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    throw new SessionError('bad-file', `cannot list ${dir}: ${why(e)}`);
  }
  names.sort((a, b) => a.localeCompare(b));
  const truncated = names.length > MAX_ENTRIES;
  const dirs: DirEntry[] = [], files: DirEntry[] = [];
  const omitted = { hidden: 0, other: 0, unreadable: 0 };
  for (const name of names.slice(0, MAX_ENTRIES)) {
    if (name.startsWith('.')) { omitted.hidden++; continue; }
    const full = path.join(dir, name);
    let s: Stats;
    try {
      s = statSync(full); // follows links: a link to a folder is a folder
    } catch {
      omitted.unreadable++;
      continue;
    }
    if (s.isDirectory()) { dirs.push({ name, kind: 'directory', size: null }); continue; }
    const kind = s.isFile() ? fileKind(full) : null;
    if (kind) files.push({ name, kind, size: s.size });
    else omitted.other++;
  }
  const parent = path.dirname(dir);
  return {
    path: dir, parent: parent === dir ? null : parent, separator: path.sep, home: os.homedir(),
    entries: [...dirs, ...files], omitted, truncated,
  };
}
