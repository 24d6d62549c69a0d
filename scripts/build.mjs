// Bundles the CLI, the engine worker of `hindsight serve`, and the renderer. Runs on `npm install`
// (prepare) so that `npx hindsight` works from a fresh clone; it needs nothing from the network.
import { build } from 'esbuild';

await build({
  entryPoints: { cli: 'app/node/cli.ts', bench: 'app/node/bench/main.ts', 'serve-worker': 'app/node/serve/worker.ts',
    'gdb-worker': 'app/node/serve/gdb-worker.ts', 'trace-writer-thread': 'app/node/trace-store/trace-writer-thread.ts',
    launch: 'main/launch.ts' },
  outdir: 'dist',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  packages: 'external',
  logLevel: 'warning',
});

// The desktop app (Electron 45, Node 22): the main process and the preload as CommonJS (Electron
// loads them from inside the packaged app's asar). The engine's workers are the .mjs ones above,
// unpacked from the asar (electron-builder.yml). import.meta.url (projectRoot()) becomes the file's URL.
const electronCommon = { outdir: 'dist', outExtension: { '.js': '.cjs' }, bundle: true, platform: 'node', format: 'cjs',
  target: 'node22', sourcemap: true, packages: 'external', external: ['electron'], logLevel: 'warning' };
await build({
  ...electronCommon,
  entryPoints: { main: 'main/main.ts' },
  define: { 'import.meta.url': '__hindsightImportMetaUrl' },
  banner: { js: "const __hindsightImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
});
// The preload runs sandboxed: one file that may require only 'electron'.
await build({ ...electronCommon, entryPoints: { preload: 'native-bridge/preload.ts' } });

// The UI (React, xterm.js) for the browser host and, later, Electron: dist/renderer/.
const { build: viteBuild } = await import('vite');
await viteBuild({ configFile: 'vite.config.ts' });
