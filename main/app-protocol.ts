// The window loads the built renderer (dist/renderer) through a privileged custom scheme,
// hindsight://app/..., instead of file:// (Electron's security checklist: file:// pages may read
// any local file, and a custom scheme lets every response carry our CSP header). Only files under
// the renderer folder are served; anything else is 404/403. The URL mapping is a pure function.

import path from 'node:path';

export const APP_SCHEME = 'hindsight';
export const APP_HOST = 'app';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_INDEX_URL = `${APP_ORIGIN}/index.html`;

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png',
  '.woff2': 'font/woff2', '.woff': 'font/woff', '.ttf': 'font/ttf', '.map': 'application/json', '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
};

export type AppFile = { readonly file: string; readonly contentType: string } | { readonly status: 403 | 404; readonly why: string };

/** The file under `root` that `url` names, or why there is none. */
export function resolveAppFile(url: string, root: string): AppFile {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return { status: 404, why: `not a URL: ${url}` };
  }
  if (u.protocol !== `${APP_SCHEME}:` || u.host !== APP_HOST) return { status: 403, why: `not the app's origin: ${u.origin}` };
  let rel: string;
  try {
    rel = decodeURIComponent(u.pathname);
  } catch {
    return { status: 404, why: `bad escape in ${u.pathname}` };
  }
  if (rel === '/' || rel === '') rel = '/index.html';
  if (rel.includes('\0')) return { status: 404, why: 'NUL in path' };
  const base = path.resolve(root);
  const file = path.resolve(base, `.${rel}`);
  if (!file.startsWith(base + path.sep)) return { status: 403, why: `outside the app: ${rel}` };
  return { file, contentType: TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream' };
}

/** Whether a navigation or a new window may go to `url`: only the app's own page (a reload). */
export function isAppPage(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST && (u.pathname === '/' || u.pathname === '/index.html');
  } catch {
    return false;
  }
}
