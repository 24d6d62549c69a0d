// `hindsight` command line. Each subcommand lives in its own module under app/node/commands/.
// Contract shared by all: guest UART output goes to stdout and nothing else does; diagnostics go
// to stderr; the process exit code is the guest's where there is a guest.

import { runCommand } from './commands/run.js';
import { CliError, type Io, nodeIo } from './io.js';

const USAGE = `hindsight: a time-travel debugger for USB driver developers

Usage:
  hindsight run [ELF] [--max-insns N] [--serial-in FILE]
        Run a RISC-V ELF (default: the bundled sample firmware) on the emulated board.
        UART output goes to stdout; the exit code is the guest's; 124 when --max-insns is reached.
  hindsight help
        This text.
`;

export async function main(argv: string[], io: Io = nodeIo()): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'run':
        return await runCommand(rest, io);
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
    if (e instanceof CliError) {
      io.stderr(`hindsight: ${e.message}\n`);
      return e.exitCode;
    }
    throw e;
  }
}
