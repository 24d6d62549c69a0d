// The guest's serial output over a recording, from its uart-tx derived events (no replay): every
// byte with the position just before the instruction that sent it. The console at position t is
// the bytes with icount < t, always a prefix of the whole output.

import { DERIVED_UART_TX, decodeUartTx } from '../replay/trace/derived-codecs.js';
import type { TraceReader } from '../replay/trace/trace.js';
import { TraceFormatError } from '../replay/trace/trace.js';

export class ConsoleOutput {
  private bytes = new Uint8Array(0);
  private icounts = new Float64Array(0);
  private length = 0;

  constructor(reader: TraceReader) {
    for (const e of reader.derived(0, Number.MAX_SAFE_INTEGER, DERIVED_UART_TX)) {
      let chunk;
      try {
        chunk = decodeUartTx(e.icount, e.data);
      } catch (err) {
        if (err instanceof TraceFormatError) throw new TraceFormatError(`the UART output event at icount ${e.icount}: ${err.message}`, { cause: err });
        throw err;
      }
      this.append(chunk.bytes, chunk.icounts);
    }
  }

  private append(bytes: Uint8Array, icounts: readonly number[]): void {
    const need = this.length + bytes.length;
    if (need > this.bytes.length) {
      const cap = Math.max(need, this.bytes.length * 2, 4096);
      const b = new Uint8Array(cap);
      b.set(this.bytes.subarray(0, this.length));
      const ic = new Float64Array(cap);
      ic.set(this.icounts.subarray(0, this.length));
      this.bytes = b;
      this.icounts = ic;
    }
    this.bytes.set(bytes, this.length);
    for (let i = 0; i < bytes.length; i++) this.icounts[this.length + i] = icounts[i]!;
    this.length = need;
  }

  /** Number of bytes sent before position t. */
  lengthAt(t: number): number {
    let lo = 0, hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.icounts[mid]! < t) lo = mid + 1; else hi = mid;
    }
    return lo;
  }

  get totalLength(): number {
    return this.length;
  }

  /** Bytes [from, to) as a binary string (one char code per byte). */
  slice(from: number, to: number): string {
    let s = '';
    for (let i = from; i < to; i += 8192) s += String.fromCharCode(...this.bytes.subarray(i, Math.min(to, i + 8192)));
    return s;
  }
}
