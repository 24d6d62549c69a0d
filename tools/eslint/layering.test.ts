import { describe, expect, it } from 'vitest';
import { ESLint } from 'eslint';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');
const eslint = new ESLint({ cwd: root });

async function lint(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return result!.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

describe('layering rule', () => {
  it('rejects app/engine importing Node', async () => {
    const msgs = await lint('app/engine/cpu/x.ts', "import { readFileSync } from 'node:fs';\nexport const a = readFileSync;\n");
    expect(msgs.join('\n')).toMatch(/may not use the Node built-in "node:fs"/);
  });
  it('rejects app/engine importing outside itself', async () => {
    const msgs = await lint('app/engine/cpu/x.ts', "import { a } from '../../replay/y.js';\nexport const b = a;\n");
    expect(msgs.join('\n')).toMatch(/app\/engine\/ may not import from app\/replay\//);
  });
  it('rejects host time and randomness in app/engine', async () => {
    const msgs = await lint('app/engine/cpu/x.ts', 'export const t = Date.now() + Math.random();\n');
    expect(msgs.some((m) => m.includes('no-restricted-globals'))).toBe(true);
    expect(msgs.some((m) => m.includes('no-restricted-properties'))).toBe(true);
  });
  it('rejects portable app code importing app/node', async () => {
    const msgs = await lint('app/replay/x.ts', "import { a } from '../node/cli.js';\nexport const b = a;\n");
    expect(msgs.join('\n')).toMatch(/app\/replay\/ may not import|app\/ may not import from app\/node/);
  });
  it('rejects the renderer importing core values, allows protocol types', async () => {
    const bad = await lint('renderer/store/x.ts', "import { a } from '../../app/protocol/p.js';\nexport const b = a;\n");
    expect(bad.join('\n')).toMatch(/may import only types from app\/protocol/);
    const good = await lint('renderer/store/x.ts', "import type { A } from '../../app/protocol/p.js';\nexport type B = A;\n");
    expect(good.filter((m) => m.startsWith('hindsight/'))).toEqual([]);
  });
  it('rejects one panel importing another', async () => {
    const msgs = await lint('renderer/features/memory/x.ts', "import { a } from '../registers/y.js';\nexport const b = a;\n");
    expect(msgs.join('\n')).toMatch(/Panels never import each other/);
  });
  it('allows app/node (a host, like main/) to import native-bridge, and native-bridge not app/node', async () => {
    const ok = await lint('app/node/x.ts', "import { a } from '../../native-bridge/usb/y.js';\nexport const b = a;\n");
    expect(ok).toEqual([]);
    const bad = await lint('native-bridge/usb/x.ts', "import { a } from '../../app/node/y.js';\nexport const b = a;\n");
    expect(bad.join('\n')).toMatch(/native-bridge\/ may not import from app\/node/);
  });
  it('lets the renderer see only the types of the preload bridge, never main/ or native-bridge code', async () => {
    const typeOk = await lint('renderer/bridge/x.ts', "import type { NativeApi } from '../../native-bridge/ipc/contract.js';\nexport type B = NativeApi;\n");
    expect(typeOk.filter((m) => m.startsWith('hindsight/'))).toEqual([]);
    const value = await lint('renderer/bridge/x.ts', "import { IPC } from '../../native-bridge/ipc/contract.js';\nexport const b = IPC;\n");
    expect(value.join('\n')).toMatch(/may import only types from native-bridge\//);
    const other = await lint('renderer/bridge/x.ts', "import type { A } from '../../native-bridge/ipc/main-side.js';\nexport type B = A;\n");
    expect(other.join('\n')).toMatch(/renderer\/ may not import from native-bridge\//);
    const main = await lint('renderer/bridge/x.ts', "import { a } from '../../main/menu-template.js';\nexport const b = a;\n");
    expect(main.join('\n')).toMatch(/renderer\/ may not import from main\//);
  });
  it('lets main/ compose app/node, app/session, app/protocol and native-bridge, not the engine', async () => {
    const ok = await lint('main/x.ts', "import { a } from '../app/node/serve/y.js';\nimport { b } from '../app/session/z.js';\nimport { c } from '../native-bridge/ipc/w.js';\nimport { app } from 'electron';\nexport const d = [a, b, c, app];\n");
    expect(ok).toEqual([]);
    const bad = await lint('main/x.ts', "import { a } from '../app/engine/cpu/y.js';\nexport const b = a;\n");
    expect(bad.join('\n')).toMatch(/main\/ may not import from app\/engine\//);
  });
  it('allows app/node to use Node and the whole core', async () => {
    const msgs = await lint('app/node/x.ts', "import fs from 'node:fs';\nimport { a } from '../engine/y.js';\nexport const b = [fs, a];\n");
    expect(msgs).toEqual([]);
  });
});
