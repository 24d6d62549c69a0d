// Journey: open the default recording, press Replay: it plays back from the start at a watchable
// pace (the position, the timeline's playhead and the console advance), Pause keeps the position,
// a move by the user stops it; with a breakpoint set, Replay stops at the hit.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { parseElf } from '../app/engine/loader/elf.js';
import { ROOT, consoleLines, e2eSkipReason, openApp, screenshot, shownIcount } from './support.js';

const skip = e2eSkipReason();
const FUNCTION = 'cmd_peek';

const consoleLength = async (page: Page): Promise<number> => Number(await page.getByTestId('console-length').getAttribute('data-length'));
const replayState = (page: Page): Promise<string | null> => page.getByTestId('replay-status').getAttribute('data-state');
/** The position once it has stopped changing (an answer in flight may still land). */
async function restingIcount(page: Page): Promise<number> {
  let at = -1;
  await expect.poll(async () => {
    const before = await shownIcount(page);
    await page.waitForTimeout(250);
    at = await shownIcount(page);
    return at === before;
  }).toBe(true);
  return at;
}

describe.skipIf(skip !== null)(`replay the recording${skip ? ` (${skip})` : ''}`, () => {
  let app: { page: Page; errors: string[]; close(): Promise<void> };
  let end = 0;
  beforeAll(async () => {
    app = await openApp('browser');
  });
  afterAll(async () => {
    await app?.close();
  });

  it('plays back from the start, the position and the console advancing; Pause keeps the position', async () => {
    const { page, errors } = app;
    await expect.poll(() => page.getByTestId('recording').textContent()).toContain('shell.elf');
    end = Number((await page.getByTestId('recording').textContent())!.match(/([\d,]+) instructions/)![1]!.replace(/,/g, ''));
    await expect.poll(() => shownIcount(page)).toBe(end);
    const fullConsole = await consoleLength(page);
    expect(fullConsole).toBeGreaterThan(0);
    await page.getByTestId('replay-button').click();
    await expect.poll(() => replayState(page)).toBe('playing');
    // From the start: the position goes back, then forward, frame by frame.
    await expect.poll(() => shownIcount(page), { timeout: 5_000 }).toBeLessThan(end / 5);
    const early = await shownIcount(page);
    const earlyConsole = await consoleLength(page);
    expect(earlyConsole).toBeLessThan(fullConsole);
    await expect.poll(() => shownIcount(page), { timeout: 5_000 }).toBeGreaterThan(early + end / 20);
    await expect.poll(() => consoleLength(page), { timeout: 8_000 }).toBeGreaterThan(earlyConsole);
    // Printed as the guest printed it: the banner appears a few characters a frame.
    await expect.poll(() => consoleLines(page), { timeout: 8_000 }).toContain('Hindsight sample firmware');
    // The playhead on the timeline is where the toolbar says.
    expect(await shownIcount(page)).toBeLessThan(end);
    await screenshot(page, 'replay-playing');

    await page.getByTestId('replay-pause').click();
    await expect.poll(() => replayState(page)).toBe('paused');
    // The frame in flight when Pause was pressed still lands (the host is there): wait for it.
    const paused = await restingIcount(page);
    expect(paused).toBeGreaterThan(early);
    expect(paused).toBeLessThan(end);
    await page.waitForTimeout(1_000);
    expect(await shownIcount(page)).toBe(paused);
    expect(await page.getByTestId('replay-resume').isVisible()).toBe(true);

    // Resume goes on from there; a step by the user stops it.
    await page.getByTestId('replay-resume').click();
    await expect.poll(() => replayState(page)).toBe('playing');
    await expect.poll(() => shownIcount(page), { timeout: 5_000 }).toBeGreaterThan(paused);
    await page.getByTestId('step').click();
    await expect.poll(() => replayState(page)).toBe('stopped');
    // The step's answer comes after the replay's last frame (the host answers in order): wait for
    // the position to come to rest, then it must stay there.
    const stepped = await restingIcount(page);
    await page.waitForTimeout(500);
    expect(await shownIcount(page)).toBe(stepped);
    expect(errors).toEqual([]);
  });

  it('stops at a breakpoint hit', async () => {
    const { page, errors } = app;
    const addr = parseElf(readFileSync(path.join(ROOT, 'assets/firmware/elf/shell.elf'))).symbols.get(FUNCTION)!.value;
    await page.getByLabel('Breakpoint address').fill(FUNCTION);
    await page.getByLabel('Breakpoint address').press('Enter');
    await expect.poll(() => page.getByTestId('breakpoints').textContent()).toContain(FUNCTION);

    await page.getByTestId('replay-button').click();
    await expect.poll(() => replayState(page), { timeout: 30_000 }).toBe('breakpoint');
    expect(await page.getByTestId('stop-reason').textContent()).toContain('stopped at breakpoint');
    const hit = await shownIcount(page);
    expect(hit).toBeGreaterThan(0);
    expect(hit).toBeLessThan(end);
    await expect.poll(async () => Number(await page.getByTestId('disasm-pc').getAttribute('data-address'))).toBe(addr);
    // The whole view follows where it stopped: the call stack is of this position.
    await expect.poll(() => page.getByTestId('callstack').textContent()).toContain(FUNCTION);
    await screenshot(page, 'replay-breakpoint');

    // Continue (full speed) from the same place finds the same hit, so Replay missed none before it.
    await page.getByLabel('Go to icount').fill('0');
    await page.getByLabel('Go to icount').press('Enter');
    await expect.poll(() => shownIcount(page)).toBe(0);
    await page.keyboard.press('F5');
    await expect.poll(() => page.getByTestId('stop-reason').textContent()).toContain('stopped at breakpoint');
    expect(await shownIcount(page)).toBe(hit);
    expect(errors).toEqual([]);
  });
});
