// The debugger window's options: the renderer is an isolated, sandboxed web page with no Node,
// and it reaches the host only through the preload's typed bridge (native-bridge/preload.ts).
// A pure function so the security settings are tested, not assumed.

import type { BrowserWindowConstructorOptions } from 'electron';

export interface WindowPaths {
  /** dist/preload.cjs. */
  readonly preload: string;
  /** The window icon (Linux, Windows; macOS takes the bundle's). */
  readonly icon?: string;
}

export function windowOptions(paths: WindowPaths): BrowserWindowConstructorOptions {
  return {
    width: 1600,
    height: 960,
    minWidth: 900,
    minHeight: 600,
    title: 'Hindsight',
    // The UI's dark background, so no white flash before the first paint; shown at ready-to-show.
    backgroundColor: '#0d1117',
    show: false,
    ...(paths.icon ? { icon: paths.icon } : {}),
    webPreferences: {
      preload: paths.preload,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      sandbox: true,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      // The scrubber and the live console must not be throttled when the window is behind another.
      backgroundThrottling: false,
    },
  };
}
