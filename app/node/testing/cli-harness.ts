// Test support for the CLI tests: runs `hindsight` in-process through main(args, io) with a
// capturing Io, as a user's shell would see it (stdout bytes, stderr text, exit code), and names the
// bundled firmware and scratch files.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { main } from '../cli.js';
import type { Io } from '../io.js';

export interface CliResult {
  readonly code: number;
  readonly stdout: Buffer;
  readonly stderr: string;
  /** An exception main() let out: in a real process, a stack trace and exit code 1. */
  readonly thrown?: unknown;
}

/** Runs `hindsight ...args` in this process. Never throws: an escaping exception is in `thrown`. */
export async function runCli(args: readonly string[]): Promise<CliResult> {
  const out: Buffer[] = [];
  let err = '';
  const io: Io = { stdout: (d) => { out.push(Buffer.from(d)); }, stderr: (t) => { err += t; }, stdinTty: null };
  try {
    const code = await main([...args], io);
    return { code, stdout: Buffer.concat(out), stderr: err };
  } catch (e) {
    return { code: 1, stdout: Buffer.concat(out), stderr: err, thrown: e };
  }
}

/** Runs a command that must succeed and print JSON; returns the parsed JSON. */
export async function cliJson<T = unknown>(args: readonly string[]): Promise<T> {
  const r = await runCli(args);
  if (r.thrown !== undefined) throw r.thrown;
  if (r.code !== 0) throw new Error(`hindsight ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout.toString('utf8')) as T;
}

export const PROJECT_ROOT = path.resolve(import.meta.dirname, '../../..');

/** Path of a bundled firmware ELF, e.g. firmware('timer'). */
export function firmware(name: string): string {
  return path.join(PROJECT_ROOT, 'assets', 'firmware', 'elf', `${name}.elf`);
}

/** A scratch directory, removed by the returned cleanup. */
export function scratchDir(prefix: string): { dir: string; file: (name: string, contents?: string | Uint8Array) => string; remove: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), `hindsight-${prefix}-`));
  return {
    dir,
    file: (name, contents) => {
      const p = path.join(dir, name);
      if (contents !== undefined) writeFileSync(p, contents);
      return p;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** The first line of `run --max-insns`'s stop message names the pc there. */
export function pcFromMaxInsnsMessage(stderr: string): number | null {
  const m = /stopped after --max-insns \d+ instructions \(pc 0x([0-9a-f]+)\)/.exec(stderr);
  return m ? parseInt(m[1]!, 16) : null;
}

/**
 * What a user must see when a command fails on bad input: exactly one line on stderr, starting
 * "hindsight: ", no stack trace, a non-zero exit code, no escaping exception, and nothing on stdout
 * (unless `guestOutput`: a replay prints the guest's output up to the point where it failed).
 * Returns what is wrong, or null.
 */
export function describeCleanFailure(r: CliResult, opts: { guestOutput?: boolean } = {}): string | null {
  if (r.thrown !== undefined) return `threw ${(r.thrown as Error)?.stack ?? String(r.thrown)}`;
  if (r.code === 0) return `exited 0 (stderr: ${JSON.stringify(r.stderr)})`;
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  if (lines.length !== 1) return `${lines.length} lines on stderr: ${JSON.stringify(r.stderr)}`;
  if (!lines[0]!.startsWith('hindsight: ')) return `stderr does not start with "hindsight: ": ${JSON.stringify(r.stderr)}`;
  if (/\n\s+at /.test(r.stderr) || /Error:/.test(r.stderr)) return `stderr looks like a stack trace: ${JSON.stringify(r.stderr)}`;
  if (r.stdout.length !== 0 && !opts.guestOutput) return `wrote ${r.stdout.length} bytes to stdout`;
  return null;
}
