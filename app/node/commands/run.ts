// `hindsight run [ELF] [--max-insns N] [--serial-in FILE]`: run a guest on the board, UART on stdio.

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Machine } from '../../engine/machine/machine.js';
import { CliError, defaultFirmware, parseCount, type Io } from '../io.js';
import { loadGuestImage } from '../guest-image.js';
import { UartInputQueue } from '../uart-input.js';

/** Instructions per slice: small enough that a terminal stays responsive, large enough to be free. */
const SLICE = 1 << 22;

export const EXIT_MAX_INSNS = 124;
export const EXIT_STUCK = 125;

export async function runCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      'max-insns': { type: 'string' },
      'serial-in': { type: 'string' },
    },
    strict: true,
  });
  if (positionals.length > 1) throw new CliError(`run takes one ELF, got ${positionals.length}: ${positionals.join(' ')}`);
  const elfPath = positionals[0] ?? defaultFirmware();
  const maxInsns = values['max-insns'] !== undefined ? parseCount('--max-insns', values['max-insns']) : Infinity;

  const machine = Machine.create({ image: loadGuestImage(elfPath) });
  const input = new UartInputQueue();
  if (values['serial-in'] !== undefined) {
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(values['serial-in']);
    } catch (e) {
      throw new CliError(`--serial-in: cannot read ${values['serial-in']}: ${(e as Error).message}`);
    }
    input.push(bytes);
    input.end();
  } else if (io.stdinTty) {
    input.attachTerminal(io.stdinTty, io);
  } else {
    input.end();
  }

  const out: number[] = [];
  machine.onUartOutput = (b) => { out.push(b); };
  const flush = (): void => {
    if (out.length) {
      io.stdout(Uint8Array.from(out));
      out.length = 0;
    }
  };

  try {
    for (;;) {
      input.feed(machine);
      const remaining = maxInsns - machine.icount;
      if (remaining <= 0) {
        flush();
        io.stderr(`hindsight: stopped after --max-insns ${maxInsns} instructions (pc 0x${(machine.hart.pc >>> 0).toString(16)})\n`);
        return EXIT_MAX_INSNS;
      }
      const r = machine.run({ maxInstructions: Math.min(SLICE, remaining) });
      flush();
      if (r.kind === 'exit') return r.code;
      if (input.quitRequested) {
        io.stderr('hindsight: quit from the terminal\n');
        return 0;
      }
      if (r.kind === 'idle') {
        if (input.ended && !input.pending) {
          io.stderr('hindsight: the guest is waiting (WFI) with no timer armed and no more UART input; stopping\n');
          return EXIT_STUCK;
        }
        await input.waitForData();
      } else if (input.interactive) {
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
  } finally {
    input.detach();
  }
}
