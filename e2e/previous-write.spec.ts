// Journey: "who wrote this variable?": Previous write of a variable lands on the writing
// instruction (the CLI's answer), with old and new bytes; asking again goes further back.

import { describe, expect, it } from 'vitest';
import { cli, e2eSkipReason, openUi, queryState, screenshot, waitForIcount, servedShellRecording } from './support.js';

const skip = e2eSkipReason();
const VARIABLE = 'probing'; // the shell's "a peek/poke is probing memory" flag: set and cleared by `peek`

interface Answer { found: boolean; icount: number; pc: number; old: string; new: string; writer: string }

describe.skipIf(skip !== null)('previous write of a variable', () => {
  const fx = servedShellRecording();

  it('jumps to the instruction that last wrote it, then to the one before', async () => {
    const { page, errors } = await openUi(fx.browser, fx.served.url);
    const end = queryState(fx.file, 'end').icount;
    await waitForIcount(page, end);
    const first = JSON.parse(cli(['query', fx.file, 'prev-write', VARIABLE, '--at', 'end', '--json'])) as Answer;
    expect(first.found).toBe(true);

    await page.getByLabel('Write address').fill(VARIABLE);
    await page.getByTestId('previous-write').click();
    await waitForIcount(page, first.icount);
    const answer = page.getByTestId('write-answer');
    expect(await answer.getAttribute('data-icount')).toBe(String(first.icount));
    expect(await answer.textContent()).toContain(`old ${first.old}`);
    expect(await answer.textContent()).toContain(`new ${first.new}`);
    // The pc is the writing instruction, and it is a store.
    expect(parseInt((await page.getByTestId('reg-pc').textContent())!, 16)).toBe(first.pc);
    const pcLine = page.getByTestId('disasm-pc');
    expect(Number(await pcLine.getAttribute('data-address'))).toBe(first.pc);
    expect(await pcLine.locator('.mnemonic').textContent()).toMatch(/^(c\.)?s[bhw]$/);
    await screenshot(page, 'previous-write-1');

    // Again, from there: the write before it (the CLI agrees).
    const second = JSON.parse(cli(['query', fx.file, 'prev-write', VARIABLE, '--at', String(first.icount), '--json'])) as Answer;
    expect(second.found).toBe(true);
    await page.getByTestId('previous-write').click();
    await waitForIcount(page, second.icount);
    expect(parseInt((await page.getByTestId('reg-pc').textContent())!, 16)).toBe(second.pc);
    expect(await page.getByTestId('write-answer').textContent()).toContain(`new ${second.new}`);

    // And forward: the next write at or after this position is the store about to run here.
    await page.getByTestId('next-write').click();
    await page.waitForSelector('[data-testid=write-answer][data-direction=next]');
    expect(await page.getByTestId('write-answer').getAttribute('data-icount')).toBe(String(second.icount));
    await expect.poll(() => page.getByTestId('stop-reason').textContent()).not.toContain('Cancel');
    await screenshot(page, 'previous-write-2');
    expect(errors).toEqual([]);
  });
});
