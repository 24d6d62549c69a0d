// Bytes for the guest's UART receiver, from a file or from the terminal. They enter the UART only
// when its receive FIFO has room (as a real serial line with flow control would deliver them).

import { readFileSync } from 'node:fs';
import { CliError, type Io } from './io.js';

const CTRL_A = 0x01;

export class UartInputQueue {
  private readonly queue: number[] = [];
  private head = 0;
  ended = false;
  interactive = false;
  quitRequested = false;
  private waiter: (() => void) | null = null;
  private tty: NodeJS.ReadStream | null = null;
  private onData: ((chunk: Buffer) => void) | null = null;
  private escape = false;

  push(bytes: Uint8Array): void {
    for (const b of bytes) this.queue.push(b);
    this.wake();
  }

  end(): void {
    this.ended = true;
    this.wake();
  }

  get pending(): number {
    return this.queue.length - this.head;
  }

  /** Hands every queued byte to `take` (the input pump, which applies flow control). */
  drain(take: (byte: number) => void): void {
    while (this.head < this.queue.length) take(this.queue[this.head++]!);
    this.queue.length = 0;
    this.head = 0;
  }

  /** Resolves when new input arrives, the input ends, or the user quits. */
  waitForData(): Promise<void> {
    if (this.pending || this.ended || this.quitRequested) return Promise.resolve();
    return new Promise((resolve) => { this.waiter = resolve; });
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }

  /** Raw terminal input; Ctrl-A x quits (as in QEMU), Ctrl-A Ctrl-A sends Ctrl-A. */
  attachTerminal(tty: NodeJS.ReadStream, io: Io): void {
    this.interactive = true;
    this.tty = tty;
    tty.setRawMode(true);
    tty.resume();
    io.stderr('hindsight: UART on this terminal; press Ctrl-A then x to quit\n');
    this.onData = (chunk: Buffer) => {
      for (const b of chunk) {
        if (this.escape) {
          this.escape = false;
          if (b === 0x78 /* x */) {
            this.quitRequested = true;
            this.wake();
            return;
          }
          if (b !== CTRL_A) continue;
        } else if (b === CTRL_A) {
          this.escape = true;
          continue;
        }
        this.queue.push(b);
      }
      this.wake();
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
