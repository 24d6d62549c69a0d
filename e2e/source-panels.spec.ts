// Journey: source level. The Source panel shows the pc's line, the call stack its frames (a click
// selects one, and Variables and Source follow), variables expand, a variable's previous write
// lands on the C line that wrote it, hover shows a value, and a breakpoint set in the source
// gutter stops Continue on that line.

import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { cli, e2eSkipReason, openUi, queryState, screenshot, servedShellRecording, waitForIcount } from './support.js';

const skip = e2eSkipReason();

interface Answer { found: boolean; icount: number; pc: number; old: string; new: string; writer: string; file?: string; line?: number }

/** The source line Monaco shows for `line` (visible lines only), as text. */
async function sourceLineText(page: Page, line: number): Promise<string> {
  const top = await page.locator('[data-testid=source-editor] .margin-view-overlays > div').evaluateAll((rows, n) => {
    for (const r of rows) if (r.textContent?.trim() === String(n)) return (r as HTMLElement).style.top;
    return null;
  }, line);
  if (top === null) throw new Error(`line ${line} is not on screen`);
  return page.locator(`[data-testid=source-editor] .view-lines > .view-line[style*="top:${top}"]`).innerText().then((t) => t.replace(/\u00a0/g, ' '));
}

/** Where `word` is drawn on the pc's line of the Source panel (Monaco merges tokens, so measure the text). */
async function wordBox(page: Page, word: string): Promise<{ x: number; y: number; width: number; height: number }> {
  const box = await page.locator('[data-testid=source-editor]').evaluate((root, w) => {
    const lines = [...root.querySelectorAll('.view-lines > .view-line')] as HTMLElement[];
    const pcTop = (root.querySelector('.src-pc-line') as HTMLElement | null)?.parentElement?.style.top;
    for (const line of lines) {
      if (pcTop !== undefined && line.style.top !== pcTop) continue;
      const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const i = (n.textContent ?? '').search(new RegExp(`\\b${w}\\b`));
        if (i < 0) continue;
        const r = document.createRange();
        r.setStart(n, i);
        r.setEnd(n, i + w.length);
        const b = r.getBoundingClientRect();
        return { x: b.x, y: b.y, width: b.width, height: b.height };
      }
    }
    return null;
  }, word);
  if (!box) throw new Error(`"${word}" is not on the pc's line`);
  return box;
}

