// The CLI's side of the guest loop shared with the UI's recording (app/replay/sessions/guest-loop.ts):
// output to stdout after every slice, the messages on stderr, and the exit-code contract.

import { runGuestLoop, type DrivenGuest, type GuestLoopEnd } from '../replay/sessions/guest-loop.js';
import type { Io } from './io.js';
import type { UartInputQueue } from './uart-input.js';

export type { DrivenGuest } from '../replay/sessions/guest-loop.js';

export const EXIT_MAX_INSNS = 124;
export const EXIT_STUCK = 125;
export const EXIT_INTERRUPTED = 130;

export interface DriveResult {
  readonly exitCode: number;
  /** How the run ended, for a recording's end record. */
  readonly reason: GuestLoopEnd;
}

export async function driveGuest(
  guest: DrivenGuest,
  input: UartInputQueue,
  io: Io,
  opts: { maxInsns: number; flushOutput: () => void; interrupted?: () => boolean },
): Promise<DriveResult> {
  const reason = await runGuestLoop(guest, input, {
    maxInsns: opts.maxInsns,
    afterSlice: () => opts.flushOutput(),
    ...(opts.interrupted ? { interrupted: opts.interrupted } : {}),
    nextTurn: () => new Promise((resolve) => setImmediate(resolve)),
  });
  opts.flushOutput();
  switch (reason.kind) {
    case 'exit': return { exitCode: reason.code, reason };
    case 'limit':
      io.stderr(`hindsight: stopped after --max-insns ${opts.maxInsns} instructions (pc 0x${(guest.pc >>> 0).toString(16)})\n`);
      return { exitCode: EXIT_MAX_INSNS, reason };
    case 'stopped':
      io.stderr('hindsight: stopped by the user\n');
      return { exitCode: input.stopRequested ? 0 : EXIT_INTERRUPTED, reason };
    case 'idle':
      io.stderr('hindsight: the guest is waiting (WFI) with no timer armed and no more UART input; stopping\n');
      return { exitCode: EXIT_STUCK, reason };
  }
}
