// A hart with RAM and nothing else: the smallest machine that runs instructions. Used by the
// instruction and privileged tests, which drive it directly instead of booting a board.

import { PhysicalBus } from '../bus/bus.js';
import { Executor } from './executor.js';
import { Hart } from './hart.js';

export const BARE_RAM_BASE = 0x8000_0000;

export interface BareCpu {
  readonly hart: Hart;
  readonly bus: PhysicalBus;
  readonly executor: Executor;
  /** Writes 32-bit words (and 16-bit parcels given as numbers < 0x10000 with `half: true`) at addr. */
  writeWords(addr: number, words: readonly number[]): void;
  writeHalves(addr: number, halves: readonly number[]): void;
  /**
   * Runs until `n` more instructions have retired or the hart waits in WFI with nothing to wake it;
   * returns instructions retired. Like the machine's run loop, a waiting hart wakes as soon as an
   * interrupt is pending and locally enabled (mip & mie), whatever the global enables say.
   */
  run(n: number): number;
}

export function createBareCpu(ramSize = 1 << 20): BareCpu {
  const bus = new PhysicalBus(BARE_RAM_BASE, ramSize);
  const hart = new Hart(bus);
  const executor = new Executor(hart, bus);
  hart.pc = BARE_RAM_BASE | 0;
  const write = (addr: number, size: 2 | 4, values: readonly number[]): void => {
    values.forEach((v, i) => bus.writeRam(((addr >>> 0) - BARE_RAM_BASE) + i * size, size, v, 'cpu'));
  };
  return {
    hart, bus, executor,
    writeWords: (addr, words) => write(addr, 4, words),
    writeHalves: (addr, halves) => write(addr, 2, halves),
    run(n: number): number {
      const start = hart.icount;
      const limit = start + n;
      let stuck = 0;
      let last = hart.icount;
      while (hart.icount < limit) {
        if (hart.waiting) {
          if (!hart.wakeable()) break;
          hart.waiting = false;
        }
        if (hart.takeInterrupt()) {
          if (++stuck > 10_000) throw new Error(`bare CPU keeps taking interrupt ${hart.mcause & 31} without progress`);
          continue;
        }
        executor.run(limit);
        hart.exit = 0;
        // Many trips without an instruction retiring is a trap loop (a test bug, or a CPU bug).
        if (hart.icount !== last) {
          last = hart.icount;
          stuck = 0;
        } else if (++stuck > 10_000) {
          throw new Error(`bare CPU made no progress at pc 0x${(hart.pc >>> 0).toString(16)} (mcause ${hart.mcause})`);
        }
      }
      return hart.icount - start;
    },
  };
}
