// Native addons for Electron in development (`npm start`). better-sqlite3 talks to V8 directly, so
// the build `npm install` made for Node cannot load in Electron (another NODE_MODULE_VERSION).
// Rebuilding node_modules in place would break the CLI and the tests, which run on Node; so the
// Electron build goes to its own folder, once per Electron version, and the engine loads it
// through HINDSIGHT_SQLITE_BINDING (app/node/trace-store/sqlite-open.ts). `usb` is N-API (the same
// binary loads in both). Packaged apps are rebuilt in place by electron-builder instead.
//
// Building needs the network once (Electron's headers, or a prebuilt addon from GitHub) and a C++
// toolchain if no prebuilt one matches; failures say so.

import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export function electronAddonDir(root: string, electronVersion: string, platform: string = process.platform, arch: string = process.arch): string {
  return path.join(root, 'node_modules', '.cache', 'hindsight-electron', `${electronVersion}-${platform}-${arch}`);
}

/** The better_sqlite3.node built for this Electron (building it first if needed). */
export async function electronSqliteBinding(root: string, electronVersion: string, log: (line: string) => void): Promise<string> {
  const dir = electronAddonDir(root, electronVersion);
  const moduleDir = path.join(dir, 'node_modules', 'better-sqlite3');
  const binding = path.join(moduleDir, 'build', 'Release', 'better_sqlite3.node');
  const source = path.join(root, 'node_modules', 'better-sqlite3');
  const version = (JSON.parse(readFileSync(path.join(source, 'package.json'), 'utf8')) as { version: string }).version;
  const stamp = path.join(dir, 'built-from');
  if (existsSync(binding) && existsSync(stamp) && readFileSync(stamp, 'utf8') === version) return binding;

  log(`building better-sqlite3 ${version} for Electron ${electronVersion} (once; into ${path.relative(root, dir)})`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(path.dirname(moduleDir), { recursive: true });
  // The sources without the Node build; the rebuild makes build/ anew.
  cpSync(source, moduleDir, { recursive: true, filter: (f) => path.relative(source, f).split(path.sep)[0] !== 'build' });
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'hindsight-electron-addons', private: true, dependencies: { 'better-sqlite3': version } }));
  const { rebuild } = await import('@electron/rebuild');
  try {
    await rebuild({ buildPath: dir, electronVersion, onlyModules: ['better-sqlite3'], force: true });
  } catch (e) {
    throw new Error(`cannot build better-sqlite3 for Electron ${electronVersion}: ${(e as Error).message} (it needs the network once, and a C++ toolchain when no prebuilt addon matches)`);
  }
  if (!existsSync(binding)) throw new Error(`building better-sqlite3 for Electron ${electronVersion} made no ${binding}`);
  writeFileSync(stamp, version);
  return binding;
}
