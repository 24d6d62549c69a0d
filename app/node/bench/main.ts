// `npm run bench`: measures the engine and, where installed, QEMU on the same guest, in one run.
// Prints a table and writes bench-results/bench.json.

import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../io.js';
import { benchEngineSpeed } from './engine-speed.js';

export interface BenchRow {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly target?: string;
  readonly note?: string;
}

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const rows: BenchRow[] = [];
  const suites: Record<string, () => Promise<BenchRow[]>> = {
    engine: benchEngineSpeed,
  };
  for (const [name, suite] of Object.entries(suites)) {
    if (only.length && !only.includes(name)) continue;
    process.stderr.write(`bench: ${name}...\n`);
    rows.push(...(await suite()));
  }
  const width = Math.max(...rows.map((r) => r.name.length), 10);
  const lines = rows.map((r) =>
    `${r.name.padEnd(width)}  ${formatValue(r.value).padStart(12)} ${r.unit.padEnd(8)} ${r.target ? `target ${r.target}` : ''}${r.note ? `  (${r.note})` : ''}`);
  process.stdout.write(`${'benchmark'.padEnd(width)}  ${'value'.padStart(12)} unit\n${lines.join('\n')}\n`);
  const dir = path.join(projectRoot(), 'bench-results');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'bench.json');
  writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), node: process.version, rows }, null, 2));
  process.stderr.write(`bench: wrote ${file}\n`);
}

function formatValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  return Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(2);
}

await main();
