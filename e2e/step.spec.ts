// Journey: step forward and back one instruction at a time; each position's registers are the
// recording's (checked through the CLI).

import { describe, expect, it } from 'vitest';
import { e2eSkipReason, openUi, queryState, screenshot, waitForIcount, servedShellRecording } from './support.js';

const skip = e2eSkipReason();

describe.skipIf(skip !== null)('step back and forward', () => {
  const fx = servedShellRecording();

  it('steps one instruction each way, changed registers highlighted', async () => {
    const { page, errors } = await openUi(fx.browser, fx.served.url);
    const end = queryState(fx.file, 'end').icount;
    await waitForIcount(page, end);
    const start = 12_345;
    await page.getByLabel('Go to icount').fill(String(start));
    await page.getByLabel('Go to icount').press('Enter');
    await waitForIcount(page, start);
    const pcAt = async (): Promise<number> => parseInt((await page.getByTestId('reg-pc').textContent())!, 16);
    expect(await pcAt()).toBe(queryState(fx.file, start).pc);

    await page.getByTestId('step').click();
    await waitForIcount(page, start + 1);
    expect(await pcAt()).toBe(queryState(fx.file, start + 1).pc);
    await page.getByTestId('step').click();
    await waitForIcount(page, start + 2);
    const s2 = queryState(fx.file, start + 2);
    expect(await pcAt()).toBe(s2.pc);
    // A register the last instruction changed is highlighted, and only changed ones are.
    const s1 = queryState(fx.file, start + 1);
    const changed = await page.locator('[data-testid=registers] td.changed').count();
    expect(changed).toBe(s2.x.filter((v, i) => v !== s1.x[i]).length);
    await screenshot(page, 'step-forward');

    for (let i = 0; i < 3; i++) await page.getByTestId('step-back').click();
    await waitForIcount(page, start - 1);
    const back = queryState(fx.file, start - 1);
    expect(await pcAt()).toBe(back.pc);
    expect(Number(await page.getByTestId('disasm-pc').getAttribute('data-address'))).toBe(back.pc);
    await screenshot(page, 'step-back');
    expect(errors).toEqual([]);
  });
});
