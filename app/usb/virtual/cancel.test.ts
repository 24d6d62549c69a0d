import { describe, expect, it } from 'vitest';
import type { UsbTransfer } from '../usb-backend.js';
import { HidKeyboard, KEYBOARD_ENDPOINT } from './hid-keyboard.js';
import { TestHost } from './testing/test-host.js';

describe('cancelling one transfer', () => {
  it('a cancelled interrupt IN ends with nodev and does not take the next key report', async () => {
    const kb = new HidKeyboard();
    await new TestHost(kb).enumerate();
    const t: UsbTransfer = { kind: 'interrupt', endpoint: KEYBOARD_ENDPOINT & 0x0f, dirIn: true, data: new Uint8Array(0), length: 8 };
    const abandoned = kb.submit(t); // no key pressed: the transfer NAKs and stays pending
    kb.cancel(t);
    expect((await abandoned).status).toBe('nodev');
    kb.typeText('a');
    const next = await kb.submit({ ...t });
    expect(next.status).toBe('ok');
    expect(Array.from(next.data)).toEqual([0, 0, 0x04, 0, 0, 0, 0, 0]); // 'a' pressed: nothing lost
  });

  it('cancelling a transfer the device does not hold is harmless', async () => {
    const kb = new HidKeyboard();
    await new TestHost(kb).enumerate();
    expect(() => kb.cancel({ kind: 'interrupt', endpoint: 1, dirIn: true, data: new Uint8Array(0), length: 8 })).not.toThrow();
  });
});
