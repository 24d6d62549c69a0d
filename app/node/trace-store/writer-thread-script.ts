// Where the trace writer thread's code is. Built (scripts/build.mjs) as dist/trace-writer-thread.mjs
// beside the bundles that use it (dist/cli.mjs, dist/bench.mjs, dist/serve-worker.mjs). A worker
// thread runs plain JavaScript, so when this module runs from its TypeScript source (vitest), the
// thread's entry is bundled on first use with esbuild (a devDependency, never loaded from dist/) into
// node_modules/.cache/hindsight, named by a hash of its contents: never stale, shared by processes.

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const BUNDLED_NAME = 'trace-writer-thread.mjs';
let fromSources: URL | null = null;

export function writerThreadScript(): URL {
  const beside = new URL(`./${BUNDLED_NAME}`, import.meta.url);
  if (existsSync(beside)) return beside;
  if (import.meta.url.endsWith('.ts')) return (fromSources ??= bundleFromSources());
  throw new Error(`the trace writer thread's code is missing: ${fileURLToPath(beside)} (run npm run build)`);
}

function bundleFromSources(): URL {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const esbuild = createRequire(import.meta.url)('esbuild') as typeof import('esbuild');
  const out = esbuild.buildSync({
    entryPoints: [path.join(here, 'trace-writer-thread.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    write: false,
    logLevel: 'silent',
  }).outputFiles[0]!;
  const hash = createHash('sha256').update(out.contents).digest('hex').slice(0, 16);
  // Inside the project's node_modules, so that the thread's `import 'better-sqlite3'` resolves.
  const dir = path.resolve(here, '../../../node_modules/.cache/hindsight');
  const file = path.join(dir, `trace-writer-thread-${hash}.mjs`);
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, out.contents);
    renameSync(tmp, file);
  }
  return new URL(`file://${file}`);
}
