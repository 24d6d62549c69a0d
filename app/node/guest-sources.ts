// A finished recording gets the guest's source files, so that it shows source on any machine (a
// colleague's, a CI artifact's), not only where the sources sit beside the ELF.
//
// Which files: those the Source panel can show, i.e. the files of the DWARF line programs that have
// line rows (SourceLevel.sourceFileRequests), each found on this machine as the Source panel looks
// for it (source-lookup.ts locateSourceFile: absolute paths, the compilation folder, beside the ELF
// and its parents) and read as the panel reads it (UTF-8). Not in the host's fallback folders (the
// bundled samples, the working directory) unless asked: a file found there by a relative name may
// be another program's file of the same name, and a recording must not keep a wrong source. Files
// not on this machine (libc sources of a prebuilt toolchain, usually) are simply not stored; the
// panel then says so on every machine.
//
// Bounds: a file over MAX_SOURCE_BYTES (4 MiB, the panel's own limit) is skipped; storing stops
// once MAX_STORED_SOURCE_BYTES (64 MiB) would be exceeded. Both are said in the warning. A kernel's
// sources that DWARF names come to tens of MiB; a firmware's to a few hundred KiB (shell.elf: 17
// files, 110 KiB, stored in ~50 ms, most of it reading the DWARF).
//
// When: after the recording is finished and its writer closed (storeSourceFiles: a separate
// connection, one transaction). Never fatal: whatever goes wrong comes back as a warning, and the
// recording stays as the recorder left it.

import { readFileSync } from 'node:fs';
import { SourceLevel } from '../session/source-level.js';
import { MAX_SOURCE_BYTES } from '../session/source-files.js';
import { locateSourceFile } from './serve/source-lookup.js';
import { storeSourceFiles, type SourceToStore } from './trace-store/source-store.js';

/** At most this many bytes of sources go into one recording. */
export const MAX_STORED_SOURCE_BYTES = 64 << 20;

export interface GuestSourcesResult {
  /** Files stored and their total bytes. */
  readonly stored: number;
  readonly bytes: number;
  /** What the user should know (files skipped for size, or why nothing could be stored), or null. */
  readonly warning: string | null;
}

export interface GuestImageOnDisk {
  /** The ELF's bytes (the recording's guest image). */
  readonly image: Uint8Array;
  /** Where the ELF is on this machine (sources are looked for beside it). */
  readonly imagePath: string;
}

/** The guest's sources as this machine has them, within the bounds. Throws on a bad ELF (DWARF). */
export function collectGuestSources(
  guest: GuestImageOnDisk, sourceDirs: readonly string[] = [], maxTotalBytes = MAX_STORED_SOURCE_BYTES,
): { files: SourceToStore[]; bytes: number; skipped: string[] } {
  const files: SourceToStore[] = [];
  const skipped: string[] = [];
  let bytes = 0;
  let full = false;
  for (const r of new SourceLevel(guest.image).sourceFileRequests()) {
    const at = locateSourceFile({ ...r, imagePath: guest.imagePath }, sourceDirs);
    if ('notFound' in at) continue;
    if (at.size > MAX_SOURCE_BYTES) {
      skipped.push(`${at.file} (${at.size} bytes, over ${MAX_SOURCE_BYTES})`);
      continue;
    }
    if (full) {
      skipped.push(r.path);
      continue;
    }
    let data: Uint8Array;
    try {
      data = Buffer.from(readFileSync(at.file, 'utf8'), 'utf8');
    } catch (e) {
      skipped.push(`${at.file} (${(e as Error).message})`);
      continue;
    }
    if (bytes + data.length > maxTotalBytes) {
      full = true;
      skipped.push(r.path);
      continue;
    }
    files.push({ path: r.path, data });
    bytes += data.length;
  }
  return { files, bytes, skipped };
}

/**
 * Adds the guest's sources to the finished recording at `recording`. Never throws: a failure is
 * the warning, and the recording is kept as it was.
 */
export function addGuestSources(recording: string, guest: GuestImageOnDisk, sourceDirs: readonly string[] = []): GuestSourcesResult {
  try {
    const { files, bytes, skipped } = collectGuestSources(guest, sourceDirs);
    if (files.length > 0) storeSourceFiles(recording, files);
    const warning = skipped.length === 0 ? null
      : `${skipped.length} source file${skipped.length === 1 ? '' : 's'} not stored in the recording (at most ${MAX_SOURCE_BYTES >> 20} MiB a file, ${MAX_STORED_SOURCE_BYTES >> 20} MiB in all; they are read from disk where they are): ${abbreviate(skipped)}`;
    return { stored: files.length, bytes, warning };
  } catch (e) {
    return { stored: 0, bytes: 0, warning: `the recording is kept, but the guest's source files could not be stored in it: ${(e as Error).message}` };
  }
}

function abbreviate(list: readonly string[], max = 5): string {
  return list.length <= max ? list.join(', ') : `${list.slice(0, max).join(', ')} and ${list.length - max} more`;
}
