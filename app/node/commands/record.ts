// `hindsight record [ELF] -o FILE.hsrec [--serial-in FILE] [--max-insns N] [--snapshot-every N] [--usb SPEC]... [--force]`
// Runs like `run` (same stdout, same exit code) and writes the recording. Once it is closed, the
// guest's source files found on this machine are added to it (guest-sources.ts; a warning on stderr
// if that fails, the recording is kept). The recording itself is app/node/record-guest.ts, shared
// with `hindsight gdb ELF`.

import { parseArgs } from 'node:util';
import { DEFAULT_CHECKPOINT_POLICY } from '../../replay/timeline/checkpoint-policy.js';
import { CliError, parseCount, type Io } from '../io.js';
import { recordGuest } from '../record-guest.js';
import { singleElf } from './run.js';

export async function recordCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      output: { type: 'string', short: 'o' },
      'max-insns': { type: 'string' },
      'serial-in': { type: 'string' },
      'snapshot-every': { type: 'string' },
      force: { type: 'boolean' },
      usb: { type: 'string', multiple: true },
    },
    strict: true,
  });
  if (!values.output) throw new CliError('record needs -o FILE.hsrec');
  const elfPath = singleElf(positionals);
  const maxInsns = values['max-insns'] !== undefined ? parseCount('--max-insns', values['max-insns']) : Infinity;
  const interval = values['snapshot-every'] !== undefined
    ? parseCount('--snapshot-every', values['snapshot-every'])
    : DEFAULT_CHECKPOINT_POLICY.interval;
  if (interval < 1) throw new CliError('--snapshot-every must be at least 1');

  const r = await recordGuest({
    elfPath,
    recordingPath: values.output,
    overwrite: values.force ?? false,
    usb: values.usb ?? [],
    serialIn: values['serial-in'],
    terminalInput: true,
    maxInsns,
    snapshotInterval: interval,
  }, io);
  return r.exitCode;
}
