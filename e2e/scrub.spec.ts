// Journey: scrub the timeline. Dragging moves the position; registers, disassembly and the console
// show the machine exactly there (checked against the recording through the CLI and the core);
// clicking a marker seeks to it.

import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { expectedConsole, tailMatches } from './expected.js';
import { consoleLines, e2eSkipReason, openUi, queryState, screenshot, shownIcount, waitForIcount, servedShellRecording } from './support.js';

const skip = e2eSkipReason();

async function settled(page: Page): Promise<number> {
  // The last seek answered and nothing pending: the playhead label and the toolbar agree.
  let prev = -1;
  for (;;) {
    await page.waitForTimeout(150);
    const now = await shownIcount(page);
    const playhead = Number((await page.getByTestId('playhead').textContent())!.replace(/,/g, ''));
    if (now === prev && now === playhead) return now;
    prev = now;
  }
}

async function registers(page: Page): Promise<number[]> {
  const names = ['zero', 'ra', 'sp', 'gp', 'tp', 't0', 't1', 't2', 's0', 's1', 'a0', 'a1', 'a2', 'a3', 'a4', 'a5',
    'a6', 'a7', 's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9', 's10', 's11', 't3', 't4', 't5', 't6'];
  const out: number[] = [];
  for (const n of names) out.push(parseInt((await page.getByTestId(`reg-${n}`).textContent())!, 16));
  return out;
}

describe.skipIf(skip !== null)('scrub the timeline', () => {
  const fx = servedShellRecording();

  it('drags the scrubber: position, registers and console follow, exactly', async () => {
    const { page, errors } = await openUi(fx.browser, fx.served.url);
    const end = queryState(fx.file, 'end').icount;
    await waitForIcount(page, end);
    const atEnd = await registers(page);
    const box = (await page.getByTestId('scrubber').boundingBox())!;
    const y = box.y + box.height - 6;
    await page.mouse.move(box.x + box.width * 0.1, y);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.72, y, { steps: 25 });
    await page.mouse.up();
    const icount = await settled(page);
    expect(icount).toBeGreaterThan(end * 0.6);
    expect(icount).toBeLessThan(end * 0.8);
    // Registers and pc are the recording's at that position.
    const truth = queryState(fx.file, icount);
    expect(await registers(page)).toEqual(truth.x);
    expect(parseInt((await page.getByTestId('reg-pc').textContent())!, 16)).toBe(truth.pc);
    expect(await registers(page)).not.toEqual(atEnd);
    expect(Number(await page.getByTestId('disasm-pc').getAttribute('data-address'))).toBe(truth.pc);
    // The console shows exactly the output sent before this position.
    const want = expectedConsole(fx.file, icount);
    expect(Number(await page.getByTestId('console-length').getAttribute('data-length'))).toBe(want.length);
    expect(want.length).toBeLessThan(expectedConsole(fx.file, end).length);
    expect(tailMatches(await consoleLines(page), want.lines)).toBe(true);
    await screenshot(page, 'scrub-dragged');

    // Click a UART output marker: the position is just before that chunk's first byte.
    const markers = page.locator('[data-testid=lane-uart] .marker');
    const marker = markers.nth(Math.floor((await markers.count()) / 3));
    const at = Number(await marker.getAttribute('data-icount'));
    await marker.click();
    await waitForIcount(page, at);
    const before = expectedConsole(fx.file, at);
    expect(Number(await page.getByTestId('console-length').getAttribute('data-length'))).toBe(before.length);
    expect(expectedConsole(fx.file, at + 1).length).toBe(before.length + 1);
    expect(tailMatches(await consoleLines(page), before.lines)).toBe(true);
    expect(await registers(page)).toEqual(queryState(fx.file, at).x);
    await screenshot(page, 'scrub-marker');
    expect(errors).toEqual([]);
  });
});
