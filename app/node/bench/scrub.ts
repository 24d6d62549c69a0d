// F. Scrubbing in the UI (issue 7's benchmark): runs the e2e measurement e2e/scrub-speed.spec.ts
// (Chromium against `hindsight serve`, dragging the scrubber over workload-long.elf, 2.17 G
// instructions) and reports the figures the browser measured with its own clock, from
// e2e/artifacts/scrub-speed.json. One measurement, two reports: the e2e run and this table.
// Needs Chromium and the built UI; without them the spec skips and so does this suite, saying why.

import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../io.js';
import type { BenchContext, BenchRow } from './main.js';
import { log } from './util.js';

interface ScrubFigures {
  readonly recording: { readonly instructions: number };
  readonly dragSeconds: number;
  readonly positionsPerSecond: number;
  readonly requestToShownMs: { readonly p50: number; readonly p90: number; readonly max: number };
  readonly target: { readonly positionsPerSecond: number; readonly shownWithinMs: number };
}

export async function benchScrub(ctx: BenchContext): Promise<BenchRow[]> {
  const root = projectRoot();
  const figuresFile = path.join(root, 'e2e', 'artifacts', 'scrub-speed.json');
  const started = Date.now();
  const r = spawnSync(process.execPath, [path.join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '-c', 'vitest.e2e.config.ts', 'e2e/scrub-speed.spec.ts'],
    { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20, timeout: 10 * 60_000 });
  const out = `${r.stdout}${r.stderr}`;
  const fresh = existsSync(figuresFile) && statSync(figuresFile).mtimeMs >= started;
  if (!fresh) {
    const skipped = /skipped/i.test(out) && !/failed/i.test(out);
    log(`scrub: ${skipped ? 'the e2e spec skipped (no Chromium or no build?)' : `the e2e spec wrote no figures (exit ${r.status})`}:\n${out.slice(-2000)}`);
    return [];
  }
  if (r.status !== 0) log(`scrub: the e2e spec failed (its figures are still reported):\n${out.slice(-2000)}`);
  const f = JSON.parse(readFileSync(figuresFile, 'utf8')) as ScrubFigures;
  ctx.details.scrub = f;
  const g = (f.recording.instructions / 1e9).toFixed(2);
  return [
    {
      name: `F. scrub ${g} G: positions shown per second while dragging`, value: f.positionsPerSecond, unit: '/s',
      target: `>= ${f.target.positionsPerSecond}`, pass: f.positionsPerSecond >= f.target.positionsPerSecond, note: `${f.dragSeconds} s drag, browser clock`,
    },
    { name: `F. scrub ${g} G: seek request to on screen, p50`, value: f.requestToShownMs.p50, unit: 'ms' },
    { name: `F. scrub ${g} G: seek request to on screen, p90`, value: f.requestToShownMs.p90, unit: 'ms' },
    {
      name: `F. scrub ${g} G: seek request to on screen, max`, value: f.requestToShownMs.max, unit: 'ms',
      target: `<= ${f.target.shownWithinMs}`, pass: f.requestToShownMs.max <= f.target.shownWithinMs,
    },
  ];
}
