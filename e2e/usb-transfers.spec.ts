// Journey: the USB transfer list. A recording of the sample shell with a virtual disk and a
// virtual serial adapter: the USB panel lists its transfers with decoded requests; clicking a row
// moves the position to the transfer and highlights it on the timeline's USB lane; clicking a lane
// marker selects its row; "Go to completion" and the hex dump show the device's answer.

import path from 'node:path';
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { cli, e2eSkipReason, launch, openUi, queryState, screenshot, serve, tempDir, waitForIcount, type Served } from './support.js';

const skip = e2eSkipReason();

async function rowOf(page: Page, number: number) {
  return page.locator(`[data-testid=usb-row][data-number="${number}"]`);
}

describe.skipIf(skip !== null)('the USB transfer list', () => {
  const tmp = tempDir();
  let served: Served, browser: Browser, file: string;
  beforeAll(async () => {
    file = path.join(tmp.dir, 'usb.hsrec');
    const input = path.join(tmp.dir, 'in.txt');
    writeFileSync(input, 'lsusb\nread 0\necho over usb\npoweroff\n');
    cli(['record', '--usb', 'virtual:msc', '--usb', 'virtual:cdc-acm', '--serial-in', input, '-o', file, '--force']);
    [served, browser] = await Promise.all([serve([file]), launch()]);
  });
  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    tmp.remove();
  });

  it('lists the transfers; a row click seeks and highlights the lane; a lane click selects the row', async () => {
    const { page, errors } = await openUi(browser, served.url);
    const rows = page.getByTestId('usb-row');
    await rows.first().waitFor();
    // The UI opens at the end, so the list shows the last transfer (current there); scroll to the top.
    await expect.poll(async () => (await page.locator('[data-testid=usb-row].current').count())).toBe(1);
    await page.getByTestId('usb-rows').evaluate((el) => { el.scrollTop = 0; });
    // Enumeration of the disk on port 1 comes first, decoded.
    await expect.poll(async () => (await rowOf(page, 0)).locator('.c-req').textContent()).toBe('GET_DESCRIPTOR(DEVICE, 0, 8)');
    await expect.poll(() => page.getByTestId('usb').textContent()).toContain('SET_ADDRESS(1)');
    // Only the rows on screen exist (virtualised): the serial adapter's requests are reached by filtering.
    const filterTo = (key: string) => page.getByTestId('usb-filter-endpoint').selectOption(key);
    await filterTo('2:2:0x00');
    await expect.poll(() => page.getByTestId('usb').textContent()).toContain('CDC SET_LINE_CODING(115200 8N1, interface 0)');

    // Click the disk read's CBW (on the disk's bulk OUT endpoint): the position moves to the
    // transfer's start, the lane marks it.
    await filterTo('1:1:0x02');
    const cbw = page.locator('[data-testid=usb-row]', { hasText: /READ\(10\) LBA 0/ });
    const number = Number(await cbw.getAttribute('data-number'));
    const at = Number(await cbw.getAttribute('data-icount'));
    await cbw.click();
    await waitForIcount(page, at);
    await expect.poll(() => cbw.getAttribute('aria-selected')).toBe('true');
    const mark = page.getByTestId('usb-lane-selected');
    await expect.poll(() => mark.getAttribute('data-number')).toBe(String(number));
    const lane = (await page.getByTestId('lane-usb').boundingBox())!;
    const markBox = (await mark.boundingBox())!;
    const scrub = (await page.getByTestId('scrubber').boundingBox())!;
    const end = queryState(file, 'end').icount;
    expect(markBox.y).toBeGreaterThanOrEqual(lane.y - 2);
    expect(Math.abs(markBox.x - (scrub.x + (at / Math.max(end, 1)) * scrub.width))).toBeLessThan(4);
    expect(await page.locator('[data-testid=lane-usb] .marker.selected').count()).toBe(1);
    // It is the row current at this position too.
    await expect.poll(async () => (await cbw.getAttribute('class'))?.includes('current')).toBe(true);
    await screenshot(page, 'usb-row-clicked');

    // Every endpoint again: the selected row stays selected and in view.
    await filterTo('');
    await expect.poll(async () => (await rowOf(page, number)).getAttribute('aria-selected')).toBe('true');

    // The block that followed: its completion, and its bytes as a hex dump (the disk's boot sector).
    const block = await rowOf(page, number + 1);
    await block.click();
    await waitForIcount(page, Number(await block.getAttribute('data-icount')));
    await page.getByTestId('usb-hexdump-toggle').click();
    await expect.poll(() => page.getByTestId('usb-hexdump').textContent()).toMatch(/^0000 {2}eb 3c 90 48/);
    expect(await page.getByTestId('usb-hexdump').textContent()).toContain('55 aa');
    const endAt = Number(await page.getByTestId('usb-goto-end').evaluate((b) => b.nextElementSibling!.textContent!.replace(/\D/g, '')));
    await page.getByTestId('usb-goto-end').click();
    await waitForIcount(page, endAt);
    await screenshot(page, 'usb-hexdump');

    // Click the last marker of the lane (the serial adapter's echo): its row is selected and shown.
    const markers = page.locator('[data-testid=lane-usb] .marker');
    const last = markers.last();
    const lastNumber = Number(await last.getAttribute('data-number'));
    const lastAt = Number(await last.getAttribute('data-icount'));
    expect(lastNumber).toBeGreaterThan(number);
    await last.click();
    await waitForIcount(page, lastAt);
    const row = await rowOf(page, lastNumber);
    await expect.poll(() => row.getAttribute('aria-selected')).toBe('true');
    expect(await row.isVisible()).toBe(true);
    expect(await page.getByTestId('usb-detail').getAttribute('data-number')).toBe(String(lastNumber));
    expect(await row.locator('.c-ep').textContent()).toMatch(/^2·2 /);
    await screenshot(page, 'usb-lane-clicked');

    // Filter to the disk's bulk IN endpoint: only its transfers remain.
    await filterTo('1:1:0x81');
    await expect.poll(async () => {
      const eps = await rows.locator('.c-ep').allTextContents();
      return eps.length > 2 && eps.every((t) => t === '1·1 0x81 bulk');
    }).toBe(true);
    await screenshot(page, 'usb-filtered');
    expect(errors).toEqual([]);
  });
});
