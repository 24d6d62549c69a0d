// Guest MIPS of the engine on the CPU + memory workload, and of QEMU on the same ELF.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Machine } from '../../engine/machine/machine.js';
import { projectRoot } from '../io.js';
import { qemuAvailable, runUnderQemu } from '../qemu-reference.js';
import type { BenchRow } from './main.js';

export async function benchEngineSpeed(): Promise<BenchRow[]> {
  const elfPath = path.join(projectRoot(), 'assets', 'firmware', 'elf', 'workload.elf');
  const bytes = readFileSync(elfPath);
  const machine = Machine.create({ image: { bytes, path: elfPath } });
  let output = '';
  machine.onUartOutput = (b) => { output += String.fromCharCode(b); };
  const t0 = performance.now();
  let reason;
  do reason = machine.run({ maxInstructions: 1 << 24 }); while (reason.kind === 'limit');
  const seconds = (performance.now() - t0) / 1000;
  if (reason.kind !== 'exit' || reason.code !== 0) throw new Error(`workload did not exit 0: ${JSON.stringify(reason)}\n${output}`);
  const insns = machine.icount;
  const mips = insns / seconds / 1e6;
  const rows: BenchRow[] = [
    { name: 'workload instructions', value: insns / 1e6, unit: 'M' },
    { name: 'hindsight run', value: mips, unit: 'MIPS', target: '>= 150', note: `${seconds.toFixed(2)} s` },
  ];
  if (!qemuAvailable()) {
    rows.push({ name: 'qemu', value: NaN, unit: 'MIPS', note: 'qemu-system-riscv32 not installed' });
    return rows;
  }
  for (const icount of [false, true]) {
    const r = await runUnderQemu(elfPath, { icount, timeoutMs: 300_000 });
    if (r.exitCode !== 0) throw new Error(`QEMU run of the workload failed (exit ${r.exitCode})`);
    const qmips = insns / (r.wallMs / 1000) / 1e6;
    const label = icount ? 'qemu -icount shift=0' : 'qemu (TCG)';
    rows.push({ name: label, value: qmips, unit: 'MIPS', note: `${(r.wallMs / 1000).toFixed(2)} s incl. startup` });
    rows.push({ name: `hindsight / ${label}`, value: mips / qmips, unit: 'ratio' });
  }
  return rows;
}
