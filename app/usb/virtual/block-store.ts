// The medium behind the virtual mass-storage device: fixed 512-byte logical blocks (SBC-3 4.4).
//
// BlockStore is deliberately small so other hosts can implement it: an in-memory store here, a
// file-backed one in app/node. Each method may answer synchronously or with a Promise (a file read
// with fs.readSync, or an IndexedDB/network store); the device awaits either, and a transfer simply
// stays pending while it waits. A thrown error or rejected Promise becomes MEDIUM ERROR sense data
// (UNRECOVERED READ ERROR / WRITE ERROR) for that SCSI command; the device keeps working.
//
// Contract: the device checks lba + count ≤ blockCount before calling; read returns exactly
// count × 512 bytes; write receives a whole number of blocks; the store may keep `data` only by copy.

export const BLOCK_SIZE = 512;

export interface BlockStore {
  /** Number of 512-byte blocks (READ CAPACITY reports blockCount - 1 as the last LBA). */
  readonly blockCount: number;
  /** A read-only medium: WRITE fails with DATA PROTECT and MODE SENSE sets the WP bit. */
  readonly readOnly?: boolean;
  read(lba: number, count: number): Uint8Array | Promise<Uint8Array>;
  write(lba: number, data: Uint8Array): void | Promise<void>;
  /** SYNCHRONIZE CACHE: make earlier writes durable. */
  flush?(): void | Promise<void>;
}

/**
 * Blocks in memory, sparse: blocks never written read as zeros and take no memory, so a store can
 * pretend to be as large as a real stick (tests replay a 64 GB SanDisk capture against one).
 */
export class MemoryBlockStore implements BlockStore {
  readonly blockCount: number;
  readonly readOnly: boolean;
  private readonly blocks = new Map<number, Uint8Array>();

  constructor(blockCount: number, opts: { readOnly?: boolean } = {}) {
    if (!Number.isInteger(blockCount) || blockCount < 1 || blockCount > 0x1_0000_0000) {
      throw new RangeError(`blockCount must be an integer in 1..2^32 (READ CAPACITY(10) range), got ${blockCount}`);
    }
    this.blockCount = blockCount;
    this.readOnly = opts.readOnly ?? false;
  }

  /** A store of `bytes` rounded up to whole blocks, holding a copy of `bytes`. */
  static fromBytes(bytes: Uint8Array, opts: { readOnly?: boolean } = {}): MemoryBlockStore {
    const s = new MemoryBlockStore(Math.max(1, Math.ceil(bytes.length / BLOCK_SIZE)), opts);
    s.load(0, bytes);
    return s;
  }

  read(lba: number, count: number): Uint8Array {
    this.check(lba, count);
    const out = new Uint8Array(count * BLOCK_SIZE);
    for (let i = 0; i < count; i++) {
      const b = this.blocks.get(lba + i);
      if (b) out.set(b, i * BLOCK_SIZE);
    }
    return out;
  }

  write(lba: number, data: Uint8Array): void {
    if (this.readOnly) throw new Error('the medium is read-only');
    this.load(lba, data);
  }

  /** Writes regardless of readOnly (to prepare an image); a partial last block is zero-padded. */
  load(lba: number, data: Uint8Array): void {
    const count = Math.ceil(data.length / BLOCK_SIZE);
    this.check(lba, count);
    for (let i = 0; i < count; i++) {
      const b = new Uint8Array(BLOCK_SIZE);
      b.set(data.subarray(i * BLOCK_SIZE, (i + 1) * BLOCK_SIZE));
      this.blocks.set(lba + i, b);
    }
  }

  private check(lba: number, count: number): void {
    if (!Number.isInteger(lba) || !Number.isInteger(count) || lba < 0 || count < 0 || lba + count > this.blockCount) {
      throw new RangeError(`blocks ${lba}..${lba + count - 1} are outside the medium (0..${this.blockCount - 1})`);
    }
  }
}
