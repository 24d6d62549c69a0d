// `npm start [FILE]` (bundled as dist/launch.mjs; scripts/start.mjs builds first when needed):
// runs the desktop app under Electron with the engine's native addon built for it. A plain Node
// program, not Electron: where there is no Electron binary it says so in one line, how to get
// one, and that `npx hindsight serve` shows the same UI in a browser.

import { spawn } from 'node:child_process';
import path from 'node:path';
import { projectRoot } from '../app/node/io.js';
import { findElectron } from './electron-binary.js';
import { electronSqliteBinding } from './native-modules.js';

async function launch(args: readonly string[]): Promise<number> {
  const root = projectRoot();
  const electron = findElectron(root);
  if (!electron.found) {
    process.stderr.write(`hindsight: cannot start the desktop app: ${electron.why}; ${electron.howToGet}. Meanwhile \`npx hindsight serve\` opens the same UI in a browser.\n`);
    return 1;
  }
  let binding: string;
  try {
    binding = await electronSqliteBinding(root, electron.version, (line) => process.stderr.write(`hindsight: ${line}\n`));
  } catch (e) {
    process.stderr.write(`hindsight: cannot start the desktop app: ${(e as Error).message}\n`);
    return 1;
  }
  const child = spawn(electron.path, [path.join(root, 'dist', 'main.cjs'), ...args], {
    stdio: 'inherit',
    env: { ...process.env, HINDSIGHT_SQLITE_BINDING: binding },
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
  return new Promise((resolve) => {
    child.on('error', (e) => { process.stderr.write(`hindsight: cannot run ${electron.path}: ${e.message}\n`); resolve(1); });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

process.exitCode = await launch(process.argv.slice(2));