describe.skipIf(skip !== null)('source, variables and call stack', () => {
  const fx = servedShellRecording();

  it('follows the pc, frames and variables; writes land on C lines; breakpoints from the gutter', async () => {
    const { page, errors } = await openUi(fx.browser, fx.served.url);
    const end = queryState(fx.file, 'end').icount;
    await waitForIcount(page, end);

    // Who last set `probing` (the shell's peek/poke flag): the CLI names the C line too.
    const first = JSON.parse(cli(['query', fx.file, 'prev-write', 'probing', '--at', 'end', '--json'])) as Answer;
    expect(first.found).toBe(true);
    const row = page.locator('[data-testid=variable][data-name=probing]').first();
    await row.getByTestId('var-previous-write').click();
    await waitForIcount(page, first.icount);
    expect(await page.getByTestId('write-answer').textContent()).toContain('previous write to probing');
    const body = page.getByTestId('source-body');
    await expect.poll(() => body.getAttribute('data-pc-line')).toBe(String(first.line));
    expect(await body.getAttribute('data-file')).toBe(first.file);
    expect(await sourceLineText(page, first.line!)).toMatch(/probing = (true|false);/);
    await page.locator('[data-testid=source-editor] .src-pc-line').waitFor();
    // `record` stored the shell's sources in the recording: the panel says that is where this text came from.
    expect(await page.getByTestId('source-origin').getAttribute('data-origin')).toBe('recording');
    expect(await page.getByTestId('source-origin').textContent()).toContain('from the recording');

    // The call stack: frame 0 is where the pc is; clicking frame 1 moves Variables and Source there.
    const frames = page.getByTestId('frame');
    expect(await frames.count()).toBeGreaterThanOrEqual(2);
    expect(await frames.last().getAttribute('data-function')).toBe('main');
    const caller = await frames.nth(1).getAttribute('data-function');
    await frames.nth(1).click();
    await expect.poll(() => page.getByTestId('variables-table').getAttribute('data-frame')).toBe('1');
    expect(await page.getByTestId('source-location').textContent()).toContain(`in ${caller}`);
    expect(await page.getByTestId('source-location').textContent()).toContain('(frame 1)');

    // Expand a global array of structs: its elements appear, then their members.
    const commands = page.locator('[data-testid=variable][data-name=commands]').first();
    await commands.getByRole('button', { name: 'expand' }).click();
    await page.locator('[data-testid=variable][data-ref="g:commands/0"]').waitFor();
    await page.locator('[data-testid=variable][data-ref="g:commands/0"]').getByRole('button', { name: 'expand' }).click();
    const name = page.locator('[data-testid=variable][data-ref="g:commands/0.0"]');
    await name.waitFor();
    expect(await name.getByTestId('variable-value').textContent()).toMatch(/^0x[0-9a-f]+ "help"$/);

    // A long array (devices[0].config, 512 bytes) shows groups of 100 elements; opening the last
    // shows [500] ... [511], each with its own address.
    const devices = page.locator('[data-testid=variable][data-name=devices]').first();
    await devices.getByRole('button', { name: 'expand' }).click();
    await page.locator('[data-testid=variable][data-ref="g:devices/0"]').getByRole('button', { name: 'expand' }).click();
    const config = page.locator('[data-testid=variable][data-name=config]').first();
    await config.getByRole('button', { name: 'expand' }).click();
    const groups = page.getByTestId('variable-group');
    await expect.poll(() => groups.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-range'))))
      .toEqual(['[0 … 99]', '[100 … 199]', '[200 … 299]', '[300 … 399]', '[400 … 499]', '[500 … 511]']);
    await groups.last().getByRole('button', { name: 'expand' }).click();
    const configAddress = Number(await config.getAttribute('data-address'));
    const last = page.locator('[data-testid=variable][data-name="[511]"]');
    await last.waitFor();
    expect(Number(await last.getAttribute('data-address'))).toBe(configAddress + 511);
    expect(await page.locator('[data-testid=variable][data-name^="["][data-ref*="g:devices/0."]').count()).toBe(12);
    await screenshot(page, 'source-variables-groups');
    await frames.nth(0).click();
    await expect.poll(() => page.getByTestId('variables-table').getAttribute('data-frame')).toBe('0');
    await screenshot(page, 'source-variables');

    // Hover `probing` on the pc line: its value. Click it: the popup offers previous write.
    const box = await wordBox(page, 'probing');
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    const hover = page.locator('.monaco-hover:not(.hidden)');
    await hover.waitFor();
    await expect.poll(() => hover.textContent()).toMatch(/probing.*_Bool.*(true|false)/);
    await screenshot(page, 'source-hover');
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await page.getByTestId('variable-popup').waitFor();
    expect(await page.getByTestId('variable-popup-value').textContent()).toMatch(/^(true|false)$/);
    const second = JSON.parse(cli(['query', fx.file, 'prev-write', 'probing', '--at', String(first.icount), '--json'])) as Answer;
    await page.getByTestId('popup-previous-write').click();
    await waitForIcount(page, second.icount);
    await expect.poll(() => body.getAttribute('data-pc-line')).toBe(String(second.line));

    // A breakpoint from the gutter on the line of the first write; Continue from 0 stops on it.
    const line = second.line!;
    await page.locator('[data-testid=source-editor] .line-numbers', { hasText: new RegExp(`^${line}$`) }).click();
    await expect.poll(() => page.getByTestId('breakpoints').textContent()).toContain(`:${line}`);
    await page.locator('[data-testid=source-editor] .src-bp').first().waitFor();
    await page.getByLabel('Go to icount').fill('0');
    await page.getByLabel('Go to icount').press('Enter');
    await waitForIcount(page, 0);
    await page.getByRole('button', { name: /^Continue/ }).click();
    await expect.poll(() => page.getByTestId('stop-reason').textContent()).toMatch(/breakpoint/i);
    await expect.poll(() => body.getAttribute('data-pc-line')).toBe(String(line));
    await screenshot(page, 'source-breakpoint');
    expect(errors).toEqual([]);
  });
});
