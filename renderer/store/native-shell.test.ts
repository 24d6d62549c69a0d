import { describe, expect, it } from 'vitest';
import type { MenuCommand, MenuState } from '../../native-bridge/ipc/contract.js';
import { createHindsightStore } from './index.js';
import { bindNativeShell, menuStateOf, runMenuCommand } from './native-shell.js';

describe('the desktop menu and native dialogs on the store', () => {
  it('enables only what the UI can do now', () => {
    const store = createHindsightStore();
    expect(Object.entries(menuStateOf(store.getState()).enabled).filter(([, on]) => on)).toEqual([]);
    store.setState({ status: 'open' });
    const on = (): string[] => Object.entries(menuStateOf(store.getState()).enabled).filter(([, v]) => v).map(([k]) => k).sort();
    expect(on()).toEqual(['openElf', 'openRecording', 'record']);
    store.setState({ busy: { operation: 'reverse continue', done: 1, total: 9 } });
    expect(on()).toEqual([]);
  });

  it('runs the store action of a menu command', () => {
    const store = createHindsightStore();
    const ran: string[] = [];
    store.setState({
      step: async () => { ran.push('step'); }, openRecording: async (p: string) => { ran.push(`open ${p}`); return true; },
      showFileDialog: (m) => { ran.push(`dialog ${m}`); }, openRecordDialog: () => { ran.push('record'); },
    });
    for (const c of [{ id: 'step' }, { id: 'openRecent', path: '/r.hsrec', kind: 'recording' }, { id: 'saveRecordingAs' }, { id: 'record' }] as MenuCommand[]) runMenuCommand(store, c);
    expect(ran).toEqual(['step', 'open /r.hsrec', 'dialog save-recording', 'record']);
  });

  it('makes file dialogs native and reports menu state changes once each', async () => {
    const store = createHindsightStore();
    const opened: string[] = [];
    store.setState({ openElf: async (p: string) => { opened.push(p); return true; } });
    const states: MenuState[] = [];
    let menu: (c: MenuCommand) => void = () => {};
    bindNativeShell(store, { showDialog: async (kind) => (kind === 'open-elf' ? '/fw.elf' : null), onMenuCommand: (l) => { menu = l; return () => {}; }, setMenuState: (s) => states.push(s) });
    menu({ id: 'openElf' });
    await new Promise((r) => setTimeout(r, 0));
    expect(opened).toEqual(['/fw.elf']);
    store.setState({ status: 'open' });
    store.setState({ status: 'open' });
    expect(states.map((s) => s.enabled.openElf)).toEqual([false, true]);
  });
});
