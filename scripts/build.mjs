// Bundles the CLI (and later the hosts) with esbuild. Runs on `npm install` (prepare) so that
// `npx hindsight` works from a fresh clone; it needs nothing from the network.
import { build } from 'esbuild';

await build({
  entryPoints: { cli: 'app/node/cli.ts', bench: 'app/node/bench/main.ts' },
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
