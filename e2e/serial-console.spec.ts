// Journey: the serial console in record and replay. Record the sample shell with a virtual USB
// disk, type `lsusb` + Enter into the live console and see the answer as it comes, Stop: the
// recording opens at its end; scrub back and the console shows exactly the output up to there
// (checked against the recording file with the core). Also: a device that cannot be opened is a
// clear message in the Record dialog, and what was open stays open.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { expectedConsole } from './expected.js';
import path from 'node:path';
import { HOSTS, ROOT, consoleLines, hostSkipReason, openApp, screenshot, shownIcount, waitForIcount } from './support.js';

async function openRecordDialog(page: Page): Promise<void> {
  await page.getByTestId('record-button').click();
  await page.getByTestId('record-dialog').waitFor();
  // The host answered with its devices: virtual ones, and the real ones or why there are none.
  await page.locator('[data-testid="usb-choice-virtual:msc"]').waitFor();
}

/**
 * The visible console rows are the end of the expected text. Rows are compared joined: xterm wraps
 * lines longer than the terminal (lsusb's serial number line) into several rows.
 */
function shownTailMatches(visible: string[], expected: string[]): boolean {
  const shown = visible.join('');
  return shown.length > 0 ? expected.join('').endsWith(shown) : expected.length === 0;
}

async function recordingState(page: Page): Promise<string | null> {
  return page.getByTestId('recording-status').getAttribute('data-state');
}

