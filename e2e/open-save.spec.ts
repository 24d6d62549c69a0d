// Journey: open and save a recording in the browser. The host starts on a scratch recording it made
// (the sample shell); opening another file through the in-app dialog first warns that the scratch
// recording is not saved; "Save As…" saves it, and the open goes ahead. Then the saved file is
// reopened from the dialog: the same recording (end, end reason, console). Recent lists both.

import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleLines, e2eSkipReason, launch, openUi, recordShell, screenshot, serve, shownIcount, tempDir, type Served } from './support.js';

const skip = e2eSkipReason();

/** What the status bar says about the recording on screen. */
const recordingText = async (page: Page): Promise<string> => (await page.getByTestId('recording').textContent()) ?? '';

/** Opens File > item. */
async function fileMenu(page: Page, item: 'menu-open-recording' | 'menu-open-elf' | 'menu-save-as'): Promise<void> {
  await page.getByTestId('file-menu').click();
  await page.getByTestId(item).click();
  await page.getByTestId('file-dialog').waitFor();
}

describe.skipIf(skip !== null)('open and save a recording', () => {
  const tmp = tempDir();
  let served: Served;
  let browser: Browser;
  let other: string;
  beforeAll(async () => {
    other = recordShell(tmp.dir); // shell.hsrec: a recording made by the CLI, to open from the dialog
    // No FILE: the host records the sample shell into a scratch recording; the dialog starts in tmp.
    [served, browser] = await Promise.all([serve([], { cwd: tmp.dir }), launch()]);
  });
  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    tmp.remove();
  });

  it('warns before replacing the unsaved recording, saves it, opens another, and reopens the saved one', async () => {
    const { page, errors } = await openUi(browser, served.url);
    await expect.poll(() => recordingText(page)).toContain('not saved');
    const scratchText = (await recordingText(page)).replace(' · not saved', '');
    const scratchEnd = await shownIcount(page);
    const scratchConsole = await consoleLines(page);

    // Open Recording: the dialog lists the start folder with the CLI's recording in it.
    await fileMenu(page, 'menu-open-recording');
    await expect.poll(() => page.getByTestId('file-folder').textContent()).toBe(tmp.dir);
    await page.locator('[data-testid=file-entry][data-name="shell.hsrec"]').click();
    expect(await page.getByTestId('file-path').inputValue()).toBe(other);
    await screenshot(page, 'open-save-dialog');
    await page.getByTestId('file-submit').click();

    // The scratch recording is not saved: asked first. Save As… first, into the same folder.
    await page.getByTestId('replace-warning').waitFor();
    await screenshot(page, 'open-save-warning');
    await page.getByTestId('replace-save').click();
    await page.getByTestId('file-dialog').waitFor();
    const saved = path.join(tmp.dir, 'demo-saved.hsrec');
    await page.getByTestId('file-path').fill(path.join(tmp.dir, 'demo-saved'));
    await page.getByTestId('file-submit').click();
    await expect.poll(() => page.getByTestId('notice').textContent()).toContain(`Saved as ${saved}`);

    // ... and then the open goes ahead: the CLI's recording is on screen, a file, saved.
    await expect.poll(() => page.getByTestId('recording').getAttribute('title')).toBe(other);
    expect(await recordingText(page)).not.toContain('not saved');

    // Recent: newest first.
    await page.getByTestId('file-menu').click();
    const recent = await page.getByTestId('menu-recent').allTextContents();
    expect(recent[0]).toContain(other);
    expect(recent[1]).toContain(saved);
    await screenshot(page, 'open-save-recent');
    await page.keyboard.press('Escape');

    // Reopen the saved file from the dialog (a double click): the same recording as the scratch one.
    await fileMenu(page, 'menu-open-recording');
    await page.locator('[data-testid=file-entry][data-name="demo-saved.hsrec"]').dblclick();
    await expect.poll(() => page.getByTestId('recording').getAttribute('title')).toBe(saved);
    expect(await recordingText(page)).toBe(scratchText);
    await expect.poll(() => shownIcount(page)).toBe(scratchEnd);
    expect(await consoleLines(page)).toEqual(scratchConsole);
    await screenshot(page, 'open-save-reopened');
    expect(errors).toEqual([]);
  });

  it('says why a folder cannot be listed, and opens an ELF by a typed path', async () => {
    const { page, errors } = await openUi(browser, served.url);
    await fileMenu(page, 'menu-open-elf');
    await page.getByTestId('file-path').fill(path.join(tmp.dir, 'no-such-folder/'));
    await page.getByTestId('file-path').press('Enter');
    await expect.poll(() => page.getByTestId('file-listing-error').textContent()).toBe(`cannot list ${path.join(tmp.dir, 'no-such-folder')}: no such file or folder`);
    const elf = path.resolve('assets/firmware/elf/timer.elf');
    await page.getByTestId('file-path').fill(elf);
    await page.getByTestId('file-path').press('Enter');
    // Recorded by the host: a scratch recording of timer.elf, not saved.
    await expect.poll(() => recordingText(page), { timeout: 30_000 }).toMatch(/^timer\.elf · .* · not saved$/);
    expect(errors).toEqual([]);
  });
});
