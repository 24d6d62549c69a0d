// `hindsight gdb` driven by the real gdb-multiarch in batch mode over loopback, against recordings
// of the bundled firmware. gdb uses its own DWARF for next/finish; we check where it ends up
// against `monitor icount` and the other CLI commands (query state, query prev-write).
// Skips (with a message) when gdb-multiarch is not installed.

import { execFile, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseElf } from '../../engine/loader/elf.js';
import { main } from '../cli.js';
import type { Io } from '../io.js';
import { cliJson, describeCleanFailure, firmware, PROJECT_ROOT, runCli, scratchDir } from '../testing/cli-harness.js';
import { openTraceReader } from '../trace-store/index.js';
import { DERIVED_USB_REQUEST } from '../../replay/trace/derived-codecs.js';

const GDB = process.env.HINDSIGHT_GDB ?? 'gdb-multiarch';
const haveGdb = spawnSync(GDB, ['--version'], { encoding: 'utf8' }).status === 0;
if (!haveGdb) console.warn(`gdb tests skipped: cannot run ${GDB} (install Debian's gdb-multiarch, or point HINDSIGHT_GDB at a gdb with RISC-V support)`);

const scratch = scratchDir('gdb');
afterAll(() => scratch.remove());
const timerRec = scratch.file('timer.hsrec');
const workloadRec = scratch.file('workload-O0.hsrec');
const timerElf = firmware('timer');
const workloadElf = firmware('workload-O0');

beforeAll(async () => {
  for (const [elf, rec] of [[timerElf, timerRec], [workloadElf, workloadRec]] as const) {
    const r = await runCli(['record', elf, '-o', rec]);
    if (r.code !== 0) throw new Error(`recording ${elf} failed: ${r.stderr}`);
  }
});

interface Server {
  readonly port: number;
  readonly done: Promise<number>;
  readonly stderr: () => string;
  readonly stdout: () => string;
}

