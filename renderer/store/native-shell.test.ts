import { describe, expect, it } from 'vitest';
import type { RecordingInfo } from '../../app/protocol/index.js';
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

  it('enables Replay with a recording on screen, and Stop while it plays; runs both', () => {
    const store = createHindsightStore();
    const on = (): string[] => Object.entries(menuStateOf(store.getState()).enabled).filter(([, v]) => v).map(([k]) => k).sort();
    const info = { end: 100, instructionsPerSecond: 1e9 } as RecordingInfo;
    store.setState({ status: 'open', info, state: { icount: 100, pc: 0, priv: 'M', registers: [], csrs: [], waiting: false } });
    expect(on()).toEqual(['continue', 'openElf', 'openRecording', 'record', 'replay', 'reverseContinue', 'saveRecordingAs', 'step', 'stepBack']);
    store.setState({ replaying: { from: 0, rate: 10 } });
    expect(on()).toContain('stop');
    expect(on()).not.toContain('replay');
    const ran: string[] = [];
    store.setState({
      replay: async () => { ran.push('replay'); }, stopReplay: (why) => { ran.push(`stopReplay ${why}`); },
      stopRecording: async () => { ran.push('stopRecording'); },
    });
    runMenuCommand(store, { id: 'replay' });
    runMenuCommand(store, { id: 'stop' });
    // While recording, Stop ends the recording (Replay is off then).
    store.setState({ live: { guestImageName: 'shell.elf', devices: [], icount: 5, state: 'running', consoleLength: 0, maxInsns: null, endReason: null }, replaying: null });
    expect(on()).toContain('stop');
    expect(on()).not.toContain('replay');
    runMenuCommand(store, { id: 'stop' });
    expect(ran).toEqual(['replay', 'stopReplay pause', 'stopRecording']);
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
