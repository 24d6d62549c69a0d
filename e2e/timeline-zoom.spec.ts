// Journey: zoom the timeline into a region (the ruler narrows, the lanes show that region's markers),
// click a marker there, bookmark the position with a name, reload: the bookmark is still there
// (kept per recording in the browser) and clicking it goes there.

import { describe, expect, it } from 'vitest';
import { e2eSkipReason, openUi, queryState, screenshot, servedShellRecording, waitForIcount } from './support.js';

const skip = e2eSkipReason();

describe.skipIf(skip !== null)('zoom the timeline and bookmark a position', () => {
  const fx = servedShellRecording();

  it('zooms around the pointer, seeks from a marker in the window, and keeps a bookmark across a reload', async () => {
    const { page, errors } = await openUi(fx.browser, fx.served.url);
    const end = queryState(fx.file, 'end').icount;
    await waitForIcount(page, end);
    const range = page.getByTestId('timeline-range');
    expect(await range.textContent()).toBe('whole recording');

    // Zoom with the wheel over the ruler, around a UART marker in the middle of the recording.
    const uart = page.locator('[data-testid=lane-uart] .marker');
    const target = Number(await uart.nth(Math.floor((await uart.count()) / 2)).getAttribute('data-icount'));
    const ruler = (await page.getByTestId('ruler').boundingBox())!;
    const px = ruler.x + (target / end) * ruler.width;
    await page.mouse.move(px, ruler.y + ruler.height / 2);
    for (let i = 0; i < 8; i++) await page.mouse.wheel(0, -300);
    await expect.poll(async () => Number(await range.getAttribute('data-end')) - Number(await range.getAttribute('data-start'))).toBeLessThan(end / 20);
    const start = Number(await range.getAttribute('data-start'));
    const stop = Number(await range.getAttribute('data-end'));
    // The position under the pointer stayed under it (to the rounding of the shown window).
    const frac = (px - ruler.x) / ruler.width;
    // (Within a pixel at the first scale: the browser rounds the pointer position.)
    expect(Math.abs(start + frac * (stop - start) - frac * end)).toBeLessThan(end / ruler.width);
    // The ruler shows the narrower range.
    const tickAt = await page.locator('[data-testid=ruler] .tick').evaluateAll((ts) => ts.map((t) => Number(t.getAttribute('data-icount'))));
    expect(tickAt.length).toBeGreaterThan(1);
    expect(tickAt[0]!).toBeGreaterThanOrEqual(start);
    expect(tickAt.at(-1)!).toBeLessThanOrEqual(stop);
    expect(tickAt.at(-1)! - tickAt[0]!).toBeLessThan(end / 20);
    expect(await page.getByTestId('timeline-fit').isEnabled()).toBe(true);

    // Every marker drawn is in the window; click one: the position goes there.
    const inside = await uart.evaluateAll((ms) => ms.map((m) => Number(m.getAttribute('data-icount'))));
    expect(inside.length).toBeGreaterThan(0);
    for (const at of inside) expect(at >= start - 1 && at <= stop + 1).toBe(true);
    const marker = uart.nth(Math.floor(inside.length / 2));
    const at = Number(await marker.getAttribute('data-icount'));
    await marker.click();
    await waitForIcount(page, at);
    await expect.poll(() => page.getByTestId('playhead').count()).toBe(1);

    // Bookmark it, named.
    await page.getByTestId('bookmark-add').click();
    const name = page.getByTestId('bookmark-name');
    await name.fill('prompt printed');
    await name.press('Enter');
    const mark = page.locator('[data-testid=lane-bookmarks] [data-testid=bookmark]');
    await expect.poll(() => mark.getAttribute('data-name')).toBe('prompt printed');
    expect(Number(await mark.getAttribute('data-icount'))).toBe(at);
    await screenshot(page, 'timeline-zoomed-bookmark');

    // Fit shows the whole recording again.
    await page.getByTestId('timeline-fit').click();
    await expect.poll(() => range.textContent()).toBe('whole recording');

    // Reload: the bookmark is still there; clicking it goes there (the app opens at the end).
    await page.reload();
    await page.waitForSelector('[data-testid=disasm-pc]');
    await waitForIcount(page, end);
    const again = page.locator('[data-testid=lane-bookmarks] [data-testid=bookmark]');
    await expect.poll(() => again.getAttribute('data-name')).toBe('prompt printed');
    await again.click();
    await waitForIcount(page, at);
    await screenshot(page, 'timeline-bookmark-after-reload');

    // Delete from its context menu.
    await again.click({ button: 'right' });
    await page.getByTestId('bookmark-delete').click();
    await expect.poll(() => again.count()).toBe(0);
    expect(errors).toEqual([]);
  });
});
