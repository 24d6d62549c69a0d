// `hindsight record [ELF] -o FILE.hsrec [--serial-in FILE] [--max-insns N] [--snapshot-every N] [--force]`
// Runs like `run` (same stdout, same exit code) and writes the recording. Once it is closed, the
// guest's source files found on this machine are added to it (guest-sources.ts; a warning on stderr
// if that fails, the recording is kept).

import path from 'node:path';
import { parseArgs } from 'node:util';
import { Machine } from '../../engine/machine/machine.js';
import { RecordSession } from '../../replay/sessions/record-session.js';
import { newRecordingHeader } from '../../replay/sessions/recording-header.js';
import { DEFAULT_CHECKPOINT_POLICY } from '../../replay/timeline/checkpoint-policy.js';
import { createThreadedTraceWriter, TraceExistsError } from '../trace-store/index.js';
import { CliError, parseCount, type Io } from '../io.js';
import { loadGuestImage } from '../guest-image.js';
import { openUartInput } from '../uart-input.js';
import { driveGuest } from '../guest-driver.js';
import { OutputBuffer } from '../output-buffer.js';
import { attachUsbDevices, openUsbDevices, singleElf } from './run.js';
import { HINDSIGHT_VERSION } from '../version.js';
import { addGuestSources } from '../guest-sources.js';

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

  const image = loadGuestImage(elfPath);
  const machine = Machine.create({ image });
  const backends = await openUsbDevices(machine, values.usb ?? []);
  let writer;
  try {
    // SQLite's work on the second core: recording costs the guest's thread little (threaded-trace-writer.ts).
    writer = createThreadedTraceWriter(values.output,
      newRecordingHeader(machine, { bytes: image.bytes, name: path.basename(image.path) }, { createdBy: `hindsight ${HINDSIGHT_VERSION}`, snapshotInterval: interval }),
      { overwrite: values.force ?? false });
  } catch (e) {
    if (e instanceof TraceExistsError) throw new CliError(`${values.output} exists; use --force to replace it`);
    throw e;
  }
  const session = new RecordSession(machine, writer, { interval });
  const usb = attachUsbDevices(machine, session.inputs, backends, (e) => session.recordDerived(e));
  const out = new OutputBuffer(io);
  session.onUartOutput = (b) => out.push(b);
  const input = openUartInput(values['serial-in'], io);
  let interrupted = false;
  const onSigint = (): void => { interrupted = true; };
  let exitCode: number;
  process.on('SIGINT', onSigint);
  try {
    const guest = {
      inputs: session.inputs,
      usb,
      get icount() { return session.icount; },
      get pc() { return machine.hart.pc; },
      run: (max: number) => session.run(max),
    };
    const r = await driveGuest(guest, input, io, { maxInsns, flushOutput: () => out.flush(), interrupted: () => interrupted });
    session.finish(r.reason);
    exitCode = r.exitCode;
  } finally {
    process.off('SIGINT', onSigint);
    input.detach();
    await usb.close();
    writer.close();
  }
  const { warning } = addGuestSources(values.output, { image: image.bytes, imagePath: elfPath });
  if (warning) io.stderr(`hindsight: warning: ${warning}\n`);
  return exitCode;
}
