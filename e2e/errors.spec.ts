// Journey: error messages. With a recording open and moved to some position, opening a bad ELF, a
// corrupt recording, a truncated one, one of another format version and a path that does not exist
// each shows a banner naming the file and what is wrong; after each, the recording that was open
// is still open at the same position (nothing lost).

import { copyFileSync, readFileSync, truncateSync, writeFileSync, statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { e2eSkipReason, openUi, screenshot, servedShellRecording, shownIcount, waitForIcount } from './support.js';

const skip = e2eSkipReason();

async function openByPath(page: Page, item: 'menu-open-recording' | 'menu-open-elf', file: string): Promise<void> {
  await page.getByTestId('file-menu').click();
  await page.getByTestId(item).click();
  await page.getByTestId('file-path').fill(file);
  await page.getByTestId('file-path').press('Enter');
}

describe.skipIf(skip !== null)('error messages', () => {
  const fx = servedShellRecording();

  it('names the file and the problem, and keeps the open recording where it was', async () => {
    const { page, errors } = await openUi(fx.browser, fx.served.url);
    const dir = path.dirname(fx.file);
    const before = await page.getByTestId('recording').textContent();
    await page.getByLabel('Go to icount').fill('4242');
    await page.getByLabel('Go to icount').press('Enter');
    await waitForIcount(page, 4242);

    const badElf = path.join(dir, 'bad.elf');
    writeFileSync(badElf, 'this is not an ELF\n');
    const corrupt = path.join(dir, 'corrupt.hsrec');
    writeFileSync(corrupt, Buffer.alloc(8192, 0x5a));
    const truncated = path.join(dir, 'truncated.hsrec');
    copyFileSync(fx.file, truncated);
    truncateSync(truncated, Math.floor(statSync(fx.file).size / 2) + 100);
    const future = path.join(dir, 'future.hsrec');
    copyFileSync(fx.file, future);
    const db = new Database(future);
    const version = Number(db.pragma('user_version', { simple: true }));
    db.pragma(`user_version = ${version + 1}`);
    db.close();
    const missing = path.join(dir, 'no-such.hsrec');

    const cases: [item: 'menu-open-recording' | 'menu-open-elf', file: string, title: string, message: string, shot?: string][] = [
      ['menu-open-elf', badElf, 'Cannot open the ELF bad.elf', `${badElf}: not an ELF file: bad magic at offset 0`, 'errors-bad-elf'],
      ['menu-open-recording', corrupt, 'Cannot open the recording corrupt.hsrec', `${corrupt}: is not a Hindsight recording (not a SQLite database)`],
      ['menu-open-recording', truncated, 'Cannot open the recording truncated.hsrec', `${truncated}: the recording is truncated`, 'errors-truncated'],
      ['menu-open-recording', future, 'Cannot open the recording future.hsrec', `${future}: recording made by format version ${version + 1}; this Hindsight reads version ${version}`],
      ['menu-open-recording', missing, 'Cannot open the recording no-such.hsrec', `${missing}: cannot open the recording: no such file`],
    ];
    for (const [item, file, title, message, shot] of cases) {
      await openByPath(page, item, file);
      await page.getByTestId('error').waitFor();
      expect(await page.getByTestId('error-title').textContent()).toBe(title);
      expect(await page.getByTestId('error-message').textContent()).toContain(message);
      if (shot) await screenshot(page, shot);
      // Nothing lost: the same recording, at the same position.
      expect(await page.getByTestId('recording').textContent()).toBe(before);
      expect(await shownIcount(page)).toBe(4242);
      await page.getByTestId('error-dismiss').click();
      await expect.poll(() => page.getByTestId('error').count()).toBe(0);
    }
    // The files are as they were: opening never writes.
    expect(readFileSync(badElf, 'utf8')).toBe('this is not an ELF\n');
    expect(errors).toEqual([]);
  });
});
