// Shared by the e2e specs: start `hindsight serve` (the built CLI), launch Debian's Chromium
// through playwright-core, record fixtures with the CLI, save screenshots to e2e/artifacts/.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { electronSkipReason, launchElectron } from './electron-host.js';

export const ROOT = path.resolve(import.meta.dirname, '..');
export const ARTIFACTS = path.join(ROOT, 'e2e', 'artifacts');
const CLI = path.join(ROOT, 'bin', 'hindsight.mjs');
export const CHROMIUM = process.env.HINDSIGHT_CHROMIUM ?? '/usr/bin/chromium';

/** Whether the e2e specs can run here: a Chromium and the built UI. */
export function e2eSkipReason(): string | null {
  if (!existsSync(CHROMIUM)) return `no Chromium at ${CHROMIUM} (apt-get install chromium, or set HINDSIGHT_CHROMIUM)`;
  if (!existsSync(path.join(ROOT, 'dist', 'renderer', 'index.html'))) return 'the UI is not built (npm run build)';
  return null;
}

export interface Served {
  readonly url: string;
  readonly origin: string;
  readonly port: number;
  readonly token: string;
  readonly stderr: () => string;
  stop(): Promise<void>;
}

/**
 * Starts `hindsight serve ARGS` and waits for the one URL line it prints. Its config folder (the
 * Recent list) is a fresh temporary one unless `configHome` names one: tests never touch the user's.
 */
export function serve(args: string[] = [], opts: { configHome?: string; cwd?: string } = {}): Promise<Served> {
  const configHome = opts.configHome ?? mkdtempSync(path.join(os.tmpdir(), 'hindsight-e2e-config-'));
  const child: ChildProcess = spawn(process.execPath, [CLI, 'serve', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, XDG_CONFIG_HOME: configHome }, ...(opts.cwd ? { cwd: opts.cwd } : {}),
  });
  let out = '', err = '';
  child.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`serve printed no URL in 30 s; stderr: ${err}`)); }, 30_000);
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${err}`)));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      const url = out.slice(0, nl);
      const u = new URL(url);
      resolve({
        url, origin: u.origin, port: Number(u.port), token: u.searchParams.get('token') ?? '',
        stderr: () => err,
        stop: () => new Promise<void>((res) => {
          const done = (): void => {
            if (!opts.configHome) rmSync(configHome, { recursive: true, force: true });
            res();
          };
          if (child.exitCode !== null) { done(); return; }
          child.removeAllListeners('exit');
          child.on('exit', () => done());
          child.kill('SIGTERM');
        }),
      });
    });
  });
}

export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run'],
  });
}

/** The two hosts the journeys run against: Chromium on `hindsight serve`, and the Electron app. */
export type HostKind = 'browser' | 'electron';
export const HOSTS: readonly HostKind[] = ['browser', 'electron'];

/** Why the specs cannot run on `host` here, or null (the describe names it, so the report says why). */
export function hostSkipReason(host: HostKind): string | null {
  return e2eSkipReason() ?? (host === 'electron' ? electronSkipReason() : null);
}

/** The app on `host`, opened with serve-style ARGS (a FILE, or none: the bundled sample): its UI page. */
export async function openApp(host: HostKind, args: string[] = []): Promise<{ page: Page; errors: string[]; close(): Promise<void> }> {
  if (host === 'electron') return launchElectron(args);
  const [served, browser] = await Promise.all([serve(args), launch()]);
  const { page, errors } = await openUi(browser, served.url);
  return { page, errors, close: async () => { await browser.close(); await served.stop(); } };
}

/** A page on the served UI, at 1600x900, with page errors collected. */
export async function openUi(browser: Browser, url: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1600, height: 900 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(url);
  await page.waitForSelector('[data-testid=disasm-pc]');
  return { page, errors };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

/** The position the toolbar shows. */
export async function shownIcount(page: Page): Promise<number> {
  return Number(await page.getByTestId('position').getAttribute('data-icount'));
}

/** Waits until the toolbar shows `icount`. */
export async function waitForIcount(page: Page, icount: number): Promise<void> {
  await page.waitForSelector(`[data-testid=position][data-icount="${icount}"]`);
}

/** The text xterm.js shows, line by line, trailing blanks trimmed (what a person sees). */
export async function consoleLines(page: Page): Promise<string[]> {
  const rows = await page.locator('[data-testid=console] .xterm-rows > div').allTextContents();
  const lines = rows.map((r) => r.replace(/\u00a0/g, ' ').trimEnd());
  while (lines.length && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** A temporary folder removed by the returned function. */
export function tempDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hindsight-e2e-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Runs the CLI; returns stdout (throws with stderr when the exit code is not in `okCodes`). */
export function cli(args: string[], okCodes: number[] = [0]): string {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (!okCodes.includes(r.status ?? -1)) throw new Error(`hindsight ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

/** The sample shell recorded with its demo input (what `serve` opens by default, without its virtual CDC-ACM device). */
export function recordShell(dir: string): string {
  const file = path.join(dir, 'shell.hsrec');
  cli(['record', '--serial-in', path.join(ROOT, 'assets/firmware/shell-demo.txt'), '-o', file, '--force']);
  return file;
}

export interface QueryState { icount: number; pc: number; x: number[] }

export function queryState(file: string, at: number | 'end'): QueryState {
  return JSON.parse(cli(['query', file, 'state', '--at', String(at), '--json'])) as QueryState;
}

/**
 * The fixture most journeys share: the sample shell recorded into a temp dir, served, and a
 * browser. Call inside a describe block; the fields are filled in by its beforeAll.
 */
export function servedShellRecording(): { served: Served; browser: Browser; file: string } {
  const ctx = {} as { served: Served; browser: Browser; file: string };
  const tmp = tempDir();
  beforeAll(async () => {
    ctx.file = recordShell(tmp.dir);
    [ctx.served, ctx.browser] = await Promise.all([serve([ctx.file]), launch()]);
  });
  afterAll(async () => {
    await ctx.browser?.close();
    await ctx.served?.stop();
    tmp.remove();
  });
  return ctx;
}
