// UART receive: one byte entering UART0's receive FIFO.

import { TraceFormatError } from '../trace/trace.js';
import type { InputSource } from './input-source.js';

export const uartRx: InputSource<number> = {
  kind: 'uart-rx',
  encode: (b) => Uint8Array.of(b & 0xff),
  decode(data) {
    if (data.length !== 1) throw new TraceFormatError(`uart-rx event has ${data.length} bytes of data, expected 1`);
    return data[0]!;
  },
  canApply: (m) => m.uartCanReceive(),
  apply: (m, b) => m.uartReceive(b),
  describe: (b) => `uart-rx 0x${b.toString(16).padStart(2, '0')}${b >= 0x20 && b < 0x7f ? ` '${String.fromCharCode(b)}'` : ''}`,
};
