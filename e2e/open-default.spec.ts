// Journey: open the app with no file: the bundled sample firmware is recorded with its demo input
// and opened; every panel shows the real machine at the end of the recording. Runs against both
// hosts: Chromium on `hindsight serve`, and the Electron app (skipped, saying why, without an
// Electron binary).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { HOSTS, consoleLines, hostSkipReason, openApp, screenshot, shownIcount } from './support.js';

for (const host of HOSTS) {
  const skip = hostSkipReason(host);
  describe.skipIf(skip !== null)(`open the default recording (${host}${skip ? `; ${skip}` : ''})`, () => {
  let app: { page: Page; errors: string[]; close(): Promise<void> };
  beforeAll(async () => {
    app = await openApp(host);
  });
  afterAll(async () => {
    await app?.close();
  });

  it('shows the sample shell at the end of its run, every panel real', async () => {
    const { page, errors } = app;
    await expect.poll(() => page.getByTestId('recording').textContent()).toContain('shell.elf');
    const end = Number((await page.getByTestId('recording').textContent())!.match(/([\d,]+) instructions/)![1]!.replace(/,/g, ''));
    await expect.poll(() => shownIcount(page)).toBe(end);
    expect(await page.getByTestId('guest-time').textContent()).toBe(`${(end / 1e9).toFixed(9)} s`);
    // The console shows the whole session the demo typed.
    const lines = await consoleLines(page);
    expect(lines).toContain('Hello from the guest');
    expect(lines[lines.length - 1]).toBe('power off');
    // Timeline: UART output markers and snapshots; no traps and no USB device in this run.
    expect(await page.locator('[data-testid=lane-uart] .marker').count()).toBeGreaterThan(5);
    expect(await page.getByTestId('lane-traps').textContent()).toContain('none in this recording');
    expect(await page.getByTestId('lane-usb').textContent()).toContain('none in this recording');
    // Registers with ABI names, disassembly at the pc.
    const pc = await page.getByTestId('reg-pc').textContent();
    expect(await page.getByTestId('disasm-pc').getAttribute('data-address')).toBe(String(parseInt(pc!, 16)));
    expect(await page.getByTestId('reg-sp').textContent()).toMatch(/^[0-9a-f]{8}$/);
    await screenshot(page, host === 'browser' ? 'open-default' : `open-default-${host}`);
    expect(errors).toEqual([]);
  });
});
}
