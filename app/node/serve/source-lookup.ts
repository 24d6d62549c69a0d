// Finds a guest source file on this machine for the Source panel (SessionPorts.readSourceFile), when
// the recording holds no copy of it (older recordings hold none; see app/node/guest-sources.ts).
// Recordings replay anywhere, and reproducible builds record relative paths
// (comp_dir "."), so a DWARF path is tried, in order: as an absolute path; under an absolute
// comp_dir; then relative to the guest ELF's folder and its parents (sources usually sit near
// the ELF, e.g. firmware/elf/x.elf built in firmware/); then the host's source folders (the
// bundled sample firmware's sources, the working directory). Only files with a source-file
// extension and at most MAX_SOURCE_BYTES are read: a recording from someone else names whatever
// paths it likes, and the UI must not become a way to read any file of the host.
// The same resolution (locateSourceFile) picks the files a finished recording stores
// (app/node/guest-sources.ts), so a recording carries what the Source panel showed where it was made.

import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { MAX_SOURCE_BYTES, type SourceFileRead, type SourceFileRequest } from '../../session/source-files.js';
import { projectRoot } from '../io.js';

const SOURCE_EXTENSIONS = new Set(['.c', '.h', '.s', '.S', '.cc', '.cpp', '.cxx', '.hpp', '.hh', '.hxx', '.inc', '.def', '.rs', '.zig', '.ld']);
/** How many folders above the ELF's are tried. */
const PARENT_LEVELS = 3;

/** The host's own source folders, tried after the ELF's: the bundled sample firmware's sources, then the working directory. */
export function hostSourceDirs(): string[] {
  return [path.join(projectRoot(), 'assets', 'firmware'), process.cwd()];
}

export function findSourceFile(r: SourceFileRequest, sourceDirs: readonly string[]): SourceFileRead {
  const at = locateSourceFile(r, sourceDirs);
  if ('notFound' in at) return at;
  const { file, size } = at;
  if (size > MAX_SOURCE_BYTES) return { notFound: `${file} is ${size} bytes, more than a source file should be (${MAX_SOURCE_BYTES}): not shown` };
  try {
    return { hostPath: file, text: readFileSync(file, 'utf8') };
  } catch (e) {
    return { notFound: `cannot read ${file}: ${(e as Error).message}` };
  }
}

/** Where `r` is on this machine (the first candidate that is a file) and its size, without reading it; or why not. */
export function locateSourceFile(r: SourceFileRequest, sourceDirs: readonly string[]): { readonly file: string; readonly size: number } | { readonly notFound: string } {
  const ext = path.extname(r.path);
  if (!SOURCE_EXTENSIONS.has(ext)) return { notFound: `${r.path} is not a source file (${ext || 'no extension'}): not read` };
  const candidates: string[] = [];
  if (path.isAbsolute(r.path)) candidates.push(r.path);
  else {
    if (path.isAbsolute(r.compDir)) candidates.push(path.join(r.compDir, r.path));
    const rel = path.isAbsolute(r.compDir) ? r.path : path.join(r.compDir || '.', r.path);
    const bases: string[] = [];
    if (r.imagePath) {
      let dir = path.dirname(path.resolve(r.imagePath));
      for (let i = 0; i <= PARENT_LEVELS; i++) { bases.push(dir); dir = path.dirname(dir); }
    }
    bases.push(...sourceDirs);
    for (const b of bases) candidates.push(path.resolve(b, rel));
  }
  const tried = [...new Set(candidates)];
  for (const file of tried) {
    try {
      const st = statSync(file);
      if (st.isFile()) return { file, size: st.size };
    } catch {
      // not there: the next candidate
    }
  }
  return { notFound: `${r.path} is not on this machine (looked in ${tried.map((t) => path.dirname(t)).filter((d, i, a) => a.indexOf(d) === i).join(', ')})` };
}
