// `hindsight replay FILE.hsrec [--verify]`: the recording's UART output and exit code, without the
// ELF or any device. With --verify, the whole machine state is hashed at every snapshot and
// compared with the hash the recorder stored; the first difference is reported.

import { parseArgs } from 'node:util';
import { RamHashCache } from '../../engine/machine/state-hash.js';
import { ReplayDivergenceError } from '../../replay/divergence.js';
import { DERIVED_UART_TX, decodeUartTx } from '../../replay/trace/derived-codecs.js';
import type { TraceReader } from '../../replay/trace/trace.js';
import { CliError, type Io } from '../io.js';
import { openRecording, openTimeline } from '../open-recording.js';
import { OutputBuffer } from '../output-buffer.js';

export const EXIT_DIVERGED = 3;

export async function replayCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { verify: { type: 'boolean' } }, strict: true });
  if (positionals.length !== 1) throw new CliError('replay takes one recording: hindsight replay FILE.hsrec [--verify]');
  const reader = openRecording(positionals[0]!);
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
          const h = hashes.digest(m.saveState());
          if (h !== snap.stateHash) {
            out.flush();
            io.stderr(`hindsight: replay diverged at icount ${stop}: the machine state hash is ${h}, the recording has ${snap.stateHash}\n`);
            return EXIT_DIVERGED;
          }
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
      const { bytes, icounts } = decodeUartTx(chunk.icount, chunk.data);
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
