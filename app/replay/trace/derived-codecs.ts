// Encodings of the derived (deterministic output) events a recording keeps for the timeline.
//
// uart-tx: a chunk of transmitted bytes. icount of the event = icount of the first byte; data =
//   [count u16][bytes...][icount deltas as LEB128 varints, first delta = 0]. A byte's icount is the
//   position just before the instruction that transmitted it: the console at position t shows the
//   bytes with icount < t.
// trap: [mcause u32][tval u32][epc u32][from privilege u8]; interrupts have mcause bit 31 set.

import { TraceFormatError } from './trace.js';

export const DERIVED_UART_TX = 'uart-tx';
export const DERIVED_TRAP = 'trap';

export interface UartTxChunk {
  readonly bytes: Uint8Array;
  readonly icounts: readonly number[];
}

export function encodeUartTx(bytes: readonly number[], icounts: readonly number[]): Uint8Array {
  const out: number[] = [bytes.length & 0xff, bytes.length >>> 8, ...bytes];
  let prev = icounts[0] ?? 0;
  for (const ic of icounts) {
    let d = ic - prev;
    prev = ic;
    do {
      const b = d % 128;
      d = Math.floor(d / 128);
      out.push(d > 0 ? b | 128 : b);
    } while (d > 0);
  }
  return Uint8Array.from(out);
}

export function decodeUartTx(firstIcount: number, data: Uint8Array): UartTxChunk {
  if (data.length < 2) throw new TraceFormatError('uart-tx event is truncated');
  const n = data[0]! | (data[1]! << 8);
  if (data.length < 2 + n) throw new TraceFormatError(`uart-tx event holds ${data.length - 2} bytes, says ${n}`);
  const bytes = data.slice(2, 2 + n);
  const icounts: number[] = [];
  let pos = 2 + n;
  let ic = firstIcount;
  for (let i = 0; i < n; i++) {
    let d = 0, mul = 1, b;
    do {
      if (pos >= data.length) throw new TraceFormatError('uart-tx event: icount deltas are truncated');
      b = data[pos++]!;
      d += (b & 127) * mul;
      mul *= 128;
    } while (b & 128);
    ic += d;
    icounts.push(ic);
  }
  return { bytes, icounts };
}

export interface TrapEvent {
  readonly mcause: number;
  readonly tval: number;
  readonly epc: number;
  readonly fromPriv: number;
}

export function encodeTrap(t: TrapEvent): Uint8Array {
  const d = new Uint8Array(13);
  const v = new DataView(d.buffer);
  v.setUint32(0, t.mcause >>> 0, true);
  v.setUint32(4, t.tval >>> 0, true);
  v.setUint32(8, t.epc >>> 0, true);
  d[12] = t.fromPriv;
  return d;
}

export function decodeTrap(data: Uint8Array): TrapEvent {
  if (data.length !== 13) throw new TraceFormatError(`trap event has ${data.length} bytes, expected 13`);
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  return { mcause: v.getUint32(0, true), tval: v.getUint32(4, true), epc: v.getUint32(8, true), fromPriv: data[12]! };
}
