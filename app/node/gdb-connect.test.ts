import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { gdbCommandLine, gdbScriptPath, unpacked } from './gdb-connect.js';

describe('the gdb connect line', () => {
  it('sources hindsight.gdb, whose hook flushes gdb\'s caches after each monitor command', () => {
    const script = gdbScriptPath()!;
    expect(existsSync(script)).toBe(true);
    expect(readFileSync(script, 'utf8')).toMatch(/define hookpost-monitor[\s\S]*maintenance flush register-cache[\s\S]*flushregs/);
    expect(gdbCommandLine('/fw/a.elf', '127.0.0.1:1234')).toBe(`gdb-multiarch /fw/a.elf -x ${script} -ex 'target remote 127.0.0.1:1234'`);
  });

  it('quotes what a shell would split, and leaves -x out where the script is missing', () => {
    expect(gdbCommandLine("/my fw/it's.elf", '[::1]:9', '/opt/H in/hindsight.gdb'))
      .toBe(`gdb-multiarch '/my fw/it'\\''s.elf' -x '/opt/H in/hindsight.gdb' -ex 'target remote [::1]:9'`);
    expect(gdbCommandLine('a.elf', 'h:1', null)).toBe(`gdb-multiarch a.elf -ex 'target remote h:1'`);
  });

  it('points a packaged app\'s files at their unpacked copies, and leaves development paths alone', () => {
    expect(unpacked('/opt/Hindsight/resources/app.asar/dist/serve-worker.mjs')).toBe('/opt/Hindsight/resources/app.asar.unpacked/dist/serve-worker.mjs');
    expect(unpacked('C:\\Hindsight\\resources\\app.asar\\assets\\gdb\\hindsight.gdb')).toBe('C:\\Hindsight\\resources\\app.asar.unpacked\\assets\\gdb\\hindsight.gdb');
    expect(unpacked('/work/main/dist/serve-worker.mjs')).toBe('/work/main/dist/serve-worker.mjs');
  });
});
