// Collects guest UART bytes and writes them to stdout in chunks.

import type { Io } from './io.js';

export class OutputBuffer {
  private bytes: number[] = [];
  constructor(private readonly io: Io) {}
  push(b: number): void {
    this.bytes.push(b);
    if (this.bytes.length >= 1 << 16) this.flush();
  }
  flush(): void {
    if (this.bytes.length === 0) return;
    this.io.stdout(Uint8Array.from(this.bytes));
    this.bytes = [];
  }
}
