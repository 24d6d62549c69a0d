import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findElectron } from './electron-binary.js';

let dirs: string[] = [];
afterEach(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); dirs = []; });

/** A project folder with node_modules/electron as npm leaves it (binary or not). */
function project(opts: { binary: boolean; pathTxt?: string }): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'hindsight-electron-'));
  dirs.push(root);
  const pkg = path.join(root, 'node_modules', 'electron');
  mkdirSync(path.join(pkg, 'dist'), { recursive: true });
  writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: 'electron', version: '45.4.1' }));
  // What must never run: requiring the package downloads the binary.
  writeFileSync(path.join(pkg, 'index.js'), 'throw new Error("index.js was loaded")');
  if (opts.pathTxt !== undefined) writeFileSync(path.join(pkg, 'path.txt'), opts.pathTxt);
  if (opts.binary) {
    writeFileSync(path.join(pkg, 'dist', opts.pathTxt ?? 'electron'), '');
    writeFileSync(path.join(pkg, 'dist', 'version'), 'v45.4.1');
  }
  return root;
}

describe('finding the Electron binary without downloading it', () => {
  it('finds the downloaded binary through path.txt', () => {
    const root = project({ binary: true, pathTxt: 'electron' });
    expect(findElectron(root, {}, 'linux')).toEqual({ found: true, path: path.join(root, 'node_modules/electron/dist/electron'), version: '45.4.1' });
  });

  it('says what is missing and how to get it when npm installed the package without its binary', () => {
    const r = findElectron(project({ binary: false }), {}, 'linux');
    expect(r.found).toBe(false);
    if (r.found) return;
    expect(r.why).toBe('no Electron 45.4.1 binary (node_modules/electron/dist/electron is missing: the electron package downloads it separately, from github.com)');
    expect(r.howToGet).toContain('node node_modules/electron/install.js');
    expect(findElectron(project({ binary: false }), {}, 'darwin')).toMatchObject({ why: expect.stringContaining('Electron.app/Contents/MacOS/Electron') });
  });

  it('reports a missing package, and an explicit HINDSIGHT_ELECTRON that does not exist', () => {
    const empty = mkdtempSync(path.join(os.tmpdir(), 'hindsight-electron-'));
    dirs.push(empty);
    expect(findElectron(empty, {}, 'linux')).toEqual({ found: false, why: 'the electron package is not installed', howToGet: 'run npm install' });
    expect(findElectron(empty, { HINDSIGHT_ELECTRON: path.join(empty, 'nope') }, 'linux')).toMatchObject({ found: false, why: expect.stringContaining('HINDSIGHT_ELECTRON names') });
  });

  it('honours ELECTRON_OVERRIDE_DIST_PATH as the electron package does', () => {
    const root = project({ binary: false });
    const dist = path.join(root, 'elsewhere');
    mkdirSync(dist);
    writeFileSync(path.join(dist, 'electron'), '');
    expect(findElectron(root, { ELECTRON_OVERRIDE_DIST_PATH: dist }, 'linux')).toMatchObject({ found: true, path: path.join(dist, 'electron') });
  });
});
