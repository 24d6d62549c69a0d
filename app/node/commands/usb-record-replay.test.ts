// The USB journey through the CLI: record the shell with virtual devices attached, replay without
// any device (same output, verified state), and export the traffic as pcapng that tshark reads.

import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, scratchDir, PROJECT_ROOT } from '../testing/cli-harness.js';
import { openTraceReader } from '../trace-store/index.js';
import { DERIVED_USB_REQUEST, DERIVED_USB_TRANSFER_END, decodeUsbRequest, decodeUsbTransferEnd } from '../../replay/trace/derived-codecs.js';

const shell = path.join(PROJECT_ROOT, 'assets/firmware/elf/shell.elf');
const scratch = scratchDir('hs-usb-rr-');
afterAll(() => scratch.remove());

describe('recording USB traffic', () => {
  const rec = scratch.file('usb.hsrec');
  const input = scratch.file('in.txt', 'lsusb\nread 0\necho over usb\npoweroff\n');

  it('record with devices, replay without them: the same output, and the state verifies', async () => {
    const recorded = await runCli(['record', shell, '--usb', 'virtual:msc', '--usb', 'virtual:cdc-acm', '--serial-in', input, '-o', rec]);
    expect(recorded.code).toBe(0);
    const text = recorded.stdout.toString('latin1');
    expect(text).toMatch(/usb 1: 1209:0003 class 08 "Hindsight Virtual Disk"/);
    expect(text).toMatch(/usb 2: 1209:0002 class 02/);
    expect(text).toMatch(/0000  eb 3c 90/); // block 0 of the default disk
    expect(text).toMatch(/cdc: over usb/);
    const replayed = await runCli(['replay', rec, '--verify']);
    expect(replayed.code).toBe(0);
    expect(replayed.stdout.equals(recorded.stdout)).toBe(true);
    expect(replayed.stderr).toMatch(/all identical/);
    // Each transfer is on the timeline: its request and its outcome (status, length) as derived events.
    const reader = openTraceReader(rec);
    try {
      const requests = reader.derived(0, reader.completeUpTo + 1, DERIVED_USB_REQUEST).map((e) => decodeUsbRequest(e.data));
      const ends = reader.derived(0, reader.completeUpTo + 1, DERIVED_USB_TRANSFER_END).map((e) => decodeUsbTransferEnd(e.data));
      expect(ends.length).toBeGreaterThan(20);
      const ids = new Set(requests.map((r) => r.id));
      expect(ends.every((e) => ids.has(e.id))).toBe(true);
      expect(ends.some((e) => e.status === 'ok' && e.actualLength === 512)).toBe(true); // a disk block
    } finally {
      reader.close();
    }
  });

  it('exports the transfers as usbmon pcapng that tshark reads without malformed packets', async () => {
    const out = scratch.file('usb.pcapng');
    const r = await runCli(['usb', 'export', rec, '-o', out]);
    expect(r.code).toBe(0);
    const n = Number(/wrote (\d+) USB transfers/.exec(r.stderr)?.[1]);
    expect(n).toBeGreaterThan(20);
    expect(readFileSync(out).subarray(0, 4)).toEqual(Buffer.from([0x0a, 0x0d, 0x0d, 0x0a]));
    if (!existsSync('/usr/bin/tshark')) return; // tshark is optional here; CI installs it
    const t = spawnSync('tshark', ['-r', out, '-T', 'fields', '-e', 'usb.setup.bRequest', '-e', '_ws.malformed'], { encoding: 'utf8' });
    expect(t.status).toBe(0);
    const rows = t.stdout.trim().split('\n');
    expect(rows.length).toBeGreaterThanOrEqual(n); // usbmon records: submissions and completions
    expect(rows.some((row) => row.split('\t')[0] === '6')).toBe(true); // GET_DESCRIPTOR
    expect(rows.every((row) => !row.split('\t')[1])).toBe(true); // nothing malformed
  });

  it('a bad --usb spec fails before any recording file is made', async () => {
    const bad = scratch.file('bad.hsrec');
    const r = await runCli(['record', shell, '--usb', 'virtual:floppy', '-o', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown virtual device "virtual:floppy"/);
    expect(existsSync(bad)).toBe(false);
  });
});
