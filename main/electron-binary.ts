// Where the Electron binary is, without asking the `electron` package: since 45.x its index.js
// downloads the binary on first require (and throws if it cannot), and installing it downloads
// nothing. So `npm ci` never needs github.com, and nothing here may trigger a download either:
// we read the package's own path.txt / dist folder, as its index.js would, and report what is
// missing and how to get it. Used by `npm start` (launch.ts) and the e2e's Electron host.

import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export type ElectronBinary =
  | { readonly found: true; readonly path: string; readonly version: string }
  | { readonly found: false; readonly why: string; readonly howToGet: string };

function platformExecutable(platform: NodeJS.Platform): string {
  if (platform === 'darwin') return 'Electron.app/Contents/MacOS/Electron';
  if (platform === 'win32') return 'electron.exe';
  return 'electron';
}

function read(file: string): string | null {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return null;
  }
}

/** `root`: the project folder (its node_modules/electron). HINDSIGHT_ELECTRON names a binary explicitly. */
export function findElectron(root: string, env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): ElectronBinary {
  const explicit = env.HINDSIGHT_ELECTRON;
  if (explicit) {
    const howToGet = 'point HINDSIGHT_ELECTRON at an Electron executable, or unset it';
    if (!existsSync(explicit)) return { found: false, why: `HINDSIGHT_ELECTRON names ${explicit}, which does not exist`, howToGet };
    // Its version decides the ABI its native addons are built for.
    const r = spawnSync(explicit, ['--version'], { encoding: 'utf8', timeout: 30_000 });
    const version = /^v?(\d+\.\d+\.\d+)/.exec(r.stdout ?? '')?.[1];
    return version ? { found: true, path: path.resolve(explicit), version } : { found: false, why: `HINDSIGHT_ELECTRON (${explicit}) did not tell its version`, howToGet };
  }
  const pkgDir = path.join(root, 'node_modules', 'electron');
  const version = (JSON.parse(read(path.join(pkgDir, 'package.json')) ?? 'null') as { version?: string } | null)?.version;
  if (!version) return { found: false, why: 'the electron package is not installed', howToGet: 'run npm install' };
  const exe = read(path.join(pkgDir, 'path.txt')) ?? platformExecutable(platform);
  const dist = env.ELECTRON_OVERRIDE_DIST_PATH || path.join(pkgDir, 'dist');
  const file = path.join(dist, exe);
  if (existsSync(file)) return { found: true, path: file, version: read(path.join(dist, 'version'))?.replace(/^v/, '') ?? version };
  return {
    found: false,
    why: `no Electron ${version} binary (${path.relative(root, file) || file} is missing: the electron package downloads it separately, from github.com)`,
    howToGet: 'get it with `node node_modules/electron/install.js` (ELECTRON_MIRROR selects a mirror), or set HINDSIGHT_ELECTRON to an Electron executable',
  };
}
