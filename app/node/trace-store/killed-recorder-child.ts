// The recorder that sqlite-trace-kill.test.ts kills with SIGKILL: it records through the real
// writer as fast as it can, forever. The test bundles it with esbuild and runs it with plain node.
//   node child.mjs <path> [threaded]     (threaded: SQLite on a worker thread, as `record` writes)
// Inputs at every 7th icount with data inputData(icount); a progress mark after each batch; a
// snapshot of 200 pages every 50 batches (large transactions, so the kill often lands mid-write).
// Every ~20 ms it prints "<mark> <Date.now()>": the marks it has made and when.

import { createTraceWriter } from './sqlite-trace-writer.js';
import { createThreadedTraceWriter } from './threaded-trace-writer.js';
import { inputData, ramPage, testHeader } from './test-support.js';

const path = process.argv[2];
if (!path) throw new Error('usage: child <path>');

const w = (process.argv[3] === 'threaded' ? createThreadedTraceWriter : createTraceWriter)(path, testHeader());
process.stdout.write(`ready ${Date.now()}\n`);
let icount = 0;
let lastReport = 0;
for (let batch = 0; ; batch++) {
  for (let i = 0; i < 100; i++) {
    icount += 7;
    w.appendInput({ icount, ticks: icount, kind: 'uart-rx', data: inputData(icount) });
  }
  w.appendDerived({ icount, kind: 'uart-tx', data: inputData(batch) });
  if (batch % 50 === 0) {
    const pages = Array.from({ length: 200 }, (_, i) => ramPage(i, batch));
    w.appendSnapshot({ icount, keyframe: batch % 500 === 0, state: inputData(batch), pages, stateHash: `s${batch}`, writeSummary: inputData(batch + 1) });
  }
  const mark = icount + 1;
  w.markProgress(mark);
  const now = Date.now();
  if (now - lastReport >= 20) {
    process.stdout.write(`${mark} ${now}\n`);
    lastReport = now;
  }
}
