// The machine state `hindsight run` reaches, computed in-process, for comparison with what
// `hindsight query state` reports from a recording. `run` prints no machine state (and exits 124 at
// --max-insns), so the tests rebuild its loop here: the same image, the same input path (a
// RecordingInputPump that writes nothing down), the same points where input may enter (the start
// of each slice, i.e. instruction 0 and every point where the guest idles in WFI; the programs
// the tests use are far shorter than one slice).

import { readFileSync } from 'node:fs';
import { csrRead } from '../../engine/cpu/csr.js';
import { CSR } from '../../engine/cpu/csr-numbers.js';
import { Machine } from '../../engine/machine/machine.js';
import { RecordingInputPump } from '../../replay/inputs/input-pump.js';
import { uartRx } from '../../replay/inputs/uart-rx.js';

/** guest-driver.ts's slice length (not exported there). */
const SLICE = 1 << 22;

export interface ReferenceState {
  readonly icount: number;
  readonly pc: number;
  readonly x: number[];
  readonly csr: Record<string, number>;
  readonly stopped: 'exit' | 'limit' | 'stuck';
  readonly exitCode: number | null;
  readonly machine: Machine;
}

/** Runs `elf` with `input` on UART0 as `hindsight run` does, up to `maxInsns` instructions or the guest's exit. */
export function referenceRun(elfPath: string, input: Uint8Array, maxInsns = Infinity): ReferenceState {
  const m = Machine.create({ image: { bytes: readFileSync(elfPath), path: elfPath } });
  const inputs = new RecordingInputPump(() => {});
  for (const b of input) inputs.offer(uartRx, b);
  let stopped: ReferenceState['stopped'];
  let exitCode: number | null = null;
  for (;;) {
    const remaining = maxInsns - m.icount;
    if (remaining <= 0) { stopped = 'limit'; break; }
    inputs.deliver(m);
    const r = m.run({ maxInstructions: Math.min(SLICE, remaining) });
    if (r.kind === 'exit') { stopped = 'exit'; exitCode = r.code; break; }
    if (r.kind === 'idle' && inputs.pending === 0) { stopped = 'stuck'; break; }
  }
  return { ...stateOf(m), stopped, exitCode, machine: m };
}

export const COMPARED_CSRS = ['mstatus', 'mie', 'mip', 'mtvec', 'mscratch', 'mepc', 'mcause', 'mtval', 'minstret'] as const;

/** pc, registers and the CSRs compared with `query state`, read as `query` reads them (in M-mode). */
export function stateOf(m: Machine): { icount: number; pc: number; x: number[]; csr: Record<string, number> } {
  const h = m.hart;
  const csr: Record<string, number> = { priv: h.priv };
  const saved = h.priv;
  h.priv = 3;
  for (const name of COMPARED_CSRS) {
    const v = csrRead(h, CSR[name]);
    if (v !== null) csr[name] = v >>> 0;
  }
  h.priv = saved;
  return { icount: h.icount, pc: h.pc >>> 0, x: Array.from(h.x, (v) => v >>> 0), csr };
}
