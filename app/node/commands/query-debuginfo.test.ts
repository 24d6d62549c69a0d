import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliJson, runCli, PROJECT_ROOT } from '../testing/cli-harness.js';

const firmware = (name: string): string => path.join(PROJECT_ROOT, 'assets/firmware/elf', `${name}.elf`);
interface Answer { found: boolean; icount?: number; pc?: number; file?: string; line?: number; function?: string }

describe('query answers with debug info', () => {
  it('prev-write names the file, line and function of the writing instruction', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'hs-qdi-'));
    const rec = path.join(dir, 'timer.hsrec');
    expect((await runCli(['record', firmware('timer'), '-o', rec])).code).toBe(0);
    const a = await cliJson<Answer>(['query', rec, 'prev-write', 'ticks', '--at', 'end', '--json']);
    expect(a).toMatchObject({ found: true, file: 'main-timer.c', function: 'handle_trap' });
    expect(a.line).toBeGreaterThan(0);
  });

  it('SYMBOL accepts a function-level static as function::name', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'hs-qdi-'));
    const rec = path.join(dir, 'shell.hsrec');
    const input = path.join(dir, 'in.txt');
    writeFileSync(input, 'help\r\npoweroff\r\n');
    expect((await runCli(['record', firmware('shell'), '--serial-in', input, '-o', rec])).code).toBe(0);
    const a = await cliJson<Answer>(['query', rec, 'prev-write', 'read_line::last_was_cr', '--at', 'end', '--json']);
    expect(a).toMatchObject({ found: true, function: 'read_line' });
    const bad = await runCli(['query', rec, 'prev-write', 'read_line::nope', '--at', 'end', '--json']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/no symbol "read_line::nope"/);
  });
});
