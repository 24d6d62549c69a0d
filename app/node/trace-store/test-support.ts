// Helpers shared by the trace-store tests (and the killed-recorder child): headers, deterministic
// contents, and a reader that reads every record of a recording.

import type { SnapshotPage, TraceReader } from '../../replay/trace/trace.js';
import type { NewTraceHeader } from './sqlite-trace-writer.js';

export function testHeader(imageBytes = 3000): NewTraceHeader {
  const guestImage = new Uint8Array(imageBytes);
  for (let i = 0; i < guestImage.length; i++) guestImage[i] = (i * 31 + 7) & 0xff;
  return {
    createdBy: 'hindsight-test 0.0.0',
    machine: { board: 'virt', ramSize: 16 << 20, ticksPerMtime: 100 },
    guestImage,
    guestImageName: 'guest.elf',
    snapshotInterval: 1_000_000,
  };
}

/** The input event data the killed recorder writes at `icount`, so the test can check every byte. */
export function inputData(icount: number): Uint8Array {
  const d = new Uint8Array(1 + (icount % 5));
  for (let i = 0; i < d.length; i++) d[i] = (icount + i * 17) & 0xff;
  return d;
}

/** A 4 KiB RAM page whose bytes depend on (seed, page). */
export function ramPage(page: number, seed: number): SnapshotPage {
  const data = new Uint8Array(4096);
  let x = (seed * 2654435761 + page * 40503 + 1) >>> 0;
  for (let i = 0; i < data.length; i++) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    data[i] = x & 0xff;
  }
  return { page, data };
}

/** Reads every record through every read path (what a corrupt file must fail on, not crash on). */
export function readEverything(r: TraceReader): number {
  let n = r.countInputs() + r.countDerived() + r.completeUpTo + (r.end ? 1 : 0);
  n += r.inputs(0, Number.MAX_SAFE_INTEGER).length;
  for (const kind of ['uart-tx', 'trap']) n += r.derived(0, Number.MAX_SAFE_INTEGER, kind).length + r.countDerived(kind);
  for (const s of r.snapshots()) {
    n += r.snapshotState(s.id).length + r.writeSummary(s.id).length;
    for (const p of r.snapshotPages(s.id)) n += p.data.length;
  }
  return n + r.sizeBytes();
}
