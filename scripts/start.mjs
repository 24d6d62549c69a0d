// `npm start [-- FILE]`: the desktop app. Builds first when dist/ is missing or older than the
// sources, then runs dist/launch.mjs (main/launch.ts), which starts Electron, or says in one line
// why it cannot and what to use meanwhile.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const outputs = ['dist/launch.mjs', 'dist/main.cjs', 'dist/preload.cjs', 'dist/serve-worker.mjs', 'dist/gdb-worker.mjs', 'dist/renderer/index.html'];
const sources = ['app', 'main', 'native-bridge', 'renderer', 'scripts/build.mjs', 'vite.config.ts', 'package.json'];

/** Newest modification time under `p` (a file or a folder), skipping tests. */
function newest(p) {
  const st = statSync(p);
  if (!st.isDirectory()) return /\.(test|spec)\.[cm]?tsx?$/.test(p) ? 0 : st.mtimeMs;
  let t = 0;
  for (const e of readdirSync(p)) t = Math.max(t, newest(path.join(p, e)));
  return t;
}

const built = outputs.every((f) => existsSync(path.join(root, f)));
const stale = !built || Math.min(...outputs.map((f) => statSync(path.join(root, f)).mtimeMs)) < Math.max(...sources.map((s) => newest(path.join(root, s))));
if (stale) {
  process.stderr.write(`hindsight: ${built ? 'sources changed since the last build' : 'not built yet'}: npm run build\n`);
  const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
await import('../dist/launch.mjs');
