import { describe, expect, it } from 'vitest';
import { IPC, MENU_COMMAND_IDS } from './contract.js';
import { INVOKE_VALIDATORS, IpcPayloadError, SEND_VALIDATORS, validateDialog, validateMenuState, validateRequest } from './validate.js';

const fails = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(IpcPayloadError);
    return (e as Error).message;
  }
  throw new Error('did not fail');
};

describe('IPC payload validation', () => {
  it('has a validator for every renderer -> main channel, and only those', () => {
    expect(Object.keys(INVOKE_VALIDATORS).sort()).toEqual([IPC.cancel, IPC.dialog, IPC.hello, IPC.request].sort());
    expect(Object.keys(SEND_VALIDATORS)).toEqual([IPC.menuState]);
    for (const ch of Object.values(IPC)) expect(ch).toMatch(/^hindsight:[a-z-]+$/);
  });

  it('accepts a protocol request and rejects bad ones by name', () => {
    expect(validateRequest({ service: 'seek', params: { icount: 5, view: {} } })).toEqual({ service: 'seek', params: { icount: 5, view: {} } });
    expect(fails(() => validateRequest('seek'))).toBe('hindsight:request: expected { service, params }, got the string "seek"');
    expect(fails(() => validateRequest({ service: 'rm -rf', params: {} }))).toBe('hindsight:request: unknown service the string "rm -rf"');
    expect(fails(() => validateRequest({ service: 'toString', params: {} }))).toMatch(/unknown service/);
    expect(fails(() => validateRequest({ service: 'cancel', params: {} }))).toMatch(/cancel has its own channel \(hindsight:cancel\)/);
    expect(fails(() => validateRequest({ service: 'seek', params: [1] }))).toBe('hindsight:request: params of seek must be an object, got an array');
    expect(fails(() => validateRequest({ service: 'seek' }))).toMatch(/params of seek must be an object, got undefined/);
  });

  it('checks dialog kinds and paths', () => {
    expect(validateDialog({ kind: 'save-recording', defaultPath: 'a.hsrec' })).toEqual({ kind: 'save-recording', defaultPath: 'a.hsrec' });
    expect(validateDialog({ kind: 'open-elf' })).toEqual({ kind: 'open-elf' });
    expect(fails(() => validateDialog({ kind: 'open-anything' }))).toBe('hindsight:dialog: kind must be one of open-elf, open-recording, save-recording, got the string "open-anything"');
    expect(fails(() => validateDialog({ kind: 'open-elf', defaultPath: 'a\0b' }))).toMatch(/defaultPath must be a path/);
    expect(fails(() => validateDialog({ kind: 'open-elf', defaultPath: 'x'.repeat(5000) }))).toMatch(/at most 4096 characters/);
  });

  it('checks the menu state: known commands, booleans', () => {
    expect(validateMenuState({ enabled: { step: true, record: false } })).toEqual({ enabled: { step: true, record: false } });
    expect(fails(() => validateMenuState({ enabled: { reboot: true } }))).toBe(`hindsight:menu-state: unknown menu command "reboot" (known: ${MENU_COMMAND_IDS.join(', ')})`);
    expect(fails(() => validateMenuState({ enabled: { step: 'yes' } }))).toBe('hindsight:menu-state: enabled.step must be true or false, got the string "yes"');
    expect(fails(() => validateMenuState(null))).toMatch(/expected \{ enabled/);
  });

  it('takes no payload on hello and cancel', () => {
    expect(INVOKE_VALIDATORS[IPC.hello](undefined)).toBeNull();
    expect(fails(() => INVOKE_VALIDATORS[IPC.cancel]({ id: 3 }))).toBe('hindsight:cancel: takes no payload, got an object');
  });
});
