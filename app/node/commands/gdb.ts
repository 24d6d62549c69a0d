// `hindsight gdb FILE.hsrec|ELF [--port N] [--listen ADDR] [--at ICOUNT|end] [--max-insns N] [--serial-in FILE] [--usb SPEC]... [--verbose]`
//
// Serves a recording to gdb over the remote serial protocol (app/gdb), with reverse execution.
// Listens on 127.0.0.1 only unless --listen names another address; --port 0 picks a free port.
// The address is announced on stderr (stdout is the guest's): "hindsight: gdb server listening on
// 127.0.0.1:PORT". Serves one client; when it detaches, kills or disconnects, the command ends.
//
// Given an ELF instead of a recording, it first records the ELF into a temporary recording the way
// `record` does (app/node/record-guest.ts: the same --usb devices, --serial-in and --max-insns, with
// the same errors), until the guest exits, waits for input that will never come, or --max-insns
// (default 2G), printing the guest's output on stdout as `record` does; the terminal stays gdb's
// user's (UART input comes from --serial-in only). Then it serves that recording and deletes it at
// the end. Ctrl-C while recording ends the recording early (and serves it); while serving, it (or
// SIGTERM) stops the server (exit 130).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ReplayTarget } from '../../gdb/replay-target.js';
import { DEFAULT_CHECKPOINT_POLICY } from '../../replay/timeline/checkpoint-policy.js';
import { listenGdbTcp, type GdbTcpServer } from '../gdb-server-tcp.js';
import { gdbCommandLine } from '../gdb-connect.js';
import { isElfFile } from '../guest-image.js';
import { CliError, parseCount, type Io } from '../io.js';
import { openRecording, openTimeline } from '../open-recording.js';
import { recordGuest } from '../record-guest.js';

export const DEFAULT_GDB_PORT = 1234;
const DEFAULT_MAX_INSNS = 2_000_000_000;

export async function gdbCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      port: { type: 'string' },
      listen: { type: 'string' },
      at: { type: 'string' },
      'max-insns': { type: 'string' },
      'serial-in': { type: 'string' },
      usb: { type: 'string', multiple: true },
      verbose: { type: 'boolean' },
    },
    strict: true,
  });
  if (positionals.length !== 1) throw new CliError('usage: hindsight gdb FILE.hsrec|ELF [--port N] [--listen ADDR] (try: hindsight help)');
  const file = positionals[0]!;
  const port = values.port !== undefined ? parseCount('--port', values.port) : DEFAULT_GDB_PORT;
  if (port > 65535) throw new CliError(`--port ${port} is not a TCP port (0..65535; 0 picks a free one)`);
  const host = values.listen ?? '127.0.0.1';
  const isElf = isElfFile(file);
  if (!isElf && (values['max-insns'] !== undefined || values['serial-in'] !== undefined || values.usb !== undefined)) {
    throw new CliError('--max-insns, --serial-in and --usb apply when recording an ELF; this is a recording');
  }
  const maxInsns = values['max-insns'] !== undefined ? parseCount('--max-insns', values['max-insns']) : DEFAULT_MAX_INSNS;

  let scratch: string | null = null;
  let recording = file;
  try {
    if (isElf) {
      scratch = mkdtempSync(path.join(tmpdir(), 'hindsight-gdb-'));
      recording = path.join(scratch, 'recording.hsrec');
      await recordElf(file, recording, { maxInsns, serialIn: values['serial-in'], usb: values.usb ?? [] }, io);
    }
    return await serve(recording, { host, port, at: values.at, verbose: values.verbose ?? false, elfHint: isElf ? file : null }, io);
  } finally {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }
}

/** Records the ELF as `record` would (record-guest.ts), into the temporary `out`; the guest's exit code does not end the command. */
async function recordElf(elfPath: string, out: string, opts: { maxInsns: number; serialIn: string | undefined; usb: readonly string[] }, io: Io): Promise<void> {
  const r = await recordGuest({
    elfPath,
    recordingPath: out,
    overwrite: false,
    usb: opts.usb,
    serialIn: opts.serialIn,
    // UART input from --serial-in only: the terminal belongs to gdb's user, not to the guest.
    terminalInput: false,
    maxInsns: opts.maxInsns,
    snapshotInterval: DEFAULT_CHECKPOINT_POLICY.interval,
    onStart: () => io.stderr(`hindsight: recording ${elfPath} into a temporary recording first (up to ${opts.maxInsns} instructions; Ctrl-C ends it early)\n`),
  }, io);
  const how = r.reason.kind === 'exit' ? `the guest exited with code ${r.reason.code}` : r.reason.kind === 'limit' ? '--max-insns reached' : `the guest ${r.reason.kind === 'idle' ? 'waits for input' : 'was stopped'}`;
  io.stderr(`hindsight: recorded ${r.icount} instructions (${how})\n`);
}

interface ServeOptions {
  readonly host: string;
  readonly port: number;
  readonly at: string | undefined;
  readonly verbose: boolean;
  /** The ELF the user gave (for the connect hint), or null for a recording. */
  readonly elfHint: string | null;
}

async function serve(file: string, opts: ServeOptions, io: Io): Promise<number> {
  const reader = openRecording(file);
  let server: GdbTcpServer | null = null;
  let interrupted = false;
  const onSigint = (): void => {
    interrupted = true;
    server?.close();
  };
  try {
    const tl = openTimeline(reader);
    if (opts.at !== undefined) {
      const at = opts.at === 'end' ? tl.end : parseCount('--at', opts.at);
      if (at > tl.end) throw new CliError(`--at ${at} is past the end of the recording (${tl.end})`);
      tl.seek(at);
    }
    const target = new ReplayTarget(tl);
    const log = (line: string): void => io.stderr(`hindsight: ${line}\n`);
    try {
      server = await listenGdbTcp({ host: opts.host, port: opts.port, target, log, ...(opts.verbose ? { debug: log } : {}) });
    } catch (e) {
      throw new CliError(listenErrorMessage(e, opts.host, opts.port));
    }
    const where = server.host.includes(':') ? `[${server.host}]:${server.port}` : `${server.host}:${server.port}`;
    io.stderr(`hindsight: gdb server listening on ${where}\n`);
    if (!/^(127\.|::1$|::ffff:127\.)/.test(server.host)) {
      io.stderr('hindsight: warning: not a loopback address; anyone who can reach it can read this recording and its guest image\n');
    }
    const elf = opts.elfHint ?? reader.header.guestImageName;
    io.stderr(`hindsight: connect with: ${gdbCommandLine(elf, where)} (position: icount ${tl.position} of ${tl.end})\n`);
    process.on('SIGINT', onSigint);
    process.on('SIGTERM', onSigint);
    await server.finished;
    io.stderr(interrupted ? 'hindsight: gdb server stopped by the user\n' : 'hindsight: gdb session ended\n');
    return interrupted ? 130 : 0;
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
    server?.close();
    reader.close();
  }
}

function listenErrorMessage(e: unknown, host: string, port: number): string {
  const code = (e as NodeJS.ErrnoException).code;
  const at = `${host}:${port}`;
  if (code === 'EADDRINUSE') return `cannot listen on ${at}: the port is in use (choose another with --port N, or --port 0 for a free one)`;
  if (code === 'EACCES') return `cannot listen on ${at}: permission denied (ports below 1024 need privileges; try --port 0)`;
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `cannot listen on ${at}: no such local address (--listen takes an address of this machine)`;
  return `cannot listen on ${at}: ${(e as Error).message}`;
}
