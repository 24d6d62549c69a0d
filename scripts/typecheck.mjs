// Type-checks each area with its own tsconfig, so an area cannot see types it must not use
// (app/engine has neither Node nor DOM types; only renderer/ has the DOM).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const projects = [
  'app/engine/tsconfig.json',
  'app/tsconfig.json',
  'app/node/tsconfig.json',
  'native-bridge/tsconfig.json',
  'main/tsconfig.json',
  'tsconfig.tests.json',
  'renderer/tsconfig.json',
  'e2e/tsconfig.json',
].filter((p) => existsSync(p));

let failed = false;
for (const project of projects) {
  const r = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', project], { stdio: 'inherit' });
  if (r.status !== 0) { console.error(`typecheck failed: ${project}`); failed = true; }
}
process.exit(failed ? 1 : 0);
