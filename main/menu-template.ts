// The application menu as data: File (Open ELF, Open Recording, Recent, Save Recording As), Edit,
// Debug (Record, Stop, Replay, Step, Step Back, Continue, Reverse Continue), View, Help. A pure
// function of what the renderer says it can do now (MenuState) and the Recent list, so items,
// accelerators and enabled states are tested without Electron. A click only sends a MenuCommand to
// the renderer, which runs the same store action as the toolbar.
//
// Step, Step Back, Continue and Reverse Continue show their keys (F10, Shift+F10, F5, Shift+F5) but
// do not register them: the toolbar's key handler already runs them in the page, and a registered
// accelerator would run each press twice on platforms that deliver it to both.

import type { MenuItemConstructorOptions } from 'electron';
import type { RecentFile } from '../app/protocol/index.js';
import type { MenuCommand, MenuCommandId, MenuState } from '../native-bridge/ipc/contract.js';

export interface MenuInput {
  readonly platform: NodeJS.Platform;
  readonly state: MenuState;
  readonly recent: readonly RecentFile[];
  /** Packaged builds have no developer tools item. */
  readonly packaged: boolean;
}

export interface MenuActions {
  command(command: MenuCommand): void;
}

interface CommandItem {
  readonly id: MenuCommandId;
  readonly label: string;
  readonly accelerator?: string;
  /** Shown, not registered (the page handles the key). */
  readonly pageKey?: boolean;
}

const FILE_OPEN: readonly CommandItem[] = [
  { id: 'openElf', label: 'Open ELF…', accelerator: 'CmdOrCtrl+O' },
  { id: 'openRecording', label: 'Open Recording…', accelerator: 'CmdOrCtrl+Shift+O' },
];
const FILE_SAVE: CommandItem = { id: 'saveRecordingAs', label: 'Save Recording As…', accelerator: 'CmdOrCtrl+Shift+S' };
const DEBUG_SESSION: readonly CommandItem[] = [
  { id: 'record', label: 'Record', accelerator: 'CmdOrCtrl+R' },
  { id: 'stop', label: 'Stop', accelerator: 'CmdOrCtrl+.' },
  { id: 'replay', label: 'Replay', accelerator: 'CmdOrCtrl+Shift+R' },
];
const DEBUG_MOVE: readonly CommandItem[] = [
  { id: 'step', label: 'Step', accelerator: 'F10', pageKey: true },
  { id: 'stepBack', label: 'Step Back', accelerator: 'Shift+F10', pageKey: true },
  { id: 'continue', label: 'Continue', accelerator: 'F5', pageKey: true },
  { id: 'reverseContinue', label: 'Reverse Continue', accelerator: 'Shift+F5', pageKey: true },
];

/** How many Recent entries the submenu shows. */
export const RECENT_IN_MENU = 10;

export function menuTemplate(input: MenuInput, actions: MenuActions): MenuItemConstructorOptions[] {
  const mac = input.platform === 'darwin';
  const on = (id: MenuCommandId): boolean => input.state.enabled[id] === true;
  const item = (c: CommandItem): MenuItemConstructorOptions => ({
    id: c.id,
    label: c.label,
    ...(c.accelerator ? { accelerator: c.accelerator } : {}),
    ...(c.pageKey ? { registerAccelerator: false } : {}),
    enabled: on(c.id),
    click: () => actions.command({ id: c.id }),
  });

  const recent: MenuItemConstructorOptions[] = input.recent.length === 0
    ? [{ id: 'recent-none', label: 'No Recent Files', enabled: false }]
    : input.recent.slice(0, RECENT_IN_MENU).map((r, i) => ({
      id: `recent-${i}`,
      // Mnemonics off: a path's underscores are not access keys.
      label: `${r.path}${r.kind === 'elf' ? '  (ELF: record)' : ''}`,
      enabled: on(r.kind === 'elf' ? 'openElf' : 'openRecording'),
      click: () => actions.command({ id: 'openRecent', path: r.path, kind: r.kind }),
    }));

  const file: MenuItemConstructorOptions = {
    id: 'file',
    label: '&File',
    submenu: [
      ...FILE_OPEN.map(item),
      { id: 'recent', label: 'Open &Recent', submenu: recent },
      { type: 'separator' },
      item(FILE_SAVE),
      { type: 'separator' },
      mac ? { role: 'close' } : { role: 'quit' },
    ],
  };
  const edit: MenuItemConstructorOptions = {
    id: 'edit',
    label: '&Edit',
    // Copy and paste in the inputs, the console and the source view (macOS has no keys without these).
    submenu: [{ role: 'undo' }, { role: 'redo' }, { type: 'separator' }, { role: 'cut' }, { role: 'copy' }, { role: 'paste' }, { role: 'selectAll' }],
  };
  const debug: MenuItemConstructorOptions = {
    id: 'debug',
    label: '&Debug',
    submenu: [...DEBUG_SESSION.map(item), { type: 'separator' }, ...DEBUG_MOVE.map(item)],
  };
  const view: MenuItemConstructorOptions = {
    id: 'view',
    label: '&View',
    submenu: [
      { role: 'resetZoom' }, { role: 'zoomIn' }, { role: 'zoomOut' }, { type: 'separator' }, { role: 'togglefullscreen' },
      ...(input.packaged ? [] : [{ type: 'separator' } as const, { role: 'toggleDevTools' } as const]),
    ],
  };
  const help: MenuItemConstructorOptions = { id: 'help', label: '&Help', role: 'help', submenu: [{ role: 'about' }] };

  return [
    ...(mac ? [{ role: 'appMenu' } as const] : []),
    file, edit, debug, view,
    ...(mac ? [{ role: 'windowMenu' } as const] : []),
    help,
  ];
}

/** The label-less view of a template for tests and logs: "File/Open ELF… [CmdOrCtrl+O] on". */
export function describeMenu(items: readonly MenuItemConstructorOptions[], prefix = ''): string[] {
  const out: string[] = [];
  for (const m of items) {
    if (m.type === 'separator') continue;
    const name = `${prefix}${(m.label ?? m.role ?? '?').replace(/&/g, '')}`;
    if (Array.isArray(m.submenu)) {
      out.push(...describeMenu(m.submenu, `${name}/`));
      continue;
    }
    out.push(`${name}${m.accelerator ? ` [${m.accelerator}]` : ''}${m.enabled === false ? ' off' : ' on'}`);
  }
  return out;
}
