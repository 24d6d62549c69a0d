// The desktop app as an e2e host: Electron started by playwright-core's `_electron` on the built
// dist/main.cjs, with the engine's SQLite addon built for Electron (main/native-modules.ts), as
// `npm start` does. Where no Electron binary exists (it is downloaded separately from the npm
// package), electronSkipReason() says so and the specs skip.

import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import { findElectron } from '../main/electron-binary.js';
import { electronSqliteBinding } from '../main/native-modules.js';

const ROOT = path.resolve(import.meta.dirname, '..');

/** Why the Electron host cannot run here, or null. */
export function electronSkipReason(): string | null {
  const e = findElectron(ROOT);
  if (!e.found) return `Electron host skipped: ${e.why}`;
  if (!existsSync(path.join(ROOT, 'dist', 'main.cjs'))) return 'Electron host skipped: the app is not built (npm run build)';
  return null;
}

export interface ElectronRun {
  readonly app: ElectronApplication;
  readonly page: Page;
  readonly errors: string[];
  close(): Promise<void>;
}

/** Starts the desktop app with `args` (a FILE, or none for the bundled sample) and waits for its UI. */
export async function launchElectron(args: readonly string[] = []): Promise<ElectronRun> {
  const e = findElectron(ROOT);
  if (!e.found) throw new Error(`${e.why}; ${e.howToGet}`);
  const binding = await electronSqliteBinding(ROOT, e.version, () => {});
  // A fresh config folder: the Recent list and Electron's own data never touch the user's.
  const config = mkdtempSync(path.join(os.tmpdir(), 'hindsight-e2e-electron-'));
  const app = await _electron.launch({
    executablePath: e.path,
    args: [path.join(ROOT, 'dist', 'main.cjs'), ...args],
    env: { ...process.env, HINDSIGHT_SQLITE_BINDING: binding, XDG_CONFIG_HOME: config },
  });
  const page = await app.firstWindow();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.waitForSelector('[data-testid=disasm-pc]', { timeout: 60_000 });
  return {
    app, page, errors,
    close: async () => {
      await app.close();
      rmSync(config, { recursive: true, force: true });
    },
  };
}
