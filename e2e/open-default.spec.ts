// Journey: open the app with no file: the bundled sample firmware is recorded with its demo input
// and a virtual CDC-ACM device attached, and opened; every panel shows the real machine at the end
// of the recording, the USB panel and the timeline's USB lane the device's transfers. Runs against both
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
    // The console shows the end of the session the demo typed; its `echo` went out through the
    // virtual serial device and came back.
    const lines = await consoleLines(page);
    expect(lines).toContain('cdc: Hello from the guest');
    expect(lines[lines.length - 1]).toBe('power off');
    // Timeline: UART output markers and snapshots; no traps; the device's transfers on the USB lane.
    expect(await page.locator('[data-testid=lane-uart] .marker').count()).toBeGreaterThan(5);
    expect(await page.getByTestId('lane-traps').textContent()).toContain('none in this recording');
    await expect.poll(() => page.locator('[data-testid=lane-usb] .marker').count()).toBeGreaterThan(0);
    expect(await page.getByTestId('lane-usb').textContent()).not.toContain('none in this recording');
    // The USB panel lists them (at the end: the last one is current); enumeration comes first, decoded.
    await page.getByTestId('usb-row').first().waitFor();
    expect(await page.getByTestId('usb-row').count()).toBeGreaterThan(0);
    await expect.poll(() => page.locator('[data-testid=usb-row].current').count()).toBe(1);
    await page.getByTestId('usb-rows').evaluate((el) => { el.scrollTop = 0; });
    await expect.poll(() => page.locator('[data-testid=usb-row][data-number="0"] .c-req').textContent()).toBe('GET_DESCRIPTOR(DEVICE, 0, 8)');
    // Registers with ABI names, disassembly at the pc.
    const pc = await page.getByTestId('reg-pc').textContent();
    expect(await page.getByTestId('disasm-pc').getAttribute('data-address')).toBe(String(parseInt(pc!, 16)));
    expect(await page.getByTestId('reg-sp').textContent()).toMatch(/^[0-9a-f]{8}$/);
    await screenshot(page, host === 'browser' ? 'open-default' : `open-default-${host}`);
    expect(errors).toEqual([]);
  });
});
}