/** Runs `hindsight gdb ...args --port 0` in this process; resolves once it listens. */
async function startServer(args: string[]): Promise<Server> {
  let err = '';
  let out = '';
  const io: Io = { stdout: (d) => { out += Buffer.from(d).toString('latin1'); }, stderr: (t) => { err += t; }, stdinTty: null };
  let finished = false;
  const done = main(['gdb', ...args, '--port', '0'], io).finally(() => { finished = true; });
  for (let waited = 0; ; waited += 10) {
    const m = /gdb server listening on 127\.0\.0\.1:(\d+)/.exec(err);
    if (m) return { port: Number(m[1]), done, stderr: () => err, stdout: () => out };
    if (finished) throw new Error(`hindsight gdb ended without listening: ${err}`);
    if (waited > 30_000) throw new Error(`hindsight gdb did not listen within 30 s: ${err}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Runs gdb-multiarch in batch mode against the server; returns its output (stdout then stderr). */
function gdbBatch(elf: string, port: number, commands: readonly string[], options: readonly string[] = []): Promise<string> {
  const args = ['-batch', '-nx', elf, ...options, '-ex', 'set architecture riscv:rv32', '-ex', `target remote 127.0.0.1:${port}`,
    ...commands.flatMap((c) => ['-ex', c])];
  return new Promise((resolve, reject) => {
    execFile(GDB, args, { timeout: 50_000, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      if (error && error.killed) reject(new Error(`gdb timed out:\n${stdout}\n${stderr}`));
      else resolve(`${stdout}\n${stderr}`);
    });
  });
}

/**
 * Runs gdb like gdbBatch, and sends it SIGINT (as Ctrl-C in its terminal would) `delayMs` after it
 * printed the `count`-th "icount" line; gdb passes it on to the server as a 0x03 byte.
 */
function gdbInterrupted(elf: string, port: number, commands: readonly string[], count: number, delayMs: number): Promise<string> {
  const args = ['-batch', '-nx', elf, '-ex', 'set architecture riscv:rv32', '-ex', `target remote 127.0.0.1:${port}`,
    ...commands.flatMap((c) => ['-ex', c])];
  return new Promise((resolve, reject) => {
    const child = spawn(GDB, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let armed = false;
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`gdb timed out:\n${out}`)); }, 50_000);
    const onData = (d: Buffer): void => {
      out += d.toString('utf8');
      if (!armed && (out.match(/^icount /gm) ?? []).length >= count) {
        armed = true;
        setTimeout(() => child.kill('SIGINT'), delayMs);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('close', () => { clearTimeout(timer); resolve(out); });
  });
}

/** Serves a recording (or ELF) to one gdb run; returns gdb's output and the server's. */
async function session(file: string, elf: string, commands: readonly string[], extra: string[] = []): Promise<{ gdb: string; server: Server; code: number }> {
  const server = await startServer([file, ...extra]);
  const gdb = await gdbBatch(elf, server.port, commands);
  const code = await server.done;
  return { gdb, server, code };
}

/** Every "icount N, pc 0xP" line `monitor icount` printed, in order. */
function positions(out: string): { icount: number; pc: number }[] {
  return [...out.matchAll(/^icount (\d+), pc 0x([0-9a-f]+)/gm)].map((m) => ({ icount: Number(m[1]), pc: parseInt(m[2]!, 16) }));
}

const symbols = (elf: string): ReturnType<typeof parseElf>['symbols'] => parseElf(readFileSync(elf)).symbols;

describe.skipIf(!haveGdb)('hindsight gdb with gdb-multiarch', () => {
  it('break at a function, stepi N times, reverse-stepi N times: the pcs come back in reverse order', async () => {
    const n = 12;
    const step = ['stepi', 'monitor icount', 'p/x $pc'];
    const back = ['reverse-stepi', 'monitor icount', 'p/x $pc'];
    const { gdb, code } = await session(timerRec, timerElf, [
      'break handle_trap', 'continue', 'monitor icount', 'p/x $pc',
      ...Array.from({ length: n }, () => step).flat(), ...Array.from({ length: n }, () => back).flat(),
    ]);
    expect(code).toBe(0);
    const at = positions(gdb);
    expect(at, gdb).toHaveLength(2 * n + 1);
    const forward = at.slice(0, n + 1);
    const backward = at.slice(n + 1);
    forward.slice(1).forEach((p, i) => expect(p.icount, gdb).toBe(forward[0]!.icount + i + 1));
    expect(backward).toEqual(forward.slice(0, n).reverse());
    // gdb's own $pc agrees with the server's at every stop.
    const gdbPcs = [...gdb.matchAll(/^\$\d+ = 0x([0-9a-f]+)/gm)].map((m) => parseInt(m[1]!, 16));
    expect(gdbPcs).toEqual(at.map((p) => p.pc));
    expect(forward[0]!.pc).toBe(symbols(timerElf).get('handle_trap')!.value + 0);
  });

  it('reverse-continue goes back to the previous breakpoint hit, and past the first to the start of the recording', async () => {
    const { gdb } = await session(timerRec, timerElf, [
      'break handle_trap', 'continue', 'monitor icount', 'continue', 'monitor icount', 'continue', 'monitor icount',
      'reverse-continue', 'monitor icount', 'reverse-continue', 'monitor icount', 'reverse-continue', 'monitor icount',
    ]);
    const [h1, h2, h3, b2, b1, start] = positions(gdb).map((p) => p.icount);
    expect(h1! < h2! && h2! < h3!, gdb).toBe(true);
    expect([b2, b1, start]).toEqual([h2, h1, 0]);
    expect(gdb).toContain('No more reverse-execution history.');
  });

  it('watch a global and reverse-continue to its last write: the instruction `query prev-write` names', async () => {
    const { gdb } = await session(timerRec, timerElf, [
      'monitor seek end', 'maintenance flush register-cache', 'watch ticks',
      'reverse-continue', 'monitor icount', 'p ticks', 'reverse-continue', 'monitor icount', 'continue', 'monitor icount',
    ]);
    const end = (await cliJson<{ icountEnd: number }>(['info', timerRec, '--json'])).icountEnd;
    const [atEnd, last, before, forward] = positions(gdb);
    expect(atEnd!.icount).toBe(end);
    const prev = await cliJson<{ icount: number; pc: number }>(['query', timerRec, 'prev-write', 'ticks', '--at', 'end', '--json']);
    expect(last).toEqual({ icount: prev.icount, pc: prev.pc });
    expect(gdb).toMatch(/Hardware watchpoint 1: ticks\s+Old value = 10\s+New value = 9/);
    expect(gdb).toMatch(/^\$1 = 9$/m);
    const prev2 = await cliJson<{ icount: number; pc: number }>(['query', timerRec, 'prev-write', 'ticks', '--at', String(prev.icount), '--json']);
    expect(before).toEqual({ icount: prev2.icount, pc: prev2.pc });
    expect(gdb).toMatch(/Old value = 9\s+New value = 8/);
    // Forward again: gdb stops just after the write it watched (it steps over the store itself).
    expect(forward!.icount).toBe(prev2.icount + 1);
    expect(gdb).toMatch(/Old value = 8\s+New value = 9/);
  });

  it('reverse-next (over calls) and reverse-finish in an -O0 build', async () => {
    // run_crc's loop: line 65 `r = rng_next()`, 66 `memcpy(...)`, 64 the loop increment and test.
    const { gdb } = await session(workloadRec, workloadElf, [
      'break main-workload.c:65', 'continue', 'monitor icount', 'next', 'monitor icount', 'next', 'monitor icount',
      'next', 'monitor icount', 'delete', 'reverse-next', 'monitor icount', 'reverse-next', 'monitor icount',
      'reverse-next', 'monitor icount', 'break rng_next', 'continue', 'monitor icount', 'next', 'monitor icount',
      'delete', 'reverse-finish', 'monitor icount', 'stepi', 'monitor icount',
    ]);
    const at = positions(gdb);
    expect(at, gdb).toHaveLength(11);
    const [p0, p1, p2, p3, r2, r1, r0, inside, inside2, call, entered] = at;
    const sym = symbols(workloadElf);
    const runCrc = sym.get('run_crc')!.value;
    const rngNext = sym.get('rng_next')!.value;
    // The lines' first instructions (see the line table of main-workload.c).
    expect([p0, p1, p2, p3].map((p) => p!.pc - runCrc)).toEqual([0x18, 0x20, 0x3c, 0x18]);
    expect(p0!.icount < p1!.icount && p1!.icount < p2!.icount && p2!.icount < p3!.icount).toBe(true);
    // Back over memcpy and rng_next: gdb reverse-continues to the callee's entry, then steps out.
    expect([r2, r1, r0]).toEqual([p2, p1, p0]);
    expect(inside!.icount).toBeGreaterThan(p0!.icount);
    expect(inside2!.icount).toBeGreaterThan(inside!.icount);
    // reverse-finish: back to the call instruction in run_crc; one instruction on is rng_next's first.
    expect(gdb).toMatch(/^run_crc \(seed=\d+\) at \.\/main-workload\.c:65$/m);
    expect(call).toEqual(p0);
    expect(entered).toEqual({ icount: p0!.icount + 1, pc: rngNext });
  });

  it('Ctrl-C in gdb interrupts a long reverse-continue; the session goes on', async () => {
    // A read watchpoint nothing reads: the search single-steps the whole recording (seconds) unless interrupted.
    const server = await startServer([workloadRec]);
    const t0 = Date.now();
    const gdb = await gdbInterrupted(workloadElf, server.port, [
      'monitor seek end', 'maintenance flush register-cache', 'rwatch *(int *)0x87000000', 'monitor icount',
      'reverse-continue', 'monitor icount', 'delete', 'reverse-stepi', 'monitor icount',
    ], 2, 300);
    const elapsed = Date.now() - t0;
    expect(await server.done).toBe(0);
    expect(gdb).toContain('Program received signal SIGINT, Interrupt.');
    const [, end, stopped, back] = positions(gdb);
    expect(stopped!.icount).toBeLessThanOrEqual(end!.icount);
    expect(back!.icount).toBe(stopped!.icount - 1);
    expect(elapsed).toBeLessThan(5_000);
  });

  it('info registers equals `query state` at the same icount', async () => {
    const csrs = ['mstatus', 'misa', 'mie', 'mip', 'mtvec', 'mscratch', 'mepc', 'mcause', 'mtval', 'satp', 'minstret', 'mcycle'];
    const { gdb } = await session(timerRec, timerElf, [
      'break handle_trap', 'continue', 'continue', 'monitor icount', 'info registers', `info registers ${csrs.join(' ')} priv`,
    ]);
    const icount = positions(gdb)[0]!.icount;
    const regs = new Map([...gdb.matchAll(/^(\w+) +0x([0-9a-f]+)\s/gm)].map((m) => [m[1]!, parseInt(m[2]!, 16)]));
    const state = await cliJson<{ pc: number; x: number[]; csr: Record<string, number> }>(['query', timerRec, 'state', '--at', String(icount), '--json']);
    const abi = ['zero', 'ra', 'sp', 'gp', 'tp', 't0', 't1', 't2', 'fp', 's1', 'a0', 'a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7',
      's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9', 's10', 's11', 't3', 't4', 't5', 't6'];
    for (let r = 1; r < 32; r++) expect(regs.get(abi[r]!), abi[r]).toBe(state.x[r]);
    expect(regs.get('pc')).toBe(state.pc);
    for (const name of csrs) expect(regs.get(name), name).toBe(state.csr[name]);
    expect(regs.get('priv')).toBe(state.csr.priv);
  });

  it('the connect line it prints sources hindsight.gdb, with which gdb sees where `monitor seek` moved', async () => {
    const server = await startServer([timerRec]);
    const line = /connect with: gdb-multiarch (\S+) -x (\S+) -ex 'target remote 127\.0\.0\.1:(\d+)'/.exec(server.stderr());
    expect(line, server.stderr()).not.toBeNull();
    const [, elf, script, port] = line!;
    expect(elf).toBe('timer.elf'); // the recording's guest image, by name
    expect(path.basename(script!)).toBe('hindsight.gdb');
    const gdb = await gdbBatch(timerElf, Number(port), ['p $pc', 'monitor seek end', 'p $pc', 'bt 1', 'monitor seek 5000', 'p $pc'], ['-x', script!]);
    expect(await server.done).toBe(0);
    // Each seek says where it went; gdb's $pc is that pc (without the script it stays the first one).
    const seeks = positions(gdb);
    const pcs = [...gdb.matchAll(/^\$\d+ = .*0x([0-9a-f]+)/gm)].map((m) => parseInt(m[1]!, 16));
    expect(seeks.map((s) => s.icount)).toEqual([(await cliJson<{ icountEnd: number }>(['info', timerRec, '--json'])).icountEnd, 5000]);
    expect(new Set([pcs[0], seeks[0]!.pc, seeks[1]!.pc]).size, gdb).toBe(3);
    expect(pcs.slice(1), gdb).toEqual(seeks.map((s) => s.pc));
    expect(gdb).toMatch(/^#0 .*hs_poweroff/m);
  });

  it('serves an ELF by recording it first (guest output on stdout), and says so', async () => {
    const { gdb, server, code } = await session(timerElf, timerElf, ['monitor info', 'break handle_trap', 'continue', 'monitor icount']);
    expect(code).toBe(0);
    expect(server.stderr()).toMatch(/recording .*timer\.elf into a temporary recording first/);
    expect(server.stderr()).toMatch(/recorded \d+ instructions \(the guest exited with code 0\)/);
    expect(server.stdout()).toContain('tick 10\n');
    expect(gdb).toMatch(/recording of timer\.elf .* ended: guest exit code 0/);
    expect(gdb).toContain('Breakpoint 1, handle_trap');
    expect(positions(gdb)).toHaveLength(2); // monitor info says where, too
  });

  it('writes from gdb divert: the recording is unchanged, a reverse step restores it, a diverged run stops with a message', async () => {
    const digest = (): string => createHash('sha256').update(readFileSync(timerRec)).digest('hex');
    const before = digest();
    const { gdb } = await session(timerRec, timerElf, [
      'break handle_trap', 'continue', 'set var ticks = 42', 'p ticks', 'monitor icount', 'reverse-stepi', 'p ticks', 'monitor icount',
      'stepi', 'set var ticks = 9', 'delete', 'continue', 'monitor icount', 'reverse-continue', 'monitor icount',
    ]);
    expect(gdb).toMatch(/^\$1 = 42$/m);
    expect(gdb).toMatch(/^\$2 = 0$/m);
    const lines = [...gdb.matchAll(/^icount .*$/gm)].map((m) => m[0]);
    expect(lines[0]).toContain('(diverted');
    expect(lines[1]).not.toContain('diverted');
    // With ticks at 9 the handler's increment ends the program early, off the recording.
    expect(gdb).toContain('no longer follows the recording');
    expect(lines[2]).toContain('(diverted');
    expect(lines[3]).toMatch(/^icount 0, pc 0x1000$/);
    expect(digest()).toBe(before);
  });
});

/** Frames a packet as gdb would. */
function packet(payload: string): string {
  let sum = 0;
  for (const ch of payload) sum += ch.charCodeAt(0);
  return `$${payload}#${(sum & 0xff).toString(16).padStart(2, '0')}`;
}

/**
 * Asks the server `monitor COMMAND` as gdb does (qRcmd; the output comes back in O packets, then
 * OK) over raw TCP, then detaches. Returns the output.
 */
async function rawMonitor(port: number, command: string): Promise<string> {
  const sock = net.connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => { sock.once('connect', () => resolve()); sock.once('error', reject); });
  let buf = '';
  let out = '';
  const answered = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer to monitor ${command}: ${JSON.stringify(buf)}`)), 20_000);
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      for (let m = /\$([^#$]*)#[0-9a-f]{2}/.exec(buf); m; m = /\$([^#$]*)#[0-9a-f]{2}/.exec(buf)) {
        buf = buf.slice(m.index + m[0].length);
        sock.write('+');
        const payload = m[1]!;
        if (payload === 'OK') { clearTimeout(timer); resolve(out); } else if (payload.startsWith('O')) out += Buffer.from(payload.slice(1), 'hex').toString('latin1');
        else { clearTimeout(timer); reject(new Error(`unexpected reply to monitor ${command}: ${payload}`)); }
      }
    });
  });
  sock.write(packet(`qRcmd,${Buffer.from(command).toString('hex')}`));
  try {
    return await answered;
  } finally {
    sock.end(packet('D'));
  }
}

describe('hindsight gdb ELF records as `record` does', () => {
  const shell = firmware('shell');
  const demo = path.join(PROJECT_ROOT, 'assets', 'firmware', 'shell-demo.txt');

  it('with --usb devices and --serial-in: the same output as record, and the served recording holds the same USB transfers', async () => {
    const server = await startServer([shell, '--usb', 'virtual:cdc-acm', '--serial-in', demo]);
    const info = await rawMonitor(server.port, 'info');
    expect(await server.done).toBe(0);
    expect(info).toMatch(/^recording of shell\.elf .* ended: guest exit code 0$/m);
    const transfers = Number(/; (\d+) USB transfers?$/m.exec(info)?.[1]);
    expect(transfers, info).toBeGreaterThan(10);
    expect(server.stderr()).toMatch(/recorded \d+ instructions \(the guest exited with code 0\)/);

    const rec = scratch.file('shell-cdc.hsrec');
    const recorded = await runCli(['record', shell, '--usb', 'virtual:cdc-acm', '--serial-in', demo, '-o', rec]);
    expect(recorded.code).toBe(0);
    expect(server.stdout()).toBe(recorded.stdout.toString('latin1'));
    expect(server.stdout()).toMatch(/usb 1: 1209:0002 class 02/); // the CDC-ACM device enumerated at boot
    const reader = openTraceReader(rec);
    try {
      expect(reader.countDerived(DERIVED_USB_REQUEST)).toBe(transfers);
    } finally {
      reader.close();
    }
  });

  it('a bad --usb spec: the same one line and exit code as record, and no temporary recording left behind', async () => {
    const temp = scratchDir('gdb-tmpdir');
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = temp.dir; // where `gdb ELF` makes its temporary recording (os.tmpdir())
    let r;
    try {
      // The first device opens; the second cannot: the first is closed again, and nothing is recorded.
      r = await runCli(['gdb', shell, '--usb', 'virtual:msc', '--usb', 'virtual:floppy']);
      expect(readdirSync(temp.dir)).toEqual([]);
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
      temp.remove();
    }
    expect(describeCleanFailure(r)).toBeNull();
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^hindsight: --usb virtual:floppy: unknown virtual device "virtual:floppy"/);
    const recorded = await runCli(['record', shell, '--usb', 'virtual:msc', '--usb', 'virtual:floppy', '-o', scratch.file('floppy.hsrec')]);
    expect(r.stderr).toBe(recorded.stderr);
    expect(r.code).toBe(recorded.code);
  });
});

describe('hindsight gdb over raw TCP', () => {
  it('answers after garbage, turns a second client away, and ends cleanly when the client vanishes mid reverse-continue', async () => {
    const server = await startServer([workloadRec, '--at', 'end']);
    const first = net.connect(server.port, '127.0.0.1');
    let received = '';
    first.on('data', (d) => { received += d.toString('latin1'); });
    await new Promise<void>((resolve) => first.once('connect', () => resolve()));
    first.write(`\x00garbage$qC#00${packet('?')}`);
    for (let i = 0; i < 500 && !/\$T05thread:1;/.test(received); i++) await new Promise((r) => setTimeout(r, 10));
    expect(received).toMatch(/^-\+\$T05thread:1;/); // the bad checksum is refused, the good packet answered
    // One client at a time: a second one is closed at once.
    const second = net.connect(server.port, '127.0.0.1');
    await new Promise<void>((resolve) => { second.on('close', () => resolve()); second.on('error', () => resolve()); });
    // A read watchpoint nothing reads makes reverse-continue single-step the whole recording (seconds); hang up meanwhile.
    first.write(packet('Z3,87000000,4') + packet('bc'));
    await new Promise((r) => setTimeout(r, 50));
    first.destroy();
    const t0 = Date.now();
    expect(await server.done).toBe(0);
    expect(Date.now() - t0).toBeLessThan(3_000);
    expect(server.stderr()).toContain('turned away a second client');
    expect(server.stderr()).toContain('gdb session ended');
  });
});

