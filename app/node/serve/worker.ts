// Entry of the engine worker thread (bundled as dist/serve-worker.mjs): owns the DebugSession and
// answers the host's requests one at a time. See session-host.ts.

import { parentPort, workerData } from 'node:worker_threads';
import { DebugSession } from '../../session/session.js';
import { nodeSessionPorts } from './node-ports.js';
import { runRequest, type FromWorker, type HostResult, type ToWorker, type WorkerData } from './session-host.js';

const port = parentPort;
if (!port) throw new Error('serve-worker must run in a worker thread');
const data = workerData as WorkerData;
const flag = new Int32Array(data.cancelFlag);
const post = (m: FromWorker): void => port.postMessage(m);
const session = new DebugSession(nodeSessionPorts(data.scratchDir), (event, d) => post({ type: 'event', event, data: d }));

// Idle time reads the recording ahead and rehearses it (DebugSession.idleStep), one step a turn: a
// request that comes meanwhile waits for at most one step (a keyframe read: a few ms; a rehearsal:
// ~10 ms, plus the way back to the position, at most one snapshot interval of replay).
let idleScheduled = false;
const idle = (): void => {
  idleScheduled = session.idleStep();
  if (idleScheduled) setImmediate(idle);
};

port.on('message', (m: ToWorker) => {
  const answer = (r: HostResult): void => post(r.ok ? { type: 'response', id: m.id, ok: true, result: r.result } : { type: 'response', id: m.id, ok: false, error: r.error });
  const r = runRequest(session, m.id, m.method, m.params, flag);
  // An async service (a recording) answers later; this thread's event loop keeps taking messages meanwhile.
  if (r instanceof Promise) void r.then(answer); else answer(r);
  if (!idleScheduled) {
    idleScheduled = true;
    setImmediate(idle);
  }
});
