// The process boundary of the CLI, so commands can be tested in-process without spawning.

import { fileURLToPath } from 'node:url';
import path from 'node:path';

export class CliError extends Error {
  override name = 'CliError';
  constructor(message: string, readonly exitCode = 2) {
    super(message);
  }
}

export interface Io {
  stdout(data: Uint8Array | string): void;
  stderr(text: string): void;
  /** Standard input when it is a terminal (interactive UART), otherwise null. */
  readonly stdinTty: NodeJS.ReadStream | null;
}

export function nodeIo(): Io {
  // A reader that goes away (`hindsight run ... | head`) must not crash the run with EPIPE: the
  // guest's output has nowhere to go, and everything else (a recording) carries on.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
  });
  return {
    stdout: (d) => { process.stdout.write(d); },
    stderr: (t) => { process.stderr.write(t); },
    stdinTty: process.stdin.isTTY ? process.stdin : null,
  };
}

/** The project root (where assets/ is), from the bundled dist/cli.mjs or from the sources. */
export function projectRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  // dist/cli.mjs -> root; app/node/io.ts -> root
  for (let i = 0; i < 4; i++) {
    if (path.basename(dir) === 'dist') return path.dirname(dir);
    if (path.basename(dir) === 'app') return path.dirname(dir);
    dir = path.dirname(dir);
  }
  return process.cwd();
}

export function defaultFirmware(): string {
  return path.join(projectRoot(), 'assets', 'firmware', 'elf', 'shell.elf');
}

/** Parses a non-negative integer option (decimal, or hex with 0x; `_` separators and k/M/G suffixes allowed). */
export function parseCount(name: string, text: string): number {
  const m = /^(0x[0-9a-f_]+|[0-9_]+)([kmg]?)$/i.exec(text.trim());
  if (!m) throw new CliError(`${name}: "${text}" is not a number`);
  const base = Number(m[1]!.replace(/_/g, ''));
  const mult = { '': 1, k: 1e3, m: 1e6, g: 1e9 }[m[2]!.toLowerCase() as '' | 'k' | 'm' | 'g'];
  const v = base * mult;
  if (!Number.isSafeInteger(v)) throw new CliError(`${name}: "${text}" is too large`);
  return v;
}
