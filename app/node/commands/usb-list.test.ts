import { describe, expect, it } from 'vitest';
import { USB_LIST_NONE, usbCommand } from './usb.js';
import type { Io } from '../io.js';

describe('hindsight usb list', () => {
  it('lists devices (exit 0) or says why there are none (exit 3)', async () => {
    let out = '';
    let err = '';
    const io = { stdout: (d: Uint8Array | string) => { out += String(d); }, stderr: (t: string) => { err += t; } } as unknown as Io;
    const code = await usbCommand(['list'], io);
    if (code === 0) expect(out).toMatch(/^[0-9a-f]{4}:[0-9a-f]{4} /m);
    else {
      expect(code).toBe(USB_LIST_NONE);
      expect(err).toMatch(/^hindsight: no USB devices listed: (no USB devices are connected|this machine exposes no USB bus|no permission|the `usb` package|USB devices cannot be enumerated)/);
    }
  });
});
