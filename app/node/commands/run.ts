// `hindsight run [ELF] [--max-insns N] [--serial-in FILE]`: run a guest on the board, UART on stdio.

import { parseArgs } from 'node:util';
import { Machine } from '../../engine/machine/machine.js';
import { RecordingInputPump } from '../../replay/inputs/input-pump.js';
import { CliError, defaultFirmware, parseCount, type Io } from '../io.js';
import { loadGuestImage } from '../guest-image.js';
import { openUartInput } from '../uart-input.js';
import { driveGuest } from '../guest-driver.js';
import { OutputBuffer } from '../output-buffer.js';
import { attachUsbDevices, openUsbDevices } from '../usb-specs.js';

export async function runCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { 'max-insns': { type: 'string' }, 'serial-in': { type: 'string' }, usb: { type: 'string', multiple: true } },
    strict: true,
  });
  const elfPath = singleElf(positionals);
  const maxInsns = values['max-insns'] !== undefined ? parseCount('--max-insns', values['max-insns']) : Infinity;
  const machine = Machine.create({ image: loadGuestImage(elfPath) });
  const out = new OutputBuffer(io);
  machine.onUartOutput = (b) => out.push(b);
  const input = openUartInput(values['serial-in'], io);
  // A plain run uses the recorder's input path with nothing written down.
  const inputs = new RecordingInputPump(() => {});
  const usb = attachUsbDevices(machine, inputs, await openUsbDevices(machine, values.usb ?? []));
  const guest = {
    inputs,
    usb,
    get icount() { return machine.icount; },
    get pc() { return machine.hart.pc; },
    run(max: number) {
      inputs.deliver(machine);
      return machine.run({ maxInstructions: max });
    },
  };
  try {
    const r = await driveGuest(guest, input, io, { maxInsns, flushOutput: () => out.flush() });
    return r.exitCode;
  } finally {
    input.detach();
    await usb.close();
  }
}

export function singleElf(positionals: string[]): string {
  if (positionals.length > 1) throw new CliError(`takes one ELF, got ${positionals.length}: ${positionals.join(' ')}`);
  return positionals[0] ?? defaultFirmware();
}

