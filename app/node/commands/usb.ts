// `hindsight usb export FILE.hsrec -o OUT.pcapng`: the recording's USB traffic as a usbmon pcapng
//   (guest time as timestamps) that Wireshark and tshark read.
// `hindsight usb list`: the real devices the host sees, one a line with the --usb spec to attach it.
//   Exit codes: 0 devices listed; 3 none seen (no devices, no permission, or no USB access on this
//   machine: the reason is printed on stderr).

import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DERIVED_USB_REQUEST, decodeUsbRequest } from '../../replay/trace/derived-codecs.js';
import { usbCompletion } from '../../replay/inputs/usb-completion.js';
import { writeUsbmonPcapng, type WritableExchange } from '../../usb/capture/pcapng-writer.js';
import { formatHostDevice, listHostDevices } from '../../../native-bridge/usb/host-list.js';
import { CliError, type Io } from '../io.js';
import { openRecording } from '../open-recording.js';

export async function usbCommand(args: string[], io: Io): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'export': return exportCommand(rest, io);
    case 'list': return listCommand(rest, io);
    default:
      throw new CliError(`usb takes "export" or "list" (got ${sub ?? 'nothing'})`);
  }
}

function exportCommand(args: string[], io: Io): number {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { output: { type: 'string', short: 'o' } }, strict: true });
  if (positionals.length !== 1 || !values.output) throw new CliError('usage: hindsight usb export FILE.hsrec -o OUT.pcapng');
  const reader = openRecording(positionals[0]!);
  try {
    const end = reader.completeUpTo + 1;
    const answers = new Map<number, { ticks: number; v: ReturnType<typeof usbCompletion.decode> }>();
    for (const e of reader.inputs(0, end)) {
      if (e.kind !== usbCompletion.kind) continue;
      const v = usbCompletion.decode(e.data);
      answers.set(v.id, { ticks: e.ticks, v });
    }
    const exchanges: WritableExchange[] = [];
    for (const e of reader.derived(0, end, DERIVED_USB_REQUEST)) {
      const r = decodeUsbRequest(e.data);
      const a = answers.get(r.id);
      if (!a) continue; // never answered within the recording (e.g. an interrupt IN still pending)
      exchanges.push({
        bus: 1, device: r.address, endpoint: r.endpoint | (r.dirIn ? 0x80 : 0), type: r.kind,
        ...(r.setup ? { setup: r.setup } : {}),
        ...(r.dirIn ? { inData: a.v.data } : { outData: r.data }),
        status: a.v.status, actualLength: a.v.actualLength, requestedLength: r.length,
        submitTime: BigInt(r.ticks), completeTime: BigInt(a.ticks), id: BigInt(r.id),
      });
    }
    writeFileSync(values.output, writeUsbmonPcapng(exchanges, { application: 'Hindsight' }));
    io.stderr(`hindsight: wrote ${exchanges.length} USB transfers to ${values.output}\n`);
    return 0;
  } finally {
    reader.close();
  }
}

/** `usb list` exits with this when no device can be listed (the reason is on stderr). */
export const USB_LIST_NONE = 3;

async function listCommand(args: string[], io: Io): Promise<number> {
  if (args.length) throw new CliError('usage: hindsight usb list');
  const r = await listHostDevices();
  if (!r.ok) {
    io.stderr(`hindsight: no USB devices listed: ${r.message}\n`);
    return USB_LIST_NONE;
  }
  for (const d of r.devices) io.stdout(`${formatHostDevice(d)}\n`);
  return 0;
}
