// Journey: set a breakpoint on a function, continue forward to it, then from the end reverse-continue
// back to the same hit; the toolbar says why it stopped.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseElf } from '../app/engine/loader/elf.js';
import { ROOT, e2eSkipReason, openUi, queryState, screenshot, shownIcount, waitForIcount, servedShellRecording } from './support.js';

const skip = e2eSkipReason();
const FUNCTION = 'cmd_peek';

describe.skipIf(skip !== null)('breakpoints: continue and reverse continue', () => {
  const fx = servedShellRecording();

  it('stops at the breakpoint both ways', async () => {
    const addr = parseElf(readFileSync(path.join(ROOT, 'assets/firmware/elf/shell.elf'))).symbols.get(FUNCTION)!.value;
    const { page, errors } = await openUi(fx.browser, fx.served.url);
    const end = queryState(fx.file, 'end').icount;
    await waitForIcount(page, end);
    await page.getByLabel('Breakpoint address').fill(FUNCTION);
    await page.getByLabel('Breakpoint address').press('Enter');
    await expect.poll(() => page.getByTestId('breakpoints').textContent()).toContain(FUNCTION);

    await page.getByLabel('Go to icount').fill('0');
    await page.getByLabel('Go to icount').press('Enter');
    await waitForIcount(page, 0);
    await page.keyboard.press('F5'); // Continue
    await expect.poll(() => page.getByTestId('stop-reason').textContent()).toContain('stopped at breakpoint');
    const hit = await shownIcount(page);
    expect(hit).toBeGreaterThan(0);
    expect(queryState(fx.file, hit).pc).toBe(addr);
    expect(Number(await page.getByTestId('disasm-pc').getAttribute('data-address'))).toBe(addr);
    await screenshot(page, 'breakpoint-continue');

    await page.getByLabel('Go to icount').fill(String(end));
    await page.getByLabel('Go to icount').press('Enter');
    await waitForIcount(page, end);
    await page.getByRole('button', { name: /Reverse/ }).click();
    await waitForIcount(page, hit); // cmd_peek runs once in the demo: the last hit is the first
    expect(await page.getByTestId('stop-reason').textContent()).toContain('stopped at breakpoint');
    await page.getByRole('button', { name: /Reverse/ }).click();
    await expect.poll(() => page.getByTestId('stop-reason').textContent()).toContain('no breakpoint hit before this position');
    expect(await shownIcount(page)).toBe(hit);
    await screenshot(page, 'breakpoint-reverse');
    expect(errors).toEqual([]);
  });
});
