// `hindsight info FILE.hsrec [--json]`: what a recording holds.

import { statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DERIVED_TRAP, DERIVED_UART_TX } from '../../replay/trace/derived-codecs.js';
import { CliError, type Io } from '../io.js';
import { openRecording } from '../open-recording.js';

export async function infoCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { json: { type: 'boolean' } }, strict: true });
  if (positionals.length !== 1) throw new CliError('info takes one recording: hindsight info FILE.hsrec [--json]');
  const file = positionals[0]!;
  const reader = openRecording(file);
  try {
    const h = reader.header;
    const snaps = reader.snapshots();
    const sources = reader.storedSources?.() ?? [];
    const info = {
      file,
      formatVersion: h.formatVersion,
      createdBy: h.createdBy,
      guest: { name: h.guestImageName, sha256: h.guestImageSha256, bytes: h.guestImage.length },
      machine: h.machine,
      icountEnd: reader.completeUpTo,
      complete: reader.end !== null,
      ended: reader.end ? reader.end.reason : null,
      events: {
        inputs: reader.countInputs(),
        derived: reader.countDerived(),
        uartTxChunks: reader.countDerived(DERIVED_UART_TX),
        traps: reader.countDerived(DERIVED_TRAP),
      },
      snapshots: { count: snaps.length, keyframes: snaps.filter((s) => s.keyframe).length, interval: h.snapshotInterval },
      // The guest's source files stored in the recording (none in older recordings).
      sources: { count: sources.length, bytes: sources.reduce((n, s) => n + s.bytes, 0) },
      fileSizeBytes: reader.sizeBytes(),
      fileSizeOnDisk: statSync(file).size,
    };
    if (values.json) {
      io.stdout(`${JSON.stringify(info, null, 2)}\n`);
    } else {
      const end = info.ended ? (info.ended.kind === 'exit' ? `guest exit code ${info.ended.code} (${info.ended.source})` : info.ended.kind) : 'incomplete (recorder did not finish)';
      io.stdout([
        `recording   ${file} (format ${info.formatVersion}, ${info.createdBy})`,
        `guest       ${info.guest.name}, ${info.guest.bytes} bytes, sha256 ${info.guest.sha256}`,
        `machine     ${info.machine.board}, ${info.machine.ramSize / 1048576} MiB RAM`,
        `length      ${info.icountEnd} instructions; ended: ${end}`,
        `events      ${info.events.inputs} inputs, ${info.events.traps} traps, ${info.events.uartTxChunks} UART output chunks`,
        `snapshots   ${info.snapshots.count} (${info.snapshots.keyframes} keyframes), every ${info.snapshots.interval} instructions`,
        `sources     ${info.sources.count === 0 ? 'none stored (read from disk near the ELF)' : `${info.sources.count} files, ${info.sources.bytes} bytes`}`,
        `size        ${info.fileSizeBytes} bytes`,
        '',
      ].join('\n'));
    }
    return 0;
  } finally {
    reader.close();
  }
}
