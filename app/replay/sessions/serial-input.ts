// Bytes waiting to enter the guest's UART receiver, from wherever a host gets them (a file, a
// terminal, the UI's console), and the user's request to stop. The guest loop (guest-loop.ts)
// drains them into the input pump between slices and sleeps on waitForData() while the guest
// waits: pushing bytes, ending the input or asking to stop wakes it.

export class SerialInputQueue {
  private queue: number[] = [];
  private head = 0;
  /** One promise shared by every waiter until the next wake (a race that lost does not pile up). */
  private waiting: { promise: Promise<void>; resolve: () => void } | null = null;
  /** No more bytes will come (a file was read to its end, or there never was an input). */
  ended = false;
  /** The user asked to stop the run (Ctrl-A x on a terminal, Stop in the UI). */
  stopRequested = false;

  push(bytes: Iterable<number>): void {
    for (const b of bytes) this.queue.push(b & 0xff);
    this.wake();
  }

  end(): void {
    this.ended = true;
    this.wake();
  }

  requestStop(): void {
    this.stopRequested = true;
    this.wake();
  }

  get pending(): number {
    return this.queue.length - this.head;
  }

  /** Hands every queued byte to `take` (the input pump, which applies flow control). */
  drain(take: (byte: number) => void): void {
    while (this.head < this.queue.length) take(this.queue[this.head++]!);
    this.queue = [];
    this.head = 0;
  }

  /** Resolves when new input arrives, the input ends, or a stop is asked for. */
  waitForData(): Promise<void> {
    if (this.pending || this.ended || this.stopRequested) return Promise.resolve();
    if (!this.waiting) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => { resolve = r; });
      this.waiting = { promise, resolve };
    }
    return this.waiting.promise;
  }

  protected wake(): void {
    const w = this.waiting;
    this.waiting = null;
    w?.resolve();
  }
}
