import { describe, expect, it } from 'vitest';
import { windowOptions } from './window-options.js';
import { CONTENT_SECURITY_POLICY, contentSecurityPolicy } from './content-security-policy.js';

describe('the window and its content security policy', () => {
  it('isolates and sandboxes the renderer, with no Node, and loads the preload', () => {
    const o = windowOptions({ preload: '/app/dist/preload.cjs', icon: '/app/icon.png' });
    expect(o.webPreferences).toMatchObject({
      preload: '/app/dist/preload.cjs', contextIsolation: true, nodeIntegration: false, nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false, sandbox: true, webSecurity: true, allowRunningInsecureContent: false, webviewTag: false,
    });
    expect(o.show).toBe(false);
    expect(o.icon).toBe('/app/icon.png');
    expect(windowOptions({ preload: 'p' }).icon).toBeUndefined();
  });

  it('allows only the app\'s own files: no remote content, eval, plugins, frames or forms', () => {
    const csp = contentSecurityPolicy();
    expect(csp.startsWith("default-src 'none'; script-src 'self';")).toBe(true);
    const all = Object.values(CONTENT_SECURITY_POLICY).flat();
    expect(all.filter((s) => /^(https?:|ws:|wss:|\*|'unsafe-eval'|file:)/.test(s))).toEqual([]);
    expect(CONTENT_SECURITY_POLICY['script-src']).toEqual(["'self'"]);
    for (const d of ['object-src', 'frame-src', 'frame-ancestors', 'base-uri', 'form-action']) expect(CONTENT_SECURITY_POLICY[d]).toEqual(["'none'"]);
    expect(csp.split('; ')).toHaveLength(Object.keys(CONTENT_SECURITY_POLICY).length);
  });
});
