// Journey: the memory panel over the whole address space. Go to a symbol (it is highlighted),
// scroll to 0x00000000 (nothing mapped: "--") and to the reset ROM at 0x1000 (bytes), to the last
// row 0xfffffff0 by the key and by the scaled scrollbar; step over a store and see exactly the
// bytes it wrote highlighted as "written by the instruction just executed" (the host names them;
// the CLI says what they held before and after), the legend naming the range.

import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { cli, e2eSkipReason, openUi, queryState, screenshot, servedShellRecording, waitForIcount } from './support.js';

const skip = e2eSkipReason();
const VARIABLE = 'probing'; // written by the shell's `peek` (see previous-write.spec.ts)

interface Answer { found: boolean; icount: number; pc: number; old: string; new: string }

/** The text of the byte at `addr` in the panel (it must be on screen). */
const byteText = (page: Page, addr: number): Promise<string | null> =>
  page.locator(`[data-testid=memory] .mem-row .byte[data-addr="${addr}"]`).textContent();
/** The address of the first row on screen. */
const topAddr = async (page: Page): Promise<number> => Number(await page.getByTestId('memory-scroll').getAttribute('data-top'));

describe.skipIf(skip !== null)('memory panel', () => {
  const fx = servedShellRecording();

  it('goes anywhere in the 32-bit space and highlights what a step wrote', async () => {
    const { page, errors } = await openUi(fx.browser, fx.served.url);
    const end = queryState(fx.file, 'end').icount;
    await waitForIcount(page, end);
    const write = JSON.parse(cli(['query', fx.file, 'prev-write', VARIABLE, '--at', 'end', '--json'])) as Answer;
    expect(write.found).toBe(true);
    expect(write.old).not.toBe(write.new); // the step below changes the bytes, so it shows

    // Go to the symbol: its row is near the top, its bytes are highlighted.
    const mem = page.getByTestId('memory');
    await page.getByLabel('Memory address').fill(VARIABLE);
    await page.getByLabel('Memory address').press('Enter');
    await expect.poll(() => mem.locator('.mem-row .byte.target').count()).toBeGreaterThan(0);
    const sym = Number(await mem.locator('.mem-row .byte.target').first().getAttribute('data-addr'));
    expect(await mem.locator('h2').textContent()).toContain(VARIABLE);
    expect(sym - await topAddr(page)).toBeLessThan(4 * 16);
    await expect.poll(() => byteText(page, sym)).toMatch(/^[0-9a-f]{2}$/);

    // The top of the address space: nothing at 0 ("--"); the reset ROM at 0x1000 has bytes.
    const rows = page.getByTestId('memory-scroll');
    await rows.focus();
    await page.keyboard.press('Home');
    await expect.poll(() => topAddr(page)).toBe(0);
    await expect.poll(() => byteText(page, 0)).toBe('--');
    await page.getByLabel('Memory address').fill('4096'); // decimal
    await page.getByLabel('Memory address').press('Enter');
    await expect.poll(() => byteText(page, 0x1000)).toMatch(/^[0-9a-f]{2}$/);
    await screenshot(page, 'memory-rom');

    // The bottom: End, and the scaled scrollbar dragged to its end, both show 0xfffffff0.
    await rows.focus();
    await page.keyboard.press('End');
    await expect.poll(() => mem.locator('.mem-row[data-addr="4294967280"] .addr').textContent()).toBe('fffffff0');
    await page.keyboard.press('PageUp');
    await expect.poll(() => mem.locator('.mem-row[data-addr="4294967280"]').count()).toBe(0);
    await rows.evaluate((el) => { el.scrollTop = el.scrollHeight; });
    await expect.poll(() => mem.locator('.mem-row[data-addr="4294967280"]').count()).toBe(1);
    await rows.evaluate((el) => { el.scrollTop = 0; });
    await expect.poll(() => topAddr(page)).toBe(0);

    // To the store that writes the variable, then one step over it.
    await page.getByLabel('Memory address').fill(VARIABLE);
    await page.getByLabel('Memory address').press('Enter');
    await page.getByLabel('Write address').fill(VARIABLE);
    await page.getByTestId('previous-write').click();
    await waitForIcount(page, write.icount);
    const mnemonic = (await page.getByTestId('disasm-pc').locator('.mnemonic').textContent()) ?? '';
    expect(mnemonic).toMatch(/^(c\.)?s[bhw]$/);
    const width = { b: 1, h: 2, w: 4 }[mnemonic.slice(-1) as 'b' | 'h' | 'w'];
    await page.getByTestId('step').click();
    await waitForIcount(page, write.icount + 1);
    const legend = page.getByTestId('memory-legend');
    await expect.poll(() => legend.getAttribute('data-kind')).toBe('written');
    expect(await legend.textContent()).toContain('written by the instruction just executed');
    const written = await mem.locator('.mem-row .byte.changed').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-addr'))));
    // Exactly the bytes the store wrote: the whole variable (a store of its width), by the CPU,
    // whether or not each byte's value changed (the CLI's memory before and after).
    const len = await mem.locator('.mem-row .byte.target').count();
    expect(width).toBe(len);
    const memAt = (at: number): string => (JSON.parse(cli(['query', fx.file, 'state', '--at', String(at), '--mem', `${sym}:${len}`, '--json'])) as { mem: string }).mem;
    const before = memAt(write.icount), after = memAt(write.icount + 1);
    expect(before).toBe(write.old);
    expect(after).toBe(write.new);
    expect(written).toEqual(Array.from({ length: len }, (_, i) => sym + i));
    expect(await mem.locator('.mem-row .byte.changed').evaluateAll((els) => els.map((e) => e.getAttribute('data-writer')))).toEqual(written.map(() => 'cpu'));
    for (const a of written) {
      const i = a - sym;
      expect(await byteText(page, a)).toBe(after.slice(2 * i, 2 * i + 2));
      expect(await mem.locator(`.mem-row .byte[data-addr="${a}"]`).getAttribute('title')).toContain(`written by the instruction just executed: was ${before.slice(2 * i, 2 * i + 2)}`);
    }
    expect(await legend.getAttribute('data-writers')).toBe('cpu');
    expect(await page.getByTestId('memory-write-range').allTextContents()).toEqual([`0x${sym.toString(16).padStart(8, '0')}:${len}`]);
    await screenshot(page, 'memory-step');

    // Any other move (here one step back) only claims "changed".
    await page.getByTestId('step-back').click();
    await waitForIcount(page, write.icount);
    await expect.poll(() => legend.getAttribute('data-kind')).toBe('changed');
    expect(errors).toEqual([]);
  });
});
