// `hindsight` command line. Each subcommand lives in its own module under app/node/commands/.
// Contract shared by all: guest UART output goes to stdout and nothing else does; diagnostics go
// to stderr; the process exit code is the guest's where there is a guest.

import { runCommand } from './commands/run.js';
import { recordCommand } from './commands/record.js';
import { replayCommand } from './commands/replay.js';
import { infoCommand } from './commands/info.js';
import { queryCommand } from './commands/query.js';
import { usbCommand } from './commands/usb.js';
import { gdbCommand } from './commands/gdb.js';
import { serveCommand } from './commands/serve.js';
import { CliError, type Io, nodeIo } from './io.js';
import { ElfError } from '../engine/loader/elf.js';
import { StateFormatError } from '../engine/machine/state-codec.js';
import { TraceFormatError } from '../replay/trace/trace.js';
import { ReplayDivergenceError } from '../replay/divergence.js';

/** The one-line message for errors caused by the user's input (bad file, bad option); null for bugs. */
function userFacingError(e: unknown): string | null {
  if (e instanceof CliError || e instanceof ElfError || e instanceof TraceFormatError || e instanceof StateFormatError ||
    e instanceof ReplayDivergenceError) return e.message;
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) return `${(e as Error).message} (try: hindsight help)`;
  return null;
}

const USAGE = `hindsight: a time-travel debugger for USB driver developers

Usage:
  hindsight run [ELF] [--max-insns N] [--serial-in FILE]
        Run a RISC-V ELF (default: the bundled sample firmware) on the emulated board.
        UART output goes to stdout; the exit code is the guest's; 124 when --max-insns is reached.
  hindsight record [ELF] -o FILE.hsrec [--serial-in FILE] [--max-insns N] [--snapshot-every N] [--force]
        Like run, and writes a recording (one SQLite file holding the guest image, every input,
        snapshots and write summaries, and the guest's source files found on this machine) that
        replays without the ELF or any device.
  hindsight replay FILE.hsrec [--verify]
        Replays a recording: the same UART output and exit code. --verify compares the whole
        machine state hash at every snapshot and reports the first divergence (exit 3).
  hindsight info FILE.hsrec [--json]
        What a recording holds: format version, length, how it ended, events, snapshots, stored
        source files, size.
  hindsight query FILE.hsrec state --at ICOUNT|end [--mem ADDR:LEN] --json
  hindsight query FILE.hsrec prev-write|next-write ADDR:LEN|SYMBOL --at ICOUNT|end --json
        The machine state at a position; the instruction that last (next) wrote a range.
  hindsight gdb FILE.hsrec|ELF [--port N] [--listen ADDR] [--at ICOUNT|end] [--max-insns N] [--serial-in FILE] [--usb SPEC]... [--verbose]
        A gdb remote-protocol server over a recording, with reverse execution (reverse-step,
        reverse-continue, watchpoints). Listens on 127.0.0.1 (default port 1234; --port 0 picks a
        free one; --listen ADDR for another interface) and says where on stderr. Given an ELF, it
        first records it into a temporary recording as record does, with the --usb devices and
        --serial-in input (until the guest exits or waits for input that never comes, or
        --max-insns, default 2G), then serves that. Writes from gdb change only a throw-away
        diversion, never the recording. Try: monitor help.
  hindsight serve [FILE] [--port N] [--serial-in FILE] [--max-insns N] [--usb SPEC]...
        The debugger UI in a browser: serves it on 127.0.0.1 and prints the URL (with its token).
        FILE is a recording or an ELF to record first (with the --usb devices); default: the sample
        firmware with its demo input and a virtual CDC-ACM device (--usb replaces it).
  hindsight usb export FILE.hsrec -o OUT.pcapng
        The recording's USB traffic as a usbmon pcapng (guest time as timestamps) for Wireshark.
  hindsight usb list
        Real USB devices on this host, with the --usb spec of each; exit 3 (and why on stderr) if none.
  --usb SPEC (repeatable, on run, record, gdb ELF and serve): virtual:hid-keyboard, virtual:cdc-acm,
        virtual:msc[:IMAGE], capture:FILE[@BUS.ADDR], host:VID:PID[:SERIAL] (a real device, hex IDs).
  hindsight help
        This text.
`;

export async function main(argv: string[], io: Io = nodeIo()): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'run':
        return await runCommand(rest, io);
      case 'record':
        return await recordCommand(rest, io);
      case 'replay':
        return await replayCommand(rest, io);
      case 'info':
        return await infoCommand(rest, io);
      case 'query':
        return await queryCommand(rest, io);
      case 'usb':
        return await usbCommand(rest, io);
      case 'gdb':
        return await gdbCommand(rest, io);
      case 'serve':
        return await serveCommand(rest, io);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.stderr(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new CliError(`unknown command "${command}" (try: hindsight help)`);
    }
  } catch (e) {
    const message = userFacingError(e);
    if (message === null) throw e;
    io.stderr(`hindsight: ${message}\n`);
    return e instanceof CliError ? e.exitCode : e instanceof ReplayDivergenceError ? 3 : 2;
  }
}
