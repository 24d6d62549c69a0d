// Electron main process (bundled as dist/main.cjs): the desktop app's composition root. One window
// showing the built renderer through the hindsight:// scheme with a strict CSP, the typed IPC
// bridge (native-bridge/ipc) to the engine in a worker thread (engine.ts), the application menu
// and native dialogs. No debugger logic lives here (DESIGN.md section 2).
//
// `npm start [FILE]` runs it (main/launch.ts); with no FILE it opens the bundled sample firmware.

import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { app, BrowserWindow, dialog, ipcMain, Menu, protocol, session, type WebContents } from 'electron';
import type { RecentFile } from '../app/protocol/index.js';
import { defaultOpenRequest } from '../app/node/serve/default-open.js';
import { isElfFile } from '../app/node/guest-image.js';
import { HINDSIGHT_VERSION } from '../app/node/version.js';
import { IPC, type MenuState } from '../native-bridge/ipc/contract.js';
import { push, registerIpc, type IpcSenderInfo } from '../native-bridge/ipc/main-side.js';
import { APP_INDEX_URL, APP_SCHEME, isAppPage, resolveAppFile } from './app-protocol.js';
import { contentSecurityPolicy } from './content-security-policy.js';
import { dialogOptions, withRecordingExtension } from './dialogs.js';
import { startEngine, type Engine } from './engine.js';
import { ipcHandlers } from './ipc-handlers.js';
import { menuTemplate } from './menu-template.js';
import { windowOptions } from './window-options.js';

// dist/main.cjs: the app's root is one up (the project in development, app.asar when packaged).
const DIST = __dirname;
const ROOT = path.dirname(DIST);
const RENDERER = path.join(DIST, 'renderer');
const CSP = contentSecurityPolicy();
const log = (line: string): void => { process.stderr.write(`hindsight: ${line}\n`); };

// Before `ready`: the app scheme behaves like https (standard URLs, secure context, fetch).
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } }]);

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  main();
}

function main(): void {
  let win: BrowserWindow | null = null;
  let engine: Engine | null = null;
  let menuState: MenuState = { enabled: {} };
  let recent: readonly RecentFile[] = [];

  app.on('second-instance', () => {
    if (win) { if (win.isMinimized()) win.restore(); win.focus(); }
  });

  // Every web page this app ever creates: no new windows, no navigation away, no <webview>.
  app.on('web-contents-created', (_e, contents: WebContents) => {
    contents.setWindowOpenHandler(({ url }) => { log(`blocked a new window for ${url}`); return { action: 'deny' }; });
    contents.on('will-navigate', (e, url) => { if (!isAppPage(url)) { e.preventDefault(); log(`blocked navigation to ${url}`); } });
    contents.on('will-redirect', (e, url) => { if (!isAppPage(url)) e.preventDefault(); });
    contents.on('will-attach-webview', (e) => e.preventDefault());
  });

  const rebuildMenu = (): void => {
    const template = menuTemplate({ platform: process.platform, state: menuState, recent, packaged: app.isPackaged }, {
      command: (command) => { if (win) push(win.webContents, IPC.menu, command); },
    });
    Menu.setApplicationMenu(Menu.buildFromTemplate(template));
  };

  const refreshRecent = async (): Promise<void> => {
    const r = await engine?.host.request('recentFiles', {});
    if (r?.ok) { recent = r.result as readonly RecentFile[]; rebuildMenu(); }
  };

  void app.whenReady().then(async () => {
    // No permission (camera, notifications, USB chooser, …) is ever granted to the page.
    session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
    session.defaultSession.setPermissionCheckHandler(() => false);
    protocol.handle(APP_SCHEME, async (request) => {
      const found = resolveAppFile(request.url, RENDERER);
      if ('status' in found) return new Response(found.why, { status: found.status });
      try {
        const body = await readFile(found.file);
        return new Response(body, {
          headers: { 'Content-Type': found.contentType, 'Content-Security-Policy': CSP, 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-store' },
        });
      } catch {
        return new Response('not found', { status: 404 });
      }
    });

    if (!existsSync(path.join(RENDERER, 'index.html'))) {
      dialog.showErrorBox('Hindsight', `The UI is not built (${RENDERER} has no index.html): run npm run build.`);
      app.exit(1);
      return;
    }
    engine = startEngine({ engineWorker: path.join(DIST, 'serve-worker.mjs'), gdbWorker: path.join(DIST, 'gdb-worker.mjs') }, log);
    const host = engine.host;
    host.onEvent((event, data) => { if (win) push(win.webContents, IPC.event, { event, data }); });

    const window = new BrowserWindow(windowOptions({ preload: path.join(DIST, 'preload.cjs'), icon: path.join(ROOT, 'assets', 'build', 'icon.png') }));
    win = window;
    const handlers = ipcHandlers({
      host,
      hostName: `hindsight ${HINDSIGHT_VERSION} (Electron ${process.versions.electron})`,
      showDialog: async (kind, defaultPath) => {
        const d = dialogOptions(kind, defaultPath);
        if (d.save) {
          const r = await dialog.showSaveDialog(window, d.options);
          return r.canceled || !r.filePath ? null : withRecordingExtension(r.filePath);
        }
        const r = await dialog.showOpenDialog(window, d.options);
        return r.canceled ? null : (r.filePaths[0] ?? null);
      },
      menuStateChanged: (state) => { menuState = state; rebuildMenu(); },
      filesChanged: (file) => { app.addRecentDocument(file); void refreshRecent(); },
    });
    // Only our own page may talk to main (a navigation elsewhere is blocked anyway).
    const trusted = (sender: IpcSenderInfo): boolean => sender.senderFrame !== null && isAppPage(sender.senderFrame.url);
    const unregister = registerIpc(ipcMain, trusted, handlers.invoke, handlers.send, (why) => log(`ignored an IPC message: ${why}`));
    window.once('ready-to-show', () => window.show());
    window.on('closed', () => { unregister(); win = null; });
    rebuildMenu();
    void refreshRecent();
    await window.loadURL(APP_INDEX_URL);

    // What to show first: a file named on the command line, else the bundled sample firmware.
    const file = commandLineFile();
    const first = file === null ? defaultOpenRequest(ROOT)
      : isElfFile(file) ? { method: 'openElf' as const, params: { path: file } } : { method: 'openRecording' as const, params: { path: file } };
    const opened = await host.request(first.method, first.params, { remember: file !== null });
    if (!opened.ok) dialog.showErrorBox('Hindsight', `Cannot open ${first.params.path}: ${opened.error.message}`);
    else if (file !== null) void refreshRecent();
  });

  app.on('window-all-closed', () => app.quit());
  // Stop the engine (its worker, the gdb server, the scratch folder) before the process ends.
  let stopped = false;
  app.on('will-quit', (e) => {
    if (stopped || !engine) return;
    e.preventDefault();
    void engine.close().catch((err: unknown) => log(`closing the engine: ${String(err)}`)).finally(() => { stopped = true; app.quit(); });
  });
}

/** The first argument that is not a switch: `npm start -- FILE` or `hindsight FILE` (packaged). */
function commandLineFile(): string | null {
  const args = process.argv.slice(app.isPackaged ? 1 : 2);
  const file = args.find((a) => !a.startsWith('-'));
  return file === undefined ? null : path.resolve(file);
}
