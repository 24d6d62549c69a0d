// Reads a guest ELF from disk for the engine, turning file-system errors into clear CLI errors.

import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
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

/** Whether the file starts with the ELF magic (otherwise a command treats it as a recording). */
export function isElfFile(file: string): boolean {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new CliError(`cannot open ${file}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`);
  }
  try {
    const head = Buffer.alloc(4);
    const n = readSync(fd, head, 0, 4, 0);
    return n === 4 && head.equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46]));
  } catch (e) {
    throw new CliError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code === 'EISDIR' ? 'it is a directory' : (e as Error).message}`);
  } finally {
    closeSync(fd);
  }
}
