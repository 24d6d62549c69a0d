// Bytes for the guest's UART receiver, from a file or from the terminal. They enter the UART only
// when its receive FIFO has room (as a real serial line with flow control would deliver them).

import { readFileSync } from 'node:fs';
import { SerialInputQueue } from '../replay/sessions/serial-input.js';
import { CliError, type Io } from './io.js';

const CTRL_A = 0x01;

/** The shared serial input queue (app/replay/sessions/serial-input.ts) plus a raw terminal. */
export class UartInputQueue extends SerialInputQueue {
  interactive = false;
  private tty: NodeJS.ReadStream | null = null;
  private onData: ((chunk: Buffer) => void) | null = null;
  private escape = false;

  /** Raw terminal input; Ctrl-A x quits (as in QEMU), Ctrl-A Ctrl-A sends Ctrl-A. */
  attachTerminal(tty: NodeJS.ReadStream, io: Io): void {
    this.interactive = true;
    this.tty = tty;
    tty.setRawMode(true);
    tty.resume();
    io.stderr('hindsight: UART on this terminal; press Ctrl-A then x to quit\n');
    this.onData = (chunk: Buffer) => {
      const bytes: number[] = [];
      for (const b of chunk) {
        if (this.escape) {
          this.escape = false;
          if (b === 0x78 /* x */) {
            this.push(bytes);
            this.requestStop();
            return;
          }
          if (b !== CTRL_A) continue;
        } else if (b === CTRL_A) {
          this.escape = true;
          continue;
        }
        bytes.push(b);
      }
      this.push(bytes);
    };
    tty.on('data', this.onData);
  }

  detach(): void {
    if (this.tty && this.onData) {
      this.tty.off('data', this.onData);
      this.tty.setRawMode(false);
      this.tty.pause();
    }
    this.tty = null;
  }
}

/** UART input for a run: the --serial-in file, else the terminal when stdin is one, else none. */
export function openUartInput(serialIn: string | undefined, io: Io): UartInputQueue {
  const input = new UartInputQueue();
  if (serialIn !== undefined) {
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(serialIn);
    } catch (e) {
      throw new CliError(`--serial-in: cannot read ${serialIn}: ${(e as Error).message}`);
    }
    input.push(bytes);
    input.end();
  } else if (io.stdinTty) {
    input.attachTerminal(io.stdinTty, io);
  } else {
    input.end();
  }
  return input;
}
