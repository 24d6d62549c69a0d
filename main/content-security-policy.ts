// The desktop window's Content-Security-Policy, sent as a header with every file the app protocol
// serves (app-protocol.ts). Everything the UI loads is its own built files: no remote scripts,
// styles, fonts, images or connections, no plugins, no <base>, no forms posting anywhere, no frames.
// It talks to the core only through the preload, so it needs no connect-src at all.
//
// The exceptions and why: 'unsafe-inline' styles (React style props, xterm.js and Monaco set
// element styles); data: images and fonts (Monaco's codicons, xterm's glyph atlas); blob: workers
// (Monaco's language workers when bundled as blobs). No 'unsafe-eval' anywhere.

export const CONTENT_SECURITY_POLICY: Readonly<Record<string, readonly string[]>> = {
  'default-src': ["'none'"],
  'script-src': ["'self'"],
  'style-src': ["'self'", "'unsafe-inline'"],
  'img-src': ["'self'", 'data:'],
  'font-src': ["'self'", 'data:'],
  'worker-src': ["'self'", 'blob:'],
  'connect-src': ["'self'"],
  'manifest-src': ["'self'"],
  'object-src': ["'none'"],
  'frame-src': ["'none'"],
  'frame-ancestors': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'none'"],
};

/** The policy as a header value. */
export function contentSecurityPolicy(policy: Readonly<Record<string, readonly string[]>> = CONTENT_SECURITY_POLICY): string {
  return Object.entries(policy).map(([directive, sources]) => `${directive} ${sources.join(' ')}`).join('; ');
}
