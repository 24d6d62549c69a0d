// The header a recorder writes, from the machine it records: one place for the board description
// that every recorder (CLI `record`, `gdb ELF`, the UI's Record and openElf, the benchmark) writes
// and replay rebuilds the machine from.

import { TICKS_PER_MTIME } from '../../engine/devices/clint.js';
import type { Machine } from '../../engine/machine/machine.js';
import type { TraceHeader } from '../trace/trace.js';

/** The header as a recorder knows it (the writer adds the format version and the image hash). */
export type NewRecordingHeader = Omit<TraceHeader, 'formatVersion' | 'guestImageSha256'>;

export function newRecordingHeader(
  machine: Machine,
  guest: { readonly bytes: Uint8Array; readonly name: string },
  opts: { readonly createdBy: string; readonly snapshotInterval: number },
): NewRecordingHeader {
  return {
    createdBy: opts.createdBy,
    machine: { board: 'virt', ramSize: machine.bus.ramSize, ticksPerMtime: TICKS_PER_MTIME },
    guestImage: guest.bytes,
    guestImageName: guest.name,
    snapshotInterval: opts.snapshotInterval,
  };
}