describe('hindsight gdb: bad input', () => {
  it('fails cleanly on a missing file, a bad port, a port in use, and recording options for a recording', async () => {
    expect(describeCleanFailure(await runCli(['gdb', scratch.file('nope.hsrec')]))).toBeNull();
    expect(describeCleanFailure(await runCli(['gdb']))).toBeNull();
    expect(describeCleanFailure(await runCli(['gdb', timerRec, '--port', '70000']))).toBeNull();
    expect(describeCleanFailure(await runCli(['gdb', timerRec, '--port', 'x']))).toBeNull();
    expect(describeCleanFailure(await runCli(['gdb', timerRec, '--max-insns', '5']))).toBeNull();
    expect(describeCleanFailure(await runCli(['gdb', timerRec, '--usb', 'virtual:msc']))).toBeNull();
    expect(describeCleanFailure(await runCli(['gdb', scratch.file('junk.hsrec', 'not a recording')]))).toBeNull();
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    try {
      const port = (blocker.address() as net.AddressInfo).port;
      const r = await runCli(['gdb', timerRec, '--port', String(port)]);
      expect(describeCleanFailure(r)).toBeNull();
      expect(r.stderr).toContain('the port is in use');
    } finally {
      blocker.close();
    }
    const help = await runCli(['help']);
    expect(help.stderr).toContain('hindsight gdb FILE.hsrec|ELF');
  });
});
