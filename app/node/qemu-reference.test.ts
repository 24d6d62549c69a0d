import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { qemuArgs, qemuAvailable, qemuBinary, runUnderQemu } from './qemu-reference.js';

const firmware = (name: string): string =>
  path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'assets', 'firmware', 'elf', `${name}.elf`);

const haveQemu = qemuAvailable();
if (!haveQemu) {
  console.warn(`qemu-reference tests skipped: cannot run ${qemuBinary()} (install Debian's qemu-system-misc, or point HINDSIGHT_QEMU at qemu-system-riscv32)`);
}

describe('qemuArgs', () => {
  it('keeps the monitor off stdio and pins the machine', () => {
    const args = qemuArgs('x.elf', { icount: true });
    expect(args).toContain('-nodefaults');
    expect(args.join(' ')).toContain('-monitor none -serial stdio');
    expect(args.join(' ')).toContain('-icount shift=0,sleep=off');
    expect(args).not.toContain('-nographic');
    expect(qemuArgs('x.elf', { icount: false })).not.toContain('-icount');
  });
});

describe('runUnderQemu (needs qemu-system-riscv32)', () => {
  it.skipIf(!haveQemu)('runs hello: output is exactly the guest UART output, exit code 0', async () => {
    const r = await runUnderQemu(firmware('hello'), { timeoutMs: 20_000, icount: true });
    expect(r.timedOut).toBe(false);
    expect(r.exitCode).toBe(0);
    expect(r.stdout.toString('latin1')).toMatch(
      /^hello from hart 0\ndtb at 0x87e00000\ndtb magic 0xd00dfeed\nminstret=\d+\n$/,
    );
    // Under -icount shift=0,sleep=off the run is deterministic down to the instruction count.
    const again = await runUnderQemu(firmware('hello'), { timeoutMs: 20_000, icount: true });
    expect(again.stdout.equals(r.stdout)).toBe(true);
  });

  it.skipIf(!haveQemu)('feeds stdin to the UART: uart-echo upper-cases input up to q', async () => {
    // 0x01 (Ctrl-A) must reach the guest untouched: no monitor multiplexer on the serial port.
    const r = await runUnderQemu(firmware('uart-echo'), { input: 'Hello, world!\x01 q ignored', timeoutMs: 20_000, icount: true });
    expect(r.timedOut).toBe(false);
    expect(r.exitCode).toBe(0);
    expect(r.stdout.toString('latin1')).toBe('uart-echo: type; q quits\nHELLO, WORLD!\x01 Q\nbye after 16 characters\n');
  });

  it.skipIf(!haveQemu)('reports the guest exit code and a timeout', async () => {
    const exit = await runUnderQemu(firmware('shell'), { input: 'exit 7\n', timeoutMs: 20_000, icount: false });
    expect(exit.exitCode).toBe(7);
    expect(exit.stdout.toString('latin1')).toContain('> exit 7\nexit 7\n');

    // The shell waits forever for input that never comes.
    const hang = await runUnderQemu(firmware('shell'), { timeoutMs: 1_000, icount: false });
    expect(hang.timedOut).toBe(true);
    expect(hang.exitCode).toBe(-1);
    expect(hang.stdout.toString('latin1')).toBe('Hindsight sample firmware\ntype help for commands\n> ');
  });
});
