import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it } from 'vitest';
import type { MenuCommand, MenuState } from '../native-bridge/ipc/contract.js';
import { describeMenu, menuTemplate, type MenuInput } from './menu-template.js';

const ALL_ON: MenuState = { enabled: { openElf: true, openRecording: true, saveRecordingAs: true, record: true, stop: true, replay: true, step: true, stepBack: true, continue: true, reverseContinue: true } };

function build(over: Partial<MenuInput> = {}) {
  const sent: MenuCommand[] = [];
  const template = menuTemplate({ platform: 'linux', state: ALL_ON, recent: [], packaged: true, ...over }, { command: (c) => sent.push(c) });
  return { template, sent, lines: describeMenu(template) };
}

function find(items: readonly MenuItemConstructorOptions[], id: string): MenuItemConstructorOptions {
  for (const m of items) {
    if (m.id === id) return m;
    if (Array.isArray(m.submenu)) {
      try { return find(m.submenu, id); } catch { /* not in this branch */ }
    }
  }
  throw new Error(`no menu item ${id}`);
}

describe('the application menu', () => {
  it('has the File and Debug items of the issue, with their keys', () => {
    const { lines } = build();
    expect(lines.filter((l) => /^(File|Debug)\//.test(l))).toEqual([
      'File/Open ELF… [CmdOrCtrl+O] on',
      'File/Open Recording… [CmdOrCtrl+Shift+O] on',
      'File/Open Recent/No Recent Files off',
      'File/Save Recording As… [CmdOrCtrl+Shift+S] on',
      'File/quit on',
      'Debug/Record [CmdOrCtrl+R] on',
      'Debug/Stop [CmdOrCtrl+.] on',
      'Debug/Replay [CmdOrCtrl+Shift+R] on',
      'Debug/Step [F10] on',
      'Debug/Step Back [Shift+F10] on',
      'Debug/Continue [F5] on',
      'Debug/Reverse Continue [Shift+F5] on',
    ]);
  });

  it('greys out what the renderer has not enabled (nothing before it reports)', () => {
    const { lines } = build({ state: { enabled: { step: true } } });
    expect(lines.filter((l) => l.startsWith('Debug/') && l.endsWith(' on'))).toEqual(['Debug/Step [F10] on']);
    const none = build({ state: { enabled: {} } }).lines;
    expect(none.filter((l) => /^(File|Debug)\//.test(l) && l.endsWith(' on'))).toEqual(['File/quit on']);
  });

  it('leaves the page\'s own keys (F5, F10) to the page, so a press runs once', () => {
    const { template } = build();
    for (const id of ['step', 'stepBack', 'continue', 'reverseContinue']) expect(find(template, id).registerAccelerator).toBe(false);
    for (const id of ['openElf', 'record', 'saveRecordingAs']) expect(find(template, id).registerAccelerator).toBeUndefined();
  });

  it('sends the command of a clicked item, and Recent files with their path and kind', () => {
    const { template, sent } = build({ recent: [
      { path: '/home/u/run_1.hsrec', kind: 'recording', at: 2 },
      { path: '/home/u/fw.elf', kind: 'elf', at: 1 },
    ], state: { enabled: { openRecording: true, step: true } } });
    (find(template, 'step').click as () => void)();
    (find(template, 'recent-0').click as () => void)();
    expect(sent).toEqual([{ id: 'step' }, { id: 'openRecent', path: '/home/u/run_1.hsrec', kind: 'recording' }]);
    // An ELF is recorded when opened: it follows Open ELF's state.
    expect(find(template, 'recent-0').enabled).toBe(true);
    expect(find(template, 'recent-1').enabled).toBe(false);
  });

  it('has a Replay item that follows the renderer\'s state and sends its command, as Step does', () => {
    const off = build({ state: { enabled: { step: true } } });
    expect(off.lines).toContain('Debug/Replay [CmdOrCtrl+Shift+R] off');
    const { template, sent, lines } = build({ state: { enabled: { replay: true, stop: false } } });
    expect(lines).toContain('Debug/Replay [CmdOrCtrl+Shift+R] on');
    expect(lines).toContain('Debug/Stop [CmdOrCtrl+.] off');
    // Its key is registered (the page has no key of its own for it).
    expect(find(template, 'replay').registerAccelerator).toBeUndefined();
    (find(template, 'replay').click as () => void)();
    (find(template, 'record').click as () => void)();
    (find(template, 'stop').click as () => void)();
    expect(sent).toEqual([{ id: 'replay' }, { id: 'record' }, { id: 'stop' }]);
  });

  it('follows the platform: an app menu on macOS, developer tools only in development', () => {
    const mac = build({ platform: 'darwin' }).template;
    expect(mac[0]!.role).toBe('appMenu');
    expect(mac.some((m) => m.role === 'windowMenu')).toBe(true);
    expect(build().template[0]!.id).toBe('file');
    expect(build({ packaged: false }).lines).toContain('View/toggleDevTools on');
    expect(build({ packaged: true }).lines.some((l) => l.includes('toggleDevTools'))).toBe(false);
  });
});
