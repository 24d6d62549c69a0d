// A FIFO of bytes (the CDC echo buffer): append chunks, take up to n bytes. Chunks are kept as they
// are and only the taken bytes are copied, so a large write costs nothing until it is read.

export class ByteQueue {
  private chunks: Uint8Array[] = [];
  private head = 0; // bytes of chunks[0] already taken
  private total = 0;

  get length(): number { return this.total; }

  push(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.chunks.push(bytes.slice());
    this.total += bytes.length;
  }

  /** Removes and returns up to `max` bytes (fewer if fewer are queued). */
  take(max: number): Uint8Array {
    const n = Math.min(max, this.total);
    const out = new Uint8Array(n);
    let off = 0;
    while (off < n) {
      const c = this.chunks[0]!;
      const k = Math.min(n - off, c.length - this.head);
      out.set(c.subarray(this.head, this.head + k), off);
      off += k;
      this.head += k;
      if (this.head === c.length) { this.chunks.shift(); this.head = 0; }
    }
    this.total -= n;
    return out;
  }

  clear(): void { this.chunks = []; this.head = 0; this.total = 0; }
}