for (const host of HOSTS) {
  const skip = hostSkipReason(host);
  const shot = (name: string): string => (host === 'browser' ? name : `${name}-${host}`);
  describe.skipIf(skip !== null)(`serial console in record and replay (${host}${skip ? `; ${skip}` : ''})`, () => {
    let app: { page: Page; errors: string[]; close(): Promise<void> };
    beforeAll(async () => {
      app = await openApp(host);
      await app.page.waitForSelector('[data-testid=recording]:has-text("shell.elf")');
    });
    afterAll(async () => {
      await app?.close();
    });

    it('a device that cannot be opened: a clear message in the dialog; the open recording stays', async () => {
      const { page } = app;
      const before = await page.getByTestId('recording').textContent();
      const at = await shownIcount(page);
      await openRecordDialog(page);
      // This machine may have no USB bus: the dialog says why there are no real devices.
      const hostDevices = page.getByTestId('usb-host');
      if (await page.getByTestId('usb-host-unavailable').count()) expect(await page.getByTestId('usb-host-unavailable').textContent()).toMatch(/None to offer: \S+/);
      else expect(await hostDevices.locator('input[type=checkbox]').count()).toBeGreaterThan(0);
      await page.getByTestId('usb-other').fill('/nonexistent/keyboard.pcapng');
      await page.getByTestId('usb-other-add').click();
      expect(await page.getByTestId('usb-ports').textContent()).toContain('port 2: capture:/nonexistent/keyboard.pcapng');
      await page.getByTestId('record-start').click();
      const error = page.getByTestId('record-error');
      await error.waitFor();
      expect(await error.textContent()).toBe('USB device capture:/nonexistent/keyboard.pcapng: cannot read /nonexistent/keyboard.pcapng: no such file');
      await screenshot(page, shot('record-device-error'));
      await page.getByRole('button', { name: 'Cancel' }).click();
      expect(await page.getByTestId('record-dialog').count()).toBe(0);
      // Nothing lost: the recording that was open is still open, at the same position.
      expect(await page.getByTestId('recording').textContent()).toBe(before);
      expect(await shownIcount(page)).toBe(at);
      expect(await page.getByTestId('record-button').isEnabled()).toBe(true);
    });

    it('records the shell with a virtual disk, types lsusb live, stops, and replays the console exactly', async () => {
      const { page, errors } = app;
      await openRecordDialog(page);
      expect(await page.getByTestId('guest-default').isChecked()).toBe(true);
      const msc = page.locator('[data-testid="usb-choice-virtual:msc"]');
      if (!(await msc.isChecked())) await msc.check();
      expect(await page.getByTestId('usb-ports').textContent()).toContain('port 1: virtual:msc');
      await screenshot(page, shot('record-dialog'));
      await page.getByTestId('record-start').click();

      // Recording: the shell boots, enumerates the disk and waits at its prompt; the timeline grows.
      await page.getByTestId('stop-button').waitFor();
      await expect.poll(() => recordingState(page), { timeout: 20_000 }).toBe('waiting');
      await expect.poll(async () => (await consoleLines(page)).at(-1)).toBe('>');
      expect(await consoleLines(page)).toContain('usb 1: 1209:0003 class 08 "Hindsight Virtual Disk"');
      const bootEnd = Number(await page.getByTestId('timeline').getAttribute('data-live-end'));
      expect(bootEnd).toBeGreaterThan(0);

      // Type into the live console: the guest echoes and answers while the recording runs.
      await page.locator('[data-testid=console] .xterm').click();
      await page.keyboard.type('lsusb');
      await page.keyboard.press('Enter');
      await expect.poll(async () => (await consoleLines(page)).join('\n'), { timeout: 20_000 }).toMatch(/> lsusb\nohci at 0x10010000[\s\S]*2048 blocks of 512 bytes\n>$/);
      await expect.poll(() => recordingState(page)).toBe('waiting');
      const liveLines = await consoleLines(page);
      const liveEnd = Number(await page.getByTestId('timeline').getAttribute('data-live-end'));
      expect(liveEnd).toBeGreaterThan(bootEnd);
      await screenshot(page, shot('record-live'));

      // Stop: the recording opens at its end, ended by the user, and shows the same console.
      await page.getByTestId('stop-button').click();
      await expect.poll(() => page.getByTestId('recording').textContent(), { timeout: 20_000 }).toContain('stopped by the user');
      await waitForIcount(page, liveEnd);
      await page.getByTestId('record-button').waitFor();
      const file = (await page.getByTestId('recording').getAttribute('title'))!;
      const all = expectedConsole(file, liveEnd);
      expect(Number(await page.getByTestId('console-length').getAttribute('data-length'))).toBe(all.length);
      await expect.poll(() => consoleLines(page)).toEqual(liveLines);
      expect(shownTailMatches(liveLines, all.lines)).toBe(true);
      await screenshot(page, shot('record-stopped'));

      // Scrub back to just before the answer: the console shows exactly the output up to there.
      const markers = page.locator('[data-testid=lane-uart] .marker');
      const count = await markers.count();
      expect(count).toBeGreaterThan(2);
      const marker = markers.nth(count - 1);
      const at = Number(await marker.getAttribute('data-icount'));
      await marker.click();
      await waitForIcount(page, at);
      const want = expectedConsole(file, at);
      expect(want.length).toBeLessThan(all.length);
      expect(Number(await page.getByTestId('console-length').getAttribute('data-length'))).toBe(want.length);
      expect(shownTailMatches(await consoleLines(page), want.lines)).toBe(true);
      // Drag to the middle of the boot: less again, and still exactly the recording's.
      const box = (await page.getByTestId('scrubber').boundingBox())!;
      await page.mouse.click(box.x + box.width * 0.3, box.y + box.height - 6);
      await expect.poll(async () => (await shownIcount(page)) < at).toBe(true);
      await page.waitForTimeout(300);
      const mid = await shownIcount(page);
      const wantMid = expectedConsole(file, mid);
      expect(Number(await page.getByTestId('console-length').getAttribute('data-length'))).toBe(wantMid.length);
      expect(shownTailMatches(await consoleLines(page), wantMid.lines)).toBe(true);
      expect(wantMid.lines.join('\n')).not.toContain('lsusb');
      await screenshot(page, shot('record-replay-scrubbed'));
      expect(errors).toEqual([]);
    });

    it('a guest that exits on its own: the recording ends and opens at its end', async () => {
      const { page, errors } = app;
      await openRecordDialog(page);
      await page.getByTestId('guest-path').fill(path.join(ROOT, 'assets/firmware/elf/hello.elf'));
      expect(await page.getByTestId('guest-elf').isChecked()).toBe(true);
      const msc = page.locator('[data-testid="usb-choice-virtual:msc"]');
      if (await msc.isChecked()) await msc.uncheck();
      await page.getByTestId('record-start').click();
      await expect.poll(() => page.getByTestId('recording').textContent(), { timeout: 20_000 }).toMatch(/hello\.elf · [\d,]+ instructions · guest exit code 0/);
      const end = Number((await page.getByTestId('recording').textContent())!.match(/([\d,]+) instructions/)![1]!.replace(/,/g, ''));
      await waitForIcount(page, end);
      const file = (await page.getByTestId('recording').getAttribute('title'))!;
      const want = expectedConsole(file, end);
      expect(want.length).toBeGreaterThan(0);
      expect(Number(await page.getByTestId('console-length').getAttribute('data-length'))).toBe(want.length);
      expect(shownTailMatches(await consoleLines(page), want.lines)).toBe(true);
      expect(await page.getByTestId('record-button').isEnabled()).toBe(true);
      await screenshot(page, shot('record-guest-exit'));
      expect(errors).toEqual([]);
    });
  });
}
