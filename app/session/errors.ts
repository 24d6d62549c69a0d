// Turns what the core throws into the protocol's errors: a code the UI can act on, a message a
// person can read. Anything unexpected is 'internal' with its message (a bug to report, not hide).

import type { ProtocolError, ProtocolErrorCode } from '../protocol/errors.js';
import { ElfError } from '../engine/loader/elf.js';
import { StateFormatError } from '../engine/machine/state-codec.js';
import { ReplayDivergenceError } from '../replay/divergence.js';
import { OperationCancelledError } from '../replay/timeline/timeline.js';
import { TraceFormatError } from '../replay/trace/trace.js';

/** An error the session raises on purpose, with its protocol code. */
export class SessionError extends Error {
  override name = 'SessionError';
  constructor(readonly code: ProtocolErrorCode, message: string) {
    super(message);
  }
}

/**
 * An ELF the engine refused, named by the path the user gave: the engine names it by its base name
 * (`shell.elf: not an ELF file`), and the UI should say which file.
 */
export function badElf(path: string, e: ElfError): SessionError {
  const name = path.split(/[\\/]/).pop() ?? path;
  return new SessionError('bad-file', `${path}: ${e.message.startsWith(`${name}: `) ? e.message.slice(name.length + 2) : e.message}`);
}

export function toProtocolError(e: unknown): ProtocolError {
  if (e instanceof SessionError) return { code: e.code, message: e.message };
  if (e instanceof OperationCancelledError) return { code: 'cancelled', message: 'cancelled' };
  if (e instanceof TraceFormatError || e instanceof ElfError || e instanceof StateFormatError) return { code: 'bad-file', message: e.message };
  if (e instanceof ReplayDivergenceError) return { code: 'divergence', message: e.message };
  const message = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return { code: 'internal', message };
}
