// Runs a guest ELF under QEMU (qemu-system-riscv32 -M virt) as the reference Hindsight's machine is
// compared with: same reset ROM, same devices, same instruction counts.
//
// The command line (see qemuArgs) is built so that the process's stdout is exactly the guest's
// UART output and its stdin feeds the UART receiver, byte for byte:
//   -nodefaults -display none -monitor none -serial stdio
// rather than -nographic, whose serial port is multiplexed with the monitor (Ctrl-A is an escape
// character, monitor output can appear on stdout). QEMU's own diagnostics go to stderr.
//
// The exit status is the guest's: the SiFive test finisher at 0x100000 makes QEMU exit with the
// code the guest wrote (0x5555 -> 0, 0x3333 | code << 16 -> code). -no-reboot turns a guest reset
// into an exit instead of a silent restart.
//
// With `icount: true`, QEMU runs with `-icount shift=0,sleep=off`: one instruction = 1 ns of
// virtual time, and minstret/mcycle read the instruction count (including the csrr itself; the 6
// reset-ROM instructions count, so the first instruction of the ELF reads 7). sleep=off matters:
// with the default sleep=on, host time spent before the guest starts and while it idles in WFI
// leaks into the virtual clock - and so into minstret (a first read of ~200 000 instead of 7,
// different on every run). Even with sleep=off, WFI jumps the clock to the next timer deadline,
// so minstret counts retired instructions only until the guest first sleeps.

import { spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** The QEMU binary: $HINDSIGHT_QEMU if set, else qemu-system-riscv32 from PATH. */
export function qemuBinary(): string {
  return process.env['HINDSIGHT_QEMU'] || 'qemu-system-riscv32';
}

let available: boolean | undefined;

/** Whether the QEMU binary can be started (checked once per process). */
export function qemuAvailable(): boolean {
  if (available === undefined) {
    const r = spawnSync(qemuBinary(), ['--version'], { stdio: 'ignore', timeout: 10_000 });
    available = r.error === undefined && r.status === 0;
  }
  return available;
}

export interface QemuRunOptions {
  /** Bytes for the guest's UART receiver; stdin is closed after them. Default: none. */
  input?: Buffer | string;
  /** Kill QEMU after this many milliseconds of wall time. */
  timeoutMs: number;
  /** Deterministic instruction counting: `-icount shift=0,sleep=off`. */
  icount: boolean;
  /** Appended to the command line (e.g. ['-d', 'exec,nochain', '-D', 'trace.log']). */
  extraArgs?: readonly string[];
}

export interface QemuRunResult {
  /** Everything the guest wrote to its UART, and nothing else. */
  stdout: Buffer;
  /** QEMU's own messages (warnings, "terminating on signal"); not guest output. */
  stderr: string;
  /** The guest's exit code (from the test finisher); -1 if QEMU was killed or died of a signal. */
  exitCode: number;
  /** True if QEMU was killed because timeoutMs passed. */
  timedOut: boolean;
  /** Wall-clock duration of the QEMU process. */
  wallMs: number;
}

/** QEMU's arguments for running `elfPath` (without the binary itself). */
export function qemuArgs(elfPath: string, opts: Pick<QemuRunOptions, 'icount' | 'extraArgs'>): string[] {
  return [
    '-machine', 'virt',
    '-m', '128M', // QEMU's default for virt, pinned: the DTB address (0x87e00000) depends on it
    '-smp', '1',
    '-bios', 'none',
    '-nodefaults', // no default NIC, monitor, serial or parallel port
    '-no-reboot',
    '-display', 'none',
    '-monitor', 'none',
    '-serial', 'stdio',
    ...(opts.icount ? ['-icount', 'shift=0,sleep=off'] : []),
    '-kernel', elfPath,
    ...(opts.extraArgs ?? []),
  ];
}

/**
 * Runs `elfPath` under QEMU until the guest powers off or `timeoutMs` passes.
 *
 * QEMU's stdout is a file, not a pipe: when its serial port's writes to a pipe would block, QEMU
 * retries them later and virtual time passes meanwhile, which makes -icount counts depend on how
 * fast the reader drains the pipe (measured: minstret of the traps firmware varied from 80,953 to
 * 115,309 under a Node pipe, and is always 80,182 with a file).
 */
export function runUnderQemu(elfPath: string, opts: QemuRunOptions): Promise<QemuRunResult> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const dir = mkdtempSync(path.join(tmpdir(), 'hindsight-qemu-'));
    const outFile = path.join(dir, 'stdout');
    const outFd = openSync(outFile, 'w');
    const cleanup = (): Buffer => {
      closeSync(outFd);
      const data = readFileSync(outFile);
      rmSync(dir, { recursive: true, force: true });
      return data;
    };
    const child = spawn(qemuBinary(), qemuArgs(elfPath, opts), { stdio: ['pipe', outFd, 'pipe'] });
    const err: Buffer[] = [];
    let timedOut = false;
    let settled = false;

    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs);

    child.stderr!.on('data', (chunk: Buffer) => err.push(chunk));
    // QEMU may exit (guest powered off) before reading all of its input: that is not an error.
    child.stdin!.on('error', () => {});

    child.on('error', (e) => {
      clearTimeout(timer);
      if (!settled) {
        settled = true;
        cleanup();
        reject(new Error(`cannot run ${qemuBinary()}: ${e.message}`));
      }
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (settled) return;
      settled = true;
      resolve({
        stdout: cleanup(),
        stderr: Buffer.concat(err).toString('utf8'),
        exitCode: code ?? -1,
        timedOut,
        wallMs: performance.now() - started,
      });
    });

    if (opts.input !== undefined && opts.input.length > 0) child.stdin!.write(opts.input);
    child.stdin!.end();
  });
}
