// Journey: gdb from the UI. With a recording open, the gdb button's panel starts a server for it:
// status, port and the exact command to paste. Where gdb-multiarch is installed, that command's
// ELF and port are used by a real gdb: it connects (the panel says so), steps forward and back
// from where the UI was, and the UI's own position does not move. Stop ends the server.

import { spawn, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { e2eSkipReason, openUi, screenshot, servedShellRecording, shownIcount, waitForIcount } from './support.js';

const skip = e2eSkipReason();
const GDB = process.env.HINDSIGHT_GDB ?? 'gdb-multiarch';
const haveGdb = spawnSync(GDB, ['--version']).status === 0;
if (!haveGdb) console.warn(`gdb e2e: no ${GDB}; the server is started and stopped from the UI, but no gdb connects`);

describe.skipIf(skip !== null)('gdb from the UI', () => {
  const fx = servedShellRecording();

  it('starts a server for the recording on screen, shows the command, serves a real gdb, stops', async () => {
    const { page, errors } = await openUi(fx.browser, fx.served.url);
    await page.getByLabel('Go to icount').fill('30000');
    await page.getByLabel('Go to icount').press('Enter');
    await waitForIcount(page, 30000);

    await page.getByTestId('gdb-button').click();
    await page.getByTestId('gdb-start').click();
    await expect.poll(() => page.getByTestId('gdb-status').textContent()).toMatch(/waiting for gdb on 127\.0\.0\.1:\d+/);
    const command = (await page.getByTestId('gdb-command').textContent())!;
    const m = /^gdb-multiarch (\S+) -x (\S+hindsight\.gdb) -ex 'target remote 127\.0\.0\.1:(\d+)'$/.exec(command);
    expect(m, command).not.toBeNull();
    const [, elf, script, port] = m!;
    expect(await page.getByTestId('gdb-button').textContent()).toContain(`:${port}`);
    await screenshot(page, 'gdb-listening');

    if (haveGdb) {
      // gdb stays connected for a moment (shell sleep) so the panel can be seen saying so.
      // As the command says (its script makes gdb see where `monitor seek` moved to).
      const gdb = spawn(GDB, ['-batch', '-nx', elf!, '-x', script!, '-ex', `target remote 127.0.0.1:${port}`, '-ex', 'monitor icount', '-ex', 'stepi',
        '-ex', 'monitor icount', '-ex', 'reverse-stepi', '-ex', 'monitor icount', '-ex', 'info registers pc',
        '-ex', 'monitor seek 20000', '-ex', 'info registers pc', '-ex', 'shell sleep 3'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      gdb.stdout.on('data', (d: Buffer) => { out += d.toString(); });
      gdb.stderr.on('data', (d: Buffer) => { out += d.toString(); });
      const exited = new Promise<void>((resolve) => gdb.on('close', () => resolve()));
      await expect.poll(() => page.getByTestId('gdb-status').textContent(), { timeout: 20_000 }).toContain('gdb is connected');
      await screenshot(page, 'gdb-connected');
      await exited;
      const at = [...out.matchAll(/^icount (\d+), pc 0x([0-9a-f]+)/gm)].map((x) => Number(x[1]));
      expect(at, out).toEqual([30000, 30001, 30000, 20000]);
      const pcs = [...out.matchAll(/^icount \d+, pc 0x([0-9a-f]+)/gm)].map((x) => x[1]);
      expect(pcs[3], 'the seek moved somewhere else').not.toBe(pcs[2]);
      expect([...out.matchAll(/^pc +0x([0-9a-f]+)/gm)].map((x) => x[1]), out).toEqual([pcs[2], pcs[3]]);
      await expect.poll(() => page.getByTestId('gdb-status').textContent()).toContain('waiting for gdb');
      // gdb moved on its own: the UI is where it was.
      expect(await shownIcount(page)).toBe(30000);
    }

    await page.getByTestId('gdb-stop').click();
    await expect.poll(() => page.getByTestId('gdb-start').count()).toBe(1);
    expect(await page.getByTestId('gdb-button').textContent()).not.toContain(':');
    expect(errors).toEqual([]);
  });
});
