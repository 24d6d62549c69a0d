// Bundles the CLI, the engine worker of `hindsight serve`, and the renderer. Runs on `npm install`
// (prepare) so that `npx hindsight` works from a fresh clone; it needs nothing from the network.
import { build } from 'esbuild';

await build({
  entryPoints: { cli: 'app/node/cli.ts', bench: 'app/node/bench/main.ts', 'serve-worker': 'app/node/serve/worker.ts' },
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

// The UI (React, xterm.js) for the browser host and, later, Electron: dist/renderer/.
const { build: viteBuild } = await import('vite');
await viteBuild({ configFile: 'vite.config.ts' });
