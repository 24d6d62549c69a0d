import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { APP_INDEX_URL, isAppPage, resolveAppFile } from './app-protocol.js';

const ROOT = path.resolve('/srv/hindsight/dist/renderer');

describe('the hindsight:// app scheme', () => {
  it('maps app URLs to files under the renderer folder with their types', () => {
    expect(resolveAppFile(APP_INDEX_URL, ROOT)).toEqual({ file: path.join(ROOT, 'index.html'), contentType: 'text/html; charset=utf-8' });
    expect(resolveAppFile('hindsight://app/', ROOT)).toEqual({ file: path.join(ROOT, 'index.html'), contentType: 'text/html; charset=utf-8' });
    expect(resolveAppFile('hindsight://app/assets/index-abc.js?x=1', ROOT)).toEqual({ file: path.join(ROOT, 'assets', 'index-abc.js'), contentType: 'text/javascript; charset=utf-8' });
    expect(resolveAppFile('hindsight://app/assets/a%20b.woff2', ROOT)).toMatchObject({ file: path.join(ROOT, 'assets', 'a b.woff2'), contentType: 'font/woff2' });
  });

  it('never serves anything outside it, or for another origin', () => {
    expect(resolveAppFile('hindsight://app/..%2F..%2Fetc%2Fpasswd', ROOT)).toMatchObject({ status: 403 });
    // The URL parser resolves a dot-segment above the root to the root itself: still inside.
    expect(resolveAppFile('hindsight://app/%2e%2e/main.cjs', ROOT)).toMatchObject({ file: path.join(ROOT, 'main.cjs') });
    expect(resolveAppFile('hindsight://other/index.html', ROOT)).toMatchObject({ status: 403 });
    expect(resolveAppFile('file:///etc/passwd', ROOT)).toMatchObject({ status: 403 });
    expect(resolveAppFile('hindsight://app/%E0%A4%A', ROOT)).toMatchObject({ status: 404 });
    expect(resolveAppFile('hindsight://app/a%00b', ROOT)).toMatchObject({ status: 404 });
  });

  it('lets the window navigate only to its own page', () => {
    expect(isAppPage(APP_INDEX_URL)).toBe(true);
    expect(isAppPage('hindsight://app/')).toBe(true);
    expect(isAppPage('hindsight://app/assets/x.js')).toBe(false);
    expect(isAppPage('https://example.com/')).toBe(false);
    expect(isAppPage('file:///work/main/dist/renderer/index.html')).toBe(false);
    expect(isAppPage('not a url')).toBe(false);
  });
});
