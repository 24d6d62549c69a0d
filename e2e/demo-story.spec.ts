// Journey: the demo story (issue 7). shell-demo-bug.elf, recorded with a virtual CDC-ACM device,
// trusts wTotalLength: the controller DMAs 67 bytes into a 60-byte config[] and over pipe0, and
// the next control request faults on it. The fault marker is on the timeline; at the fault the
// call stack leads to usb_control, whose `dev->pipe0` is garbage; "Previous write" on it is the
// DMA of GET_DESCRIPTOR(CONFIGURATION), traced to the driver line that asked for wTotalLength
// bytes. The control build (shell.elf) with the same device and input does not fault.
// (Recorded with the CLI: interactive Record/Stop is another journey.)

import path from 'node:path';
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { cli, e2eSkipReason, launch, openUi, ROOT, screenshot, serve, tempDir, waitForIcount, type Served } from './support.js';

const skip = e2eSkipReason();
const INPUT = 'lsusb\necho hi\npoweroff\n';

describe.skipIf(skip !== null)('the demo story', () => {
  const tmp = tempDir();
  let browser: Browser;
  const record = (elf: string): string => {
    const input = path.join(tmp.dir, 'input.txt');
    writeFileSync(input, INPUT);
    const out = path.join(tmp.dir, `${elf}.hsrec`);
    cli(['record', path.join(ROOT, 'assets/firmware/elf', `${elf}.elf`), '--usb', 'virtual:cdc-acm', '--serial-in', input, '-o', out, '--force'], [0, 3]);
    return out;
  };
  beforeAll(async () => { browser = await launch(); });
  afterAll(async () => { await browser?.close(); tmp.remove(); });

  it('fault marker, scrub to it, the corrupted pointer, previous write: the DMA and the driver line that asked for it', async () => {
    const served: Served = await serve([record('shell-demo-bug')]);
    try {
      const { page, errors } = await openUi(browser, served.url);
      // The fault is a marker on the timeline: click it, the machine is at the faulting load.
      const fault = page.locator('[data-testid=lane-traps] .marker');
      expect(await fault.count()).toBe(1);
      const at = Number(await fault.getAttribute('data-icount'));
      await fault.click();
      await waitForIcount(page, at);
      await screenshot(page, 'demo-1-fault');
      await expect.poll(() => page.getByTestId('source-body').getAttribute('data-file')).toBe('lib/ohci.c');

      // Up the stack to usb_control: its dev->pipe0 is not a pointer into RAM.
      const control = page.locator('[data-testid=frame][data-function=usb_control]');
      await control.click();
      await expect.poll(() => page.getByTestId('source-location').textContent()).toContain('in usb_control');
      const dev = page.locator('[data-testid=variable][data-name=dev]').first();
      await dev.getByRole('button', { name: 'expand' }).click();
      const star = page.locator('[data-testid=variable][data-name="*dev"]');
      await star.getByRole('button', { name: 'expand' }).click();
      const pipe = page.locator('[data-testid=variable][data-name=pipe0]');
      await pipe.waitFor();
      const bad = (await pipe.getByTestId('variable-value').textContent())!;
      expect(bad).toMatch(/^0x2[0-9a-f]{6}$/);
      await screenshot(page, 'demo-2-corrupted');

      // Previous write: the USB controller's DMA, the transfer, and the driver line.
      await pipe.getByTestId('var-previous-write').click();
      const answer = page.getByTestId('write-answer');
      await page.getByTestId('dma-origin').waitFor();
      expect(await answer.textContent()).toContain('previous write to pipe0');
      expect(await page.getByTestId('dma-request').textContent()).toMatch(/GET_DESCRIPTOR\(CONFIGURATION/);
      expect(await page.getByTestId('dma-requested').textContent()).toBe('67');
      const newBytes = bad.slice(2).padStart(8, '0').match(/../g)!.reverse().join('');
      expect(await answer.textContent()).toContain(`new ${newBytes}`);
      await screenshot(page, 'demo-3-dma');

      // The guilty line: the driver asking for wTotalLength bytes into config[].
      const guilty = page.getByTestId('dma-guilty');
      expect(await guilty.textContent()).toMatch(/lib\/usb\.c:\d+/);
      await guilty.click();
      await expect.poll(() => page.getByTestId('source-location').textContent()).toMatch(/lib\/usb\.c:\d+/);
      const line = Number(await page.getByTestId('source-body').getAttribute('data-mark-line'));
      const text = await page.locator('[data-testid=source-editor] .view-line', { hasText: 'dev->config, total' }).first().innerText();
      expect(text.replace(/\u00a0/g, ' ')).toContain('get_descriptor(dev, USB_DT_CONFIG, 0, 0, dev->config, total, &got)');
      expect(line).toBeGreaterThan(0);
      await page.locator('[data-testid=source-editor] .src-mark-line').waitFor();
      await screenshot(page, 'demo-4-guilty-line');
      expect(errors).toEqual([]);
    } finally {
      await served.stop();
    }
  });

  it('the control build (shell.elf) with the same device and input has no fault', async () => {
    const served = await serve([record('shell')]);
    try {
      const { page, errors } = await openUi(browser, served.url);
      expect(await page.locator('[data-testid=lane-traps] .marker').count()).toBe(0);
      expect(await page.getByTestId('lane-traps').textContent()).toContain('none');
      await screenshot(page, 'demo-5-control');
      expect(errors).toEqual([]);
    } finally {
      await served.stop();
    }
  });
});
