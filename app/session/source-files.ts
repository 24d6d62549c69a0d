// Source files for the Source panel. A recording made by a host that could read the guest's
// sources carries them (TraceReader.readStoredSource, keyed by DWARF path): that copy comes first.
// Otherwise (older recordings, files that were not on the recording machine, a stored copy that
// fails its checks) they are read on the machine that replays, by the host (a SessionPorts
// method), from the DWARF path (compilation directory + name). A file that is not there is an
// answer, not an error: the panel says so and everything else keeps working.

import type { SourceFileDto } from '../protocol/source-dto.js';
import type { StoredSourceRead } from '../replay/trace/trace.js';
import type { SourceLevel } from './source-level.js';

/** What the host is asked for. */
export interface SourceFileRequest {
  /** The DWARF path ("lib/usb.c", "../../../newlib/libc/string/memchr.c", "/abs/x.c"). */
  readonly path: string;
  /** The unit's DW_AT_comp_dir ("." for builds with -ffile-prefix-map; '' when unknown). */
  readonly compDir: string;
  /** The guest ELF's host path, when the session recorded it from a file (sources are often beside it). */
  readonly imagePath?: string;
}

export type SourceFileRead = { readonly hostPath: string; readonly text: string } | { readonly notFound: string };

/** Source files larger than this are not shown (a generated table, or not a source file at all). */
export const MAX_SOURCE_BYTES = 4 << 20;

export function sourceFile(
  src: SourceLevel, path: string, imagePath: string | undefined, read: (r: SourceFileRequest) => SourceFileRead,
  readStored: (path: string) => StoredSourceRead | null = () => null,
): SourceFileDto {
  const codeLines = src.codeLines(path);
  if (!src.di.sourceFiles().includes(path) && codeLines.length === 0) {
    return { found: false, path, reason: `${path} is not a source file of the guest image's line table`, codeLines };
  }
  const stored = readStored(path);
  if (stored && 'text' in stored) return { found: true, path, origin: 'recording', text: stored.text, codeLines };
  const r = read({ path, compDir: src.compDirOf(path), ...(imagePath !== undefined ? { imagePath } : {}) });
  // A stored copy that fails its checks: say why it was not used, wherever the text comes from.
  if ('notFound' in r) return { found: false, path, reason: stored ? `${stored.unusable}; ${r.notFound}` : r.notFound, codeLines };
  return { found: true, path, origin: 'disk', hostPath: r.hostPath, text: r.text, codeLines, ...(stored ? { note: `${stored.unusable}: read from ${r.hostPath} instead` } : {}) };
}
