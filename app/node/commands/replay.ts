// `hindsight replay FILE.hsrec [--verify]`: the recording's UART output and exit code, without the
// ELF or any device. With --verify, the whole machine state is hashed at every snapshot and
// compared with the hash the recorder stored; the first difference is reported. --verify also
// compares what each snapshot stores (CPU and device state, RAM pages) with the replayed machine:
// seeks restore from those, and SQLite keeps no checksum of the values, so a damaged snapshot
// would otherwise only show as wrong answers later.

import { parseArgs } from 'node:util';
import { RamHashCache } from '../../engine/machine/state-hash.js';
import { ReplayDivergenceError } from '../../replay/divergence.js';
import { DERIVED_UART_TX, decodeUartTx } from '../../replay/trace/derived-codecs.js';
import type { Machine } from '../../engine/machine/machine.js';
import { TraceFormatError, type TraceReader } from '../../replay/trace/trace.js';
import { CliError, type Io } from '../io.js';
import { openRecording, openTimeline } from '../open-recording.js';
import { OutputBuffer } from '../output-buffer.js';

export const EXIT_DIVERGED = 3;

export async function replayCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { verify: { type: 'boolean' } }, strict: true });
  if (positionals.length !== 1) throw new CliError('replay takes one recording: hindsight replay FILE.hsrec [--verify]');
  const file = positionals[0]!;
  const reader = openRecording(file);
  try {
    const tl = openTimeline(reader);
    const m = tl.machine;
    const out = new OutputBuffer(io);
    const replayed: { b: number; ic: number }[] = [];
    m.onUartOutput = (b) => { out.push(b); replayed.push({ b, ic: m.hart.icount }); };
    const hashes = values.verify ? new RamHashCache(m.bus.ram32) : null;
    const end = tl.end;
    const checker = new UartOutputChecker(reader);
    const stops = [...tl.snapshots.map((s) => s.icount).filter((i) => i > 0 && i <= end), end];
    let verified = 0;
    try {
      for (const stop of [...new Set(stops)].sort((a, b) => a - b)) {
        tl.replayTo(stop);
        checker.check(replayed, stop);
        replayed.length = 0;
        const snap = tl.snapshots.find((s) => s.icount === stop);
        if (hashes && snap) {
          hashes.update(m.bus.takeDirtyPages());
          const state = m.saveState();
          const h = hashes.digest(state);
          if (h !== snap.stateHash) {
            out.flush();
            io.stderr(`hindsight: replay diverged at icount ${stop}: the machine state hash is ${h}, the recording has ${snap.stateHash}\n`);
            return EXIT_DIVERGED;
          }
          const damage = storedSnapshotDamage(reader, snap.id, m, state);
          if (damage) throw new TraceFormatError(`${file}: snapshot ${snap.id} at icount ${stop} is corrupt: ${damage}`);
          verified++;
        }
        await new Promise((r) => setImmediate(r));
      }
    } catch (e) {
      out.flush();
      if (e instanceof ReplayDivergenceError) {
        io.stderr(`hindsight: ${e.message}\n`);
        return EXIT_DIVERGED;
      }
      throw e;
    }
    out.flush();
    if (values.verify) io.stderr(`hindsight: verified ${verified} snapshots, all identical\n`);
    const endRecord = reader.end;
    if (!endRecord) {
      io.stderr(`hindsight: the recording is incomplete (the recorder stopped without finishing it); replayed up to icount ${end}\n`);
      return 0;
    }
    return endRecord.reason.kind === 'exit' ? endRecord.reason.code : 0;
  } finally {
    reader.close();
  }
}

const same = (a: Uint8Array, b: Uint8Array): boolean =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

/**
 * What differs between snapshot `id` as stored and the replayed machine at its icount (whose state
 * hash matched the recorded one, so the machine is right), or null. A stored page must equal RAM:
 * it was dirtied in the interval and copied at the snapshot (or, after thinning, in a folded
 * interval and not written since).
 */
function storedSnapshotDamage(reader: TraceReader, id: number, m: Machine, state: Uint8Array): string | null {
  if (!same(reader.snapshotState(id), state)) return "its CPU and device state differs from the replay's";
  const ram = m.bus.ram;
  for (const p of reader.snapshotPages(id)) {
    const off = p.page * 4096;
    if (off + 4096 > ram.length || !same(p.data, ram.subarray(off, off + 4096))) {
      return `RAM page 0x${(m.bus.ramBase + off).toString(16)} differs from the replay's`;
    }
  }
  return null;
}

/**
 * Replayed UART bytes must be the recorded ones, at the same icounts. Recorded chunks are loaded
 * as the replay reaches them; a chunk may run past a segment end, so the rest waits in a queue.
 */
class UartOutputChecker {
  private queue: { b: number; ic: number }[] = [];
  private head = 0;
  private loadedTo = 0;

  constructor(private readonly reader: TraceReader) {}

  check(replayed: readonly { b: number; ic: number }[], upTo: number): void {
    for (const chunk of this.reader.derived(this.loadedTo, upTo, DERIVED_UART_TX)) {
      const { bytes, icounts } = decodeChunk(chunk.icount, chunk.data);
      bytes.forEach((b, k) => this.queue.push({ b, ic: icounts[k]! }));
    }
    this.loadedTo = upTo;
    for (const r of replayed) {
      const e = this.queue[this.head];
      if (!e) throw new ReplayDivergenceError(r.ic, 'no UART output here', `uart-tx 0x${r.b.toString(16)} at icount ${r.ic}`);
      if (e.b !== r.b || e.ic !== r.ic) {
        throw new ReplayDivergenceError(r.ic, `uart-tx 0x${e.b.toString(16)} at icount ${e.ic}`, `uart-tx 0x${r.b.toString(16)} at icount ${r.ic}`);
      }
      this.head++;
    }
    const missing = this.queue[this.head];
    if (missing && missing.ic < upTo) {
      throw new ReplayDivergenceError(missing.ic, `uart-tx 0x${missing.b.toString(16)} at icount ${missing.ic}`, 'no output');
    }
    if (this.head > 4096) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }
}

function decodeChunk(icount: number, data: Uint8Array): ReturnType<typeof decodeUartTx> {
  try {
    return decodeUartTx(icount, data);
  } catch (e) {
    if (e instanceof TraceFormatError) throw new TraceFormatError(`the UART output event at icount ${icount}: ${e.message}`, { cause: e });
    throw e;
  }
}
