// The Recent list (File > Recent): recordings and ELFs opened or saved, newest first, kept in the
// user's config folder so it survives restarts and is shared by the browser host and Electron:
// $XDG_CONFIG_HOME/hindsight/recent.json (default ~/.config) on Linux and other Unixes,
// ~/Library/Application Support/hindsight on macOS, %APPDATA%\hindsight on Windows.
//
// The file is small JSON rewritten whole through a temporary file and a rename, so a crash never
// leaves half a list. A damaged or unreadable file is not fatal: the list starts empty, and the
// reason is kept (`problem`) for the host to report once.

import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RecentFile } from '../../protocol/host-dto.js';

export const MAX_RECENT = 10;

/** The folder Hindsight keeps its settings in, as the platform's conventions say. */
export function configDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (platform === 'win32') return path.join(env.APPDATA || path.join(os.homedir(), 'AppData', 'Roaming'), 'hindsight');
  if (platform === 'darwin') return path.join(os.homedir(), 'Library', 'Application Support', 'hindsight');
  // XDG: only an absolute XDG_CONFIG_HOME counts (the spec says relative ones are invalid).
  const xdg = env.XDG_CONFIG_HOME;
  return path.join(xdg && path.isAbsolute(xdg) ? xdg : path.join(os.homedir(), '.config'), 'hindsight');
}

function valid(x: unknown): x is RecentFile {
  const r = x as RecentFile;
  return typeof r === 'object' && r !== null && typeof r.path === 'string' && (r.kind === 'recording' || r.kind === 'elf') && typeof r.at === 'number';
}

export class RecentFiles {
  private items: RecentFile[] = [];
  /** Why the stored list could not be read, or null. */
  readonly problem: string | null = null;

  constructor(readonly file: string = path.join(configDir(), 'recent.json'), private readonly now: () => number = Date.now) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') this.problem = `cannot read the Recent list ${file}: ${(e as Error).message}`;
      return;
    }
    try {
      const data = JSON.parse(text) as unknown;
      if (!Array.isArray(data)) throw new Error('not a list');
      this.items = data.filter(valid).slice(0, MAX_RECENT);
    } catch (e) {
      this.problem = `the Recent list ${file} is damaged (${(e as Error).message}); starting a new one`;
    }
  }

  list(): readonly RecentFile[] {
    return this.items;
  }

  /** Puts `file` first (once). Throws when the list cannot be written (the caller reports it). */
  add(file: string, kind: RecentFile['kind']): void {
    const abs = path.resolve(file);
    this.items = [{ path: abs, kind, at: this.now() }, ...this.items.filter((r) => r.path !== abs)].slice(0, MAX_RECENT);
    mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(this.items, null, 2)}\n`);
    renameSync(tmp, this.file);
  }
}
