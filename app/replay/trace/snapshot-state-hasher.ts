// The state hash of each snapshot (Machine.stateHash at its icount), computed from the snapshot
// records alone, for a trace writer that hashes on its own thread instead of the recorder's
// (TraceWriter.appendUnhashedSnapshot): hashing the ~45,000 pages a 2.17 G-instruction recording
// dirties, and mixing the 32,768 page hashes of 128 MiB of RAM into each snapshot's hash, cost the
// recorder's thread ~140 ms of its ~4.6 s.
//
// Why the records suffice: every record holds every page whose contents changed since the previous
// record (an incremental one its dirty pages, a keyframe every non-zero page), and the first record
// is a keyframe. So a table of page hashes that starts as all zero pages and takes each record's
// pages in order equals RecordSession's RamHashCache at every snapshot.

import { hashPage, machineStateDigest, zeroPageHash } from '../../engine/machine/state-hash.js';
import type { SnapshotPage } from './trace.js';

const PAGE = 4096;

export class SnapshotStateHasher {
  private readonly pageHashes: Uint32Array;

  constructor(ramSize: number) {
    const pages = ramSize / PAGE;
    if (!Number.isInteger(pages) || pages <= 0) throw new RangeError(`RAM size ${ramSize} is not a whole number of 4 KiB pages`);
    this.pageHashes = new Uint32Array(pages * 2);
    const zero = zeroPageHash();
    for (let p = 0; p < pages; p++) this.pageHashes.set(zero, p * 2);
  }

  /** Takes the next record's pages (in recording order) and returns the hash of the machine state then. */
  next(state: Uint8Array, pages: readonly SnapshotPage[]): string {
    for (const { page, data } of pages) {
      if (page * 2 >= this.pageHashes.length) throw new RangeError(`snapshot page ${page} is outside RAM`);
      if (data.length !== PAGE) throw new RangeError(`snapshot page ${page} has ${data.length} bytes, not ${PAGE}`);
      const words = data.byteOffset % 4 === 0 ? new Int32Array(data.buffer, data.byteOffset, PAGE / 4) : new Int32Array(data.slice().buffer);
      hashPage(words, 0, this.pageHashes, page);
    }
    return machineStateDigest(state, this.pageHashes);
  }
}
