// What one instruction wrote to RAM, exactly: the Memory panel highlights these bytes after a step
// (a value comparison misses a store of the value already there, and cannot tell a device's DMA
// in the same step from the CPU's store).
//
// The step is executed, never restored: Timeline.seek(position + 1) restores the snapshot when one
// is taken exactly there, which would bring the state without running the instruction. replayTo
// runs it (and applies the inputs stamped at the position first, as every replay does) with a
// write watch over all of RAM: the bus reports each write before it lands, and a CPU store to a
// watched page runs alone, so each store is reported once with its exact address and width.

import type { RamWriteDto } from '../protocol/dto.js';
import type { Writer } from '../engine/bus/bus.js';
import type { Timeline } from '../replay/timeline/timeline.js';

/**
 * Executes the instruction at the timeline's position (position + 1 afterwards) and returns the RAM
 * it wrote, merged (see mergeWrites). Null when nothing was executed: at the end of the recording,
 * or when another write watch is active (the write index's or a watchpoint's: not nested, not
 * disturbed; the position still moves). The watch is removed afterwards, also when the replay throws.
 */
export function executeWatchingWrites(tl: Timeline): RamWriteDto[] | null {
  if (tl.position >= tl.end) return null;
  const bus = tl.machine.bus;
  if (bus.hasWriteWatch) {
    tl.replayTo(tl.position + 1);
    return null;
  }
  const raw: RamWriteDto[] = [];
  bus.setWriteWatch([{ paddr: bus.ramBase, size: bus.ramSize }], {
    beforeWrite(paddr: number, size: number, writer: Writer) { raw.push({ addr: paddr >>> 0, len: size, writer }); },
  });
  try {
    tl.replayTo(tl.position + 1);
  } finally {
    bus.setWriteWatch([], null);
  }
  return mergeWrites(raw);
}

/**
 * Writes in address order, overlapping or adjacent ranges of the same writer merged into one (a
 * misaligned store arrives byte by byte; a DMA burst in pieces). Ranges of different writers stay
 * apart, so a byte can be named by both when a store and a DMA write hit it in one step.
 */
export function mergeWrites(writes: readonly RamWriteDto[]): RamWriteDto[] {
  const sorted = [...writes].sort((a, b) => (a.writer === b.writer ? 0 : a.writer === 'cpu' ? -1 : 1) || a.addr - b.addr);
  const out: { addr: number; len: number; writer: Writer }[] = [];
  for (const w of sorted) {
    const last = out[out.length - 1];
    if (last && last.writer === w.writer && w.addr <= last.addr + last.len) {
      last.len = Math.max(last.len, w.addr + w.len - last.addr);
    } else {
      out.push({ addr: w.addr, len: w.len, writer: w.writer });
    }
  }
  return out.sort((a, b) => a.addr - b.addr || (a.writer === b.writer ? 0 : a.writer === 'cpu' ? -1 : 1));
}
