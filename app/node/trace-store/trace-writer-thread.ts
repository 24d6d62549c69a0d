// Entry of the trace writer thread (bundled as dist/trace-writer-thread.mjs; see writer-thread-script.ts):
// applies the recorder's batches, in order, to the SQLite writer, so that SQLite's inserts, commits
// and WAL checkpoints (with their fsyncs) run on another core than the guest. The SQLite writer keeps
// its own commit policy (about every 250 ms, and at once on flush, setEnd and close).

import { renameSync, rmSync } from 'node:fs';
import { parentPort, threadId, workerData } from 'node:worker_threads';
import type { SnapshotPage, TraceWriter } from '../../replay/trace/trace.js';
import { SnapshotStateHasher } from '../../replay/trace/snapshot-state-hasher.js';
import { sidecarPaths } from './schema.js';
import { createTraceWriter } from './sqlite-trace-writer.js';
import {
  SIGNAL_APPLIED, SIGNAL_FAILED, SIGNAL_STATE, STATE_CLOSED, STATE_EXITED, STATE_OPEN,
  toThreadError, type WriterBatch, type WriterOp, type WriterReply, type WriterThreadData,
} from './writer-thread-protocol.js';

const port = parentPort;
if (!port) throw new Error('trace-writer-thread must run in a worker thread');
const data = workerData as WriterThreadData;
const signals = new Int32Array(data.signals);

function signal(slot: number, value: number): void {
  Atomics.store(signals, slot, value);
  Atomics.notify(signals, slot);
}

function reply(r: WriterReply): void {
  data.replies.postMessage(r);
}

let writer: TraceWriter | null = null;
let hasher: SnapshotStateHasher | null = null;
let failed = false;

function fail(e: unknown): void {
  if (failed) return;
  failed = true;
  reply({ kind: 'error', error: toThreadError(e) });
  signal(SIGNAL_FAILED, 1);
}

// Whatever ends this thread (a crash included), the recorder must not wait for it forever.
process.on('exit', () => {
  if (Atomics.load(signals, SIGNAL_STATE) !== STATE_CLOSED) signal(SIGNAL_STATE, STATE_EXITED);
});

function apply(w: TraceWriter, op: WriterOp, eventData: Uint8Array): void {
  switch (op.op) {
    case 'input': w.appendInput({ icount: op.icount, ticks: op.ticks, kind: op.kind, data: eventData.subarray(op.at, op.at + op.len) }); return;
    case 'derived': w.appendDerived({ icount: op.icount, kind: op.kind, data: eventData.subarray(op.at, op.at + op.len) }); return;
    case 'snapshot': {
      const pages: SnapshotPage[] = [];
      let start = 0;
      for (let i = 0; i < op.pageNumbers.length; i++) {
        const end = op.pageEnds[i]!;
        pages.push({ page: op.pageNumbers[i]!, data: op.pageData.subarray(start, end) });
        start = end;
      }
      // The recorder gives every snapshot with its hash or none (threaded-trace-writer.ts checks).
      const stateHash = op.stateHash ?? (hasher ??= new SnapshotStateHasher(data.header.machine.ramSize)).next(op.state, pages);
      const id = w.appendSnapshot({ icount: op.icount, keyframe: op.keyframe, state: op.state, pages, stateHash, writeSummary: op.writeSummary });
      if (id !== op.id) throw new Error(`the writer thread numbered a snapshot ${id}, the recorder ${op.id}`);
      return;
    }
    case 'fold': w.foldSnapshot(op.id, op.intoId, op.mergedSummary); return;
    case 'progress': w.markProgress(op.icount); return;
    case 'end': w.setEnd(op.end); return;
    case 'flush': w.flush(); return;
    case 'close': w.close(); return;
  }
}

function close(): void {
  try {
    writer?.close();
  } catch (e) {
    fail(e);
  }
  signal(SIGNAL_STATE, STATE_CLOSED);
  port!.close();
  data.replies.close();
}

/**
 * Replacing a recording (overwrite): the old file and its sidecars are renamed aside, which is
 * instant, and deleted once the new file is open, so the recorder does not wait while the file
 * system frees a large file (~45 ms for 250 MB here).
 */
function moveAside(path: string): string[] {
  const moved: string[] = [];
  const side = sidecarPaths(path);
  for (const p of [path, side.wal, side.shm, side.journal]) {
    const aside = `${p}.replaced-${process.pid}-${threadId}`;
    try {
      renameSync(p, aside);
      moved.push(aside);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
  return moved;
}

let replaced: string[] = [];
try {
  if (data.options.overwrite) replaced = moveAside(data.path);
  writer = createTraceWriter(data.path, data.header, data.options);
  signal(SIGNAL_STATE, STATE_OPEN);
} catch (e) {
  fail(e);
  close();
}
for (const p of replaced) rmSync(p, { force: true });

port.on('message', (batch: WriterBatch) => {
  for (const op of batch.ops) {
    if (op.op === 'close') {
      signal(SIGNAL_APPLIED, batch.seq);
      close();
      return;
    }
    // After a failure nothing more is written (what was committed stays a valid recording); the
    // batches are still acknowledged so that the recorder never waits for them.
    if (failed || !writer) continue;
    try {
      apply(writer, op, batch.eventData);
    } catch (e) {
      fail(e);
    }
  }
  signal(SIGNAL_APPLIED, batch.seq);
});
