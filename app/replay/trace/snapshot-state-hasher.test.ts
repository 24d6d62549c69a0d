// A writer that hashes snapshots itself must store the hash RecordSession would have: the same
// recording made twice, once hashed by RecordSession and once by SnapshotStateHasher from the
// records alone, has the same hash at every snapshot, keyframes and thinning included.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Machine } from '../../engine/machine/machine.js';
import { RecordSession } from '../sessions/record-session.js';
import { MemoryTrace } from './memory-trace.js';
import { SnapshotStateHasher } from './snapshot-state-hasher.js';
import { TRACE_FORMAT_VERSION, type TraceWriter, type UnhashedSnapshotRecord } from './trace.js';

const RAM = 8 << 20;

function record(writer: TraceWriter, machine: Machine): void {
  const session = new RecordSession(machine, writer, { interval: 500, keyframeEvery: 4, budget: 8 });
  for (;;) {
    const r = session.run(7_919);
    if (r.kind === 'exit') { session.finish(r); return; }
    if (r.kind === 'idle') throw new Error('guest idle');
  }
}

/** MemoryTrace as a writer that hashes snapshots itself (as the threaded SQLite writer does). */
class HashingMemoryTrace extends MemoryTrace {
  private readonly hasher = new SnapshotStateHasher(RAM);

  appendUnhashedSnapshot(s: UnhashedSnapshotRecord): number {
    return super.appendSnapshot({ ...s, stateHash: this.hasher.next(s.state, s.pages) });
  }

  override appendSnapshot(): number {
    throw new Error('the recorder should give unhashed snapshots to a writer that hashes them');
  }
}

describe('SnapshotStateHasher', () => {
  it('gives every snapshot of a recording the hash RecordSession computes from RAM', () => {
    const bytes = readFileSync(path.resolve(import.meta.dirname, '../../../assets/firmware/elf/timer.elf'));
    const header = {
      formatVersion: TRACE_FORMAT_VERSION, createdBy: 'test', machine: { board: 'virt' as const, ramSize: RAM, ticksPerMtime: 100 },
      guestImage: bytes, guestImageSha256: '', guestImageName: 'timer.elf', snapshotInterval: 500,
    };
    const byRecorder = new MemoryTrace(header);
    record(byRecorder, Machine.create({ image: { bytes }, ramSize: RAM }));

    // The same recording through a writer that is given no hashes and computes them.
    const byWriter = new HashingMemoryTrace(header);
    const machine = Machine.create({ image: { bytes }, ramSize: RAM });
    record(byWriter, machine);

    const snaps = byRecorder.snapshots();
    expect(snaps.length).toBe(8); // thinned to the budget: folded snapshots keep their hashes
    expect(snaps.some((s) => !s.keyframe)).toBe(true);
    expect(byWriter.snapshots()).toEqual(snaps);
    expect(snaps[snaps.length - 1]!.stateHash).toBe(machine.stateHash());
  });

  it('takes pages given at any alignment, and refuses pages that are not RAM pages', () => {
    const a = new SnapshotStateHasher(RAM);
    const b = new SnapshotStateHasher(RAM);
    const page = { page: 3, data: new Uint8Array(4096).map((_, i) => (i * 7 + 3) & 0xff) };
    const odd = new Uint8Array(4097);
    odd.set(page.data, 1);
    const state = Uint8Array.of(1, 2, 3);
    expect(a.next(state, [page])).toBe(b.next(state, [{ page: 3, data: odd.subarray(1) }]));
    expect(() => a.next(state, [{ page: RAM / 4096, data: page.data }])).toThrow(/outside RAM/);
    expect(() => a.next(state, [{ page: 1, data: page.data.subarray(1) }])).toThrow(/4095 bytes/);
  });
});
