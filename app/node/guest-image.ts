// Reads a guest ELF from disk for the engine, turning file-system errors into clear CLI errors.

import { readFileSync } from 'node:fs';
import { CliError } from './io.js';

export interface GuestImageFile {
  readonly path: string;
  readonly bytes: Uint8Array;
}

export function loadGuestImage(path: string): GuestImageFile {
  try {
    return { path, bytes: readFileSync(path) };
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'it is a directory' : err.message;
    throw new CliError(`cannot read ELF ${path}: ${why}`);
  }
}
