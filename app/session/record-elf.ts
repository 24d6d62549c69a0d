// Records a guest ELF with scripted UART input into a recording, without a terminal: the way a
// host makes "something real to show" (hindsight serve's default) and how openElf works until
// interactive Record/Stop exists. Same loop as the CLI's `record --serial-in FILE`: input bytes
// are offered up front and enter the UART as it can take them; the run ends when the guest exits,
// waits (WFI) with nothing more to come, or reaches maxInsns.

import { Machine } from '../engine/machine/machine.js';
import { uartRx } from '../replay/inputs/uart-rx.js';
import { RecordSession } from '../replay/sessions/record-session.js';
import { newRecordingHeader, type NewRecordingHeader } from '../replay/sessions/recording-header.js';
import { DEFAULT_CHECKPOINT_POLICY } from '../replay/timeline/checkpoint-policy.js';
import type { OperationControl } from '../replay/timeline/timeline.js';
import { OperationCancelledError } from '../replay/timeline/timeline.js';
import type { TraceEnd, TraceWriter } from '../replay/trace/trace.js';

export type { NewRecordingHeader };

export interface RecordElfOptions {
  readonly image: Uint8Array;
  readonly imageName: string;
  readonly createdBy: string;
  readonly serialInput?: Uint8Array;
  /** Stop after this many instructions (default 2 G). */
  readonly maxInsns?: number;
  readonly snapshotInterval?: number;
}

/** Instructions per slice: cancellation and progress are checked between slices. */
const SLICE = 1 << 22;
export const DEFAULT_RECORD_LIMIT = 2_000_000_000;

/**
 * Runs the guest and writes the recording through the writer `createWriter` makes (the host owns
 * files). Returns how it ended. The writer is finished and closed either way.
 */
export function recordElf(
  opts: RecordElfOptions,
  createWriter: (header: NewRecordingHeader) => TraceWriter,
  control: OperationControl = {},
): TraceEnd {
  const machine = Machine.create({ image: { bytes: opts.image, path: opts.imageName } });
  const interval = opts.snapshotInterval ?? DEFAULT_CHECKPOINT_POLICY.interval;
  const writer = createWriter(newRecordingHeader(machine, { bytes: opts.image, name: opts.imageName }, { createdBy: opts.createdBy, snapshotInterval: interval }));
  try {
    const session = new RecordSession(machine, writer, { interval });
    for (const b of opts.serialInput ?? []) session.inputs.offer(uartRx, b);
    const limit = opts.maxInsns ?? DEFAULT_RECORD_LIMIT;
    let reason: TraceEnd['reason'];
    let idleAt = -1;
    for (;;) {
      if (control.signal?.aborted) throw new OperationCancelledError();
      const remaining = limit - session.icount;
      if (remaining <= 0) { reason = { kind: 'limit' }; break; }
      const r = session.run(Math.min(SLICE, remaining));
      control.onProgress?.(session.icount, limit);
      if (r.kind === 'exit') { reason = { kind: 'exit', code: r.code, source: r.source }; break; }
      if (r.kind === 'idle') {
        // Waiting with nothing more to come, or with input it will not take (no progress since the last wait).
        if (session.inputs.pending === 0 || idleAt === session.icount) { reason = { kind: 'idle' }; break; }
        idleAt = session.icount;
      }
    }
    session.finish(reason);
    return { icount: session.icount, reason };
  } finally {
    writer.close();
  }
}
