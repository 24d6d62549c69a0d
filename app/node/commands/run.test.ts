import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../cli.js';
import type { Io } from '../io.js';

const elf = (name: string): string => path.resolve(import.meta.dirname, '../../../assets/firmware/elf', `${name}.elf`);

async function cli(args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  let stdout = '';
  let stderr = '';
  const io: Io = { stdout: (d) => { stdout += typeof d === 'string' ? d : Buffer.from(d).toString('latin1'); }, stderr: (t) => { stderr += t; }, stdinTty: null };
  const code = await main(args, io);
  return { stdout, stderr, code };
}

function tempFile(name: string, content: string | Uint8Array): string {
  const f = path.join(mkdtempSync(path.join(tmpdir(), 'hs-run-')), name);
  writeFileSync(f, content);
  return f;
}

describe('hindsight run', () => {
  it('runs the bundled sample firmware when no ELF is given, with UART input from --serial-in', async () => {
    const r = await cli(['run', '--serial-in', tempFile('in.txt', 'echo hi there\npoweroff\n')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Hindsight sample firmware');
    expect(r.stdout).toContain('hi there');
    expect(r.stderr).toBe('');
  });

  it('puts only guest output on stdout and exits with the guest exit code', async () => {
    const r = await cli(['run', elf('shell'), '--serial-in', tempFile('in.txt', 'exit 7\n')]);
    expect(r.code).toBe(7);
    expect(r.stderr).toBe('');
  });

  it('exits 124 with a message on stderr when --max-insns is reached', async () => {
    const r = await cli(['run', elf('workload'), '--max-insns', '100000']);
    expect(r.code).toBe(124);
    expect(r.stderr).toMatch(/stopped after --max-insns 100000 instructions/);
    expect(r.stdout).not.toContain('stopped');
  });

  it('stops with a clear message when the guest waits for input that will never come', async () => {
    const r = await cli(['run', elf('shell')]);
    expect(r.code).toBe(125);
    expect(r.stderr).toMatch(/waiting \(WFI\).*no more UART input/);
  });

  it('reports a missing ELF, a non-ELF and a 64-bit ELF clearly', async () => {
    const missing = await cli(['run', '/nonexistent/x.elf']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read ELF \/nonexistent\/x.elf: no such file/);
    const text = await cli(['run', tempFile('x.elf', 'hello, not an ELF')]);
    expect(text.code).toBe(2);
    expect(text.stderr).toMatch(/not an ELF/i);
    const elf64 = new Uint8Array(64);
    elf64.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]);
    const r64 = await cli(['run', tempFile('x64.elf', elf64)]);
    expect(r64.code).toBe(2);
    expect(r64.stderr).toMatch(/64-bit/);
    for (const r of [missing, text, r64]) expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1);
  });

  it('rejects unknown options and bad numbers', async () => {
    expect((await cli(['run', '--bogus'])).code).not.toBe(0);
    const r = await cli(['run', elf('hello'), '--max-insns', 'lots']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--max-insns: "lots" is not a number/);
  });
});
